from django.conf import settings


def site(request):
    return {
        "SOURCE_CODE_URL": settings.SOURCE_CODE_URL,
        "SIMULATED_CHAIN": settings.BITCACHE_CHAIN_SOURCE == "simulated",
        "BITCOIN_NETWORK": settings.BITCACHE_NETWORK,
    }
