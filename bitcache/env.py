"""Strict parsers for settings read from the environment.

A typo in a deployment's environment must stop the process at start-up with a
message naming the variable, not turn into a silently wrong default.
"""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int_list(name: str, default: list[int], *, minimum: int | None = None) -> list[int]:
    """Comma-separated whole numbers; every one must parse, or the process stops."""
    if os.environ.get(name) is None:
        return list(default)
    values = []
    for item in env_list(name):
        try:
            value = int(item)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must list whole numbers; got {item!r}") from None
        if minimum is not None and value < minimum:
            raise ImproperlyConfigured(f"{name} values must be at least {minimum}; got {value}")
        values.append(value)
    return values


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default).lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def env_choice_list(name: str, default: list[str], choices: tuple[str, ...]) -> list[str]:
    """Comma-separated names, each one of `choices`, none twice; at least one."""
    if os.environ.get(name) is None:
        return list(default)
    values = [item.lower() for item in env_list(name)]
    for value in values:
        if value not in choices:
            raise ImproperlyConfigured(
                f"{name} must list some of {', '.join(choices)}; got {value!r}"
            )
    if not values:
        raise ImproperlyConfigured(f"{name} must list at least one of {', '.join(choices)}")
    if len(set(values)) != len(values):
        raise ImproperlyConfigured(f"{name} names a value twice")
    return values


def env_decimal(name: str, default: str, *, minimum: str) -> Decimal:
    """A decimal number such as 1.5 (never a float: it is compared with money)."""
    raw = env_str(name, default)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name} must be a number such as 1.5; got {raw!r}") from None
    if not value.is_finite() or value < Decimal(minimum):
        raise ImproperlyConfigured(f"{name} must be a number of at least {minimum}; got {raw!r}")
    return value


def env_database(name: str, default: str, *, pool_size: int = 0) -> dj_database_url.DBConfig:
    """The database at URL `name`. With `pool_size` (PostgreSQL only) each process keeps a
    psycopg pool of at most that many connections, and a request or a stream read borrows
    one only while it queries: what Django asks for under ASGI, where every request runs on
    a thread of its own and persistent per-thread connections would pile up to the server's
    max_connections under a burst. Without a pool, connections persist for 60 s."""
    url = env_str(name, default)
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a database URL we understand: {exc}") from None
    if config["ENGINE"] not in (
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    ):
        raise ImproperlyConfigured(f"{name} must point to PostgreSQL or SQLite")
    if pool_size and config["ENGINE"] == "django.db.backends.postgresql":
        config["CONN_MAX_AGE"] = 0  # a pooled connection goes back after each request
        config["CONN_HEALTH_CHECKS"] = False  # the pool checks a connection before lending it
        options = config.setdefault("OPTIONS", {})
        # A request waits up to `timeout` for a free connection instead of failing at once.
        options["pool"] = {"min_size": 1, "max_size": pool_size, "timeout": 30}
    return config
