from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creators.models import Creator, WalletKey
from rates.snapshot import RateSnapshot


def new_public_id() -> str:
    """128 random bits in URL-safe base64 (22 characters), never starting with "-".

    Tips are reachable by URL without an account, so ids must not be guessable. A leading
    "-" (1 draw in 64) reads as an option on a command line (`simulate_payment -x…`), so
    such a draw is thrown away and another one taken: every id is still a uniform pick
    among the remaining ones, and ids made before this rule stay as they are.
    """
    while True:
        public_id = secrets.token_urlsafe(16)
        if not public_id.startswith("-"):
            return public_id


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
    # When the mempool watcher next asks about this address (payments.onchain.watcher's
    # schedule); null once it is no longer watched in the mempool (reservation over, no
    # payment pending). Indexed: each run selects only the addresses due.
    mempool_check_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["wallet_key", "change", "index"], name="address_unique_per_key_index"
            ),
        ]
        indexes = [
            models.Index(fields=["wallet_key", "used", "index"]),
            models.Index(
                fields=["mempool_check_at"],
                condition=Q(mempool_check_at__isnull=False),
                name="address_mempool_due",
            ),
        ]

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


def tip_holds_place(now: datetime) -> Q:
    """Tips that count against the open-tip caps at `now`: unpaid, in their payment window,
    and watched (their payment screen polled) within BITCACHE_TIP_UNWATCHED_MINUTES; a tip
    whose payment screen was never opened holds its place BITCACHE_TIP_UNSEEN_SECONDS only
    (a viewer's browser opens it at once; a script opening tips in bulk does not).

    An unwatched one is abandoned for the caps and for address recycling under gap-limit
    pressure only: its address stays watched, and a payment to it is still credited.
    The one rule, with Tip.place_frees_at, for "what counts as an open tip".
    """
    recently = now - timedelta(minutes=settings.BITCACHE_TIP_UNWATCHED_MINUTES)
    just_made = now - timedelta(seconds=settings.BITCACHE_TIP_UNSEEN_SECONDS)
    watched = Q(watched_at__gt=recently) | Q(watched_at__isnull=True, created_at__gt=just_made)
    # A Lightning-only tip burns no on-chain address: it holds no place (the caps exist
    # because every on-chain attempt takes an address).
    open_ = Q(status=TipStatus.AWAITING_PAYMENT, expires_at__gt=now, address__isnull=False)
    return open_ & watched


class Rail(models.TextChoices):
    """How a tip is paid: to an on-chain address, or a Lightning invoice of the creator's
    own wallet."""

    ONCHAIN = "onchain", _("On-chain")
    LIGHTNING = "lightning", _("Lightning")


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
    # The rail the tip was paid on, or offered on while unpaid.
    rail = models.CharField(max_length=10, choices=Rail.choices, default=Rail.ONCHAIN)
    # None for a Lightning tip: it burns no on-chain address.
    address = models.ForeignKey(
        Address, null=True, blank=True, on_delete=models.PROTECT, related_name="tips"
    )
    amount_sats = models.PositiveBigIntegerField(_("requested amount (sats)"))
    # The minimum that applied when the tip was made (creator's or the widget's).
    minimum_sats = models.PositiveBigIntegerField()
    name = models.CharField(max_length=50, blank=True)
    # The viewer let their name appear publicly (stream overlays: alerts, supporters).
    # Default no: the creator's own pages still show it; public places say "Anonymous".
    name_public = models.BooleanField(default=False)
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
    # The status listeners (webhooks, emails) were last told of, through a TipEvent. It
    # lags `status` only while a reorg is being rescanned (see payments.events).
    announced_status = models.CharField(
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
    # A keyed hash (SECRET_KEY) of who opened the tip: their IPv4 address or IPv6 /64, never
    # the address itself. Empty for tips opened without a request (tests, scripts).
    client_fingerprint = models.CharField(max_length=64, blank=True)
    # The rate the tip was priced at when it was made (rates.snapshot.RateSnapshot): what it
    # was worth then, whatever the rate does later. Empty when no fresh rate existed.
    rate_currency = models.CharField(max_length=3, blank=True)
    rate = models.DecimalField(max_digits=24, decimal_places=8, null=True, blank=True)
    rate_sources = models.JSONField(default=list, blank=True)
    rate_at = models.DateTimeField(null=True, blank=True)
    # Last time the payment screen asked for the tip's status (written at most every
    # WATCH_RECORD_EVERY): an unpaid tip nobody watches stops holding a place (tip_holds_place).
    watched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["creator", "status", "created_at"]),
            # "This creator's tips, newest first" and its keyset pages (reports.tips_page).
            models.Index(fields=["creator", "-created_at", "-id"], name="tip_creator_newest"),
            # The creator's messages, newest first, and their keyset pages
            # (payments.selectors.tip_messages_of).
            models.Index(
                fields=["creator", "-created_at", "-id"],
                condition=~models.Q(message=""),
                name="tip_creator_messages",
            ),
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["address", "-created_at"]),
            # The tips whose move is still to be announced: a handful at most.
            models.Index(
                fields=["id"],
                condition=~models.Q(status=models.F("announced_status")),
                name="tip_unannounced",
            ),
        ]

    def __str__(self) -> str:
        return f"tip {self.public_id} to {self.creator}"

    @property
    def is_open(self) -> bool:
        return self.status == TipStatus.AWAITING_PAYMENT

    def place_frees_at(self) -> datetime:
        """When this open tip stops holding one of the creator's places unless watched again
        (see tip_holds_place)."""
        if self.watched_at is None:
            unseen = timedelta(seconds=settings.BITCACHE_TIP_UNSEEN_SECONDS)
            return min(self.expires_at, self.created_at + unseen)
        unwatched = timedelta(minutes=settings.BITCACHE_TIP_UNWATCHED_MINUTES)
        return min(self.expires_at, self.watched_at + unwatched)

    @property
    def value_sats(self) -> int:
        """What the tip is worth: what it received, or what it asks for before any payment
        (the dashboard's "Amount")."""
        return self.received_sats or self.amount_sats

    @property
    def rate_snapshot(self) -> RateSnapshot | None:
        if self.rate is None or self.rate_at is None:
            return None
        return RateSnapshot(
            currency=self.rate_currency,
            rate=self.rate,
            sources=tuple(self.rate_sources),
            fetched_at=self.rate_at,
        )

    @staticmethod
    def snapshot_fields(snapshot: RateSnapshot | None) -> dict[str, Any]:
        """The Tip fields that keep `snapshot` (all empty for None)."""
        if snapshot is None:
            return {"rate_currency": "", "rate": None, "rate_sources": [], "rate_at": None}
        return {
            "rate_currency": snapshot.currency,
            "rate": snapshot.rate,
            "rate_sources": list(snapshot.sources),
            "rate_at": snapshot.fetched_at,
        }

    @property
    def taken_back(self) -> bool:
        """Confirmed once, then the network took its payment back (a TipReversal), and
        not paid since. Lists prefetch `reversals` (dashboard.rows)."""
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

    def confirmations(self, scanned_height: int | None) -> int:
        """How deep the payment's block is under the scanned height: 0 unless it is in a
        block at or below it (in the mempool, replaced, reorged, or nothing scanned yet).

        The one rule for confirmation depth. A confirmed row always has its height
        (payment_observe sets both; a reorg clears both), but a row edited by hand that
        lost it counts as unconfirmed rather than stopping every tip's refresh.
        """
        if (
            self.state != PaymentState.CONFIRMED
            or self.block_height is None
            or scanned_height is None
        ):
            return 0
        return max(scanned_height - self.block_height + 1, 0)


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


class TipEvent(models.Model):
    """The outbox: a tip's status moved, written in the same transaction as the move.

    Listeners in higher apps (webhooks, the confirmation email) read these rows after
    commit, each once (TipEventConsumed), so a worker killed between the commit and
    their work loses nothing: the next dispatch finds the row still unconsumed.
    """

    creator_lookup = "tip__creator"

    # Stable per event: listeners derive their own ids from it (webhook event ids).
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=TipStatus.choices)
    to_status = models.CharField(max_length=20, choices=TipStatus.choices)
    # The tip as its creator sees it at that moment (payments.serializers.CreatorTipSerializer).
    tip_data = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.tip} {self.from_status} -> {self.to_status}"


class TipEventConsumed(models.Model):
    """`consumer` has done its part for `event`: written in the consumer's own transaction."""

    event = models.ForeignKey(TipEvent, on_delete=models.CASCADE, related_name="consumed")
    consumer = models.CharField(max_length=40)
    processed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consumer", "event"], name="tip_event_consumed_once"),
        ]

    def __str__(self) -> str:
        return f"{self.event} consumed by {self.consumer}"


class LightningInvoice(models.Model):
    """The invoice a Lightning tip is paid with, as the creator's wallet made it and
    Bitcache checked it (btc.bolt11.invoice_check) before anyone saw it.

    `settled_at` is the one fact tip_refresh reads for the Lightning rail: the tip's status
    follows from it as an on-chain tip's follows from its payments.
    """

    creator_lookup = "tip__creator"

    tip = models.OneToOneField(Tip, on_delete=models.CASCADE, related_name="lightning_invoice")
    payment_hash = models.CharField(max_length=64, unique=True)
    bolt11 = models.TextField()
    amount_msat = models.PositiveBigIntegerField()
    # Hex SHA-256 of what the invoice commits to (LNURL metadata, payer data or zap request).
    description_hash = models.CharField(max_length=64)
    # LUD-21: where a Lightning Address provider says whether it was paid ("" otherwise).
    verify_url = models.URLField(max_length=2000, blank=True)
    expires_at = models.DateTimeField()
    settled_at = models.DateTimeField(null=True, blank=True)
    preimage = models.CharField(max_length=64, blank=True)
    # The NIP-57 zap request exactly as the wallet sent it (its receipt is built from it).
    zap_request = models.TextField(blank=True)
    # When lightning_invoices_poll next asks the wallet (backing off); null once settled or
    # past its expiry.
    next_lookup_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    lookups = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_lookup_at"],
                condition=Q(next_lookup_at__isnull=False),
                name="lninvoice_lookup_due",
            ),
        ]

    def __str__(self) -> str:
        return f"invoice {self.payment_hash[:12]}… for {self.tip}"

    @property
    def amount_sats(self) -> int:
        return self.amount_msat // 1000


class SimulatedInvoice(models.Model):
    """An invoice the simulated Lightning wallet minted (payments.lightning.simulated), with
    the preimage only a real payer's wallet would learn: `simulate_payment` pays it."""

    creator_lookup = "wallet__creator"

    wallet = models.ForeignKey(
        "creators.LightningWallet", on_delete=models.CASCADE, related_name="+"
    )
    payment_hash = models.CharField(max_length=64, unique=True)
    preimage = models.CharField(max_length=64)
    bolt11 = models.TextField()
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"simulated invoice {self.payment_hash[:12]}…"


class ZapReceipt(models.Model):
    """The NIP-57 receipt (kind 9735) for a paid zap, signed with the site's nostr key when
    the tip was confirmed (in that transaction: an outbox row), then published to the zap
    request's relays by `zap_receipts_publish`, retried until every relay took it or the
    attempts run out."""

    creator_lookup = "invoice__tip__creator"

    invoice = models.OneToOneField(
        LightningInvoice, on_delete=models.CASCADE, related_name="zap_receipt"
    )
    event = models.JSONField()
    relays = models.JSONField(default=list)
    # The relays that answered OK.
    published_to = models.JSONField(default=list)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When to try the relays still missing; null once done (all took it, or given up).
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    last_problem = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(next_attempt_at__isnull=False),
                name="zap_receipt_due",
            ),
        ]

    def __str__(self) -> str:
        return f"zap receipt for {self.invoice}"


class TipDayTotal(models.Model):
    """Confirmed tips of one creator made on one day (UTC): the overview's totals and chart.

    A rollup kept by payments.rollups in the transaction that moves a tip's status or
    confirmed sats (tip_refresh), so reading it costs the number of days, not of tips.
    `rollups_rebuild` recounts it from the tips.
    """

    creator_lookup = "creator"

    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.BigIntegerField(default=0)
    sats = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["creator", "day"], name="tip_day_total_once"),
        ]

    def __str__(self) -> str:
        return f"{self.creator} on {self.day}: {self.count} tips, {self.sats} sats"


class TipSourceTotal(models.Model):
    """Confirmed tips of one creator by widget and video, all time: the overview's breakdowns.

    Kept with TipDayTotal. `widget` is a plain id (no database constraint): a deleted
    widget's row stays, and the reads count it with the tip page, as its tips now are.
    """

    creator_lookup = "creator"

    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="+")
    widget = models.ForeignKey(
        "widgets.Widget",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    video_id = models.CharField(max_length=200, blank=True)
    count = models.BigIntegerField(default=0)
    sats = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            # Two, as NULL widgets are distinct from each other in a unique index (and
            # SQLite has no NULLS NOT DISTINCT); the rollup's upserts name each one.
            models.UniqueConstraint(
                fields=["creator", "widget", "video_id"],
                condition=Q(widget__isnull=False),
                name="tip_source_total_once",
            ),
            models.UniqueConstraint(
                fields=["creator", "video_id"],
                condition=Q(widget__isnull=True),
                name="tip_source_total_once_no_widget",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.creator} via {self.widget_id}/{self.video_id}: {self.count} tips"


class GapState(models.Model):
    """The highest receive index of a key paid in a block (-1: none), kept by
    payments.onchain.gaps with the key's GapRun rows; its row is also the lock for them.

    Derived data: `gap_health_rebuild` recounts it from the payments.
    """

    creator_lookup = "wallet_key__creator"

    wallet_key = models.OneToOneField(
        WalletKey, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    highest_paid_index = models.BigIntegerField(default=-1)

    def __str__(self) -> str:
        return f"key #{self.wallet_key_id}: highest paid index {self.highest_paid_index}"


class GapRun(models.Model):
    """A maximal run of receive indexes [start, start + length) of a key, below its highest
    paid one, none of them paid in a block: what a wallet's gap scan has to look across.

    Kept exactly by payments.onchain.gaps as addresses become paid or unpaid; the longest
    run is one probe of the (wallet_key, -length) index.
    """

    creator_lookup = "wallet_key__creator"

    wallet_key = models.ForeignKey(WalletKey, on_delete=models.CASCADE, related_name="+")
    start = models.BigIntegerField()
    length = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wallet_key", "start"], name="gap_run_once"),
            models.CheckConstraint(condition=Q(length__gt=0), name="gap_run_not_empty"),
        ]
        indexes = [models.Index(fields=["wallet_key", "-length"], name="gap_run_longest")]

    def __str__(self) -> str:
        return f"key #{self.wallet_key_id}: unpaid {self.start}..{self.start + self.length - 1}"
