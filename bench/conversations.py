"""Blind conversation evaluation through the REST channel, graded on the replies.

    python -m bench.conversations [--set NAME] [--url URL] [--min 0.97] [--failures]
                                  [--perturb SEED] [--combine SEED [--sample N]]

NAME is a file of bench/conversations/ without .yml (dev, dev2, ..., sealed).

Without --url it starts its own Rasa and action server on a fresh participant store
seeded with tests/data/participants.csv (the writers' test participants); with it, it
talks to a running assistant. Each turn passes when the replies, folded (lower case,
no accents), contain one alternative of every `must` group and none of `must_not`,
start with one of `starts`, say the source does not give the detail (`abstain`), and
are in `lang`. A conversation passes when all its turns do. The sealed half is only
reported: its failures are never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import re
import sys
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import aiohttp
import sqlalchemy as sa
import yaml

from bot.nlu.formats import EMAIL_RE, REFERENCE_RE
from bot.nlu.text import fold

SETS = Path(__file__).resolve().parent / "conversations"
ROOT = SETS.parent.parent
MODEL = ROOT / "models" / "cmc.tar.gz"

# How a reply says the source does not give a detail, in either language (folded).
ABSTENTION = re.compile(
    r"ne (?:donne|precise|dit|mentionne|fournit|indique|contient|comporte)\w* pas|"
    r"pas d'information|aucune information|n'est pas (?:precise|indique|mentionne)|"
    r"does not (?:give|say|mention|include|specify|provide|contain|state)|"
    r"doesn't (?:give|say|mention|include|specify|provide)|no information|"
    r"not (?:specified|given|mentioned)"
)
# Function words that tell the reply's language, whatever the assistant's detector says.
_FR_WORDS = (
    "le la les des est et une un pour vous dans sur du au aux que qui ne pas votre je "
    "ou avec sont cette ce de l d n il elle nous en lieu se"
)
_EN_WORDS = (
    "the is and of to you your for in on are this it not be with can will have an "
    "i at by or from"
)
_FR = frozenset(_FR_WORDS.split())
_EN = frozenset(_EN_WORDS.split())
_WORD = re.compile(r"[a-z]+")


def reply_language(text: str) -> str:
    """fr or en, by function words: independent of the assistant's own detector."""
    words = _WORD.findall(fold(text).replace("'", " "))
    fr = sum(w in _FR for w in words)
    en = sum(w in _EN for w in words)
    if fr == en:
        return "fr" if re.search(r"[éèêàçù]", text.lower()) else "en"
    return "fr" if fr > en else "en"


def grade_turn(turn: dict[str, Any], replies: list[str]) -> list[str]:
    """Why the replies fail this turn (empty: it passes)."""
    text = " ".join(replies)
    folded = fold(text)
    problems = []
    if not replies:
        return ["no reply"]
    for group in turn.get("must") or []:
        if not any(fold(str(alt)) in folded for alt in group):
            problems.append(f"missing one of {group}")
    for banned in turn.get("must_not") or []:
        if fold(str(banned)) in folded:
            problems.append(f"contains {banned!r}")
    starts = turn.get("starts")
    if starts and not any(re.match(rf"\W*{re.escape(fold(s))}\b", folded) for s in starts):
        problems.append(f"does not start with {starts}")
    if turn.get("abstain") and not ABSTENTION.search(folded):
        problems.append("does not say the source lacks it")
    if turn.get("lang") and reply_language(text) != turn["lang"]:
        problems.append(f"reply not in {turn['lang']}")
    return problems


@dataclass
class Result:
    conversation: dict[str, Any]
    failures: list[tuple[str, list[str], list[str]]] = field(default_factory=list)
    # (turn, replies) of every turn, for the abstention figures
    turns: list[tuple[dict[str, Any], list[str]]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


async def say(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> list[str]:
    async with session.post(url, json={"sender": sender, "message": text}) as response:
        body = await response.json(content_type=None)
    if response.status != 200:
        return [f"HTTP {response.status}"]
    return [r.get("text", "") for r in body if r.get("text")]


async def run_conversation(
    session: aiohttp.ClientSession, url: str, conversation: dict[str, Any]
) -> Result:
    result = Result(conversation)
    sender = f"eval-{uuid.uuid4()}"
    for turn in conversation["turns"]:
        replies = await say(session, url, sender, turn["user"])
        result.turns.append((turn, replies))
        problems = grade_turn(turn, replies)
        if problems:
            result.failures.append((turn["user"], replies, problems))
    return result


async def evaluate(
    url: str, conversations: list[dict[str, Any]], db_url: str | None = None
) -> list[Result]:
    """Registration conversations one at a time, each on a store with no recent failed
    checks (the per-reference delay protects real delegates, not an evaluation);
    the others eight at a time."""
    timeout = aiohttp.ClientTimeout(total=60)
    results: list[Result] = []
    async with aiohttp.ClientSession(timeout=timeout) as session:
        general = [c for c in conversations if "registration" not in c["classes"]]
        registration = [c for c in conversations if "registration" in c["classes"]]
        limit = asyncio.Semaphore(8)

        async def bounded(conversation: dict[str, Any]) -> Result:
            async with limit:
                return await run_conversation(session, url, conversation)

        results += await asyncio.gather(*(bounded(c) for c in general))
        engine = sa.create_engine(db_url, future=True) if db_url else None
        for conversation in registration:
            if engine is not None:
                with engine.begin() as connection:
                    connection.execute(sa.text("DELETE FROM lookup_attempts"))
            results.append(await run_conversation(session, url, conversation))
    return results


def report(results: list[Result], name: str, show_failures: bool) -> dict[str, float]:
    """Prints pass rates per language and class; returns them by key."""
    by: dict[str, list[bool]] = defaultdict(list)
    for result in results:
        conversation = result.conversation
        by["all"].append(result.passed)
        by[f"language {conversation['language']}"].append(result.passed)
        for cls in conversation["classes"]:
            by[f"class {cls}"].append(result.passed)
    rates = {key: sum(v) / len(v) for key, v in by.items()}
    print(f"{name}: {sum(by['all'])}/{len(by['all'])} conversations pass")
    for key in sorted(by, key=lambda k: (k != "all", not k.startswith("language"), k)):
        print(f"  {key:28s} {rates[key]:6.1%}  ({sum(by[key])}/{len(by[key])})")
    for label, (hits, total) in {**abstention(results), **reply_languages(results)}.items():
        print(f"  {label:28s} {hits / total if total else 0:6.1%}  ({hits}/{total})")
    if show_failures:
        for result in results:
            for user, replies, problems in result.failures:
                print(f"\n[{result.conversation['id']}] {user!r}")
                print(f"  -> {' | '.join(replies)[:400]!r}")
                print(f"  !! {'; '.join(problems)}")
    return rates


def abstention(results: list[Result]) -> dict[str, tuple[int, int]]:
    """How often the reply says "the release does not give it": on the turns that ask
    a detail the release lacks (it should: recall), and on those that ask facts it
    gives, where it says so instead of giving them (a fact it must give is missing:
    false abstentions; saying that one question of several is not covered, next to
    the facts asked, is not one)."""
    lacking = answered = said = wrongly = 0
    for result in results:
        for turn, replies in result.turns:
            abstains = bool(ABSTENTION.search(fold(" ".join(replies))))
            if turn.get("abstain"):
                lacking += 1
                said += abstains
            elif turn.get("must") and not _registration_turn(turn):
                answered += 1
                wrongly += abstains and any(
                    p.startswith("missing") for p in grade_turn(turn, replies)
                )
    return {
        "abstains when it should": (said, lacking),
        "abstains instead of a fact": (wrongly, answered),
    }


def reply_languages(results: list[Result]) -> dict[str, tuple[int, int]]:
    """On how many turns the reply is in the language the turn expects (a target of its
    own: 100 %, whatever else the turn misses)."""
    right = total = 0
    for result in results:
        for turn, replies in result.turns:
            if turn.get("lang"):
                total += 1
                right += bool(replies) and reply_language(" ".join(replies)) == turn["lang"]
    return {"reply in the right language": (right, total)}


def _registration_turn(turn: dict[str, Any]) -> bool:
    return any("idmworkshop" in str(alt) for group in turn["must"] for alt in group)


def load(name: str) -> list[dict[str, Any]]:
    """A set, with YAML's booleans read back as the words written (`starts: [yes]`)."""
    # libyaml's safe loader: the sets are large, the pure-Python one takes seconds.
    conversations = yaml.load((SETS / f"{name}.yml").read_text("utf-8"), Loader=yaml.CSafeLoader)
    for conversation in conversations:
        for turn in conversation["turns"]:
            for key in ("starts", "must_not"):
                turn[key] = [_word(v) for v in turn.get(key) or []]
            turn["must"] = [[_word(v) for v in group] for group in turn.get("must") or []]
    return conversations


def perturbed(conversations: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """The same conversations typed as people type on phones: each message, at random,
    without accents and in lower case, without punctuation, with one typo in one word of
    five letters or more, or (when short) in capitals; a message giving a reference or an
    e-mail address is left as it is. The grading is unchanged: a robustness check of the
    development sets (`--perturb SEED`), never of the sealed half."""
    rng = random.Random(seed)

    def typo(word: str) -> str:
        i = rng.randrange(1, len(word) - 1)
        swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        return rng.choice((swapped, word[:i] + word[i + 1 :], word[:i] + word[i] + word[i:]))

    def perturb(text: str) -> str:
        if REFERENCE_RE.search(text) or EMAIL_RE.search(text):
            return text
        kind = rng.random()
        if kind < 0.3:
            return fold(text)
        if kind < 0.55:
            return re.sub(r"[?!.,;:]", "", text).lower()
        if kind < 0.8:
            words = text.split(" ")
            long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
            if long:
                i = rng.choice(long)
                words[i] = typo(words[i])
            return " ".join(words)
        return fold(text).upper() if len(text) < 60 else text

    return [
        {
            **c,
            "id": f"P{c['id']}",
            "turns": [{**t, "user": perturb(t["user"])} for t in c["turns"]],
        }
        for c in conversations
    ]


# Conversations of these classes depend on what came before or on the dialogue; a long
# letter already asks several things.
_NOT_JOINED = frozenset(
    {"registration", "follow_up", "language_switch", "off_topic", "long_formal"}
)
# How two questions are joined: a short letter, a line each, one after the other.
_JOINS = {
    "fr": (
        "Bonjour,\n\n{a}\n\n{b}\n\nMerci d'avance.\nCordialement,\nJ. Martin",
        "{a} {b}",
        "{a}\nAutre chose : {b}",
        "Madame, Monsieur,\n{a}\nPar ailleurs, {b}\nBien à vous",
    ),
    "en": (
        "Hello,\n\n{a}\n\n{b}\n\nThanks in advance.\nBest regards,\nJ. Martin",
        "{a} {b}",
        "{a}\nAlso: {b}",
        "Dear Sir or Madam,\n{a}\nFurthermore, {b}\nKind regards",
    ),
}


def joinable(conversation: dict[str, Any]) -> bool:
    """One question that needs nothing before it, in the conversation's language."""
    turns = conversation["turns"]
    text = turns[0]["user"] if len(turns) == 1 else ""
    return (
        len(turns) == 1
        and not _NOT_JOINED & set(conversation["classes"])
        and turns[0].get("lang") == conversation["language"]
        and len(text) < 350
        and not REFERENCE_RE.search(text)
        and not EMAIL_RE.search(text)
    )


def combined(passed: list[Result], seed: int) -> list[dict[str, Any]]:
    """Questions that pass alone (`passed`), joined two by two in one message of the same
    language: graded on both parts' `must` groups, the first part's `starts`, and each
    part's `must_not` but what the other part's passing reply said. A robustness check
    of the development sets (`--combine SEED`), never of the sealed half."""
    rng = random.Random(seed)
    replies = {r.conversation["id"]: fold(" ".join(r.turns[0][1])) for r in passed}
    joined = []
    for language, joins in _JOINS.items():
        alone = [r.conversation for r in passed if r.conversation["language"] == language]
        rng.shuffle(alone)
        for a, b in zip(alone[0::2], alone[1::2], strict=False):
            first, second = a["turns"][0], b["turns"][0]
            text = rng.choice(joins).format(a=first["user"].strip(), b=second["user"].strip())
            must_not = [w for w in first["must_not"] if w not in replies[b["id"]]]
            must_not += [w for w in second["must_not"] if w not in replies[a["id"]]]
            turn = {
                "user": text,
                "lang": language,
                "must": first["must"] + second["must"],
                "must_not": must_not,
                "starts": first.get("starts") or [],
                "abstain": bool(first.get("abstain") or second.get("abstain")),
            }
            joined.append(
                {
                    "id": f"{a['id']}+{b['id']}",
                    "language": language,
                    "classes": sorted({*a["classes"], *b["classes"]}),
                    "turns": [turn],
                }
            )
    return joined


def _word(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@contextlib.contextmanager
def own_servers(model: Path) -> Iterator[tuple[str, str]]:
    from bench.registration import seeded_servers
    from bench.servers import free_port

    with seeded_servers(model, "sqlite", free_port(), free_port()) as (url, db_url):
        yield url, db_url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    names = sorted(p.stem for p in SETS.glob("*.yml"))
    parser.add_argument("--set", action="append", choices=names, dest="sets")
    parser.add_argument("--url", help="REST webhook of a running assistant")
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--min", type=float, default=0.0, help="fail below this pass rate")
    parser.add_argument("--failures", action="store_true", help="print the dev half's failures")
    parser.add_argument(
        "--perturb", type=int, metavar="SEED", help="type the messages as on a phone"
    )
    parser.add_argument(
        "--combine", type=int, metavar="SEED", help="join questions two by two in one message"
    )
    parser.add_argument("--sample", type=int, metavar="N", help="--combine: N questions at most")
    args = parser.parse_args(argv)
    changed = args.perturb is not None or args.combine is not None
    sets = args.sets or [n for n in names if not changed or n != "sealed"]
    if changed and "sealed" in sets:
        parser.error("the sealed half is only run as written")
    with contextlib.ExitStack() as stack:
        if args.url:
            url, db_url = args.url, None
        else:
            url, db_url = stack.enter_context(own_servers(args.model))
        worst = 1.0
        if args.combine is not None:
            # The sets' single questions pooled: two of one set are too few to join.
            single = [c for name in sets for c in load(name) if joinable(c)]
            if args.sample:
                single = random.Random(args.combine).sample(single, min(args.sample, len(single)))
            alone = asyncio.run(evaluate(url, single, db_url))
            passed = [r for r in alone if r.passed]
            print(f"joined two by two: {len(passed)} of {len(single)} questions pass alone")
            sets = ["joined two by two"]
        for name in sets:
            if args.combine is not None:
                conversations = combined(passed, args.combine)
            else:
                conversations = load(name)
            if args.perturb is not None:
                conversations = perturbed(conversations, args.perturb + len(name))
            results = asyncio.run(evaluate(url, conversations, db_url))
            rates = report(results, name, args.failures and name != "sealed")
            worst = min([worst] + [v for k, v in rates.items() if k.startswith("language ")])
    return 1 if worst < args.min else 0


if __name__ == "__main__":
    sys.exit(main())
