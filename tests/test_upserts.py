"""The staff stores' upserts (one INSERT ... ON CONFLICT statement each), on SQLite and
on PostgreSQL: a first write inserts, a second one changes that row, never a second."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.participants.migrate import upgrade
from bot.participants.store import create_engine
from bot.staff.conversations import Conversations, events
from bot.staff.retention import RETENTION_JOB, try_claim
from bot.staff.reviews import Reviews
from bot.staff.schema import staff_jobs, staff_labels, staff_reviews
from bot.staff.unanswered import Labels
from tests.conftest import Clock
from tests.test_staff import insert_events, user


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.engine.Engine]:
    upgrade(database_url)
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def count(engine: sa.engine.Engine, table: sa.Table) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_review_marks_and_tags(engine: sa.engine.Engine) -> None:
    clock = Clock()
    reviews = Reviews(engine, clock)
    reviews.set_flag("web:a", True, "alice")
    flagged_at = clock.now
    reviews.set_reviewed(["web:a", "web:b"], True, "bob")
    reviews.set_flag("web:a", False, "carol")
    a, b = reviews.get("web:a"), reviews.get("web:b")
    assert (a.flagged_at, a.flagged_by, a.reviewed_by) == (None, None, "bob")
    assert (b.flagged_at, b.reviewed_at, b.reviewed_by) == (None, clock.now, "bob")
    reviews.set_flag("web:b", True, "alice")
    assert (reviews.get("web:b").flagged_at, reviews.get("web:b").flagged_by) == (
        flagged_at,
        "alice",
    )
    assert count(engine, staff_reviews) == 2
    assert reviews.add_tags(["web:a", "web:b"], ["visa"], "alice") == 2
    assert reviews.add_tags(["web:a", "web:b"], ["visa", "hotel"], "bob") == 2
    assert reviews.get("web:a").tags == reviews.get("web:b").tags == ["hotel", "visa"]


def test_a_label_given_again_replaces_the_first(engine: sa.engine.Engine, tmp_path: Path) -> None:
    tracker = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}", future=True)
    events.metadata.create_all(tracker)
    insert_events(
        tracker, "web:a", 0.0, [(user("visa?", "nlu_fallback", 0.2), "nlu_fallback", None)]
    )
    with tracker.connect() as connection:
        (event_id,) = connection.execute(sa.select(events.c.id)).scalars()
    clock = Clock()
    labels = Labels(engine, clock)
    conversations = Conversations(tracker)
    assert labels.record(conversations, [event_id], "ask_dates", "en", "alice") == 1
    clock.now += timedelta(minutes=1)
    assert labels.record(conversations, [event_id], "ask_contact", "fr", "bob") == 1
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(staff_labels.c.text, staff_labels.c.intent, staff_labels.c.actor)
        ).all()
    assert [tuple(row) for row in rows] == [("visa?", "ask_contact", "bob")]
    tracker.dispose()


def test_a_job_row_is_created_once(engine: sa.engine.Engine) -> None:
    clock = Clock()
    assert try_claim(engine, RETENTION_JOB, clock.now, by="a") == (True, None)
    taken, previous = try_claim(engine, RETENTION_JOB, clock.now, by="b")
    assert not taken and previous is not None
    assert count(engine, staff_jobs) == 1
