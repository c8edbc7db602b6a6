"""The recent public events of each tip, kept so a reconnecting viewer misses nothing."""

from __future__ import annotations

from django.db import models

from payments.models import Tip


class TipStreamEvent(models.Model):
    """One public event of a tip's stream; its id is the SSE event id (`Last-Event-ID`).

    `data` holds only what the payment screen shows anyone with the tip's link
    (live.services.PUBLIC_FIELDS): never the name, message, address path or txids.
    Pruned once the tip is final for a while (live.services.stream_events_prune).
    """

    id = models.BigAutoField(primary_key=True)  # increases: resuming is "id > last"
    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, default="status")
    data = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["tip", "id"])]

    def __str__(self) -> str:
        return f"stream event {self.pk} of tip {self.tip_id}"
