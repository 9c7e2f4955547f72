"""Rasa NLU component: the language a message is written in, as the `language` entity.

The entity fills the `language` slot, which every response is conditioned on.
Neutral messages ("ok", a reference, an e-mail address) produce no entity, so
the slot keeps the conversation's language. The component also stores its best
guess on the message (`language_guess`) for the tokenizer, even when neutral.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, cast

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import ENGLISH, FRENCH
from bot.nlu.fingerprint import CodeFingerprinted
from bot.nlu.language import (
    InDomainModel,
    LanguageIdentifier,
    chat_word_examples,
    typographic_language,
)

LANGUAGE_ENTITY = "language"
LANGUAGE_GUESS = "language_guess"
LANGUAGE_HINT = "language_hint"
_MODEL_FILE = "in_domain_language_model.json"


def example_language(message: Message) -> str | None:
    """The language a training example is labelled with (intent or example metadata)."""
    metadata = message.get("metadata") or {}
    for level in ("example", "intent"):
        value = (metadata.get(level) or {}).get("language")
        if value in (FRENCH, ENGLISH):
            return cast(str, value)
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class LanguageDetector(CodeFingerprinted, GraphComponent, EntityExtractorMixin):
    """Detects French or English; see `bot.nlu.language` for the method."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            # Weight of the general-purpose detector against the in-domain model.
            "general_weight": 0.25,
            # Combined log-odds below which a message is neutral.
            "threshold": 1.0,
            # Only the beginning of very long messages is looked at.
            "max_chars": 1000,
        }

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: InDomainModel | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._identifier = (
            LanguageIdentifier(
                model,
                general_weight=config["general_weight"],
                threshold=config["threshold"],
                max_chars=config["max_chars"],
            )
            if model
            else None
        )

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Learn the in-domain model from the language-labelled training examples
        and the chat-word list."""
        examples = [
            (ex.get(TEXT), lang)
            for ex in training_data.intent_examples
            if (lang := example_language(ex)) is not None
        ]
        model = InDomainModel.fit(examples + chat_word_examples())
        with self._model_storage.write_to(self._resource) as directory:
            (directory / _MODEL_FILE).write_text(json.dumps(model.to_dict()), "utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LanguageDetector:
        with model_storage.read_from(resource) as directory:
            data = json.loads((directory / _MODEL_FILE).read_text("utf-8"))
        return cls(config, model_storage, resource, InDomainModel.from_dict(data))

    def process(self, messages: List[Message]) -> List[Message]:
        if self._identifier is None:
            return messages
        for message in messages:
            text = message.get(TEXT) or ""
            guess = self._identifier.identify(text)
            message.set(LANGUAGE_GUESS, guess.language or (FRENCH if guess.score > 0 else ENGLISH))
            if guess.language is None:
                hint = typographic_language(text)
                if hint:  # a session's first message only: actions/session.py
                    message.set(LANGUAGE_HINT, hint, add_to_output=True)
                continue
            entity = {
                "entity": LANGUAGE_ENTITY,
                "value": guess.language,
                "start": 0,
                "end": len(text),
                "confidence": 1.0,
            }
            entities = self.add_extractor_name([entity])
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages
