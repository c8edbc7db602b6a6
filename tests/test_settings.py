"""Settings come from the environment, strictly; production refuses to start unsafe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from bitcache.env import env_bool, env_choice, env_database, env_int

ROOT = Path(__file__).resolve().parents[1]
GOOD_SECRET = "x" * 50
PRODUCTION = {
    "SECRET_KEY": GOOD_SECRET,
    "BITCACHE_CHAIN_SOURCE": "esplora",
    "BITCACHE_ESPLORA_URL": "http://127.0.0.1:3002",
    "DATABASE_URL": "postgres://bitcache@127.0.0.1:5432/bitcache",
    "BITCACHE_SEALING_KEYS": "x7OIi3TwqZVrgR1iRSI0QKfIq9hF1i4FbRcrUm4xDYM=",
    "BITCACHE_NOSTR_SECRET_KEY": "1" * 64,
}


def load_production(tmp_path, code=None, **overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEBUG", "SECRET_KEY"))}
    env.update(PRODUCTION, BITCACHE_VAR_DIR=str(tmp_path), **overrides)
    env = {k: v for k, v in env.items() if v is not None}
    code = "import os; os.environ['DJANGO_SETTINGS_MODULE']='bitcache.settings.production';" + (
        code
        or "from django.conf import settings;"
        "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_production_trusts_x_forwarded_proto_only_behind_a_proxy(tmp_path):
    code = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
    direct = load_production(tmp_path, code=code)
    proxied = load_production(tmp_path, code=code, BITCACHE_TRUSTED_PROXIES="1")

    assert direct.stdout.strip() == "None"
    assert proxied.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_production_starts_with_safe_settings_and_secure_cookies(tmp_path):
    result = load_production(tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True"]


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"DEBUG": "1"}, "DEBUG must be off"),
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "dev-insecure-change-me"}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"BITCACHE_CHAIN_SOURCE": "simulated"}, "simulated chain"),
        ({"BITCACHE_SEALING_KEYS": None}, "BITCACHE_SEALING_KEYS"),
        ({"BITCACHE_NOSTR_SECRET_KEY": None}, "BITCACHE_NOSTR_SECRET_KEY"),
        ({"BITCACHE_NOSTR_SECRET_KEY": "not-hex"}, "32 bytes of lowercase hex"),
        ({"BITCACHE_LIGHTNING_SIMULATED": "1"}, "simulated Lightning wallet"),
        ({"BITCACHE_SEALING_KEYS": "not-a-key"}, "not a Fernet key"),
        ({"DEBUG": "maybe"}, "DEBUG must be one of"),
        ({"BITCACHE_NETWORK": "litecoin"}, "BITCACHE_NETWORK must be one of"),
    ],
)
def test_production_refuses_to_start_unsafe(tmp_path, overrides, complaint):
    result = load_production(tmp_path, **overrides)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert complaint in result.stderr


def test_env_bool_refuses_what_it_does_not_understand(monkeypatch):
    monkeypatch.setenv("FLAG", "yes please")

    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG", False)


# What env_bool understands; an empty value is off.
BOOL_WORDS = {"1": True, "true": True, "yes": True, "on": True}
BOOL_WORDS |= {"0": False, "false": False, "no": False, "off": False, "": False}
# What an environment variable can hold: no NUL, no lone surrogate.
ENV_TEXT = st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"]))


@st.composite
def bool_words(draw) -> tuple[str, bool]:
    """A word env_bool understands, in any case, padded with whitespace; and its meaning."""
    word = draw(st.sampled_from(sorted(BOOL_WORDS)))
    spelled = "".join(draw(st.sampled_from([c.lower(), c.upper()])) for c in word)
    before, after = draw(st.text(" \t\n", max_size=3)), draw(st.text(" \t\n", max_size=3))
    return before + spelled + after, BOOL_WORDS[word]


@given(bool_words(), st.booleans())
def test_env_bool_reads_the_usual_words_in_any_case_and_padding(word, default):
    value, meaning = word
    with mock.patch.dict(os.environ, {"BITCACHE_TEST_FLAG": value}):
        assert env_bool("BITCACHE_TEST_FLAG", default) is meaning


@given(ENV_TEXT.filter(lambda value: value.strip().lower() not in BOOL_WORDS))
def test_env_bool_refuses_any_other_value(value):
    with (
        mock.patch.dict(os.environ, {"BITCACHE_TEST_FLAG": value}),
        pytest.raises(ImproperlyConfigured, match="BITCACHE_TEST_FLAG"),
    ):
        env_bool("BITCACHE_TEST_FLAG", False)


def test_env_int_enforces_its_minimum_and_whole_numbers(monkeypatch):
    monkeypatch.setenv("COUNT", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("COUNT", 5, minimum=1)
    monkeypatch.setenv("COUNT", "2.5")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("COUNT", 5)
    monkeypatch.delenv("COUNT")
    assert env_int("COUNT", 5) == 5


def test_env_choice_and_database_refuse_unknown_values(monkeypatch):
    monkeypatch.setenv("SOURCE", "electrum")
    with pytest.raises(ImproperlyConfigured, match="SOURCE must be one of"):
        env_choice("SOURCE", "simulated", ("simulated", "esplora"))
    monkeypatch.setenv("DB", "mysql://root@localhost/x")
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL or SQLite"):
        env_database("DB", "sqlite:///x.sqlite3")
