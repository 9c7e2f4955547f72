"""The classifier: stored as plain arrays, and answering exactly as scikit-learn and
Rasa's own LogisticRegressionClassifier would from the same fitted model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix, hstack
from scipy.sparse import random as sparse_random

from bot.nlu.intent_classifier import TfidfLogisticRegressionClassifier
from bot.patches import sklearn_proba


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


def _fitted(tmp_path: Path) -> TfidfLogisticRegressionClassifier:
    config = TfidfLogisticRegressionClassifier.get_default_config()
    component = TfidfLogisticRegressionClassifier(
        config, "clf", LocalModelStorage(tmp_path), Resource("clf")
    )
    features = sparse_random(150, 60, density=0.15, format="csr", random_state=3)
    features.data = np.ceil(features.data * 3)  # counts, as the featurizers give
    intents = np.random.default_rng(4).choice(["ask_dates", "ask_venue", "greet", "bye"], 150)
    component.clf.fit(features, intents)
    return component


def _message(text: str, sentence_blocks: list[csr_matrix]) -> Message:
    message = Message(data={TEXT: text})
    for i, block in enumerate(sentence_blocks):
        origin = f"featurizer_{i}"
        tokens = csr_matrix(np.ones((2, block.shape[1])))  # per-token rows: not used
        message.add_features(Features(tokens, FEATURE_TYPE_SEQUENCE, TEXT, origin))
        message.add_features(Features(block, FEATURE_TYPE_SENTENCE, TEXT, origin))
    return message


def test_process_answers_as_rasas_classifier(tmp_path: Path) -> None:
    """Same features, intent, ranking and confidences as Rasa's own `process`."""
    component = _fitted(tmp_path)
    probe = sparse_random(12, 60, density=0.2, format="csr", random_state=6)
    probe.data = np.ceil(probe.data * 3)

    def messages() -> list[Message]:
        # The 60 features come from two featurizers (40 words, 20 characters).
        return [_message(f"m{i}", [probe[i, :40], probe[i, 40:]]) for i in range(12)]

    ours = component.process(messages())
    rasas = LogisticRegressionClassifier.process(component, messages())
    assert (component._create_X(messages()) != probe).nnz == 0
    for mine, theirs in zip(ours, rasas, strict=True):
        assert mine.get("intent")["name"] == theirs.get("intent")["name"]
        assert [r["name"] for r in mine.get("intent_ranking")] == [
            r["name"] for r in theirs.get("intent_ranking")
        ]
        assert np.allclose(
            [r["confidence"] for r in mine.get("intent_ranking")],
            [r["confidence"] for r in theirs.get("intent_ranking")],
            rtol=0,
            atol=1e-12,
        )


def test_features_are_stacked_as_rasa_does_dense_ones_included(tmp_path: Path) -> None:
    component = _fitted(tmp_path)
    messages = []
    for i in range(3):
        message = _message(f"m{i}", [csr_matrix(np.full((1, 4), i + 1.0))])
        dense = np.arange(3, dtype=float).reshape(1, 3) + i
        message.add_features(Features(dense, FEATURE_TYPE_SENTENCE, TEXT, "dense"))
        messages.append(message)
    ours = component._create_X(messages)
    rasas = LogisticRegressionClassifier._create_X(component, messages)
    assert ours.shape == (3, 7)
    assert (ours != rasas).nnz == 0


def test_dense_columns_pass_unweighted_and_predict_as_scikit_learn(tmp_path: Path) -> None:
    """An embedding after the counts: tf-idf weighs the counts only (a logarithm of a
    negative coordinate would be NaN), the direct arithmetic agrees, and a stored model
    keeps the split."""
    storage = LocalModelStorage(tmp_path)
    config = TfidfLogisticRegressionClassifier.get_default_config()
    trained = TfidfLogisticRegressionClassifier(config, "clf", storage, Resource("clf"))
    rng = np.random.default_rng(7)
    counts = sparse_random(120, 30, density=0.2, format="csr", random_state=8)
    counts.data = np.ceil(counts.data * 3)
    dense = rng.normal(size=(120, 5))
    features = hstack([counts, csr_matrix(dense)]).tocsr()
    trained.clf.set_params(tfidf__dense_columns=5)
    trained.clf.fit(features, rng.choice(["ask_dates", "ask_venue", "greet"], size=120))
    transformed = trained.clf.named_steps["tfidf"].transform(features)
    assert np.allclose(transformed[:, 30:].toarray(), dense)
    assert not np.isnan(transformed.data).any()
    trained.persist()

    loaded = TfidfLogisticRegressionClassifier.load(
        config, storage, Resource("clf"), ExecutionContext(GraphSchema({}), node_name="clf")
    )
    assert np.allclose(
        sklearn_proba.predict_proba(loaded.clf, features),
        trained.clf.predict_proba(features),
        rtol=0,
        atol=1e-12,
    )


def test_the_encoders_files_are_checked(tmp_path: Path) -> None:
    from bot.nlu.sentence_encoder import WEIGHTS_SHA256, check_weights

    for name in WEIGHTS_SHA256:
        (tmp_path / name).write_bytes(b"not the weights")
    with pytest.raises(RuntimeError, match="not the file measured"):
        check_weights(tmp_path)


def test_the_encoder_gives_one_sentence_feature_close_across_languages() -> None:
    from bot.nlu.sentence_encoder import SentenceEncoderFeaturizer

    config = SentenceEncoderFeaturizer.get_default_config()
    featurizer = SentenceEncoderFeaturizer(config, "encoder")
    texts = ["When is the conference?", "C'est quand, la conférence ?", "Who won the match?"]
    messages = featurizer.process([Message(data={TEXT: t}) for t in texts])
    vectors = []
    for message in messages:
        (feature,) = message.features
        assert feature.type == FEATURE_TYPE_SENTENCE and feature.features.shape == (1, 512)
        vectors.append(feature.features[0])
    same, other = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert same > other
