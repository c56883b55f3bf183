"""The learning curve `train` stores for the quality page (nlp/evaluation.learning_curve)."""

from __future__ import annotations

import numpy as np

from verhalenbank.nlp.evaluation import learning_curve

CODES = ["A", "B"]


def _truth(n: int = 36) -> np.ndarray:
    truth = np.zeros((n, 2), dtype=bool)
    truth[: n // 2, 0] = True  # 18 stories for A
    truth[n // 2:, 1] = True  # 18 for B
    return truth


class _Leerling:
    """A stand-in tagger: it knows nothing until it has 5 examples per subdoel, then it is right
    (it reads the story's number from its single 'lemma')."""

    def __init__(self, truth: np.ndarray, examples):
        self.truth = truth
        self.weet_het = examples is not None and examples.truth.sum(axis=0).min() >= 5

    def probabilities(self, lemma_lists, context=None):
        rows = [int(lemmas[0]) for lemmas in lemma_lists]
        return self.truth[rows].astype(float) if self.weet_het else np.zeros((len(rows), len(CODES)))


def test_the_curve_rises_with_confirmations_and_stops_where_the_data_ends():
    truth = _truth()
    lemma_lists = [[str(i)] for i in range(len(truth))]
    curve = learning_curve(lambda examples: _Leerling(truth, examples), lemma_lists, truth, CODES,
                           milestones=(0, 5, 10, 20))
    # 18 stories per subdoel: a test third of 6, a pool of 12 — enough for 5 and 10, not for 20.
    assert [p["per_subdoel"] for p in curve] == [0, 5, 10]
    assert curve[0]["macro_f1"] == 0.0
    assert curve[1]["macro_f1"] == 1.0 and curve[1]["kappa"] == 1.0
    assert curve[1]["effectief_per_subdoel"] == 5.0


def test_with_few_judged_stories_only_the_start_is_measured():
    truth = _truth(12)  # 6 per subdoel: a pool of 4
    lemma_lists = [[str(i)] for i in range(len(truth))]
    curve = learning_curve(lambda examples: _Leerling(truth, examples), lemma_lists, truth, CODES)
    assert [p["per_subdoel"] for p in curve] == [0]
