"""Rasa NLU component: the `role` entity, for eligibility questions only.

A lexicon beats a learnt extractor here: the categories are a closed list from
the press release, and a wrong role would give a wrong eligibility answer.
Roles are only read from messages classified as one of `intents`, so that
"migrants in vulnerable situations" in a topics question sets no role.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.fingerprint import CodeFingerprinted
from bot.nlu.roles import RoleLexicon, RoleMatch, default_lexicon

ROLE_ENTITY = "role"


def role_entity(match: RoleMatch) -> Dict[str, Any]:
    """The `role` entity of a lexicon match (here and in the FactDetector)."""
    return {
        "entity": ROLE_ENTITY,
        "value": match.role,
        "start": match.start,
        "end": match.end,
        "confidence": 1.0,
    }


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class RoleExtractor(CodeFingerprinted, GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"intents": ["ask_invitees"]}

    def __init__(self, config: Dict[str, Any], lexicon: RoleLexicon) -> None:
        self._intents = set(config["intents"])
        self._lexicon = lexicon

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RoleExtractor:
        return cls(config, default_lexicon())

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if intent not in self._intents:
                continue
            match = self._lexicon.find(message.get(TEXT) or "")
            if match is None:
                continue
            entities = self.add_extractor_name([role_entity(match)])
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages
