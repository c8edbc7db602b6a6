"""An overlay's server-sent events: one connection per overlay page open in OBS.

Frames:
- `event: alert` / `event: retract` with `id: <OverlayEvent id>`: stored events,
  replayed after `Last-Event-ID` on reconnection, each exactly once (a test alert is
  an `alert` whose data says `"test": true`);
- `event: state` without an id: what the page shows now (goal figures, supporters, the
  alert settings), sent when it differs from what was last sent;
- `event: gone`: the token was regenerated; the page stops listening;
- `: heartbeat` comments keep an idle connection open through proxies.

Woken through live.fanout's Hub (key `overlay:<creator id>`), like a tip's stream.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from typing import Any

from asgiref.sync import sync_to_async
from django.utils import timezone

from live.fanout import HEARTBEAT_SECONDS
from live.stream import Listener, released
from overlays.models import OverlayEventKind
from overlays.selectors import EVENTS_PER_READ, OverlayRead, overlay_read
from overlays.services import overlay_channel

RETRY = "retry: 3000\n\n"
HEARTBEAT = ": heartbeat\n\n"
GONE = "event: gone\ndata: {}\n\n"
MAX_STREAM_SECONDS = 30 * 60
FRAME_KIND = {
    OverlayEventKind.ALERT: "alert",
    OverlayEventKind.TEST: "alert",
    OverlayEventKind.RETRACT: "retract",
}


def frame(kind: str, data: dict[str, Any], *, event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    body = json.dumps(data, separators=(",", ":"))
    return f"{head}event: {kind}\ndata: {body}\n\n"


class OverlayCursor:
    """What one connection has sent: the last event id and the last state."""

    def __init__(self, after: int) -> None:
        self.after = after
        self.sent: dict[str, Any] | None = None

    def frames(self, read: OverlayRead) -> str:
        out = []
        if read.state and read.state != self.sent:
            out.append(frame("state", read.state))
            self.sent = read.state
        for event in read.events:
            data = {**event.data, "id": event.pk}
            out.append(frame(FRAME_KIND[OverlayEventKind(event.kind)], data, event_id=event.pk))
            self.after = event.pk
        return "".join(out)


@released
def _read(token: str, after: int, want: str) -> OverlayRead | None:
    return overlay_read(token, after=after, want=want, now=timezone.now())


async def overlay_stream_async(
    token: str, creator_id: int, *, after: int, want: str
) -> AsyncGenerator[str, None]:
    loop = asyncio.get_running_loop()
    channel = overlay_channel(creator_id)
    cursor = OverlayCursor(after)
    read_async = sync_to_async(_read, thread_sensitive=False)
    with Listener(channel, channel) as listener:
        yield RETRY
        started = last_write = loop.time()
        while True:
            listener.reading()
            read = await read_async(token, cursor.after, want)
            if read is None:
                yield GONE
                return
            if frames := cursor.frames(read):
                yield frames
                last_write = loop.time()
                if len(read.events) >= EVENTS_PER_READ:
                    continue  # more than one read's worth was waiting
            if loop.time() - started >= MAX_STREAM_SECONDS:
                return
            if not await listener.wait() and loop.time() - last_write >= HEARTBEAT_SECONDS:
                yield HEARTBEAT
                last_write = loop.time()
