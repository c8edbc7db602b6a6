"""The HTML a creator pastes into their site to sell an item there."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from unlocks.models import UnlockItem
from web.pages import loader_snippet


def item_embed_snippet(origin: str, item: UnlockItem) -> str:
    """embed.js showing the item's widget, with a link to its page without JavaScript."""
    return loader_snippet(
        origin,
        attribute="data-unlock",
        public_id=item.public_id,
        page=reverse("unlocks:item", args=[item.creator.handle, item.public_id]),
        text=_("Buy “%(title)s” with bitcoin") % {"title": item.title},
    )
