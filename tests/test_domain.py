"""Every reply exists in French and English, and says only what the source says."""

from __future__ import annotations

import re
from itertools import product
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
# The knowledge source, copied from shared/seed/000_43894eed717c8b05.txt.
SEED = ROOT / "docs" / "source" / "iom-press-release-cmc-2015.fr.txt"
LANGUAGES = {"fr", "en"}


def _all_texts(domain: dict[str, Any]) -> list[str]:
    """Every text the assistant can say: the domain's responses and the fact base."""
    from bot.nlu.facts import FACTS_FILE

    base = yaml.safe_load(FACTS_FILE.read_text("utf-8"))
    texts = [o["text"] for options in domain["responses"].values() for o in options]
    texts += [fact[lang] for fact in base["facts"] for lang in sorted(LANGUAGES)]
    texts += [phrase[lang] for phrase in base["phrases"].values() for lang in sorted(LANGUAGES)]
    texts += [base["not_cancelled"][lang] for lang in sorted(LANGUAGES)]
    return texts


def _conditions(option: dict[str, Any]) -> dict[str, Any]:
    return {c["name"]: c["value"] for c in option.get("condition", [])}


def test_every_response_has_exactly_one_french_and_one_english_variant(
    domain: dict[str, Any],
) -> None:
    for name, options in domain["responses"].items():
        by_other_conditions: dict[tuple[Any, ...], list[str]] = {}
        for option in options:
            conditions = _conditions(option)
            assert conditions.get("language") in LANGUAGES, f"{name}: variant without a language"
            rest = tuple(sorted((k, v) for k, v in conditions.items() if k != "language"))
            by_other_conditions.setdefault(rest, []).append(conditions["language"])
        for rest, languages in by_other_conditions.items():
            assert sorted(languages) == ["en", "fr"], f"{name} {rest}: {languages}"


def test_eligibility_answer_for_every_role_in_both_languages(domain: dict[str, Any]) -> None:
    roles = [None, *domain["slots"]["role"]["values"]]
    have = {
        (_conditions(o)["language"], _conditions(o).get("role"))
        for o in domain["responses"]["utter_invitees"]
    }
    assert have == set(product(LANGUAGES, roles))


def test_buttons_have_titles_in_the_variant_language_and_known_payloads(
    domain: dict[str, Any],
) -> None:
    intents = set(domain["intents"])
    for name, options in domain["responses"].items():
        for option in options:
            for button in option.get("buttons", []):
                assert button["title"].strip(), name
                assert button["payload"].lstrip("/") in intents, (name, button)


def test_contacts_and_facts_match_the_source(domain: dict[str, Any]) -> None:
    texts = _all_texts(domain)
    seed_digits = re.sub(
        r"\D", "", re.search(r"Tél\. : ([+\d ]+)", SEED.read_text("utf-8")).group(1)
    )
    for text in texts:
        for phone in re.findall(r"\+41[\d ]+\d", text):
            assert re.sub(r"\D", "", phone) == seed_digits, text
        for email in re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text):
            assert email in {"asamri@iom.int", "idmworkshop@iom.int"}, text
    joined = "\n".join(texts)
    # Whole numbers: "60" inside "600" is not the fact.
    for fact in ["26", "27", "2015", "Gen[eè]v", "175", "171", "1951", "70", "600", "60"]:
        assert re.search(rf"(?<!\d){fact}(?!\d)", joined), fact


@pytest.mark.parametrize(
    "invented",
    [
        r"\bh[oô]tel (?!de ville)\w+",
        r"Palais des Nations",
        r"CICG",
        r"\b\d{1,2}[:h]\d{2}\b",
        r"\bvisa (?:is|est) (?:required|obligatoire)",
    ],
)
def test_no_invented_logistics(domain: dict[str, Any], invented: str) -> None:
    texts = _all_texts(domain)
    assert not [t for t in texts if re.search(invented, t, re.IGNORECASE)]


def test_responses_are_plain_text_with_known_placeholders_only(domain: dict[str, Any]) -> None:
    for name, options in domain["responses"].items():
        placeholders = (
            {"{full_name}", "{reference}"} if name.startswith("utter_registration_") else set()
        )
        if name == "utter_answer":  # the reply the FactDetector composed, per language
            placeholders = {"{answer_fr}", "{answer_en}"}
        for option in options:
            assert set(re.findall(r"\{[^}]*\}", option["text"])) <= placeholders, name
            assert "<" not in option["text"]


def test_status_answers_exist_for_every_status(domain: dict[str, Any]) -> None:
    from bot.participants.schema import STATUSES

    for status in STATUSES:
        assert f"utter_registration_{status}" in domain["responses"]


def test_prompts_show_only_the_reference_nobody_can_own(domain: dict[str, Any]) -> None:
    from bot.nlu.formats import EXAMPLE_REFERENCE, REFERENCE_RE, is_assignable

    shown = {
        f"CMC-{m.group(1)}-{m.group(2)}"
        for text in _all_texts(domain)
        for m in REFERENCE_RE.finditer(text)
    }
    assert EXAMPLE_REFERENCE in shown
    assert not any(is_assignable(reference) for reference in shown)


def test_every_intent_has_a_rule(domain: dict[str, Any]) -> None:
    rules = yaml.safe_load((ROOT / "data" / "rules.yml").read_text("utf-8"))["rules"]
    ruled = {step["intent"] for rule in rules for step in rule["steps"] if "intent" in step}
    assert set(domain["intents"]) <= ruled


def test_actions_get_the_domain_only_when_they_need_it(domain: dict[str, Any]) -> None:
    """endpoints.yml enables Rasa's selective domain: only actions marked `send_domain`
    receive it, and none needs it (the registration form has no validation action: its
    entities come out of NLU normalised); the session action relies on slots being
    carried over, as the domain says."""
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text("utf-8"))
    assert endpoints["action_endpoint"]["enable_selective_domain"] is True
    needs_domain = {
        name
        for action in domain["actions"]
        if isinstance(action, dict)
        for name, options in action.items()
        if options.get("send_domain")
    }
    assert needs_domain == set()
    assert domain["session_config"]["carry_over_slots_to_new_session"] is True
