"""docs/deploy.md's nginx map keeps every bearer URL of unlocks out of access logs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"
TOKEN = "AbC123:1u2v3w:signature"
PURCHASE = "pu_0123456789abcdef"


def documented_map() -> list[tuple[str, str]]:
    """The (regex, replacement) lines of the nginx map in docs/deploy.md."""
    text = DEPLOY.read_text()
    block = re.search(r"map \$request_uri \$bitcache_logged_uri \{(.*?)\n\}", text, re.S)
    assert block, "docs/deploy.md no longer has the log redaction map"
    return re.findall(r'"~(.*)"\s+"(.*)";', block.group(1))


def logged(uri: str) -> str:
    """What nginx writes to the log for `uri`: the first matching regex wins."""
    for pattern, replacement in documented_map():
        # nginx (PCRE) names a group (?<name>...); Python spells it (?P<name>...).
        match = re.search(pattern.replace("(?<", "(?P<"), uri)
        if match:
            # nginx's $1 and $name are Python's \1 and \g<name>.
            return match.expand(re.sub(r"\$(\w+)", r"\\g<\1>", replacement))
    return uri


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("unlocks:access", TOKEN),
        ("unlocks:purchase", PURCHASE),
        ("unlocks:purchase_widget", PURCHASE),
        ("unlocks:purchase_status", PURCHASE),
    ],
)
def test_bearer_urls_are_logged_without_their_secret(name, secret):
    uri = reverse(name, args=[secret]) + "?utm=x"

    assert secret not in logged(uri)


@pytest.mark.parametrize("uri", ["/unlock/recover", "/@alice/u/item123", "/dashboard/"])
def test_other_urls_are_logged_as_they_are(uri):
    assert logged(uri) == uri
