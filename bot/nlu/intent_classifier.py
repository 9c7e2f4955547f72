"""Rasa NLU component: logistic regression on tf-idf weighted sparse features.

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
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.tensorflow.constants import RANKING_LENGTH
from scipy.sparse import csr_matrix, hstack, vstack
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from bot.nlu.fingerprint import CodeFingerprinted

# What a fitted pipeline is, as arrays: the tf-idf weights and the regression.
_ARRAYS = ("idf", "coef", "intercept", "classes")


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
        super().__init__(config, name, model_storage, resource)
        self.clf = Pipeline(
            [
                ("tfidf", TfidfTransformer(sublinear_tf=self.config["sublinear_tf"])),
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

    def _predict_proba(self, X: csr_matrix) -> np.ndarray:
        """`self.clf.predict_proba(X)`, computed directly from the fitted arrays:
        scikit-learn's input checks cost more than the arithmetic at one message per
        call (tests/test_intent_classifier.py checks both agree)."""
        tfidf, logreg = self.clf.named_steps["tfidf"], self.clf.named_steps["logreg"]
        X = X.astype(np.float64)  # a copy: the message keeps its own features
        if tfidf.sublinear_tf:
            np.log(X.data, out=X.data)
            X.data += 1.0
        X.data *= tfidf.idf_[X.indices]
        squared = X.multiply(X).sum(axis=1).A1
        norms = np.sqrt(squared, out=squared)
        norms[norms == 0.0] = 1.0
        X.data /= np.repeat(norms, np.diff(X.indptr))
        if not logreg.coef_.flags.f_contiguous:
            # X @ coef_.T copies a C-ordered coef_ (classes x features, megabytes) on
            # every call, most of a message's classification time; once in Fortran
            # order its transpose is used in place.
            logreg.coef_ = np.asfortranarray(logreg.coef_)
        scores = X @ logreg.coef_.T + logreg.intercept_
        if self._one_vs_rest:  # always so for two classes
            probabilities = 1.0 / (1.0 + np.exp(-scores))
            if scores.shape[1] == 1:  # two classes: one score, for the second
                return np.hstack([1.0 - probabilities, probabilities])
            return probabilities / probabilities.sum(axis=1, keepdims=True)
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        return scores / scores.sum(axis=1, keepdims=True)

    @property
    def _one_vs_rest(self) -> bool:
        """How scikit-learn 1.1 turns scores into probabilities for this regression."""
        logreg = self.clf.named_steps["logreg"]
        return logreg.multi_class == "ovr" or (
            logreg.multi_class == "auto"
            and (len(logreg.classes_) <= 2 or logreg.solver == "liblinear")
        )

    def process(self, messages: List[Message]) -> List[Message]:
        """The parent's output (intent and ranking), with `_predict_proba`."""
        probabilities = self._predict_proba(self._create_X(messages))
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
        tfidf.n_features_in_ = logreg.n_features_in_ = fitted["coef"].shape[1]
        logreg.coef_, logreg.intercept_ = fitted["coef"], fitted["intercept"]
        logreg.classes_ = fitted["classes"].astype(object)
        return component
