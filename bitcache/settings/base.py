"""Settings shared by every environment.

Every value that differs between deployments comes from the environment and is
parsed strictly (see bitcache/env.py). With nothing set, the site runs on SQLite
with an embedded broker and the simulated chain, so a fresh checkout just works.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from bitcache.env import (
    env_bool,
    env_choice,
    env_choice_list,
    env_database,
    env_decimal,
    env_int,
    env_int_list,
    env_list,
    env_str,
)
from rates.providers import PROVIDER_NAMES
from web.currencies import CURRENCIES
from web.sealing import key_from_passphrase, sealing_key_valid

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("BITCACHE_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# bitcoinlib writes a database and config under ~/.bitcoinlib at import time
# unless this is set before its first import.
os.environ.setdefault("BCL_DATA_DIR", str(VAR_DIR / "bitcoinlib"))

DEV_SECRET_KEY = "dev-insecure-change-me"  # noqa: S105 - refused by production settings
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
# Wallet connection secrets are sealed at rest with these Fernet keys (web/sealing.py): the
# first seals, every one unseals, so a key rotates by putting a new one first and running
# `manage.py reseal`. Without the setting (development), one is derived from SECRET_KEY.
BITCACHE_SEALING_KEYS = env_list("BITCACHE_SEALING_KEYS") or [key_from_passphrase(SECRET_KEY)]
for _key in BITCACHE_SEALING_KEYS:
    if not sealing_key_valid(_key):
        raise ImproperlyConfigured(
            "BITCACHE_SEALING_KEYS holds a value that is not a Fernet key (32 url-safe "
            "base64-encoded bytes), e.g. python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'."
        )
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("BITCACHE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SOURCE_CODE_URL = env_str("BITCACHE_SOURCE_URL", "https://github.com/bitcache/bitcache")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Before allauth: its templates in creators/templates/allauth/ override allauth's own.
    "creators",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "bitcache",
    "chain",
    "rates",
    "payments",
    "webhooks",
    "live",
    "moderation",
    "widgets",
    "overlays",
    "unlocks",
    "dashboard",
]

MIDDLEWARE = [
    # Outermost, so every response gets them, even the 400 for a bad Host header.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "web.security.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "moderation.second_factor.StaffSecondFactorMiddleware",
]

ROOT_URLCONF = "bitcache.urls"
WSGI_APPLICATION = "bitcache.wsgi.application"
ASGI_APPLICATION = "bitcache.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "bitcache" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "bitcache.context_processors.site",
            ],
        },
    },
]

# BITCACHE_DB_POOL_SIZE: connections per process in a psycopg pool (PostgreSQL; 0: none,
# persistent connections instead). Production defaults to a pool: it runs under ASGI.
DATABASE_DEFAULT_URL = f"sqlite:///{VAR_DIR / 'bitcache.sqlite3'}"
DATABASES = {
    "default": env_database(
        "DATABASE_URL",
        DATABASE_DEFAULT_URL,
        pool_size=env_int("BITCACHE_DB_POOL_SIZE", 0, minimum=0),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHE_URL = env_str("CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# whitenoise warns on every request until collectstatic has made it.
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    # CSV exports of creators' tips: outside MEDIA_ROOT, so only the owner-checking download
    # views ever hand them out (dashboard.exports, dashboard.api).
    "exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env_str("BITCACHE_EXPORTS_DIR", str(VAR_DIR / "exports"))},
    },
}

# --- Security headers -------------------------------------------------------
# Every page refuses framing; widget views opt in with their own frame-ancestors.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # Django's documented default; the token is in forms anyway.

# --- Email ------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Bitcache <noreply@localhost>")

# --- django-allauth (https://docs.allauth.org/en/latest/account/configuration.html)
# Creators sign in with their email address; there are no usernames to pick.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
# A creator must prove the address is theirs: it receives tip and moderation mail.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
# Don't say whether an address has an account on password reset.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_ADAPTER = "creators.adapters.AccountAdapter"
LOGIN_REDIRECT_URL = "creators:dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
# https://docs.allauth.org/en/latest/mfa/configuration.html
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Bitcache"

# --- Django REST framework ---------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "bitcache.api_schema.ApiSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # JSON only: the browsable docs are Swagger UI at /api/docs/.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "web.api.ApiPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "web.api.error_response",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Bitcache API",
    "DESCRIPTION": (
        "Non-custodial bitcoin tips for video creators. Public endpoints create tips and read "
        "their status; creator endpoints need an API key (`Authorization: Bearer <key>`). "
        "See docs/api.md."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files (drf-spectacular-sidecar): no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge fetched from the public validator service.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Celery -----------------------------------------------------------------
# With no broker configured, Celery uses kombu's filesystem transport under
# var/broker: a real broker shared by the web, worker and beat processes on one
# machine, with nothing to install.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL == "filesystem://":
    BROKER_DIR.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR),
        "data_folder_out": str(BROKER_DIR),
        "processed_folder": str(BROKER_DIR),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True

# Live updates fan out through Redis (live.fanout): set BITCACHE_LIVE_REDIS_URL, or it is
# CACHE_URL or the broker's URL when either is Redis. Empty: each web process reads the
# streams' table every second instead (`make run`'s embedded defaults).
BITCACHE_LIVE_REDIS_URL = env_str("BITCACHE_LIVE_REDIS_URL") or next(
    (url for url in (CACHE_URL, CELERY_BROKER_URL) if url.startswith(("redis://", "rediss://"))),
    "",
)
# The Streamlabs bridge's donations endpoint (overlays/streamlabs.py); tests use a local double.
BITCACHE_STREAMLABS_API_URL = (
    env_str("BITCACHE_STREAMLABS_API_URL") or "https://streamlabs.com/api/v2.0/donations"
)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Bitcache ---------------------------------------------------------------
BITCACHE_NETWORK = env_choice(
    "BITCACHE_NETWORK", "mainnet", ("mainnet", "testnet", "signet", "regtest")
)
BITCACHE_CHAIN_SOURCE = env_choice(
    "BITCACHE_CHAIN_SOURCE", "simulated", ("simulated", "esplora", "bitcoind")
)
BITCACHE_ESPLORA_URL = env_str("BITCACHE_ESPLORA_URL")
BITCACHE_BITCOIND_URL = env_str("BITCACHE_BITCOIND_URL")
BITCACHE_BITCOIND_COOKIE_FILE = env_str("BITCACHE_BITCOIND_COOKIE_FILE")
# Bitcoin Core's ZMQ publishers (its -zmqpubrawtx / -zmqpubhashblock endpoints, e.g.
# tcp://127.0.0.1:28332): `manage.py watch_zmq` scans the moment Core announces a
# transaction or a block, instead of at the next poll.
BITCACHE_BITCOIND_ZMQ = env_list("BITCACHE_BITCOIND_ZMQ")
BITCACHE_CHAIN_TIMEOUT_SECONDS = env_int("BITCACHE_CHAIN_TIMEOUT_SECONDS", 10, minimum=1)
# How long one call to a creator's Lightning wallet may take (an NWC request through its
# relays, from connecting to the answer) before it counts as unavailable.
BITCACHE_LIGHTNING_TIMEOUT_SECONDS = env_int("BITCACHE_LIGHTNING_TIMEOUT_SECONDS", 10, minimum=1)
# Esplora's mempool is asked about one address per request: this many at once.
BITCACHE_ESPLORA_MEMPOOL_CONCURRENCY = env_int("BITCACHE_ESPLORA_MEMPOOL_CONCURRENCY", 4, minimum=1)
BITCACHE_REQUIRE_APPROVAL = env_bool("BITCACHE_REQUIRE_APPROVAL", True)
BITCACHE_TIP_EXPIRY_MINUTES = env_int("BITCACHE_TIP_EXPIRY_MINUTES", 60, minimum=1)
# After a tip expires we keep watching its address this long before the address
# may be given to another tip; a payment seen in that window is still credited.
BITCACHE_TIP_MONITOR_HOURS = env_int("BITCACHE_TIP_MONITOR_HOURS", 24, minimum=1)
# Under gap-limit pressure, an unused address may be given to a new tip this long after its
# previous tip expired, before the monitoring window ends.
BITCACHE_TIP_RECYCLE_GRACE_MINUTES = env_int("BITCACHE_TIP_RECYCLE_GRACE_MINUTES", 30, minimum=0)
BITCACHE_MAX_OPEN_TIPS_PER_CREATOR = env_int("BITCACHE_MAX_OPEN_TIPS_PER_CREATOR", 15, minimum=1)
# Of those, how many one client (an IPv4 address or an IPv6 /64) may hold at once, so that
# one stranger cannot fill a creator's places alone.
BITCACHE_MAX_OPEN_TIPS_PER_CLIENT = env_int("BITCACHE_MAX_OPEN_TIPS_PER_CLIENT", 3, minimum=1)
# An unpaid tip whose payment screen nobody has watched for this long no longer holds one of
# those places, and its address may be recycled under gap-limit pressure. It stays watched:
# a payment to it is still recorded and credited, whenever it comes.
BITCACHE_TIP_UNWATCHED_MINUTES = env_int("BITCACHE_TIP_UNWATCHED_MINUTES", 10, minimum=1)
# A tip whose payment screen was never opened (a script, not a viewer's browser) holds
# its place this long only.
BITCACHE_TIP_UNSEEN_SECONDS = env_int("BITCACHE_TIP_UNSEEN_SECONDS", 90, minimum=10)
# Wallets stop looking this many unused addresses past the last used one (BIP44 says 20).
# Allocation never hands out an index a wallet with this gap limit would not see.
BITCACHE_GAP_LIMIT = env_int("BITCACHE_GAP_LIMIT", 20, minimum=2)
# Tip creation rate limits, per minute: per client IP and per creator (shared across web
# processes when CACHE_URL points to Redis).
# Reverse proxies in front of the app that append to X-Forwarded-For (0: none, use
# REMOTE_ADDR). Rate limits key on the client address this gives.
BITCACHE_TRUSTED_PROXIES = env_int("BITCACHE_TRUSTED_PROXIES", 0, minimum=0)
# allauth's sign-in rate limits go through creators.adapters (the same rule); this is
# for any part of allauth that reads the address itself.
ALLAUTH_TRUSTED_PROXY_COUNT = BITCACHE_TRUSTED_PROXIES
BITCACHE_TIP_RATE_PER_IP = env_int("BITCACHE_TIP_RATE_PER_IP", 10, minimum=1)
BITCACHE_TIP_RATE_PER_CREATOR = env_int("BITCACHE_TIP_RATE_PER_CREATOR", 60, minimum=1)
# Larger requests are refused as absurd (10 BTC by default).
BITCACHE_MAX_TIP_SATS = env_int("BITCACHE_MAX_TIP_SATS", 10 * 100_000_000, minimum=1)
# How often beat asks a worker to scan new blocks (the "chain" queue) and, apart, to look
# at the mempool for the addresses due (the "mempool" queue).
BITCACHE_WATCH_INTERVAL_SECONDS = env_int("BITCACHE_WATCH_INTERVAL_SECONDS", 10, minimum=1)
# Without PostgreSQL (whose advisory lock is used instead), scanners on one machine
# take turns through an exclusive lock on this file.
BITCACHE_SCANNER_LOCK_FILE = VAR_DIR / "scanner.lock"

# --- Lightning (docs/lightning.md) -------------------------------------------
# How long an invoice from a creator's wallet may be paid; the tip expires with it.
BITCACHE_LIGHTNING_INVOICE_SECONDS = env_int("BITCACHE_LIGHTNING_INVOICE_SECONDS", 900, minimum=60)
# The largest Lightning tip offered (LNURL maxSendable); never above BITCACHE_MAX_TIP_SATS.
BITCACHE_LIGHTNING_MAX_SATS = env_int("BITCACHE_LIGHTNING_MAX_SATS", 1_000_000, minimum=1)
# How often beat asks a worker to look up the open invoices that are due (each invoice
# backs off on its own: payments.lightning.services.next_lookup_delay).
BITCACHE_LIGHTNING_POLL_SECONDS = env_int("BITCACHE_LIGHTNING_POLL_SECONDS", 5, minimum=1)
# The simulated Lightning wallet (kind "simulated": real signed invoices on a test key that
# nobody can pay for real). On with the simulated chain; production refuses it.
BITCACHE_LIGHTNING_SIMULATED = env_bool(
    "BITCACHE_LIGHTNING_SIMULATED", BITCACHE_CHAIN_SOURCE == "simulated"
)
# The simulated wallet's node key (32 bytes hex): a fixed, public test key.
BITCACHE_LIGHTNING_SIMULATED_NODE_KEY = env_str(
    "BITCACHE_LIGHTNING_SIMULATED_NODE_KEY", hashlib.sha256(b"bitcache simulated node").hexdigest()
)
# The site's own nostr key (32 bytes hex), which signs zap receipts (NIP-57) and is announced
# as the LNURL nostrPubkey. It holds no funds, but whoever has it can sign receipts in the
# site's name: production refuses to start without it; development derives one from
# SECRET_KEY. Never logged.
BITCACHE_NOSTR_SECRET_KEY = (
    env_str("BITCACHE_NOSTR_SECRET_KEY")
    or hashlib.sha256(b"bitcache nostr key:" + SECRET_KEY.encode()).hexdigest()
)
for _name in ("BITCACHE_NOSTR_SECRET_KEY", "BITCACHE_LIGHTNING_SIMULATED_NODE_KEY"):
    if not re.fullmatch(r"[0-9a-f]{64}", globals()[_name]):
        raise ImproperlyConfigured(f"{_name} must be 32 bytes of lowercase hex (64 characters).")

# --- Fiat rates (docs/architecture.md, "Rates") ------------------------------
# Who prices a bitcoin: "static" (fixed values below; offline, the default) or real
# providers, e.g. kraken,bitstamp,coinbase (coingecko too). Pages only ever read the
# table the refresh task keeps; with no fresh rate they work in sats and say so.
BITCACHE_RATES = env_choice_list("BITCACHE_RATES", ["static"], PROVIDER_NAMES)
if "static" in BITCACHE_RATES and len(BITCACHE_RATES) > 1:
    raise ImproperlyConfigured("BITCACHE_RATES: static cannot be mixed with real providers")
# Fiat per BTC for the static provider: round figures, clearly not a market price.
BITCACHE_RATES_STATIC = {
    "USD": "100000",
    "EUR": "90000",
    "GBP": "80000",
    "CHF": "85000",
    "JPY": "15000000",
    "CAD": "140000",
    "AUD": "150000",
    "SEK": "1000000",
    "PLN": "400000",
    "BRL": "550000",
    "KWD": "30000",
}
# Which currencies to price (ISO 4217 codes; empty: every currency in web/currencies.py).
BITCACHE_RATES_CURRENCIES = [code.upper() for code in env_list("BITCACHE_RATES_CURRENCIES")]
for _code in BITCACHE_RATES_CURRENCIES:
    if _code not in CURRENCIES:
        raise ImproperlyConfigured(f"BITCACHE_RATES_CURRENCIES: unknown currency {_code!r}")
# The display currency a new creator starts with (each creator may pick another).
BITCACHE_DEFAULT_CURRENCY = env_choice(
    "BITCACHE_DEFAULT_CURRENCY", "usd", tuple(code.lower() for code in CURRENCIES)
).upper()
BITCACHE_RATES_REFRESH_SECONDS = env_int("BITCACHE_RATES_REFRESH_SECONDS", 300, minimum=10)
# A rate older than this is not shown (pages fall back to sats), and a provider's answer
# stamped older than this is refused.
BITCACHE_RATES_MAX_AGE_SECONDS = env_int("BITCACHE_RATES_MAX_AGE_SECONDS", 900, minimum=30)
# A new price more than this many times the previous median (or less than its inverse)
# is refused as absurd; 1.5 allows a 50% rise or a fall to two thirds within the age limit.
BITCACHE_RATES_MAX_JUMP_FACTOR = env_decimal(
    "BITCACHE_RATES_MAX_JUMP_FACTOR", "1.5", minimum="1.01"
)
BITCACHE_RATES_TIMEOUT_SECONDS = env_int("BITCACHE_RATES_TIMEOUT_SECONDS", 5, minimum=1)
# Circuit breaker: after this many failed refreshes in a row a provider is left alone
# for the cool-down, then tried again.
BITCACHE_RATES_BREAKER_FAILURES = env_int("BITCACHE_RATES_BREAKER_FAILURES", 3, minimum=1)
BITCACHE_RATES_BREAKER_COOLDOWN_SECONDS = env_int(
    "BITCACHE_RATES_BREAKER_COOLDOWN_SECONDS", 600, minimum=1
)
# Provider name -> base URL, for tests against a local server; production uses their hosts.
BITCACHE_RATES_BASE_URLS: dict[str, str] = {}

CELERY_BEAT_SCHEDULE = {
    "watch-chain": {
        "task": "payments.tasks.watch_chain",
        "schedule": float(BITCACHE_WATCH_INTERVAL_SECONDS),
        # A missed run is superseded by the next one; don't let them pile up.
        "options": {"expires": float(BITCACHE_WATCH_INTERVAL_SECONDS)},
    },
    # The mempool look-up runs apart from the block scan, on its own queue and lock: a slow
    # source's mempool polling never delays scanning blocks and crediting.
    "watch-mempool": {
        "task": "payments.tasks.watch_mempool",
        "schedule": float(BITCACHE_WATCH_INTERVAL_SECONDS),
        "options": {"expires": float(BITCACHE_WATCH_INTERVAL_SECONDS)},
    },
    # Webhook retries are rows with a due time, not broker messages: they survive a
    # broker or worker restart.
    "deliver-due-webhooks": {
        "task": "webhooks.tasks.webhooks_deliver_due",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
    # The outbox sweep: tip events whose after-commit dispatch was lost (worker killed,
    # broker down) are handed to their listeners here.
    "dispatch-tip-events": {
        "task": "payments.tasks.tip_events_dispatch",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
    # Open Lightning invoices whose look-up is due (the fallback when a wallet sends no
    # notification); each invoice backs off on its own.
    "lightning-invoices-poll": {
        "task": "payments.tasks.lightning_invoices_poll",
        "schedule": float(BITCACHE_LIGHTNING_POLL_SECONDS),
        "options": {"expires": float(BITCACHE_LIGHTNING_POLL_SECONDS)},
    },
    "zap-receipts-publish": {
        "task": "payments.tasks.zap_receipts_publish_due",
        "schedule": 30.0,
        "options": {"expires": 30.0},
    },
    "refresh-rates": {
        "task": "rates.tasks.rates_refresh",
        "schedule": float(BITCACHE_RATES_REFRESH_SECONDS),
        "options": {"expires": float(BITCACHE_RATES_REFRESH_SECONDS)},
    },
    # Expired CSV exports' files are deleted; exports whose worker vanished are marked failed.
    "sweep-tip-exports": {
        "task": "dashboard.tasks.tip_exports_sweep",
        "schedule": 15 * 60.0,
        "options": {"expires": 15 * 60.0},
    },
    # Tip events every listener has handled, after BITCACHE_TIP_EVENTS_KEEP_DAYS.
    "prune-tip-events": {
        "task": "payments.tasks.tip_events_prune",
        "schedule": 60.0 * 60,
        "options": {"expires": 60.0 * 60},
    },
    "prune-live-streams": {
        "task": "live.tasks.live_streams_prune",
        "schedule": 60.0 * 60,
        "options": {"expires": 60.0 * 60},
    },
    "retry-streamlabs-posts": {
        "task": "overlays.tasks.streamlabs_posts_retry",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
}
# The watcher has a queue of its own, so slow webhook receivers or a slow mail server can
# never hold the worker slots it needs: run one worker for "chain", one for "mempool" and
# others for "webhooks" and "celery" (docs/deploy.md).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "payments.tasks.watch_chain": {"queue": "chain"},
    "payments.tasks.watch_mempool": {"queue": "mempool"},
    "payments.tasks.tip_events_dispatch": {"queue": "webhooks"},
    "payments.tasks.tip_confirmed_email": {"queue": "webhooks"},
    "payments.tasks.tip_reversed_email": {"queue": "webhooks"},
    "webhooks.tasks.*": {"queue": "webhooks"},
    # The Streamlabs bridge posts to an outside host: with the webhooks, never the watcher.
    "overlays.tasks.*": {"queue": "webhooks"},
    "rates.tasks.*": {"queue": "celery"},
    # CSV exports run minutes on a long history: with the other background work, never with
    # the chain watcher.
    "dashboard.tasks.*": {"queue": "celery"},
}
# Webhook endpoints must be https:// (only development and tests turn this off), and
# deliveries never go to private, loopback or link-local addresses outside these networks
# (CIDRs, e.g. a receiver on the operator's own LAN).
BITCACHE_WEBHOOK_REQUIRE_HTTPS = True
BITCACHE_WEBHOOK_ALLOWED_NETWORKS = env_list("BITCACHE_WEBHOOK_ALLOWED_NETWORKS")
# Public receivers listen on the web's ports; anything else (22, 6379...) is refused.
# Receivers in BITCACHE_WEBHOOK_ALLOWED_NETWORKS may use any port.
BITCACHE_WEBHOOK_ALLOWED_PORTS = env_int_list(
    "BITCACHE_WEBHOOK_ALLOWED_PORTS", [443, 80, 8443], minimum=1
)
BITCACHE_WEBHOOK_TIMEOUT_SECONDS = env_int("BITCACHE_WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
# Lightning Address (LNURL) providers Bitcache fetches invoices from: https only, public
# addresses on ports 443/80, plus these networks on any port (e.g. an LNbits on the
# operator's LAN). Only tests and development allow plain http, and then only to loopback.
BITCACHE_LNURL_ALLOWED_NETWORKS = env_list("BITCACHE_LNURL_ALLOWED_NETWORKS")
BITCACHE_LNURL_REQUIRE_HTTPS = True
BITCACHE_DEFAULT_MIN_TIP_SATS = env_int("BITCACHE_DEFAULT_MIN_TIP_SATS", 1000, minimum=1)
# A finished CSV export can be downloaded this long, then its file is deleted.
BITCACHE_EXPORT_TTL_HOURS = env_int("BITCACHE_EXPORT_TTL_HOURS", 24, minimum=1)
# Finished exports' rows (their files long deleted) are deleted this long after they ended.
BITCACHE_EXPORT_KEEP_DAYS = env_int("BITCACHE_EXPORT_KEEP_DAYS", 30, minimum=1)
# Tip events (the outbox) every listener has handled are deleted this long after: the
# dispatcher's "not yet handled" query then spans these days, not the site's history.
BITCACHE_TIP_EVENTS_KEEP_DAYS = env_int("BITCACHE_TIP_EVENTS_KEEP_DAYS", 7, minimum=1)
BITCACHE_MAX_AVATAR_BYTES = env_int("BITCACHE_MAX_AVATAR_BYTES", 2 * 1024 * 1024, minimum=1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
