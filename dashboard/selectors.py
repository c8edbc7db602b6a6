"""The dashboard's reads of its own rows: a creator's CSV exports."""

from __future__ import annotations

from datetime import datetime

from creators.models import Creator
from creators.scoping import owned_by
from dashboard.models import ExportStatus, TipExport


def tip_export_of(*, creator: Creator, public_id: str) -> TipExport | None:
    """One of the creator's exports; another creator's id finds nothing."""
    return owned_by(creator, TipExport).filter(public_id=public_id).first()


def tip_exports_recent(*, creator: Creator, limit: int = 5) -> list[TipExport]:
    return list(owned_by(creator, TipExport).order_by("-created_at", "-pk")[:limit])


def tip_export_expired(export: TipExport, *, now: datetime) -> bool:
    """A finished export whose download time is over (its file deleted, or about to be)."""
    return export.status == ExportStatus.DONE and (
        not export.file or (export.expires_at is not None and export.expires_at <= now)
    )
