"""Fixtures for the overlays: a creator with overlay settings, and stream reading helpers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from overlays.selectors import overlay_token
from overlays.services import overlay_settings_ensure
from tests.factories import CreatorFactory
from tests.live.conftest import parse_frames

# A stream that stops answering fails its test instead of hanging the suite.
STUCK = 20


@pytest.fixture
def creator(db):
    return CreatorFactory(handle="alice", display_name="Alice Films")


@pytest.fixture
def overlay(creator):
    return overlay_settings_ensure(creator=creator)


@pytest.fixture
def token(overlay):
    return overlay_token(overlay)


def read_stream(
    make: Callable[[], AsyncGenerator[str, None]], until: Callable[[list[dict]], bool]
) -> list[dict]:
    """Frames of a stream (in its own event loop, as a web process runs it) until `until`
    says enough; then the connection closes, as a browser tab would."""

    async def main() -> list[dict]:
        stream = make()
        text = ""
        try:
            while True:
                text += await asyncio.wait_for(anext(stream), STUCK)
                frames = parse_frames(text)
                if until(frames):
                    return frames
        except StopAsyncIteration:
            return parse_frames(text)
        finally:
            await stream.aclose()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()
