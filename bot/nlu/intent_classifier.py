"""Rasa NLU component: logistic regression on tf-idf weighted sparse features, and on
dense sentence features (a sentence encoder's embedding) as they are.

Rasa's LogisticRegressionClassifier fits raw counts with C=1. On this data
(short bilingual questions, word + character n-grams) sublinear tf-idf and a
weaker regularisation are measurably better (docs/benchmarks.md), at the same
millisecond cost per message and with no TensorFlow model to load.

The fitted model is stored as plain arrays (`.npz`, read without pickle) rather than
with skops, whose import alone took 2.5 s of the server's start-up
(docs/benchmarks.md); loading runs no code from the file either way.
"""

from __future__ import annotations

from typing import Any, Dict, List

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import RANKING_LENGTH
from scipy.sparse import csr_matrix, hstack, vstack
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from bot import patches
from bot.nlu.fingerprint import CodeFingerprinted
from bot.patches import sklearn_proba

# What a fitted pipeline is, as arrays: the tf-idf weights, the number of trailing
# dense columns and the regression.
_ARRAYS = ("idf", "dense_columns", "coef", "intercept", "classes")


class CountsTfidf(TfidfTransformer):
    """tf-idf on the leading columns (counts); the trailing `dense_columns` (an
    embedding) pass unchanged: a logarithm and idf weights are meaningless there."""

    def __init__(
        self,
        *,
        dense_columns: int = 0,
        norm: str = "l2",
        use_idf: bool = True,
        smooth_idf: bool = True,
        sublinear_tf: bool = False,
    ) -> None:
        super().__init__(
            norm=norm, use_idf=use_idf, smooth_idf=smooth_idf, sublinear_tf=sublinear_tf
        )
        self.dense_columns = dense_columns

    def _split(self, X: Any) -> tuple[csr_matrix, csr_matrix]:
        X = csr_matrix(X)
        counts = X.shape[1] - self.dense_columns
        return X[:, :counts], X[:, counts:]

    def fit(self, X: Any, y: Any = None) -> CountsTfidf:
        super().fit(self._split(X)[0])
        return self

    def transform(self, X: Any, copy: bool = True) -> csr_matrix:
        counts, dense = self._split(X)
        return hstack([super().transform(counts, copy=copy), dense]).tocsr()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TfidfLogisticRegressionClassifier(CodeFingerprinted, LogisticRegressionClassifier):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            **LogisticRegressionClassifier.get_default_config(),
            "max_iter": 2000,
            "C": 100.0,  # inverse regularisation strength (5-fold CV: 30 -> 100 +0.3 %)
            "sublinear_tf": True,  # 1 + log(tf): a repeated word is not twice the evidence
        }

    def __init__(
        self,
        config: Dict[str, Any],
        name: str,
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        # `_create_X` and `process` replace Rasa's; the probabilities, scikit-learn's.
        patches.require(("rasa", *sklearn_proba.LIBRARIES), f"{__name__}.{type(self).__name__}")
        super().__init__(config, name, model_storage, resource)
        self.clf = Pipeline(
            [
                ("tfidf", CountsTfidf(sublinear_tf=self.config["sublinear_tf"])),
                (
                    "logreg",
                    LogisticRegression(
                        C=self.config["C"],
                        solver=self.config["solver"],
                        max_iter=self.config["max_iter"],
                        tol=self.config["tol"],
                        class_weight="balanced",
                        random_state=self.config["random_state"],
                    ),
                ),
            ]
        )

    def _create_X(self, messages: List[Message]) -> csr_matrix:
        """The parent's matrix (sparse sentence features in pipeline order, then dense
        ones), built from the sentence features alone: Rasa's `get_sparse_features`
        also stacks the per-token ones, unused here, a measurable cost per message."""
        rows = []
        for message in messages:
            sentence = [
                f
                for f in message.features
                if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE
            ]
            blocks = [f.features for f in sentence if f.is_sparse()]
            blocks += [csr_matrix(f.features) for f in sentence if f.is_dense()]
            rows.append(hstack(blocks) if blocks else csr_matrix((1, 0)))
        return vstack(rows).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        """The parent's training, told how many trailing columns are dense."""
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        dense = sum(
            f.features.shape[-1]
            for f in (examples[0].features if examples else [])
            if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE and f.is_dense()
        )
        self.clf.set_params(tfidf__dense_columns=dense)
        return super().train(training_data)

    def process(self, messages: List[Message]) -> List[Message]:
        """The parent's output (intent and ranking), with the probabilities computed
        directly (bot/patches/sklearn_proba.py)."""
        probabilities = sklearn_proba.predict_proba(self.clf, self._create_X(messages))
        classes = self.clf.named_steps["logreg"].classes_
        for message, row in zip(messages, probabilities, strict=True):
            ranking = [
                {"name": classes[i], "confidence": row[i]} for i in np.argsort(-row, kind="stable")
            ]
            message.set("intent", ranking[0], add_to_output=True)
            if self.config[RANKING_LENGTH] > 0:
                ranking = ranking[: self.config[RANKING_LENGTH]]
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

    def persist(self) -> None:
        tfidf, logreg = self.clf.named_steps["tfidf"], self.clf.named_steps["logreg"]
        with self._model_storage.write_to(self._resource) as model_dir:
            np.savez(
                model_dir / f"{self._resource.name}.npz",
                idf=tfidf.idf_,
                dense_columns=np.asarray(tfidf.dense_columns),
                coef=logreg.coef_,
                intercept=logreg.intercept_,
                classes=np.asarray(logreg.classes_, dtype=str),
            )

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TfidfLogisticRegressionClassifier:
        """Load the fitted pipeline; unlike the parent, fail loudly rather than
        answer with an untrained classifier."""
        component = cls(config, execution_context.node_name, model_storage, resource)
        with (
            model_storage.read_from(resource) as model_dir,
            np.load(model_dir / f"{resource.name}.npz", allow_pickle=False) as arrays,
        ):
            fitted = {name: arrays[name] for name in _ARRAYS}
        tfidf, logreg = component.clf.named_steps["tfidf"], component.clf.named_steps["logreg"]
        tfidf.idf_ = fitted["idf"]
        tfidf.dense_columns = int(fitted["dense_columns"])
        tfidf.n_features_in_ = fitted["idf"].shape[0]
        logreg.n_features_in_ = fitted["coef"].shape[1]
        logreg.coef_, logreg.intercept_ = fitted["coef"], fitted["intercept"]
        logreg.classes_ = fitted["classes"].astype(object)
        return component
