"""The dashboard's figures, read from the summary index (bot/staff/index.py): the
conversations' rows and the daily counts the indexer keeps as it folds the events
(`staff_daily`), so a request reads a few thousand rows at most and never the events;
drawn as SVG by the server (bot/staff/templates/dashboard.html): no
script, no chart library, no external service. Every chart also has a title, a
description and a data table.

Figures, over the last `DAYS` days (UTC):
- conversations per day (by the day of their first event), by language (the language
  slot's last value) and by channel (the sender id's prefix);
- the most frequent intents of user messages;
- per day, the share of user messages classified `nlu_fallback`, and the share answered
  with an abstention: a bot reply containing the "the press release does not give
  this" phrase (bot/nlu/facts.yml, `phrases: not_in_source`, read here only);
- registration checks by outcome: bot replies uttered by `utter_registration_*`;
- median and 95th percentile of the response time, from a user message to the next bot
  message of the same conversation, on the user message's day (nearest rank, per day
  and over the window, from the indexer's histogram: `delay_bin`'s bins are 0.1 s wide
  below 10 s, 1 s below a minute, 10 s below 10 minutes, then a minute, so a
  percentile is the lower bound of its bin: exact to 0.1 s below 10 s);
- the follow-up queue's age (bot/staff/app.py computes the queue)."""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Engine

from bot.settings import LANGUAGES
from bot.staff.conversations import CHANNELS
from bot.staff.schema import staff_conversations, staff_daily

DAYS = 30
TOP_INTENTS = 10
FALLBACK_INTENTS = ("nlu_fallback",)
FACTS = Path(__file__).resolve().parent.parent / "nlu" / "facts.yml"
COLOURS = ("#0b3d91", "#c75000", "#2e7d32", "#6a1b9a", "#555555")
QUEUE_BUCKETS = ((3600, "age_hour"), (86400, "age_day"), (3 * 86400, "age_3days"))
QUEUE_LAST = "age_week"
MAX_DELAY = 3600  # seconds: longer response times are counted as this
# staff_daily's kinds (bot/staff/schema.py), counted by the indexer.
DAILY_MESSAGES = "messages"  # user messages
DAILY_FALLBACK = "fallback"  # user messages classified as FALLBACK_INTENTS
DAILY_ABSTENTION = "abstention"  # bot replies with the abstention sentence
DAILY_INTENT = "intent"  # user messages, by intent
DAILY_REGISTRATION = "registration"  # utter_registration_* replies, by outcome
DAILY_DELAY = "delay"  # response times, by bin (delay_bin), on the user message's day


@functools.lru_cache(maxsize=1)
def abstention_phrases() -> tuple[str, ...]:
    """The abstention sentence in both languages."""
    with FACTS.open(encoding="utf-8") as file:
        phrases = (yaml.safe_load(file) or {}).get("phrases", {})
    found = phrases.get("not_in_source") or {}
    return tuple(str(text) for text in found.values() if text)


def says_abstention(data: sa.ColumnElement) -> sa.ColumnElement:
    """An event's JSON text holds the abstention sentence, as Rasa writes it (json.dumps:
    accents as \\u escapes) or unescaped: no JSON parsing of every reply."""
    forms = {f for phrase in abstention_phrases() for f in (phrase, json.dumps(phrase)[1:-1])}
    return sa.or_(*[data.contains(form, autoescape=True) for form in sorted(forms)])


@dataclass
class Figures:
    days: list[date]
    by_language: dict[str, list[int]]
    by_channel: dict[str, list[int]]
    intents: list[tuple[str, int]]
    messages: list[int]
    fallback: list[int]
    abstention: list[int]
    registrations: list[tuple[str, int]]
    response_p50: list[float | None]
    response_p95: list[float | None]
    response_overall: tuple[int, float | None, float | None] = (0, None, None)
    queue: list[tuple[str, int]] = field(default_factory=list)


def _day(engine: Engine, column: Any) -> Any:
    """Days since the epoch of an epoch-seconds column, as an integer."""
    if engine.dialect.name == "postgresql":
        return sa.cast(sa.func.floor(column / 86400), sa.Integer)
    return sa.cast(column / 86400, sa.Integer)


def delay_bin(seconds: float) -> str:
    """A response time's bin, as the lower bound in tenths of a second (`staff_daily`'s
    name): 0.1 s wide below 10 s, 1 s below a minute, 10 s below 10 minutes, then a
    minute, up to `MAX_DELAY` (longer ones counted as that)."""
    delay = min(max(seconds, 0.0), float(MAX_DELAY))
    if delay < 10:
        tenths = int(delay * 10)
    elif delay < 60:
        tenths = int(delay) * 10
    elif delay < 600:
        tenths = int(delay // 10) * 100
    else:
        tenths = int(delay // 60) * 600
    return str(tenths)


def compute(engine: Engine, now: datetime, days: int = DAYS) -> Figures:
    """Every figure but the queue's, from the summary index (bot/staff/index.py): the
    conversations' rows and the daily counts the indexer keeps. Two statements, over
    the window's rows only; the events are never read here."""
    today = now.astimezone(timezone.utc).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, datetime.min.time(), tzinfo=timezone.utc).timestamp()
    first_number = int(since // 86400)
    day_list = [first + timedelta(days=i) for i in range(days)]
    figures = Figures(
        days=day_list,
        by_language={code: [0] * days for code in (*LANGUAGES, "other")},
        by_channel={code: [0] * days for code in (*CHANNELS, "other")},
        intents=[],
        messages=[0] * days,
        fallback=[0] * days,
        abstention=[0] * days,
        registrations=[],
        response_p50=[None] * days,
        response_p95=[None] * days,
    )

    def index(day_number: Any) -> int | None:
        position = int(day_number) - first_number
        return position if 0 <= position < days else None

    c = staff_conversations.c
    day = _day(engine, c.started)
    with engine.connect() as connection:
        # Conversations started per day, by language (now) and channel.
        for number, lang, chan, count in connection.execute(
            sa.select(day, c.language, c.channel, sa.func.count())
            .where(c.started >= since)
            .group_by(day, c.language, c.channel)
        ):
            position = index(number)
            if position is None:
                continue
            figures.by_language[lang if lang in LANGUAGES else "other"][position] += count
            figures.by_channel[chan if chan in CHANNELS else "other"][position] += count

        # The daily counts: messages, fallbacks, abstentions, intents, registration
        # checks, response-time bins.
        intents: dict[str, int] = defaultdict(int)
        registrations: dict[str, int] = defaultdict(int)
        per_day: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        overall: dict[int, int] = defaultdict(int)
        d = staff_daily.c
        for number, kind, name, count in connection.execute(
            sa.select(d.day, d.kind, d.name, d.count).where(d.day >= first_number)
        ):
            position = index(number)
            if kind == DAILY_INTENT:
                intents[name] += count
            elif kind == DAILY_REGISTRATION:
                registrations[name] += count
            elif kind == DAILY_DELAY:
                overall[int(name)] += count
                if position is not None:
                    per_day[position][int(name)] += count
            elif position is not None:
                series = {
                    DAILY_MESSAGES: figures.messages,
                    DAILY_FALLBACK: figures.fallback,
                    DAILY_ABSTENTION: figures.abstention,
                }.get(kind)
                if series is not None:
                    series[position] += count
    figures.intents = sorted(intents.items(), key=lambda item: (-item[1], item[0]))[:TOP_INTENTS]
    figures.registrations = sorted(registrations.items(), key=lambda item: (-item[1], item[0]))
    for position, bins in per_day.items():
        figures.response_p50[position] = _percentile(bins, 50)
        figures.response_p95[position] = _percentile(bins, 95)
    figures.response_overall = (
        sum(overall.values()),
        _percentile(overall, 50),
        _percentile(overall, 95),
    )
    return figures


def _percentile(bins: dict[int, int], percent: int) -> float | None:
    """Nearest rank, from counts per 0.1 s bin: the bin's lower bound."""
    total = sum(bins.values())
    if not total:
        return None
    rank = (total * percent + 99) // 100
    seen = 0
    for delay_bin in sorted(bins):
        seen += bins[delay_bin]
        if seen >= rank:
            return delay_bin / 10
    return None


def queue_ages(waiting: dict[str, tuple[float, str]], now: datetime) -> list[tuple[str, int]]:
    """How many follow-up items have waited how long."""
    counts: dict[str, int] = defaultdict(int)
    for since, _ in waiting.values():
        age = now.timestamp() - since
        for limit, key in QUEUE_BUCKETS:
            if age < limit:
                counts[key] += 1
                break
        else:
            counts[QUEUE_LAST] += 1
    return [(key, counts[key]) for key in [k for _, k in QUEUE_BUCKETS] + [QUEUE_LAST]]


# Drawing: geometry here, markup (autoescaped) in templates/dashboard.html.

WIDTH, HEIGHT = 560, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 40


@dataclass
class Chart:
    id: str
    title: str
    desc: str
    width: int = WIDTH
    height: int = HEIGHT
    rects: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    texts: list[dict[str, Any]] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour, label)
    header: list[str] = field(default_factory=list)  # the data table
    rows: list[list[Any]] = field(default_factory=list)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 4:
            return step * 4
    return value


def _y_axis(chart: Chart, top: float, unit: str = "") -> None:
    plot_h = chart.height - TOP - BOTTOM
    chart.lines.append(
        {
            "points": f"{LEFT},{TOP} {LEFT},{TOP + plot_h} {chart.width - RIGHT},{TOP + plot_h}",
            "colour": "#333",
            "width": 1,
        }
    )
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        label = f"{value:g}{unit}"
        chart.texts.append({"x": LEFT - 4, "y": y + 4, "text": label, "anchor": "end"})
        if i:
            chart.lines.append(
                {"points": f"{LEFT},{y} {chart.width - RIGHT},{y}", "colour": "#ddd", "width": 1}
            )


def _x_labels(chart: Chart, days: list[date]) -> float:
    plot_w = chart.width - LEFT - RIGHT
    step = plot_w / max(len(days), 1)
    for i, day in enumerate(days):
        if i % 5 == 0 or i == len(days) - 1:
            chart.texts.append(
                {
                    "x": LEFT + step * (i + 0.5),
                    "y": chart.height - BOTTOM + 16,
                    "text": day.strftime("%m-%d"),
                    "anchor": "middle",
                }
            )
    return step


def stacked_days(
    chart_id: str,
    title: str,
    desc: str,
    days: list[date],
    series: list[tuple[str, list[int]]],
    day_label: str,
    total_label: str,
) -> Chart:
    """One stacked bar per day."""
    chart = Chart(chart_id, title, desc)
    totals = [sum(values[i] for _, values in series) for i in range(len(days))]
    top = _nice_max(max(totals, default=0))
    _y_axis(chart, top)
    step = _x_labels(chart, days)
    plot_h = chart.height - TOP - BOTTOM
    for i in range(len(days)):
        y: float = TOP + plot_h
        for number, (_, values) in enumerate(series):
            height = plot_h * values[i] / top
            if height > 0:
                y -= height
                chart.rects.append(
                    {
                        "x": LEFT + step * i + 1,
                        "y": y,
                        "w": max(step - 2, 1),
                        "h": height,
                        "colour": COLOURS[number % len(COLOURS)],
                    }
                )
    chart.legend = [(COLOURS[n % len(COLOURS)], label) for n, (label, _) in enumerate(series)]
    chart.header = [day_label, *[label for label, _ in series], total_label]
    chart.rows = [
        [day.isoformat(), *[values[i] for _, values in series], totals[i]]
        for i, day in enumerate(days)
        if totals[i]
    ]
    return chart


def line_days(
    chart_id: str,
    title: str,
    desc: str,
    days: list[date],
    series: list[tuple[str, list[float | None]]],
    day_label: str,
    unit: str,
    top: float | None = None,
) -> Chart:
    """One line per series; a day without a value breaks the line."""
    chart = Chart(chart_id, title, desc)
    values = [v for _, points in series for v in points if v is not None]
    top = top or _nice_max(max(values, default=0))
    _y_axis(chart, top, unit)
    step = _x_labels(chart, days)
    plot_h = chart.height - TOP - BOTTOM
    for number, (_, points) in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        run: list[str] = []
        for i, value in enumerate([*points, None]):
            if value is None:
                if run:
                    chart.lines.append(
                        {
                            "points": " ".join(run),
                            "colour": colour,
                            "width": 2,
                            "dash": "4 3" if number else "",
                        }
                    )
                run = []
                continue
            x = LEFT + step * (i + 0.5)
            y = TOP + plot_h - plot_h * min(value, top) / top
            run.append(f"{x:.1f},{y:.1f}")
            chart.rects.append({"x": x - 2, "y": y - 2, "w": 4, "h": 4, "colour": colour})
    chart.legend = [(COLOURS[n % len(COLOURS)], label) for n, (label, _) in enumerate(series)]
    chart.header = [day_label, *[label for label, _ in series]]
    chart.rows = [
        [
            day.isoformat(),
            *[("" if points[i] is None else f"{points[i]:.1f}{unit}") for _, points in series],
        ]
        for i, day in enumerate(days)
        if any(points[i] is not None for _, points in series)
    ]
    return chart


def horizontal_bars(
    chart_id: str,
    title: str,
    desc: str,
    items: list[tuple[str, int]],
    label_header: str,
    count_header: str,
) -> Chart:
    """One bar per item, its label on the left and its count at its end."""
    label_w = 190
    row_h = 22
    height = max(TOP + row_h * len(items) + 8, 60)
    chart = Chart(chart_id, title, desc, height=height)
    top = max((count for _, count in items), default=0) or 1
    bar_w = chart.width - label_w - 60
    for i, (label, count) in enumerate(items):
        y = TOP + row_h * i
        chart.texts.append({"x": label_w - 6, "y": y + 15, "text": label[:32], "anchor": "end"})
        width = bar_w * count / top
        chart.rects.append(
            {
                "x": label_w,
                "y": y + 3,
                "w": max(width, 1 if count else 0),
                "h": row_h - 6,
                "colour": COLOURS[0],
            }
        )
        chart.texts.append(
            {"x": label_w + width + 4, "y": y + 15, "text": str(count), "anchor": "start"}
        )
    chart.header = [label_header, count_header]
    chart.rows = [[label, count] for label, count in items]
    return chart
