"""How fast tips may be opened: per client address, then per creator; and who the client is."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy

from creators.models import Creator
from web.ratelimit import client_network, hit

SLOW_DOWN = gettext_lazy("Too many tips in a short time. Please wait a minute and try again.")


def too_fast(request: HttpRequest, creator: Creator) -> bool:
    """Tip creation (page, widget, API, unlock purchase) is limited per client address
    (an IPv6 /64 counts as one), then per creator, both over the last minute; every
    entry point shares these counters."""
    return hit("tip-ip", client_network(request), limit=settings.BITCACHE_TIP_RATE_PER_IP) or hit(
        "tip-creator", str(creator.pk), limit=settings.BITCACHE_TIP_RATE_PER_CREATOR
    )


def client_fingerprint(request: HttpRequest) -> str:
    """Who opens a tip, as stored on it (Tip.client_fingerprint) for the per-client cap.

    A keyed hash (SECRET_KEY) of the client's address or IPv6 /64: enough to count one
    client's open tips, not to find the client; the database alone cannot be matched
    against the small space of IP addresses.
    """
    return salted_hmac(
        "payments.tip.client", client_network(request), algorithm="sha256"
    ).hexdigest()
