from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creators.models import Creator, WalletKey


def new_public_id() -> str:
    # 128 bits: tips are reachable by URL without an account, so ids must not be guessable.
    return secrets.token_urlsafe(16)


class Address(models.Model):
    """An address derived from a creator's key, watched for as long as it exists.

    Rows are created by allocation and never deleted: every address ever shown
    to a viewer stays watched, whatever happens to its tip or key.
    """

    creator_lookup = "creator"

    creator = models.ForeignKey(Creator, on_delete=models.PROTECT, related_name="addresses")
    wallet_key = models.ForeignKey(WalletKey, on_delete=models.PROTECT, related_name="addresses")
    index = models.PositiveIntegerField()
    change = models.BooleanField(default=False)
    # Unique index: the block scanner matches a block's outputs with one IN query on it.
    address = models.CharField(max_length=90, unique=True)
    # Ever received an output (any state). A used address is never given to another tip.
    used = models.BooleanField(default=False)
    # Held for its latest tip until then (expiry + monitoring window); free to recycle after,
    # if unused.
    reserved_until = models.DateTimeField()
    # Last time the mempool watcher asked the chain source about this address.
    mempool_polled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["wallet_key", "change", "index"], name="address_unique_per_key_index"
            ),
        ]
        indexes = [models.Index(fields=["wallet_key", "used", "index"])]

    def __str__(self) -> str:
        return self.address

    @property
    def derivation_path(self) -> str:
        return f"{1 if self.change else 0}/{self.index}"


class TipStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    IN_MEMPOOL = "in_mempool", _("Payment seen, confirming")
    CONFIRMED = "confirmed", _("Confirmed")
    EXPIRED = "expired", _("Expired")


OPEN_STATUSES = (TipStatus.AWAITING_PAYMENT,)
# A confirmed tip that falls back to one of these has lost its payment to the network
# (reorganised away, or replaced by a transaction paying elsewhere): a TipReversal.
# Back in the mempool after a reorg is not one: that payment usually confirms again.
TAKEN_BACK_STATUSES = (TipStatus.AWAITING_PAYMENT, TipStatus.EXPIRED)


class Tip(models.Model):
    creator_lookup = "creator"

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    creator = models.ForeignKey(Creator, on_delete=models.PROTECT, related_name="tips")
    widget = models.ForeignKey(
        "widgets.Widget", null=True, blank=True, on_delete=models.SET_NULL, related_name="tips"
    )
    video_id = models.CharField(max_length=200, blank=True)
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="tips")
    amount_sats = models.PositiveBigIntegerField(_("requested amount (sats)"))
    # The minimum that applied when the tip was made (creator's or the widget's).
    minimum_sats = models.PositiveBigIntegerField()
    name = models.CharField(max_length=50, blank=True)
    message = models.CharField(max_length=280, blank=True)
    # Hidden by the creator or a moderator: never shown publicly again.
    message_hidden = models.BooleanField(default=False)
    message_hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Matched the staff word list; held from public view until reviewed when the creator
    # chose to hold flagged messages.
    message_flagged = models.BooleanField(default=False)
    message_reviewed_at = models.DateTimeField(null=True, blank=True)
    # Set when the "tip" is the purchase of a paid unlock.
    unlock_item = models.ForeignKey(
        "unlocks.UnlockItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="purchases",
    )

    status = models.CharField(
        max_length=20, choices=TipStatus.choices, default=TipStatus.AWAITING_PAYMENT
    )
    # Sum of payments still valid (mempool or in a block) and of those final enough.
    received_sats = models.PositiveBigIntegerField(default=0)
    confirmed_sats = models.PositiveBigIntegerField(default=0)
    paid_late = models.BooleanField(default=False)
    below_minimum = models.BooleanField(default=False)
    overpaid = models.BooleanField(default=False)
    confirmations_required = models.PositiveSmallIntegerField(default=1)

    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # Until then the address stays reserved for this tip (payments still credited to it).
    watch_until = models.DateTimeField()
    first_seen_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["creator", "status", "created_at"]),
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["address", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"tip {self.public_id} to {self.creator}"

    @property
    def is_open(self) -> bool:
        return self.status == TipStatus.AWAITING_PAYMENT

    @property
    def taken_back(self) -> bool:
        """Confirmed once, then the network took its payment back (a TipReversal), and
        not paid since. Lists prefetch `reversals` (creators.dashboard.rows)."""
        return self.status in TAKEN_BACK_STATUSES and bool(self.reversals.all())


class PaymentState(models.TextChoices):
    MEMPOOL = "mempool", _("In mempool")
    CONFIRMED = "confirmed", _("In a block")
    REPLACED = "replaced", _("Replaced or dropped")
    REORGED = "reorged", _("Block reorganised away")


LIVE_PAYMENT_STATES = (PaymentState.MEMPOOL, PaymentState.CONFIRMED)


class Payment(models.Model):
    """One transaction output paying a tip address. Unique by (txid, vout): never counted twice."""

    creator_lookup = "tip__creator"

    tip = models.ForeignKey(Tip, on_delete=models.PROTECT, related_name="payments")
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="payments")
    txid = models.CharField(max_length=64)
    vout = models.PositiveIntegerField()
    value_sats = models.PositiveBigIntegerField()
    state = models.CharField(max_length=16, choices=PaymentState.choices)
    first_seen_at = models.DateTimeField(default=timezone.now)
    block_height = models.PositiveIntegerField(null=True, blank=True)
    block_hash = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["txid", "vout"], name="payment_unique_outpoint"),
        ]
        indexes = [
            models.Index(fields=["state"]),
            models.Index(fields=["block_height"]),
        ]

    def __str__(self) -> str:
        return f"{self.txid}:{self.vout} {self.value_sats} sats"


class ChainState(models.Model):
    """Where the block scanner stands. A single row (pk=1)."""

    height = models.IntegerField(null=True, blank=True)
    block_hash = models.CharField(max_length=64, blank=True)
    tip_height = models.IntegerField(null=True, blank=True)
    last_scan_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    # Failed runs in a row; the watcher waits longer between tries as it grows.
    consecutive_failures = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"scanned to {self.height}"

    @classmethod
    def load(cls) -> ChainState:
        state, _ = cls.objects.get_or_create(pk=1)
        return state


class ScannedBlock(models.Model):
    """Recently scanned blocks, kept to find the fork point after a reorg."""

    height = models.IntegerField(unique=True)
    block_hash = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    scanned_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.height} {self.block_hash}"


class SimulatedBlock(models.Model):
    """A block of the simulated chain (payments.chain.simulated). Not real bitcoin."""

    height = models.IntegerField(db_index=True)
    block_hash = models.CharField(max_length=64, unique=True)
    prev_hash = models.CharField(max_length=64)
    on_best_chain = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"simulated block {self.height}"


class SimulatedTransaction(models.Model):
    """A transaction of the simulated chain; `outputs` is [{"address": str, "value": sats}]."""

    txid = models.CharField(max_length=64, unique=True)
    outputs = models.JSONField()
    block = models.ForeignKey(
        SimulatedBlock,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="transactions",
    )
    in_mempool = models.BooleanField(default=True)
    # Set when the transaction was replaced (RBF) or dropped from the mempool.
    replaced_by = models.CharField(max_length=64, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.txid


class TipConfirmationEmail(models.Model):
    """The creator was emailed that this tip is confirmed: once per tip, whatever re-runs.

    A row of its own rather than a field on Tip, which the watcher saves whole.
    """

    creator_lookup = "tip__creator"

    tip = models.OneToOneField(Tip, on_delete=models.CASCADE, related_name="confirmation_email")
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"confirmation email for {self.tip}"


class TipReversal(models.Model):
    """A confirmed tip was taken back by the network (see TAKEN_BACK_STATUSES).

    One row per reversal: a tip confirmed again and taken back again has two. The
    creator is emailed once per row.
    """

    creator_lookup = "tip__creator"

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="reversals")
    reversed_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.tip} taken back at {self.reversed_at}"


# --- Webhooks -------------------------------------------------------------------


def new_webhook_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


class WebhookEvent(models.TextChoices):
    TIP_DETECTED = "tip.detected", _("Tip detected: a payment was seen, not yet confirmed")
    TIP_CONFIRMED = "tip.confirmed", _("Tip confirmed")
    TIP_REVERTED = "tip.reverted", _("Tip reverted: its payment was replaced or reorganised away")
    UNLOCK_PAID = "unlock.paid", _("Paid unlock sold: a buyer's payment reached the price")


class WebhookEndpoint(models.Model):
    """A URL of the creator's where Bitcache posts signed tip events."""

    creator_lookup = "creator"

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=80, blank=True)
    # Signs every delivery (HMAC-SHA256); the creator copies it into their receiver.
    secret = models.CharField(max_length=64, default=new_webhook_secret, editable=False)
    events = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    # First failed attempt since the last success; after a day of failures the endpoint is
    # disabled and the creator told.
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event for one endpoint, tried until it is accepted or its retry window ends.

    The next try is stored (`next_attempt_at`) and picked up by a beat task, so retries
    survive a restart of the broker or of every worker.
    """

    creator_lookup = "endpoint__creator"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    # The receiver's idempotency key: the same event to several endpoints, or redelivered,
    # keeps its id.
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    event_type = models.CharField(max_length=32, choices=WebhookEvent.choices)
    tip = models.ForeignKey(
        Tip, null=True, blank=True, on_delete=models.SET_NULL, related_name="webhook_deliveries"
    )
    payload = models.JSONField()
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # No automatic retry is scheduled past this time.
    give_up_at = models.DateTimeField()
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="webhook_delivery_unique_event"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} to {self.endpoint}"
