"""What the dashboard keeps of its own: CSV exports of a creator's tips, made in the background."""

from __future__ import annotations

from datetime import date

from django.core.files.storage import Storage, storages
from django.db import models
from django.utils.translation import gettext_lazy as _

from payments.models import new_public_id
from payments.reports import TipFilters


def exports_storage() -> Storage:
    """Where export files go: STORAGES["exports"], never served by the web server itself."""
    return storages["exports"]


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Writing")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class TipExport(models.Model):
    """One CSV export of a creator's tips, with the tip list's filters it was asked with.

    The file is written by a worker (dashboard.tasks.tip_export_run) under a random name
    in the private "exports" storage, and only attached once every row is in it: a job
    is `done` with a whole file, or `failed` with a message, never done and cut short.
    """

    creator_lookup = "creator"

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    creator = models.ForeignKey(
        "creators.Creator", on_delete=models.CASCADE, related_name="tip_exports"
    )
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    # The filters, as TipFilters holds them (days as YYYY-MM-DD).
    filter_status = models.CharField(max_length=20, blank=True)
    filter_widget = models.CharField(max_length=32, blank=True)
    filter_since = models.DateField(null=True, blank=True)
    filter_until = models.DateField(null=True, blank=True)
    filter_search = models.CharField(max_length=100, blank=True)
    rows_written = models.PositiveIntegerField(default=0)
    # Counted when the export starts; tips may join or leave a status filter meanwhile.
    total = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(storage=exports_storage, blank=True, max_length=200)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"tip export {self.public_id} of {self.creator_id}"

    @property
    def filters(self) -> TipFilters:
        return TipFilters(
            status=self.filter_status,
            widget=self.filter_widget,
            since=self.filter_since,
            until=self.filter_until,
            search=self.filter_search,
        )

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, self.rows_written * 100 // self.total)

    @property
    def day(self) -> date:
        return self.created_at.date()
