"""BITCACHE_RATES and its companions are parsed strictly; production never shows static prices."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from bitcache.env import env_choice_list, env_decimal
from tests.test_settings import load_production

SHOW_RATES = (
    "from django.conf import settings; "
    "print(','.join(settings.BITCACHE_RATES), settings.BITCACHE_RATES_MAX_JUMP_FACTOR)"
)


def test_production_asks_real_providers_by_default(tmp_path):
    result = load_production(tmp_path, code=SHOW_RATES, BITCACHE_RATES=None)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["kraken,bitstamp,coinbase", "1.5"]


def test_production_takes_the_providers_it_is_given(tmp_path):
    result = load_production(
        tmp_path,
        code=SHOW_RATES,
        BITCACHE_RATES=" Kraken, coingecko ",
        BITCACHE_RATES_MAX_JUMP_FACTOR="2",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["kraken,coingecko", "2"]


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"BITCACHE_RATES": "static"}, "Static rates are made-up prices"),
        ({"BITCACHE_RATES": "kraken,binance"}, "BITCACHE_RATES must list some of"),
        ({"BITCACHE_RATES": "kraken,kraken"}, "BITCACHE_RATES names a value twice"),
        ({"BITCACHE_RATES": " , "}, "BITCACHE_RATES must list at least one"),
        ({"BITCACHE_RATES": "static,kraken"}, "static cannot be mixed"),
        ({"BITCACHE_RATES_CURRENCIES": "EUR,XYZ"}, "unknown currency 'XYZ'"),
        ({"BITCACHE_RATES_MAX_JUMP_FACTOR": "lots"}, "BITCACHE_RATES_MAX_JUMP_FACTOR must be"),
        ({"BITCACHE_RATES_MAX_AGE_SECONDS": "5"}, "at least 30"),
    ],
)
def test_rates_settings_refuse_what_they_do_not_understand(tmp_path, overrides, complaint):
    result = load_production(tmp_path, **overrides)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert complaint in result.stderr


def test_env_decimal_reads_exact_numbers_above_its_minimum(monkeypatch):
    monkeypatch.setenv("FACTOR", "1.25")
    assert env_decimal("FACTOR", "1.5", minimum="1.01") == Decimal("1.25")
    monkeypatch.setenv("FACTOR", "1")
    with pytest.raises(ImproperlyConfigured, match=r"at least 1\.01"):
        env_decimal("FACTOR", "1.5", minimum="1.01")
    monkeypatch.setenv("FACTOR", "Infinity")
    with pytest.raises(ImproperlyConfigured, match="FACTOR"):
        env_decimal("FACTOR", "1.5", minimum="1.01")


def test_env_choice_list_keeps_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("PROVIDERS", raising=False)

    assert env_choice_list("PROVIDERS", ["a"], ("a", "b")) == ["a"]
