"""Conversations through the REST channel: the right answers, in the right language."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import Servers, Variant

CONVERSATIONS = yaml.safe_load(
    (Path(__file__).parent / "data" / "conversations.yml").read_text("utf-8")
)


@pytest.mark.slow
@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c["name"] for c in CONVERSATIONS])
def test_conversation(
    servers: Servers, variants: dict[str, Variant], conversation: dict[str, Any]
) -> None:
    sender = f"test-{uuid.uuid4()}"
    metadata = conversation.get("metadata")
    for turn in conversation["turns"]:
        replies = servers.say(sender, turn["user"], metadata)
        # Channels send metadata with every message; only a session's first one counts.
        got = [variants[r["text"]] for r in replies]
        assert got, f"no reply to {turn['user']!r}"
        if "replies" in turn:
            assert [v.response for v in got] == turn["replies"], turn["user"]
        assert {v.language for v in got} == {turn["language"]}, turn["user"]
        if "role" in turn:
            assert [v.role for v in got] == [turn["role"]], turn["user"]
