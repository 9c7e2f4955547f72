"""Rasa NLU component: every fact a message asks about, and the intent that answers it.

Runs last. It adds `answer` to the parse data: the items the message asks about in
order (bot/nlu/facts.py), which `action_answer` turns into one reply. When the
message asks something of the fact base, the intent becomes `ask_question`, whatever
the classifier said of its greeting, closing or language request ("Bonjour, quand
et où ? Merci" is a question, not a goodbye). Without a fact named, the classifier's
intent stands, and `facts.yml` says which facts answer it.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.facts import NOT_IN_SOURCE, FactBase, analyse, fact_base
from bot.nlu.fingerprint import CodeFingerprinted
from bot.text import fold

ANSWER_KEY = "answer"
ASK_QUESTION = "ask_question"
# A check of one's own registration, as opposed to "how do I register?".
_STATUS_RE = re.compile(
    r"\b(?:statut|status|etat|verif\w*|check\w*|confirm\w*|valid\w*|reference|ref|dossier|"
    r"am i registered|suis-je inscrit|my registration|mon inscription|ma candidature|"
    r"my application|accepted|accepte|retenu\w*|approved|approuve\w*|inscrit\w*|registered)\b"
)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class FactDetector(CodeFingerprinted, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            # Intents that are about the dialogue, not a question: never overruled.
            "keep": [
                "inform_registration",
                "ask_registration_decision",
                "ask_other_registration",
                "stop",
                "unsupported_message",
                "edited_message",
                "message_too_long",
            ],
            # Below this confidence, the classifier's intent does not name facts.
            "intent_threshold": 0.3,
        }

    def __init__(self, config: Dict[str, Any], base: FactBase) -> None:
        self._keep = set(config["keep"])
        self._threshold = float(config["intent_threshold"])
        self._base = base

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FactDetector:
        return cls(config, fact_base())

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # button payloads are parsed by Rasa itself
            items = self._items(message, text)
            if items is None:
                continue
            message.set(ANSWER_KEY, {"items": items}, add_to_output=True)
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) != ASK_QUESTION:
                asked = {INTENT_NAME_KEY: ASK_QUESTION, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.set(INTENT, asked, add_to_output=True)
                ranking = [asked, *(message.get(INTENT_RANKING_KEY) or [])]
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def _items(self, message: Message, text: str) -> List[Dict[str, Any]] | None:
        """The items to answer, or None when the classifier's intent stands."""
        intent = message.get(INTENT) or {}
        name = intent.get(INTENT_NAME_KEY)
        confidence = float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        if name in self._keep:
            return None
        if name == "check_registration" and (
            _STATUS_RE.search(fold(text)) or message.get(ENTITIES)
        ):
            return None
        analysis = analyse(text, self._base)
        if analysis.items:
            return analysis.items
        if name in self._base.intents and confidence >= self._threshold:
            facts = self._base.intents[name]
            return [{"fact": f, "verdict": None} for f in facts] or [{"fact": NOT_IN_SOURCE}]
        if name in ("out_of_scope", DEFAULT_NLU_FALLBACK_INTENT_NAME, "check_registration") and (
            analysis.in_domain and _is_question(text)
        ):
            return [{"fact": NOT_IN_SOURCE}]
        return None


def _is_question(text: str) -> bool:
    return "?" in text or len(text.split()) >= 4
