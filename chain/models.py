"""What the chain side keeps: where the scanner stands, and the simulated chain.

These tables were created by the payments app and keep their names, so a site
upgraded from then keeps its scan height and its simulated chain.
"""

from __future__ import annotations

from django.db import models


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

    class Meta:
        db_table = "payments_chainstate"

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

    class Meta:
        db_table = "payments_scannedblock"

    def __str__(self) -> str:
        return f"{self.height} {self.block_hash}"


class SimulatedBlock(models.Model):
    """A block of the simulated chain (chain.simulated). Not real bitcoin."""

    height = models.IntegerField(db_index=True)
    block_hash = models.CharField(max_length=64, unique=True)
    prev_hash = models.CharField(max_length=64)
    on_best_chain = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "payments_simulatedblock"

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

    class Meta:
        db_table = "payments_simulatedtransaction"

    def __str__(self) -> str:
        return self.txid
