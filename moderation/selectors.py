"""Reads of moderation: the queue, reports, the log, the word list."""

from __future__ import annotations

import re
from datetime import datetime

from django.contrib.auth.models import User
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce

from creators.models import Creator, CreatorStatus, WalletKey
from moderation.models import FlaggedTerm, ModerationLogEntry, Report


def creator_latest_status_change(*, creator: Creator) -> ModerationLogEntry | None:
    """The moderation entry that put the creator in their current status.

    The dashboard quotes its reason to a suspended or rejected creator.
    """
    return (
        ModerationLogEntry.objects.filter(creator=creator, to_status=creator.status)
        .exclude(from_status=F("to_status"))
        .first()
    )


# --- Moderation ---------------------------------------------------------------

QUEUE_ATTENTION = "attention"  # pending review, or reported and not yet resolved
QUEUE_REPORTED = "reported"
QUEUE_ALL = "all"


def creators_for_review(*, show: str = QUEUE_ATTENTION, search: str = "") -> QuerySet[Creator]:
    """The moderation queue: pending creators first (oldest first), then reported ones
    (most open reports first), then the others.

    `show` is QUEUE_ATTENTION, QUEUE_REPORTED, QUEUE_ALL or a CreatorStatus;
    `search` matches handle, display name or email.
    """
    open_reports = (
        Report.objects.filter(creator=OuterRef("pk"), resolved_at__isnull=True)
        .order_by()
        .values("creator")
        .annotate(count=Count("pk"))
        .values("count")
    )
    active_key_type = (
        WalletKey.objects.active().filter(creator=OuterRef("pk")).values("script_type")[:1]
    )
    creators = Creator.objects.select_related("user").annotate(
        open_report_count=Coalesce(Subquery(open_reports, output_field=IntegerField()), 0),
        key_type=Subquery(active_key_type),
        queue_rank=Case(
            When(status=CreatorStatus.PENDING, then=0),
            When(open_report_count__gt=0, then=1),
            default=2,
        ),
    )
    if show == QUEUE_ATTENTION:
        creators = creators.filter(Q(status=CreatorStatus.PENDING) | Q(open_report_count__gt=0))
    elif show == QUEUE_REPORTED:
        creators = creators.filter(open_report_count__gt=0)
    elif show in CreatorStatus.values:
        creators = creators.filter(status=show)
    if search:
        creators = creators.filter(
            Q(handle__icontains=search)
            | Q(display_name__icontains=search)
            | Q(user__email__icontains=search)
        )
    return creators.order_by("queue_rank", "-open_report_count", "created_at", "pk")


def reports_of(*, creator: Creator) -> QuerySet[Report]:
    """A creator's reports, open ones first, newest first."""
    return (
        Report.objects.filter(creator=creator)
        .select_related("resolved_by")
        .order_by(F("resolved_at").desc(nulls_first=True), "-created_at", "-pk")
    )


def moderation_log(
    *,
    action: str = "",
    actor: User | None = None,
    handle: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    search: str = "",
) -> QuerySet[ModerationLogEntry]:
    """Log entries, newest first, narrowed by whichever filters are given."""
    entries = ModerationLogEntry.objects.select_related("creator", "actor")
    if action:
        entries = entries.filter(action=action)
    if actor is not None:
        entries = entries.filter(actor=actor)
    if handle:
        entries = entries.filter(creator__handle__iexact=handle)
    if since is not None:
        entries = entries.filter(created_at__gte=since)
    if until is not None:
        entries = entries.filter(created_at__lt=until)
    if search:
        entries = entries.filter(
            Q(reason__icontains=search)
            | Q(creator__handle__icontains=search)
            | Q(actor__email__icontains=search)
            | Q(actor__username__icontains=search)
        )
    return entries


def creators_per_status() -> dict[str, int]:
    """How many creators are in each status, every status listed (0 included)."""
    counts = dict(Creator.objects.order_by().values_list("status").annotate(Count("pk")))
    return {status: counts.get(status, 0) for status in CreatorStatus.values}


def message_matches_word_list(message: str) -> bool:
    """Whether the message contains a term of the staff word list, as a whole word or phrase.

    Case-insensitive; "scam" flags "SCAM!" but not "scammer", and a phrase matches
    across any run of whitespace.
    """
    if not message:
        return False
    terms = [term.split() for term in FlaggedTerm.objects.values_list("term", flat=True)]
    alternatives = [r"\s+".join(map(re.escape, words)) for words in terms if words]
    if not alternatives:
        return False
    pattern = rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)"
    return re.search(pattern, message, re.IGNORECASE) is not None
