"""Rasa NLU component: overrule the intent classifier where it cannot be right.

An intent classifier always names some intent. Two cases become `nlu_fallback`
(the bot asks to rephrase, in the conversation's language):
- messages without a single letter ("", "?", "😀😀", "123"): nothing to classify;
- intents that only make sense with an entity (`inform_registration` without a
  reference or an e-mail address, e.g. "<img src=x>" or "SELECT * FROM users").
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.fingerprint import CodeFingerprinted
from bot.nlu.text import has_letters


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class IntentGate(CodeFingerprinted, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # intent -> entities of which at least one must be present
        return {"requires_entities": {"inform_registration": ["reference", "email"]}}

    def __init__(self, config: Dict[str, Any]) -> None:
        self._requires = {k: set(v) for k, v in config["requires_entities"].items()}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentGate:
        return cls(config)

    def _overruled(self, message: Message) -> bool:
        text = message.get(TEXT) or ""
        if text.startswith("/"):
            return False  # button payloads are parsed by Rasa itself
        if not has_letters(text):
            return True
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        needed = self._requires.get(intent)
        found = {e["entity"] for e in message.get(ENTITIES, [])}
        if not needed:
            return False
        return not (needed & found)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if self._overruled(message):
                fallback = {"name": DEFAULT_NLU_FALLBACK_INTENT_NAME, "confidence": 1.0}
                message.set(INTENT, fallback, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [fallback], add_to_output=True)
        return messages
