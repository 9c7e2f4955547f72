"""Rasa NLU component: `reference` and `email` entities, normalised, and the end of an
address typed alone to correct the one given before (`email_ending`).

Regular expressions, not a learnt extractor: both formats are fixed, and the
values must come out canonical ("cmc 2015 0002" -> "CMC-2015-0002") for the
registration check.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.fingerprint import CodeFingerprinted
from bot.nlu.formats import (
    BARE_DOMAIN_RE,
    CONTACT_DOMAINS,
    EMAIL_ENDING_RE,
    EXAMPLE_REFERENCE,
    REFERENCE_RE,
    find_email,
    normalise_reference,
)

# The number of a reference alone, in a short message ("sry typo, its 0001 not 0040"):
# four digits with a leading zero, as no year, count or time of day has, apart from
# other digits (a phone number); the first one not negated.
_NUMBER_ALONE_RE = re.compile(r"(?<![\w.,:/+-])(?<!\d\s)(0\d{3})(?![\w.,:/-]*\d)(?!\s*\d)")
_NEGATED_RE = re.compile(r"\b(?:not|pas|non|instead of|au lieu de|rather than)\W*$", re.I)
_SHORT_WORDS = 16
# Words of a correction: "Ah non, Lyon évidemment : mairie-lyon.fr" gives a domain.
_CORRECTION_RE = re.compile(
    r"\b(?:non|no|not|pas|oops|oups|sorry|sry|d[ée]sol[ée]e?|pardon|[ée]videmment|obviously|"
    r"actually|en fait|typo|faute|plut[ôo]t|rather|instead|my bad|mistake|erreur|correction|wait|"
    r"attendez|attends|i mean|je veux dire)\b",
    re.IGNORECASE,
)


def _first_not_negated(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """In a short message, the first match not negated ("its 0001 not 0040")."""
    if len(text.split()) > _SHORT_WORDS:
        return None
    for match in pattern.finditer(text):
        if not _NEGATED_RE.search(text[: match.start()]):
            return match
    return None


def _reference(text: str) -> re.Match[str] | None:
    """The reference of a message, the later one when the writer corrects the first ("my
    reference is CMC-2015-0003, no wait, it is CMC-2015-0004")."""
    found = list(REFERENCE_RE.finditer(text))
    if len(found) > 1 and _CORRECTION_RE.search(text[found[0].end() : found[-1].start()]):
        return found[-1]
    return found[0] if found else None


def _ending(text: str) -> re.Match[str] | None:
    """The end of an address typed alone to correct one: ".org", "@x.fr", or a domain in
    a message that says it corrects something; never the release's own domain."""
    ending = _first_not_negated(EMAIL_ENDING_RE, text)
    if ending is None and _CORRECTION_RE.search(text):
        ending = _first_not_negated(BARE_DOMAIN_RE, text)
    if ending and ending.group(0).lower().lstrip("@").endswith(CONTACT_DOMAINS):
        return None
    return ending


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class RegistrationEntityExtractor(CodeFingerprinted, GraphComponent, EntityExtractorMixin):
    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RegistrationEntityExtractor:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            found = []
            reference = _reference(text)
            number = None if reference else _first_not_negated(_NUMBER_ALONE_RE, text)
            if reference:
                found.append(
                    {
                        "entity": "reference",
                        "start": reference.start(),
                        "end": reference.end(),
                        "value": normalise_reference(reference.group(0)),
                    }
                )
            elif number:
                # "sorry, typo: it's 0001": the number of a reference, in the format the
                # prompts show (EXAMPLE_REFERENCE)
                found.append(
                    {
                        "entity": "reference",
                        "start": number.start(1),
                        "end": number.end(1),
                        "value": EXAMPLE_REFERENCE[: -len(number.group(1))] + number.group(1),
                    }
                )
            email = find_email(text)
            if email:
                start, end = email
                found.append(
                    {
                        "entity": "email",
                        "start": start,
                        "end": end,
                        "value": text[start:end].lower(),
                    }
                )
            ending = None if email else _ending(text)
            if ending:
                # "oops, it's .org not .com": the end of the address given before, which
                # action_answer corrects before the check runs again (actions/answers.py)
                found.append(
                    {
                        "entity": "email_ending",
                        "start": ending.start(),
                        "end": ending.end(),
                        "value": ending.group(0).lower(),
                    }
                )
            if found:
                for entity in found:
                    entity["confidence"] = 1.0
                message.set(
                    ENTITIES,
                    message.get(ENTITIES, []) + self.add_extractor_name(found),
                    add_to_output=True,
                )
        return messages
