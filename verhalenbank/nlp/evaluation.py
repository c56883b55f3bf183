"""How good is the tagger: precision, recall, F1 and Cohen's kappa per subdoel, via cross-validation.

Everything works on plain arrays: ``truth`` and ``predicted`` are boolean matrices (stories ×
subdoelen), scores are floats in [0, 1].
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable, Sequence

import numpy as np

from verhalenbank.nlp import tagger as T


@dataclass
class SubdoelFigures:
    code: str
    voorbeelden: int  # confirmed positive examples
    precision: float
    recall: float
    f1: float
    kappa: float
    drempel: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def precision_recall_f1(predicted: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    predicted = np.asarray(predicted, dtype=bool)
    truth = np.asarray(truth, dtype=bool)
    tp = float((predicted & truth).sum())
    fp = float((predicted & ~truth).sum())
    fn = float((~predicted & truth).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return precision, recall, f1


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Agreement between two yes/no raters beyond chance (1 = perfect, 0 = chance level)."""
    a = np.asarray(a, dtype=bool)
    b = np.asarray(b, dtype=bool)
    n = len(a)
    if n == 0:
        return 0.0
    observed = float((a == b).mean())
    p_a, p_b = a.mean(), b.mean()
    expected = float(p_a * p_b + (1 - p_a) * (1 - p_b))
    if expected >= 1.0:
        return 1.0 if observed == 1.0 else 0.0
    return (observed - expected) / (1.0 - expected)


def figures_per_subdoel(
    predicted: np.ndarray, truth: np.ndarray, codes: Sequence[str], thresholds: dict | None = None
) -> list[SubdoelFigures]:
    result = []
    for j, code in enumerate(codes):
        p, r, f = precision_recall_f1(predicted[:, j], truth[:, j])
        result.append(
            SubdoelFigures(
                code=code,
                voorbeelden=int(np.asarray(truth[:, j], dtype=bool).sum()),
                precision=round(p, 3),
                recall=round(r, 3),
                f1=round(f, 3),
                kappa=round(cohen_kappa(predicted[:, j], truth[:, j]), 3),
                drempel=None if thresholds is None else round(thresholds.get(code, 0.5), 3),
            )
        )
    return result


def macro_f1(figures: Sequence[SubdoelFigures]) -> float:
    return round(float(np.mean([f.f1 for f in figures])), 3) if figures else 0.0


def macro_kappa(figures: Sequence[SubdoelFigures]) -> float:
    return round(float(np.mean([f.kappa for f in figures])), 3) if figures else 0.0


def _folds(n: int, k: int, seed: int) -> list[np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return [order[i::k] for i in range(k)]


def cross_validate(
    make_scorer: Callable[[T.TreeExamples | None], T.TreeScorer],
    lemma_lists: Sequence[Sequence[str]],
    truth: np.ndarray,
    codes: Sequence[str],
    folds: int = 5,
    seed: int = 0,
    context: str | Sequence[str] = T.RONDE,
) -> tuple[list[SubdoelFigures], np.ndarray, np.ndarray]:
    """Learning from judged stories, measured: each fold's stories are scored by a tagger that
    learned from the other folds only. Returns the figures per subdoel, the predictions
    (score at or above the suggestion threshold) and the out-of-fold scores."""
    truth = np.asarray(truth, dtype=bool).reshape(len(lemma_lists), len(codes))
    n = len(lemma_lists)
    contexts = [context] * n if isinstance(context, str) else list(context)
    scores = np.zeros(truth.shape)
    k = min(folds, n)
    if k < 2:
        scores = make_scorer(None).probabilities(lemma_lists, context=contexts)
    else:
        for test in _folds(n, k, seed):
            train = np.setdiff1d(np.arange(n), test)
            scorer = make_scorer(T.TreeExamples([lemma_lists[i] for i in train], truth[train]))
            scores[test] = scorer.probabilities([lemma_lists[i] for i in test], context=[contexts[i] for i in test])
    predicted = scores >= T.SUGGEST_THRESHOLD
    thresholds = {c: T.SUGGEST_THRESHOLD for c in codes}
    return figures_per_subdoel(predicted, truth, codes, thresholds), predicted, scores
