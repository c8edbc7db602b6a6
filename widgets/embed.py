"""The HTML a creator pastes into their site to show a widget."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from web.pages import loader_snippet
from widgets.models import Widget


def tip_link_text(creator) -> str:
    return _("Tip %(name)s in bitcoin") % {"name": creator.display_name}


def embed_snippet(origin: str, widget: Widget) -> str:
    """The loader script, with a plain link for visitors without JavaScript."""
    return loader_snippet(
        origin,
        attribute="data-widget",
        public_id=widget.public_id,
        page=reverse("widgets:creator", args=[widget.creator.handle]),
        text=tip_link_text(widget.creator),
    )


# A plain iframe cannot follow its content's height as embed.js does: this one is as tall
# as the tallest step on a phone (the form, with its fiat entry and name consent, at 375 px
# wide), so neither the form nor the payment screen scrolls inside it.
IFRAME_HEIGHT = 840


def iframe_snippet(origin: str, widget: Widget) -> str:
    """A plain iframe for sites that allow no third-party scripts: no border, a fixed
    height that fits every step of a tip (see IFRAME_HEIGHT)."""
    src = origin + reverse("widgets:widget", args=[widget.public_id])
    title = escape(_("Bitcoin tip widget"))
    return (
        f'<iframe src="{src}" title="{title}" width="100%" height="{IFRAME_HEIGHT}" '
        f'style="display:block;width:100%;max-width:420px;height:{IFRAME_HEIGHT}px;border:0" '
        f'allow="clipboard-write" loading="lazy"></iframe>'
    )
