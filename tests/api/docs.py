"""What docs/api.md shows, read back so tests can run it: its curl commands and its
signature-verification snippet."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
SITE = "https://bitcache.example"
_BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)


def code_blocks(language: str) -> list[str]:
    return [body for lang, body in _BLOCK.findall(API_DOC.read_text()) if lang == language]


@dataclass
class Curl:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    data: str | None = None
    output: str | None = None  # -o: the answer is a file, saved under this name


def documented_curls(variables: dict[str, str]) -> list[Curl]:
    """Each curl command of the page, with $VARIABLES filled in as a shell would."""
    commands = []
    for block in code_blocks("sh"):
        text = block.replace("\\\n", " ")
        for name, value in variables.items():
            text = text.replace(f"${name}", value)
        for line in text.splitlines():
            if line.strip().startswith("curl "):
                commands.append(_parse(shlex.split(line)))
    return commands


def _parse(words: list[str]) -> Curl:
    curl = Curl(method="GET", path="")
    options = iter(words[1:])
    for word in options:
        if word == "-X":
            curl.method = next(options)
        elif word == "-H":
            name, value = next(options).split(":", 1)
            curl.headers[name.strip()] = value.strip()
        elif word == "-d":
            curl.data = next(options)
            curl.method = "POST" if curl.method == "GET" else curl.method
        elif word == "-o":
            curl.output = next(options)
        elif word.startswith(SITE):
            curl.path = word.removeprefix(SITE)
        else:
            raise AssertionError(f"the test does not know curl's {word!r}: teach it")
    return curl


def documented_verify_function() -> Callable[..., bool]:
    """verify_bitcache_signature, exactly as docs/api.md shows it."""
    (snippet,) = [
        block for block in code_blocks("python") if "def verify_bitcache_signature" in block
    ]
    namespace: dict = {}
    exec(snippet, namespace)  # noqa: S102 - our own documentation, run as a reader would
    return namespace["verify_bitcache_signature"]
