"""How good is the tagger: precision, recall, F1 and Cohen's kappa per subdoel, via cross-validation.

Everything works on plain arrays: ``truth`` and ``predicted`` are boolean matrices (stories ×
subdoelen), scores are floats in [0, 1].
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence

import numpy as np
from scipy import sparse

from verhalenbank.nlp.tagger import LearnedTagger, best_threshold


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


def out_of_fold_scores(
    tagger_factory,
    features: sparse.csr_matrix,
    truth: np.ndarray,
    cold: np.ndarray,
    codes: Sequence[str],
    folds: int,
    seed: int = 0,
) -> np.ndarray:
    """Blended scores for every story from a model that did not see that story."""
    n = features.shape[0]
    scores = cold.copy()
    k = min(folds, n)
    if k < 2:
        return scores
    for test in _folds(n, k, seed):
        train = np.setdiff1d(np.arange(n), test)
        tagger: LearnedTagger = tagger_factory()
        tagger.fit(features[train], {c: truth[train, j] for j, c in enumerate(codes)}, cold[train])
        learned = tagger.predict(features[test], codes, cold[test])
        scores[test] = tagger.blend(learned, cold[test], codes)
    return scores


def tune_thresholds(scores: np.ndarray, truth: np.ndarray, codes: Sequence[str]) -> dict[str, float]:
    return {c: best_threshold(scores[:, j], truth[:, j].astype(bool)) for j, c in enumerate(codes)}


def cross_validate(
    tagger_factory,
    features: sparse.csr_matrix,
    truth: np.ndarray,
    cold: np.ndarray,
    codes: Sequence[str],
    folds: int = 5,
    inner_folds: int = 3,
    seed: int = 0,
) -> tuple[list[SubdoelFigures], np.ndarray]:
    """Nested cross-validation of learning + threshold tuning; returns figures and predictions.

    Each outer fold trains on the other folds, tunes the per-subdoel thresholds on inner
    out-of-fold scores of those same training stories, and predicts the held-out stories.
    """
    truth = np.asarray(truth, dtype=bool)
    n = features.shape[0]
    predicted = np.zeros_like(truth)
    k = min(folds, n)
    if k < 2:
        return figures_per_subdoel(cold >= 0.5, truth, codes), cold >= 0.5
    for test in _folds(n, k, seed):
        train = np.setdiff1d(np.arange(n), test)
        inner = out_of_fold_scores(
            tagger_factory, features[train], truth[train], cold[train], codes, inner_folds, seed + 1
        )
        thresholds = tune_thresholds(inner, truth[train], codes)
        tagger: LearnedTagger = tagger_factory()
        tagger.fit(features[train], {c: truth[train, j] for j, c in enumerate(codes)}, cold[train])
        blended = tagger.blend(tagger.predict(features[test], codes, cold[test]), cold[test], codes)
        for j, code in enumerate(codes):
            predicted[test, j] = blended[:, j] >= thresholds[code]
    return figures_per_subdoel(predicted, truth, codes), predicted
