"""Celery tasks of the overlays app: interfaces only."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from overlays import streamlabs


@shared_task(ignore_result=True)
def streamlabs_post_send(post_id: int) -> None:
    streamlabs.streamlabs_post_send(post_id=post_id)


@shared_task(ignore_result=True)
def streamlabs_posts_retry() -> None:
    """Beat: send the Streamlabs posts that are due (a failed first try, a lost kick)."""
    for post_id in streamlabs.streamlabs_posts_due(now=timezone.now()):
        streamlabs.streamlabs_post_send(post_id=post_id)
