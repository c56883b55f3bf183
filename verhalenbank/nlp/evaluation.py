"""How good is the tagger: precision, recall, F1 and Cohen's kappa per subdoel, via cross-validation.

Everything works on plain arrays: ``truth`` and ``predicted`` are boolean matrices (stories ×
subdoelen), scores are floats in [0, 1].
"""

from __future__ import annotations

import math
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


# --- learning curve --------------------------------------------------------------------------


def split(truth: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
    """A fixed test third (every subdoel represented where possible) and the pool to confirm from."""
    order = rng.permutation(len(truth))
    test: list[int] = []
    for j in range(truth.shape[1]):  # at least a third of each subdoel's stories in the test
        positives = [i for i in order if truth[i, j]]
        need = math.ceil(len(positives) / 3) - sum(1 for i in test if truth[i, j])
        test.extend([i for i in positives if i not in test][:max(need, 0)])
    none = [i for i in order if not truth[i].any()]
    test.extend(none[: math.ceil(len(none) / 3)])
    test_set = set(test)
    return np.array(sorted(test_set)), np.array([i for i in order if i not in test_set])


def draw_examples(truth: np.ndarray, pool: np.ndarray, k: int, rng) -> np.ndarray:
    """k confirmed stories per subdoel from the pool (or all it has), and stories judged "geen
    van deze" in the same proportion as in the pool."""
    if k == 0:
        return np.array([], dtype=int)
    chosen: set[int] = set()
    for j in range(truth.shape[1]):
        positives = [i for i in pool if truth[i, j]]
        chosen.update(rng.permutation(positives)[:k].tolist())
    none = [i for i in pool if not truth[i].any()]
    share = len(none) / max(len(pool), 1)
    chosen.update(rng.permutation(none)[: round(share * len(chosen) / max(1 - share, 1e-6))].tolist())
    return np.array(sorted(chosen), dtype=int)


def learning_curve(
    make_scorer: Callable[[T.TreeExamples | None], T.TreeScorer],
    lemma_lists: Sequence[Sequence[str]],
    truth: np.ndarray,
    codes: Sequence[str],
    milestones: Sequence[int] = (0, 5, 10, 20),
    draws: int = 3,
    context: str | Sequence[str] = T.RONDE,
) -> list[dict]:
    """Quality after n confirmations per subdoel, simulated from judged stories: per draw, a
    fixed test third; n confirmed stories per subdoel (and "geen van deze" in proportion) from
    the other two thirds teach the tagger; the test third is scored. A milestone is only
    reported when the judged stories hold it for most subdoelen (the median subdoel has n in
    the pool), so the curve never claims more than the data can show."""
    truth = np.asarray(truth, dtype=bool).reshape(len(lemma_lists), len(codes))
    contexts = [context] * len(lemma_lists) if isinstance(context, str) else list(context)
    points = []
    for n in milestones:
        f1s, kappas, effective = [], [], []
        for draw in range(draws):
            rng = np.random.default_rng(draw)
            test, pool = split(truth, rng)
            if n and float(np.median(truth[pool].sum(axis=0))) < n:
                break
            train = draw_examples(truth, pool, n, np.random.default_rng(100 * draw + n))
            examples = T.TreeExamples([lemma_lists[i] for i in train], truth[train]) if len(train) else None
            scores = make_scorer(examples).probabilities(
                [lemma_lists[i] for i in test], context=[contexts[i] for i in test])
            figures = figures_per_subdoel(scores >= T.SUGGEST_THRESHOLD, truth[test], codes,
                                          {c: T.SUGGEST_THRESHOLD for c in codes})
            f1s.append(macro_f1(figures))
            kappas.append(macro_kappa(figures))
            effective.append(float(truth[train].sum(axis=0).mean()) if len(train) else 0.0)
        if not f1s:
            break
        points.append({"per_subdoel": n, "macro_f1": round(float(np.mean(f1s)), 3),
                       "kappa": round(float(np.mean(kappas)), 3),
                       "effectief_per_subdoel": round(float(np.mean(effective)), 1)})
    return points
