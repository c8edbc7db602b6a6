"""How fast tips may be opened: per client address, then per creator."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from creators.models import Creator
from web.ratelimit import client_ip, hit

SLOW_DOWN = gettext_lazy("Too many tips in a short time. Please wait a minute and try again.")


def too_fast(request: HttpRequest, creator: Creator) -> bool:
    """Tip creation (page, widget, API, unlock purchase) is limited per client address,
    then per creator, both per minute; every entry point shares these counters."""
    return hit("tip-ip", client_ip(request), limit=settings.BITCACHE_TIP_RATE_PER_IP) or hit(
        "tip-creator", str(creator.pk), limit=settings.BITCACHE_TIP_RATE_PER_CREATOR
    )
