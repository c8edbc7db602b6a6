"""Production settings: refuse to start with anything unsafe."""

from django.core.exceptions import ImproperlyConfigured

from bitcache.env import env_bool, env_choice_list, env_database, env_int, env_list, env_str
from rates.providers import PROVIDER_NAMES

from .base import *  # noqa: F403
from .base import (
    BITCACHE_CHAIN_SOURCE,
    BITCACHE_LIGHTNING_SIMULATED,
    BITCACHE_TRUSTED_PROXIES,
    DATABASE_DEFAULT_URL,
    DEBUG,
    DEV_SECRET_KEY,
    SECRET_KEY,
)

if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production (unset DEBUG or set DEBUG=0).")
if not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32:
    raise ImproperlyConfigured(
        "Set SECRET_KEY to a long random value (at least 32 characters), e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )
if not env_list("BITCACHE_SEALING_KEYS"):
    raise ImproperlyConfigured(
        "Set BITCACHE_SEALING_KEYS to a Fernet key (wallet connection secrets are sealed with "
        "it, apart from SECRET_KEY), e.g. python -c 'from cryptography.fernet import Fernet; "
        "print(Fernet.generate_key().decode())'."
    )
if BITCACHE_CHAIN_SOURCE == "simulated":
    raise ImproperlyConfigured(
        "The simulated chain moves no real bitcoin: set BITCACHE_CHAIN_SOURCE to esplora or "
        "bitcoind in production."
    )

if not env_str("BITCACHE_NOSTR_SECRET_KEY"):
    raise ImproperlyConfigured(
        "Set BITCACHE_NOSTR_SECRET_KEY to the site's nostr secret key (32 bytes of hex; it "
        "signs zap receipts), e.g. python -c 'import secrets; print(secrets.token_hex(32))'."
    )
if BITCACHE_LIGHTNING_SIMULATED:
    raise ImproperlyConfigured(
        "The simulated Lightning wallet moves no real bitcoin: unset "
        "BITCACHE_LIGHTNING_SIMULATED in production."
    )

# Real prices by default: the static rates are round figures for development.
BITCACHE_RATES = env_choice_list(
    "BITCACHE_RATES", ["kraken", "bitstamp", "coinbase"], PROVIDER_NAMES
)
if "static" in BITCACHE_RATES:
    raise ImproperlyConfigured(
        "Static rates are made-up prices that viewers would take for real: set BITCACHE_RATES "
        "to real providers in production, e.g. kraken,bitstamp,coinbase."
    )

# uvicorn runs each request on a thread of its own: a pool bounds the connections a web
# process opens (Django's advice for ASGI), instead of one persistent connection per thread.
DATABASES = {
    "default": env_database(
        "DATABASE_URL",
        DATABASE_DEFAULT_URL,
        pool_size=env_int("BITCACHE_DB_POOL_SIZE", 10, minimum=0),
    )
}

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
if BITCACHE_TRUSTED_PROXIES:
    # Only a proxy of ours may say the request came over HTTPS; without one, a client
    # could send the header itself.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
