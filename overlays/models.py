"""A creator's overlay settings (behind a secret token) and their stream of alert events."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from creators.models import Creator
from payments.models import Tip


class OverlayPeriod(models.TextChoices):
    SESSION = "session", _("This stream session (since the last reset)")
    WEEK = "week", _("This week")
    MONTH = "month", _("This month")
    CUSTOM = "custom", _("Custom dates")


class SupportersMode(models.TextChoices):
    LATEST = "latest", _("Latest supporters")
    TOP = "top", _("Top supporters")


class AlertStyle(models.TextChoices):
    PLAIN = "plain", _("Plain")
    BRIGHT = "bright", _("Bright")
    GOLD = "gold", _("Gold")


class AlertSound(models.TextChoices):
    NONE = "none", _("No sound")
    CHIME = "chime", _("Chime")
    COINS = "coins", _("Coins")
    FANFARE = "fanfare", _("Fanfare")


class OverlaySettings(models.Model):
    """One per creator, made on first visit to the dashboard's "Stream overlays" page.

    The token is the overlays' only credential (OBS sends no cookie). It is kept twice:
    `token_hash` (SHA-256, unique) is what a request is looked up by, so a timing
    difference in the index look-up tells at most a prefix of a hash, never of a token;
    `token_sealed` (web.sealing) lets the dashboard show the URLs again without a
    database copy alone revealing them. Regenerating replaces both at once.
    """

    creator = models.OneToOneField(Creator, on_delete=models.CASCADE, related_name="overlay")
    token_hash = models.CharField(max_length=64, unique=True)
    token_sealed = models.TextField()

    # Alerts. Tiers: up to 3 dicts {min_sats, style, sound, seconds}, by min_sats.
    alert_min_sats = models.PositiveBigIntegerField(default=0)
    alert_tiers = models.JSONField(default=list, blank=True)
    alert_speech = models.BooleanField(default=False)

    # Goal.
    goal_title = models.CharField(max_length=80, blank=True)
    goal_target_sats = models.PositiveBigIntegerField(default=100_000)
    # A target in fiat instead (goal_currency set): the creator's display currency when
    # they saved it. Progress then counts each tip at its own rate (overlays.selectors).
    goal_target_fiat = models.DecimalField(
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    goal_currency = models.CharField(max_length=3, blank=True)
    # Also shown on the creator's tip page and widgets (public figures, no token needed).
    goal_public = models.BooleanField(default=False)
    goal_period = models.CharField(
        max_length=10, choices=OverlayPeriod.choices, default=OverlayPeriod.SESSION
    )
    goal_starts_at = models.DateTimeField(null=True, blank=True)  # custom period
    goal_ends_at = models.DateTimeField(null=True, blank=True)
    # "Reset" (a new stream session): nothing before it counts, whatever the period.
    goal_reset_at = models.DateTimeField(null=True, blank=True)

    # Supporters.
    supporters_mode = models.CharField(
        max_length=10, choices=SupportersMode.choices, default=SupportersMode.LATEST
    )
    supporters_period = models.CharField(
        max_length=10, choices=OverlayPeriod.choices, default=OverlayPeriod.MONTH
    )
    supporters_count = models.PositiveSmallIntegerField(default=5)

    # The Streamlabs bridge (optional): each alerted tip is posted to Streamlabs' donations
    # API with the creator's own token, sealed (web.sealing), in their chosen currency.
    streamlabs_enabled = models.BooleanField(default=False)
    streamlabs_token_sealed = models.TextField(blank=True)
    streamlabs_currency = models.CharField(max_length=3, default="USD")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"overlays of creator {self.creator_id}"


class OverlayEventKind(models.TextChoices):
    ALERT = "alert"  # a tip, first seen (on-chain) or paid (Lightning)
    RETRACT = "retract"  # an alert's message was hidden: blank or drop it
    TEST = "test"  # the dashboard's "Send test alert": never a tip


class OverlayEvent(models.Model):
    """One event of a creator's overlay stream; its id is the SSE event id.

    `data` holds only what the overlay shows on stream: the name if the viewer allowed
    it, the amount, the message as moderation lets it be shown publicly.
    """

    id = models.BigAutoField(primary_key=True)  # increases: resuming is "id > last"
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="+")
    tip = models.ForeignKey(Tip, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=OverlayEventKind.choices)
    data = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["creator", "id"], name="overlay_event_creator_id")]
        constraints = [
            models.UniqueConstraint(
                fields=["tip"], condition=Q(kind="alert"), name="overlay_one_alert_per_tip"
            )
        ]

    def __str__(self) -> str:
        return f"overlay {self.kind} {self.pk} of creator {self.creator_id}"


class StreamlabsPostStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    NO_RATE = "no_rate", _("Not sent: no exchange rate")


class StreamlabsPost(models.Model):
    """One tip to post to the creator's Streamlabs (an outbox row, written with the alert
    in the same transaction, sent after commit by overlays.tasks, retried from here)."""

    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="+")
    tip = models.OneToOneField(Tip, on_delete=models.CASCADE, related_name="+")
    payload = models.JSONField()  # what Streamlabs receives, the token aside
    status = models.CharField(
        max_length=10, choices=StreamlabsPostStatus.choices, default=StreamlabsPostStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="streamlabs_post_due",
            )
        ]

    def __str__(self) -> str:
        return f"streamlabs post of tip {self.tip_id} ({self.status})"
