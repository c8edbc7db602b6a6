"""Which addresses webhooks may reach: public ones, and networks the operator allows."""

from __future__ import annotations

import ipaddress

import pytest
from django.test import override_settings

from webhooks import outgoing
from webhooks.outgoing import DeliveryError, address_allowed, resolve


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.10",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",  # noqa: S104 - an address to refuse, not to bind
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        # IPv6 forms a NAT64 or 6to4 gateway would route to a private IPv4 address
        "::7f00:1",
        "::a9fe:a9fe",
        "64:ff9b::7f00:1",
        "64:ff9b:1::a9fe:a9fe",
        "2002:7f00:1::1",
        "2002:c0a8:101::1",
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1
        # special-purpose ranges this Python's is_global calls public
        "fec0::1",
        "192.0.0.8",
        "192.88.99.1",
        "5f00::1",
        "3fff::1",
    ],
)
@override_settings(BITCACHE_WEBHOOK_ALLOWED_NETWORKS=[])
def test_it_refuses_private_and_reserved_addresses(address):
    assert not address_allowed(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address",
    ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "64:ff9b::5db8:d822"],
)
def test_it_allows_public_addresses(address):
    assert address_allowed(ipaddress.ip_address(address))


@override_settings(BITCACHE_WEBHOOK_ALLOWED_NETWORKS=["192.168.1.0/24"])
def test_it_allows_the_networks_the_operator_allows():
    assert address_allowed(ipaddress.ip_address("192.168.1.20"))
    assert not address_allowed(ipaddress.ip_address("192.168.2.20"))


@override_settings(BITCACHE_WEBHOOK_ALLOWED_NETWORKS=[])
def test_it_checks_every_address_a_name_resolves_to():
    with pytest.raises(DeliveryError, match="may not reach"):
        resolve("localhost", 443)


@pytest.fixture
def no_connections(monkeypatch):
    """Fail the test if anything tries to connect: these URLs must be refused before."""

    def connect(*args, **kwargs):
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(outgoing.socket, "create_connection", connect)


@pytest.mark.parametrize("url", ["https://[fec0::1]/", "https://192.0.0.8/"])
@override_settings(BITCACHE_WEBHOOK_ALLOWED_NETWORKS=[])
def test_it_delivers_nothing_to_special_purpose_addresses(no_connections, url):
    with pytest.raises(DeliveryError, match="may not reach"):
        outgoing.post(url, b"{}", {}, timeout=1)


@pytest.mark.parametrize("port", [22, 6379, 8080])
def test_it_delivers_to_public_receivers_only_on_web_ports(no_connections, port):
    with pytest.raises(DeliveryError, match=f"port {port} is not allowed"):
        outgoing.post(f"https://93.184.216.34:{port}/", b"{}", {}, timeout=1)


@override_settings(BITCACHE_WEBHOOK_ALLOWED_PORTS=[443, 80, 8443, 9000])
def test_the_operator_chooses_the_web_ports():
    assert outgoing.port_allowed(9000, [ipaddress.ip_address("93.184.216.34")])
    assert not outgoing.port_allowed(22, [ipaddress.ip_address("93.184.216.34")])


def test_receivers_on_an_allowed_network_may_use_any_port():
    assert outgoing.port_allowed(8123, [ipaddress.ip_address("127.0.0.1")])
