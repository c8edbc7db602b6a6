"""Settings for `make run` and development: DEBUG on, console email."""

from bitcache.env import env_bool, env_list

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)

# A webhook receiver on this machine (http://127.0.0.1:...) works while developing.
if DEBUG:
    BITCACHE_WEBHOOK_REQUIRE_HTTPS = False
    BITCACHE_WEBHOOK_ALLOWED_NETWORKS = env_list(
        "BITCACHE_WEBHOOK_ALLOWED_NETWORKS", ["127.0.0.0/8", "::1/128"]
    )
    # A Lightning Address provider on this machine (e.g. a local LNbits) while developing.
    BITCACHE_LNURL_REQUIRE_HTTPS = False
    BITCACHE_LNURL_ALLOWED_NETWORKS = env_list(
        "BITCACHE_LNURL_ALLOWED_NETWORKS", ["127.0.0.0/8", "::1/128"]
    )
