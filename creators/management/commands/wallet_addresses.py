"""`manage.py wallet_addresses KEY`: the addresses a watch-only key derives, one a line.

The way anyone (a creator, an admin, a reviewer) checks what Bitcache will hand out for a
key, against their own wallet. The key names its own network, so it works on any site.
With `-` for KEY the key is read from standard input, so it need not sit in the shell's
history: `manage.py wallet_addresses - < key.txt`.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from btc import KeyRefused, parse_key
from btc.parsing import MAX_INPUT_LENGTH
from creators.key_refusals import refusal_text


class Command(BaseCommand):
    help = "Print the addresses an xpub/ypub/zpub or descriptor derives, one per line."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "key",
            help="Extended public key (xpub, ypub, zpub…) or descriptor; - to read it from stdin.",
        )
        parser.add_argument("--start", type=int, default=0, help="First index (default 0).")
        parser.add_argument(
            "--count", type=int, default=10, help="How many addresses (default 10)."
        )
        parser.add_argument(
            "--change", action="store_true", help="Change addresses instead of receive ones."
        )

    def handle(
        self, *args: Any, key: str, start: int, count: int, change: bool, **options: Any
    ) -> None:
        if key == "-":
            # One character more than parse_key accepts, so an endless stream is refused.
            key = sys.stdin.read(MAX_INPUT_LENGTH + 1)
        try:
            watch_key = parse_key(key, network=None)
        except KeyRefused as refused:
            # The message never quotes the key; `from None` keeps the parser's context out too.
            raise CommandError(refusal_text(refused)) from None
        try:
            addresses = watch_key.addresses(start, count, change=change)
        except ValueError as error:  # An index out of range, or --change without a branch.
            raise CommandError(str(error)) from None
        for derived in addresses:
            self.stdout.write(derived.address)
