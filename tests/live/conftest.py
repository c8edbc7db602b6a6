"""Fixtures for the live streams: a creator, a tip, and a stream read like a browser."""

from __future__ import annotations

import json

import pytest

from payments.services import tip_create
from tests.factories import CreatorFactory


@pytest.fixture
def creator(db):
    return CreatorFactory(handle="alice", display_name="Alice Films")


@pytest.fixture
def tip(creator):
    return tip_create(creator=creator, amount_sats=5000, name="Bob", message="Secret thanks")


def parse_frames(text: str) -> list[dict]:
    """Server-sent event frames as a browser's EventSource reads them: id, event, data
    (decoded), or a comment (heartbeat) or a retry."""
    frames = []
    for block in text.split("\n\n"):
        if not block:
            continue
        frame: dict = {}
        for line in block.split("\n"):
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "":
                frame["comment"] = value
            elif field == "data":
                frame["data"] = json.loads(value)
            else:
                frame[field] = value
        frames.append(frame)
    return frames


def status_frames(text: str) -> list[dict]:
    return [frame for frame in parse_frames(text) if frame.get("event") == "status"]
