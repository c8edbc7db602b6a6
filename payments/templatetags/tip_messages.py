"""`{{ tip|message_state }}`: none, hidden, held or shown, for the creator's and moderators' pages.

Public pages never need it: they show `payments.selectors.tip_public_message(tip)`.
"""

from __future__ import annotations

from django import template

from payments.models import Tip
from payments.selectors import MessageState, tip_message_state

register = template.Library()


@register.filter
def message_state(tip: Tip) -> MessageState:
    return tip_message_state(tip)
