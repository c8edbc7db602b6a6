"""Stored viewer pages (widgets.page_cache) are dropped when what they show changes."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from creators.models import Creator, WalletKey
from live.goals import public_goal_changed
from rates.models import Rate
from widgets.models import Widget
from widgets.page_cache import pages_changed


@receiver([post_save, post_delete], sender=Creator)
@receiver([post_save, post_delete], sender=Widget)
# Pages show fiat prices: a new rate (or none) shows at once, never a price that went stale.
@receiver([post_save, post_delete], sender=Rate)
def creator_or_widget_changed(**kwargs) -> None:
    pages_changed()


@receiver([post_save, post_delete], sender=WalletKey)
def wallet_key_changed(update_fields=None, **kwargs) -> None:
    # Every tip advances its key's next index; the pages do not show it.
    if update_fields is not None and set(update_fields) <= {"next_index"}:
        return
    pages_changed()


@receiver(public_goal_changed)
def public_goal_settings_changed(**kwargs) -> None:
    # The goal shows on the pages (or stops): its figures then move live, its settings not.
    pages_changed()
