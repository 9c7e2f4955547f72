"""Erasure and purge: a conversation's events leave the tracker store, the console's
review rows about it (tags, notes, marks) are deleted, and the rows that name its
sender in the audit are rewritten with a keyed hash; both are audited."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.staff.accounts import StaffStore
from bot.staff.conversations import Conversations
from bot.staff.reviews import Reviews


def erase(conversations: Conversations, store: StaffStore, sender_id: str, actor: str) -> int:
    """Remove one person's conversation; returns how many events were deleted."""
    deleted = conversations.erase(sender_id)
    with store.engine.begin() as connection:
        Reviews.forget(connection, [sender_id])
        hashed = store.forget_sender(connection, sender_id)
        store.audit(actor, "erase", hashed, f"{deleted} events", connection=connection)
    return deleted


def purge(
    conversations: Conversations, store: StaffStore, days: int, actor: str, now: datetime
) -> int:
    """Remove every conversation with no event in the last `days` days; returns how
    many."""
    senders = conversations.purge(now - timedelta(days=days))
    with store.engine.begin() as connection:
        Reviews.forget(connection, senders)
        for sender_id in senders:
            store.forget_sender(connection, sender_id)
        store.audit(
            actor,
            "purge",
            None,
            f"{len(senders)} conversations older than {days} days",
            connection=connection,
        )
    return len(senders)
