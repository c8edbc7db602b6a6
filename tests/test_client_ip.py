from django.test import RequestFactory

from web.ratelimit import client_ip


def request(remote="10.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_it_ignores_what_the_client_claims(settings):
    settings.BITCACHE_TRUSTED_PROXIES = 0

    assert client_ip(request("198.51.100.7", "1.2.3.4")) == "198.51.100.7"


def test_behind_one_proxy_it_takes_the_address_the_proxy_saw(settings):
    settings.BITCACHE_TRUSTED_PROXIES = 1

    # The client forged the first entry; our proxy appended the real one.
    assert client_ip(request("127.0.0.1", "1.2.3.4, 203.0.113.9")) == "203.0.113.9"


def test_with_fewer_hops_than_proxies_it_falls_back_to_remote_addr(settings):
    settings.BITCACHE_TRUSTED_PROXIES = 2

    assert client_ip(request("127.0.0.1", "203.0.113.9")) == "127.0.0.1"
