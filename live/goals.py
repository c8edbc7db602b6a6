"""A creator's public goal, for pages of apps that may not import the app keeping it.

The tip page and the widgets (widgets) show the creator's goal when the creator chose to,
and the goal lives with the stream overlays (overlays), a sibling app. Overlays registers
its provider here at start-up (AppConfig.ready); pages ask here, and the public stream
(live.views.goal_events) wakes on the provider's Hub channel, the one the overlays'
own connections listen on.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.dispatch import Signal
from django.utils import timezone

from live.fanout import HEARTBEAT_SECONDS
from live.stream import HEARTBEAT, MAX_STREAM_SECONDS, RETRY, Listener, released, shared_call


@dataclass(frozen=True)
class GoalProvider:
    # The public figures of a creator's goal (creator id -> state), None when not shown.
    state: Callable[..., dict[str, Any] | None]
    # The live.fanout Hub key published whenever those figures may have changed.
    channel: Callable[[int], str]


_provider: GoalProvider | None = None

# Sent when whether (or how) a creator's goal shows publicly changes: stored pages drop.
public_goal_changed = Signal()


def public_goal_register(provider: GoalProvider) -> None:
    global _provider
    _provider = provider


def public_goal(creator_id: int, *, now: datetime) -> dict[str, Any] | None:
    """The creator's goal figures, if they show it publicly (and an app provides goals)."""
    return _provider.state(creator_id, now=now) if _provider is not None else None


def public_goal_channel(creator_id: int) -> str | None:
    return _provider.channel(creator_id) if _provider is not None else None


def goal_frame(state: dict[str, Any] | None) -> str:
    """One `event: goal` frame: the figures, or `null` once the creator stopped showing it."""
    return f"event: goal\ndata: {json.dumps(state, separators=(',', ':'))}\n\n"


@released
def _read(creator_id: int) -> dict[str, Any] | None:
    return public_goal(creator_id, now=timezone.now())


async def goal_stream_async(creator_id: int, channel: str) -> AsyncGenerator[str, None]:
    """A creator's public goal as server-sent events: the figures when they differ from
    what was last sent, heartbeats between; woken through the Hub on `channel` (at worst
    the Hub's poll interval late)."""
    loop = asyncio.get_running_loop()
    # The creator's viewers in this process share each read, as a tip's viewers do
    # (live.stream.shared_call): a tip wakes a thousand open tip pages, one query runs.
    key = f"goal:{creator_id}"
    sent: object = ...  # nothing yet: the first read is always sent
    with Listener(channel, key) as listener:
        yield RETRY
        started = last_write = loop.time()
        while True:
            listener.reading()
            state = await shared_call((key,), partial(_read, creator_id), since=listener.woken)
            if state != sent:
                yield goal_frame(state)
                sent, last_write = state, loop.time()
            if loop.time() - started >= MAX_STREAM_SECONDS:
                return
            if not await listener.wait() and loop.time() - last_write >= HEARTBEAT_SECONDS:
                yield HEARTBEAT
                last_write = loop.time()
