"""The text classifier behind both suggestions (category and handling unit).

Features, chosen by measurement on real messages (README, "Triage"): jieba words (unigrams) of the subject and the
body in one vocabulary, the subject's counted `SUBJECT_WEIGHT` times (a document without a subject takes its first
`LEAD_WORDS` words as one: a demand names its problem first), plus character 1–3-grams of the whole text
(they catch words jieba splits badly: place names, new terms); TF-IDF with sublinear counts, each block
L2-normalised. Model: a linear SVM per class (one-vs-rest, balanced class weights) whose scores the nearest training
documents nudge (jiedao.triage.neighbours), turned into probabilities by a softmax whose one temperature is fitted
to the scores of internal folds, so the confidence shown to the dispatcher is a probability, not a margin. One
temperature keeps the scores' order: the likeliest suggestion is the best-scored class. (Platt scaling, a sigmoid per
class, reordered them: cross-validated macro-F1 0.931 against 0.9325, and its confidences strayed further from the
share of suggestions that were right: 4.9 points on average against 1.9.)
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from time import perf_counter
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

from jiedao.triage import text
from jiedao.triage.features import Featurizer
from jiedao.triage.neighbours import SvmWithNeighbours

SUBJECT_WEIGHT = 4
# A document without a subject (an export's single text column, a message typed in one box) counts its first
# LEAD_WORDS words as its subject. Measured by 5-fold cross-validation on the contest's messages, which come as one
# segmented column that starts with the message's subject: macro-F1 0.929 → 0.931 (README, "Triage"); 8 to 20
# words scored the same, and a subject weight of 4 scored 0.001 above 2 with them.
LEAD_WORDS = 12
SVM_C = 1.0
# Words are read from the body's first WORD_CHARS characters (segmentation is most of a suggestion's cost: 1,000
# characters gave 960 messages per CPU-second, 300 gave 1,260, for a macro-F1 0.001 lower); the character n-grams
# from all of it (text.MAX_CHARS).
WORD_CHARS = 300
# Calibration folds: the temperature is fitted to scores of documents the SVM did not learn from.
CALIBRATION_FOLDS = 3
# Every class needs at least this many examples to be learnt.
MIN_CLASS_EXAMPLES = 5
# Bounds of the fitted temperature (on the contest's messages it came out at 4.2).
TEMPERATURES = (0.01, 100.0)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Doc:
    """One demand as the classifier reads it: a subject (may be empty) and a body, raw or already segmented."""

    subject: str
    body: str
    segmented: bool | None = None  # None: decide from the text


@dataclass(frozen=True)
class Prepared:
    """A document after segmentation: what the vectorisers read (pure data, cheap to keep)."""

    subject_words: list[str]
    body_words: list[str]
    chars: str


@dataclass(frozen=True)
class Evaluation:
    """Scores of a model on labelled documents; `per_class` maps a label to (F1, support)."""

    n: int
    accuracy: float
    macro_f1: float
    per_class: dict[str, tuple[float, int]]
    seconds: float

    @property
    def per_second(self) -> float:
        return self.n / self.seconds if self.seconds > 0 else math.inf

    def as_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "accuracy": round(self.accuracy, 6),
            "macro_f1": round(self.macro_f1, 6),
            "per_class": {label: [round(f1, 6), support] for label, (f1, support) in self.per_class.items()},
            "seconds": round(self.seconds, 4),
        }


def prepare(doc: Doc) -> Prepared:
    """Segment one document (jieba, unless it is segmented already) and keep its characters."""
    subject_words = text.words(doc.subject, segmented=doc.segmented)
    body_words = text.words(doc.body, segmented=doc.segmented, limit=WORD_CHARS)
    return Prepared(
        subject_words=subject_words or body_words[:LEAD_WORDS],
        body_words=body_words,
        chars=text.compact(f"{doc.subject}{doc.body}"),
    )


def prepare_all(docs: Sequence[Doc], progress: Progress | None = None, *, step: str = "segment") -> list[Prepared]:
    prepared: list[Prepared] = []
    for i, doc in enumerate(docs, 1):
        prepared.append(prepare(doc))
        if progress is not None and (i % 250 == 0 or i == len(docs)):
            progress(step, i, len(docs))
    return prepared


class TextClassifier:
    """Fit on documents and labels; give the top labels with calibrated probabilities."""

    # Bumped when the pickled shape changes: a file of another format is not read (store.Unreadable) but retrained.
    FORMAT = 5

    def __init__(self, *, svm_c: float = SVM_C, subject_weight: int = SUBJECT_WEIGHT) -> None:
        self.svm_c = svm_c
        self.subject_weight = subject_weight
        self.format = self.FORMAT
        self.features = Featurizer(subject_weight=subject_weight)
        self.model: SvmWithNeighbours | None = None
        self.temperature = 1.0
        self.classes: list[str] = []

    def _matrix(self, prepared: Sequence[Prepared]) -> sp.csr_matrix:
        return self.features.transform(prepared)

    def fit(
        self, docs: Sequence[Doc] | Sequence[Prepared], labels: Sequence[str], progress: Progress | None = None
    ) -> TextClassifier:
        """Learn from `docs` (or documents prepared already) and their labels.

        Raises ValueError when fewer than two classes have MIN_CLASS_EXAMPLES examples; rarer classes are left
        out (a suggestion the model cannot learn is not made).
        """
        prepared = _prepared(docs, progress)
        counts = Counter(labels)
        keep = [i for i, label in enumerate(labels) if counts[label] >= MIN_CLASS_EXAMPLES]
        if len({labels[i] for i in keep}) < 2:
            raise ValueError("fewer than two classes have enough examples")
        kept = [prepared[i] for i in keep]
        kept_labels = [labels[i] for i in keep]
        if progress is not None:
            progress("fit", 0, 1)
        self.features.fit(kept)
        matrix = self._matrix(kept)
        # The SVM learns from all examples; the folds only give the scores the temperature is fitted to (measured
        # better than averaging three SVMs that each saw two thirds); balanced class weights lift the rarer classes'
        # recall. A fold's scores never count a document's own row among its neighbours: they are honest ones.
        self.temperature = _fitted_temperature(matrix, np.asarray(kept_labels), self.svm_c)
        self.model = SvmWithNeighbours(svm_c=self.svm_c).fit(matrix, kept_labels)
        # Single precision halves the model in memory; the scores differ in the seventh digit.
        self.model.svm_.coef_ = self.model.svm_.coef_.astype(np.float32)
        self.classes = [str(c) for c in self.model.classes_]
        if progress is not None:
            progress("fit", 1, 1)
        return self

    def probabilities(self, docs: Sequence[Doc] | Sequence[Prepared]) -> np.ndarray[Any, Any]:
        if self.model is None:
            raise ValueError("the classifier is not fitted")
        scores = _scores(self.model, self._matrix(_prepared(docs, None)))
        result: np.ndarray[Any, Any] = softmax(self.temperature * scores, axis=1)
        return result

    def top(self, docs: Sequence[Doc] | Sequence[Prepared], k: int = 3) -> list[list[tuple[str, float]]]:
        """The `k` likeliest labels of each document with their probabilities, likeliest first."""
        probabilities = self.probabilities(docs)
        order = np.argsort(-probabilities, axis=1)[:, :k]
        return [
            [(self.classes[j], float(row[j])) for j in ranks] for row, ranks in zip(probabilities, order, strict=True)
        ]

    def predict(self, docs: Sequence[Doc] | Sequence[Prepared]) -> list[str]:
        probabilities = self.probabilities(docs)
        return [self.classes[j] for j in np.argmax(probabilities, axis=1)]


def _scores(model: SvmWithNeighbours, matrix: Any) -> np.ndarray[Any, Any]:
    """One score per document and class (with two classes the SVM gives one margin, for the second)."""
    scores: np.ndarray[Any, Any] = model.decision_function(matrix)
    if scores.ndim == 1:
        return np.column_stack([np.zeros_like(scores), scores])
    return scores


def _fitted_temperature(matrix: Any, labels: np.ndarray[Any, Any], svm_c: float) -> float:
    """The temperature whose softmax of out-of-fold scores gives the true labels the greatest likelihood."""
    classes = np.unique(labels)
    truth = np.searchsorted(classes, labels)
    scores = np.zeros((len(labels), len(classes)))
    for fit_rows, score_rows in StratifiedKFold(n_splits=CALIBRATION_FOLDS).split(matrix, labels):
        fold = SvmWithNeighbours(svm_c=svm_c).fit(matrix[fit_rows], labels[fit_rows])
        # A class absent from a fold's training rows keeps the lowest score there.
        columns = np.searchsorted(classes, fold.classes_)
        fold_scores = _scores(fold, matrix[score_rows])
        scores[np.ix_(score_rows, columns)] = fold_scores
        missing = np.setdiff1d(np.arange(len(classes)), columns)
        if len(missing):
            scores[np.ix_(score_rows, missing)] = fold_scores.min() - 1.0

    def loss(temperature: float) -> float:
        return float(-log_softmax(temperature * scores, axis=1)[np.arange(len(truth)), truth].mean())

    found = minimize_scalar(loss, bounds=TEMPERATURES, method="bounded")
    return float(found.x)


def _prepared(docs: Sequence[Doc] | Sequence[Prepared], progress: Progress | None) -> list[Prepared]:
    if all(isinstance(d, Prepared) for d in docs):
        return list(docs)  # type: ignore[arg-type]
    return prepare_all(docs, progress)  # type: ignore[arg-type]


def evaluate(predict: Callable[[list[Prepared]], list[str]], docs: Sequence[Doc], labels: Sequence[str]) -> Evaluation:
    """Score `predict` on `docs`, timing segmentation and prediction together (what a call costs)."""
    started = perf_counter()
    predicted = predict(prepare_all(docs))
    seconds = perf_counter() - started
    return score(labels, predicted, seconds)


def score(labels: Sequence[str], predicted: Sequence[str], seconds: float = 0.0) -> Evaluation:
    """Accuracy, macro-F1 over the true labels' classes, and each class's F1 and support."""
    classes = sorted(set(labels))
    f1s = f1_score(labels, predicted, labels=classes, average=None, zero_division=0)
    support = Counter(labels)
    return Evaluation(
        n=len(labels),
        accuracy=float(accuracy_score(labels, predicted)) if labels else 0.0,
        macro_f1=float(np.mean(f1s)) if classes else 0.0,
        per_class={c: (float(f), support[c]) for c, f in zip(classes, f1s, strict=True)},
        seconds=seconds,
    )
