"""Access links: /unlock/<token>, a signed, expiring name of a grant.

The token is the grant's public id signed with a timestamp (Django signing,
salted for this use only). It holds no URL and no secret: forging one needs the
site's SECRET_KEY, and each is checked again against the grant when followed.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

SALT = "unlocks.access-link"


def access_token(grant_public_id: str) -> str:
    return signing.TimestampSigner(salt=SALT).sign(grant_public_id)


def access_token_grant_id(token: str) -> str | None:
    """The grant a token names if its signature is ours, however old it is."""
    try:
        return signing.TimestampSigner(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None


def access_token_expired(token: str, *, ttl: timedelta) -> bool:
    """Whether a token with a valid signature is older than `ttl`."""
    try:
        signing.TimestampSigner(salt=SALT).unsign(token, max_age=ttl)
    except signing.SignatureExpired:
        return True
    return False
