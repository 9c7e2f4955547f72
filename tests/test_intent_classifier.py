"""The classifier's stored form: plain arrays that load back to the same predictions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from scipy.sparse import random as sparse_random

from bot.nlu.intent_classifier import TfidfLogisticRegressionClassifier


def test_a_stored_classifier_predicts_exactly_as_the_trained_one(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("intent_classifier")
    config = TfidfLogisticRegressionClassifier.get_default_config()
    trained = TfidfLogisticRegressionClassifier(config, "clf", storage, resource)
    rng = np.random.default_rng(0)
    features = sparse_random(120, 40, density=0.2, format="csr", random_state=1)
    intents = rng.choice(["ask_dates", "ask_venue", "greet"], size=120)
    trained.clf.fit(features, intents)
    trained.persist()

    loaded = TfidfLogisticRegressionClassifier.load(
        config, storage, resource, ExecutionContext(GraphSchema({}), node_name="clf")
    )
    probe = sparse_random(30, 40, density=0.2, format="csr", random_state=2)
    assert np.array_equal(loaded.clf.predict_proba(probe), trained.clf.predict_proba(probe))
    assert list(loaded.clf.classes_) == ["ask_dates", "ask_venue", "greet"]
    assert all(type(name) is str for name in loaded.clf.classes_)


def test_nothing_stored_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        TfidfLogisticRegressionClassifier.load(
            TfidfLogisticRegressionClassifier.get_default_config(),
            LocalModelStorage(tmp_path),
            Resource("missing"),
            ExecutionContext(GraphSchema({}), node_name="clf"),
        )
