"""Origins a creator allows to frame a widget: the sources of its CSP `frame-ancestors`.

Only plain origins are accepted (scheme, host, optional port; a leading `*.` for
subdomains), over HTTPS — or HTTP for local development hosts — so nothing a
creator types can inject another CSP directive or open the widget to every site.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_ORIGINS = 10
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = rf"(?:\*\.)?{_LABEL}(?:\.{_LABEL})+"
_ORIGIN = re.compile(
    rf"^(?P<scheme>https?)://(?P<host>{_HOST}|localhost|127\.0\.0\.1|\[::1\])(?::(?P<port>\d{{1,5}}))?$"
)

INVALID_ORIGIN = _(
    "“%(value)s” is not an origin. Write it as https://example.com (optionally with a port, "
    "or *.example.com for its subdomains), without a path."
)
HTTP_NOT_LOCAL = _("“%(value)s” must use https:// (plain http:// is only for localhost).")
TOO_MANY = _("At most %(max)d origins.")


def normalize_origin(value: str) -> str:
    """`value` as a CSP source (lower-case, no trailing slash), or ValidationError."""
    text = value.strip().lower().removesuffix("/")
    match = _ORIGIN.match(text)
    if match is None or (match["port"] and not 0 < int(match["port"]) < 65536):
        raise ValidationError(INVALID_ORIGIN, code="invalid_origin", params={"value": value})
    if match["scheme"] == "http" and match["host"] not in LOCAL_HOSTS:
        raise ValidationError(HTTP_NOT_LOCAL, code="http_origin", params={"value": value})
    return text


def normalize_origins(values: list[str]) -> list[str]:
    """Each origin checked and normalised, duplicates dropped, order kept; every bad
    line is reported at once, not only the first."""
    normalized, errors = [], []
    for value in values:
        if not value.strip():
            continue
        try:
            normalized.append(normalize_origin(value))
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError(errors)
    origins = list(dict.fromkeys(normalized))
    if len(origins) > MAX_ORIGINS:
        raise ValidationError(TOO_MANY, code="too_many_origins", params={"max": MAX_ORIGINS})
    return origins


_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str | None:
    """scheme://host[:port] of an http(s) URL (no path, query or user), else None."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    origin = f"{parts.scheme}://{host}"
    if port is not None and port != _DEFAULT_PORTS[parts.scheme]:
        origin += f":{port}"
    return origin if len(origin) <= 200 else None


def _scheme_host_port(origin: str) -> tuple[str, str, int | None]:
    parts = urlsplit(origin)
    return parts.scheme, parts.hostname or "", parts.port or _DEFAULT_PORTS.get(parts.scheme)


def origin_allowed(origin: str, allowed: list[str]) -> bool:
    """Whether `origin` matches one of `allowed` as CSP frame-ancestors matches it:
    same scheme, same host (or any subdomain, for *.host), same port."""
    scheme, host, port = _scheme_host_port(origin)
    for source in allowed:
        subdomains = "://*." in source
        wanted_scheme, wanted_host, wanted_port = _scheme_host_port(source.replace("*.", "", 1))
        if (scheme, port) != (wanted_scheme, wanted_port):
            continue
        if host == wanted_host and not subdomains:
            return True
        if subdomains and host.endswith("." + wanted_host):
            return True
    return False
