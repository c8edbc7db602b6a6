"""Settings for the test suite.

DATABASE_URL picks PostgreSQL (CI); without it the suite runs on SQLite and
skips the tests marked `postgres`, saying so (see tests/conftest.py).
"""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR, env_str

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = "memory://"
# No Redis unless a test sets one: live streams fall back to reading their table.
BITCACHE_LIVE_REDIS_URL = ""
MEDIA_ROOT = VAR_DIR / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "exports": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
BITCACHE_CHAIN_SOURCE = "simulated"
# Fixed rates: no test reaches a rate provider on the internet.
BITCACHE_RATES = ["static"]
BITCACHE_RATES_CURRENCIES = []
# Parallel test processes each have their own database, so their own scanner lock.
BITCACHE_SCANNER_LOCK_FILE = VAR_DIR / f"scanner-test-{os.getpid()}.lock"
BITCACHE_NETWORK = "mainnet"
# Webhook tests deliver to a receiver on 127.0.0.1 over plain HTTP.
BITCACHE_WEBHOOK_REQUIRE_HTTPS = False
BITCACHE_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
BITCACHE_WEBHOOK_TIMEOUT_SECONDS = 2
# Lightning Address tests fetch from a provider double on 127.0.0.1 over plain HTTP.
BITCACHE_LNURL_REQUIRE_HTTPS = False
BITCACHE_LNURL_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]

# The real broker (Redis/RabbitMQ) for the tests that start a real worker.
BITCACHE_TEST_BROKER_URL = env_str("CELERY_BROKER_URL")
