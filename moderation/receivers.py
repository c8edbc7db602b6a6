"""Moderation's answers to the payments app's questions."""

from __future__ import annotations

from django.dispatch import receiver

from moderation.selectors import message_matches_word_list
from payments.signals import tip_message_screen


@receiver(tip_message_screen)
def tip_message_on_word_list(*, message: str, **kwargs) -> bool:
    """A message with a word from the staff word list waits for review."""
    return message_matches_word_list(message)
