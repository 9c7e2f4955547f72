"""scikit-learn's `Pipeline.predict_proba` for the intent classifier's pipeline (tf-idf on
the leading count columns, then a logistic regression), computed directly from the
fitted arrays: scikit-learn's input checks cost more than the arithmetic at one message
per call (docs/benchmarks.md). Used by `bot.nlu.intent_classifier`, which checks the
version when it is built."""

from __future__ import annotations

from typing import Any, cast

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

# What this re-implements (bot/patches/__init__.py): scikit-learn 1.1's TfidfTransformer
# and LogisticRegression.predict_proba.
LIBRARIES = ("scikit-learn",)


def predict_proba(pipeline: Any, X: csr_matrix) -> NDArray[np.float64]:
    """`pipeline.predict_proba(X)` for Pipeline([("tfidf", CountsTfidf), ("logreg",
    LogisticRegression)]); `X` itself is left unchanged."""
    tfidf, logreg = pipeline.named_steps["tfidf"], pipeline.named_steps["logreg"]
    X = X.astype(np.float64)  # a copy: the message keeps its own features
    counts = X.indices < X.shape[1] - tfidf.dense_columns  # the entries tf-idf weighs
    data, columns = X.data[counts], X.indices[counts]
    rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))[counts]
    if tfidf.sublinear_tf:
        np.log(data, out=data)
        data += 1.0
    data *= tfidf.idf_[columns]
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=X.shape[0]))
    norms[norms == 0.0] = 1.0
    data /= norms[rows]
    X.data[counts] = data
    if not logreg.coef_.flags.f_contiguous:
        # X @ coef_.T copies a C-ordered coef_ (classes x features, megabytes) on
        # every call, most of a message's classification time; once in Fortran
        # order its transpose is used in place.
        logreg.coef_ = np.asfortranarray(logreg.coef_)
    scores: NDArray[np.float64] = X @ logreg.coef_.T + logreg.intercept_
    if one_vs_rest(logreg):  # always so for two classes
        probabilities = 1.0 / (1.0 + np.exp(-scores))
        if scores.shape[1] == 1:  # two classes: one score, for the second
            return np.hstack([1.0 - probabilities, probabilities])
        return cast("NDArray[np.float64]", probabilities / probabilities.sum(axis=1, keepdims=True))
    scores -= scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    return cast("NDArray[np.float64]", scores / scores.sum(axis=1, keepdims=True))


def one_vs_rest(logreg: Any) -> bool:
    """How scikit-learn 1.1 turns a fitted LogisticRegression's scores into
    probabilities: one-vs-rest, or softmax (multinomial)."""
    return logreg.multi_class == "ovr" or (
        logreg.multi_class == "auto" and (len(logreg.classes_) <= 2 or logreg.solver == "liblinear")
    )
