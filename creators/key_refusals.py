"""Key refusals from `btc`, in the creator's language.

`btc` has no Django and so no translations: its refusals carry the English text,
which is the catalogue key, and this is where it is translated.
"""

from __future__ import annotations

from django.utils.translation import gettext

from btc import KeyRefused


def refusal_text(refusal: KeyRefused) -> str:
    """What to tell the creator; like every refusal message, it never quotes the input."""
    text = gettext(refusal.message)
    return text % refusal.params if refusal.params else text
