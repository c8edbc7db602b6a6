"""Writes of the widgets app: creators' widgets, and a new address for an expired tip.

Widget rules are checked here, so the creator pages and any future API agree;
refusals are ValidationErrors keyed by field, which a form shows as they are.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from creators.models import Creator
from creators.services import suggested_amounts_clean
from payments.models import Tip, TipStatus
from payments.selectors import tip_viewer_status
from payments.services import TipRefused, tip_create
from widgets.models import RefusedOrigin, Widget, WidgetTheme
from widgets.origins import normalize_origins, origin_allowed, origin_of

MINIMUM_BELOW_CREATORS = _(
    "At least your own minimum tip (%(min)s sats): set in your tip settings, it applies "
    "to every widget."
)
SUGGESTION_OUT_OF_RANGE = _(
    "Suggested amounts must be between this widget's minimum (%(min)s sats) and %(max)s sats."
)


def _widget_save(
    widget: Widget,
    *,
    label: str,
    min_tip_sats: int,
    suggested_amounts: list[int],
    theme: str,
    video_id: str,
    allowed_origins: list[str],
) -> Widget:
    errors: dict[str, ValidationError] = {}
    creator_minimum = widget.creator.min_tip_sats
    if min_tip_sats < creator_minimum:
        errors["min_tip_sats"] = ValidationError(
            MINIMUM_BELOW_CREATORS,
            params={"min": number_format(creator_minimum, force_grouping=True)},
        )
    try:
        suggestions = suggested_amounts_clean(
            suggested_amounts, minimum=min_tip_sats, out_of_range=SUGGESTION_OUT_OF_RANGE
        )
    except ValidationError as error:
        errors["suggested_amounts"] = error
    try:
        widget.allowed_origins = normalize_origins(allowed_origins)
    except ValidationError as error:
        errors["allowed_origins"] = error
    if errors:
        raise ValidationError(errors)
    widget.label = label.strip()
    widget.min_tip_sats = min_tip_sats
    widget.suggested_amounts = suggestions
    widget.theme = theme
    widget.video_id = video_id.strip()
    widget.full_clean()
    widget.save()
    return widget


def widget_create(
    *,
    creator: Creator,
    label: str,
    min_tip_sats: int,
    suggested_amounts: list[int] | None = None,
    theme: str = WidgetTheme.LIGHT,
    video_id: str = "",
    allowed_origins: list[str] | None = None,
) -> Widget:
    return _widget_save(
        Widget(creator=creator),
        label=label,
        min_tip_sats=min_tip_sats,
        suggested_amounts=suggested_amounts or [],
        theme=theme,
        video_id=video_id,
        allowed_origins=allowed_origins or [],
    )


def widget_update(
    *,
    widget: Widget,
    label: str,
    min_tip_sats: int,
    suggested_amounts: list[int],
    theme: str,
    video_id: str,
    allowed_origins: list[str],
) -> Widget:
    return _widget_save(
        widget,
        label=label,
        min_tip_sats=min_tip_sats,
        suggested_amounts=suggested_amounts,
        theme=theme,
        video_id=video_id,
        allowed_origins=allowed_origins,
    )


def widget_set_active(*, widget: Widget, active: bool) -> Widget:
    """Disable (embeds then show 404) or re-enable a widget. Its tips are kept."""
    widget.is_active = active
    widget.save(update_fields=["is_active"])
    return widget


def tip_renew(*, tip: Tip, client: str = "") -> Tip:
    """A new tip, on a new address, with an expired tip's amount, name and message,
    for `client` (payments.throttle.client_fingerprint)."""
    if tip_viewer_status(tip) != TipStatus.EXPIRED:
        raise TipRefused(
            "not_expired", gettext("This tip can still be paid: no new address is needed.")
        )
    return tip_create(
        creator=tip.creator,
        amount_sats=tip.amount_sats,
        name=tip.name,
        name_public=tip.name_public,
        # A message hidden by the creator or a moderator does not come back with the tip.
        message="" if tip.message_hidden else tip.message,
        widget=tip.widget,
        video_id=tip.video_id,
        client=client,
    )


# Enough to show a creator where their widget turns up; a flood of made-up origins
# stops growing the table here.
MAX_REFUSED_ORIGINS = 50


def refused_origin_record(*, widget: Widget, origin: str) -> None:
    """Count a site that tried to show `widget` though it is not among its allowed
    origins. Allowed origins and anything that is not a plain origin are ignored."""
    origin = origin_of(origin) or ""
    if not origin or not widget.allowed_origins:
        return
    if origin_allowed(origin, widget.allowed_origins):
        return
    seen = RefusedOrigin.objects.filter(widget=widget, origin=origin)
    if seen.update(times=F("times") + 1, last_seen=timezone.now()):
        return
    if RefusedOrigin.objects.filter(widget=widget).count() >= MAX_REFUSED_ORIGINS:
        return
    try:
        with transaction.atomic():
            RefusedOrigin.objects.create(widget=widget, origin=origin)
    except IntegrityError:  # the same origin reported at the same moment
        seen.update(times=F("times") + 1, last_seen=timezone.now())
