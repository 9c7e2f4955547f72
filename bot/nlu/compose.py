"""One reply from the items a message asks (bot/nlu/facts.py): follow-ups resolved
from a topic, each fact said once in the order asked, "Yes."/"No." first where a
claim was checked, the contacts once where the release lacks a detail.

Used by the FactDetector, which composes the reply of a message that needs nothing of
the conversation (most questions: no action server call), and by `action_answer`
for the others (follow-ups, a role stated earlier, a language switch).
"""

from __future__ import annotations

from typing import Any, Collection, Dict, List, Sequence

from bot.nlu.facts import (
    BY_NAME,
    CONTACT_FACTS,
    EARLIER_CONFERENCE,
    NOT_CANCELLED,
    NOT_IN_SOURCE,
    REGISTRATION_DECISION,
    REGISTRATION_TOPIC,
    FactBase,
)

# Asked in the past tense right after the earlier conference: about it, not the CMC.
_PAST_TOPICS = {"diaspora": EARLIER_CONFERENCE}
# ... but the release does not say where that one was held.
_PAST_UNKNOWN = {"venue": NOT_IN_SOURCE}
# The Director General's topic: the release gives his words, no contact of his.
DG_TOPIC = "dg"
_PRESENT_FACTS = frozenset({"dates", "venue", "about", "confirmed", "urban_share"})
# Who and how many: a short follow-up on the earlier conference asks its figures.
_COUNT_FACTS = frozenset({"confirmed", "invitees", "urban_share"})


def _resolve(
    item: Dict[str, Any],
    base: FactBase,
    topic: str | None,
    guess: bool,
    last: str | None,
    others: Sequence[str] = (),
) -> str | None:
    """The fact an item names; a follow-up resolved from the last fact answered when it
    names one for it, else from the topic, else from another topic of the last answer
    (`others`, latest first: "c'est qui lui ?" after the Director General's words and the
    topics), or from its default when `guess` allows it."""
    if "followup" in item:
        followups = base.followups
        index = item["followup"]
        if not isinstance(index, int) or not 0 <= index < len(followups):
            return None
        followup = followups[index]
        if last in followup.by_fact:
            return followup.by_fact[last]
        default = followup.default if guess else None
        if topic not in followup.by_group:
            mapped = [followup.by_group[g] for g in others if g in followup.by_group]
            default = mapped[0] if mapped else default
        return followup.by_group.get(topic or "", default)
    return item.get("fact")


def reads_topic(item: Dict[str, Any]) -> bool:
    """A fact the conversation's topic may turn into another: asked in the past tense
    ("when was it held?"), or a word or two ("how big?", "quel mois ?") that follow
    up the earlier conference when it was the last answer."""
    return bool(
        item.get("past")
        or item.get("own")
        or item.get("person")
        or (item.get("short") or item.get("total"))
        and item.get("fact") in _COUNT_FACTS | {"dates"}
    )


def resolve(
    items: List[Dict[str, Any]],
    base: FactBase,
    topic: str | None,
    guess: bool = True,
    earlier: Collection[str] = (),
    registered: bool = False,
) -> List[Dict[str, Any]]:
    """Items as facts, in order: a follow-up takes the topic of the fact before it in
    the same message ("Is the report launched there? What does it explore?"), else
    of the last answer; without either, its default if `guess`. `earlier`: the facts
    of the last answer, whose earlier conference a question in the past tense is
    about even when the answer ended on another topic ("before this? when?"), as is
    one the message itself names ("when was the 2013 conference held?"). `registered`:
    a check gave a status in this conversation, so one's own case ("can I still come?")
    is about it even after answers on other topics."""
    named = [i["fact"] for i in items if i.get("fact") in base.facts]
    in_message = next((g for g in _groups(named, base) if g in _PAST_TOPICS), None)
    past_topic = next((g for g in _groups(earlier, base) if g in _PAST_TOPICS), None)
    resolved: List[Dict[str, Any]] = []
    last = list(earlier)[-1] if earlier else None  # until the message names a topic itself
    for item in items:
        if item.get("context") or item.get("fresh"):
            last = None
        topic = item.get("context") or topic  # named by the message itself (facts._add_context)
        if item.get("fresh"):
            topic = None  # "Autre chose : c'est quand ?": the follow-up's default
        others = _groups(earlier, base)[::-1] if last else []
        key = _resolve(item, base, topic, guess, last, others)
        asked = "followup" in item and key in {*named, *(r["fact"] for r in resolved)}
        if asked and key not in item.get("beside", ()):
            # "IOM exists since when? ... And when is it, which city?": what another
            # sentence asks already is not asked again; the follow-up's default is.
            default = _resolve(item, base, None, guess, None)
            key = default if default not in named else key
        past = item.get("past") and key in _PRESENT_FACTS  # "when was it held?"
        # "how big?", "ministers?", "combien de participants au total, alors ?"
        counted = (item.get("short") or item.get("total")) and key in _COUNT_FACTS
        timed = item.get("short") and key == "dates" and topic in _PAST_TOPICS  # "quel mois ?"
        about_past = topic if topic in _PAST_TOPICS else in_message if past else None
        about_past = about_past or past_topic
        verdict = item.get("verdict")
        if (past or counted or timed) and about_past:
            key = _PAST_UNKNOWN.get(key or "", _PAST_TOPICS[about_past])
            verdict = item.get("then", verdict)  # the claim, checked against that one
        if item.get("person") and topic == DG_TOPIC and key in CONTACT_FACTS:
            key, verdict = NOT_IN_SOURCE, None  # "his e-mail?" after the Director General
        if item.get("own") and (registered or topic == REGISTRATION_TOPIC):
            key = REGISTRATION_DECISION  # "can I still come?" after a status
        if key == NOT_CANCELLED and item.get("past") and topic == REGISTRATION_TOPIC:
            key = REGISTRATION_DECISION  # "when was it cancelled?" right after a status
        if key:
            claim = {"claim": item["claim"]} if "claim" in item else {}
            if item.get("denied") and key == item.get("fact"):
                claim["denied"] = True
            verdict = "no" if key in item.get("refuted", ()) else verdict
            resolved.append({"fact": key, "verdict": verdict, **claim})
            topic = base.facts[key].group if key in base.facts else topic
            past_topic = None
            last = None
    return resolved


def _groups(facts: Collection[str], base: FactBase) -> List[str]:
    return [base.facts[f].group for f in facts if f in base.facts]


def answerable(key: str, base: FactBase) -> bool:
    return key in base.facts or key in (NOT_IN_SOURCE, NOT_CANCELLED, BY_NAME)


def compose(items: List[Dict[str, Any]], base: FactBase, language: str) -> List[str]:
    """The reply's sentences for resolved items in the order asked."""
    keys = [i["fact"] for i in items]
    # "What's the report about?" (launch, content): the title too; not in a message
    # that asks about several topics.
    groups = {base.facts[k].group for k in keys if k in base.facts}
    single = (
        len(keys) == 1
        or len(groups) == 1
        and len(keys) == len([k for k in keys if k in base.facts])
    )
    # A claim (one sentence: `claim`) is wrong when any of its parts is. One yes or no
    # first when the claims agree; before each claim's answers when they do not ("Are
    # mayors invited? ... IOM, founded in 1965, ...": "Yes. ... No. ...").
    claims: Dict[Any, str] = {}
    for item in items:
        if item.get("verdict"):
            claim = item.get("claim")
            claims[claim] = "no" if "no" in (claims.get(claim), item["verdict"]) else "yes"
    for item in items:
        # A question denying what the release says: "Si." in French (facts.yml `contrary`).
        if item.get("denied") and claims.get(item.get("claim")) == "no":
            claims[item.get("claim")] = "contrary"
    agreed = set(claims.values())
    each = len(agreed) > 1
    said: List[str] = []
    parts: List[str] = []
    for item in items:
        key = item["fact"]
        if key in said:
            continue
        said.append(key)
        if each and item.get("verdict") and item.get("claim") in claims:
            parts.append(base.text(claims.pop(item.get("claim")), language))
        if key in (NOT_IN_SOURCE, NOT_CANCELLED, BY_NAME):
            parts.append(base.text(key, language))
            continue
        fact = base.facts.get(key)
        if fact is None:
            continue
        parts.append(fact.texts[language])
        for extra in fact.with_ if single else ():
            if extra not in said:
                said.append(extra)
                parts.append(base.facts[extra].texts[language])
    lacking = NOT_IN_SOURCE in said or any(base.facts[k].partial for k in said if k in base.facts)
    if lacking and not any(k in said for k in CONTACT_FACTS):
        parts.append(base.text("ask_contacts", language))
    if len(agreed) == 1 and parts:
        parts.insert(0, base.text(agreed.pop(), language))
    return parts
