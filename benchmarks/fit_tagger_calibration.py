"""Fit the tagger's calibrator, suggestion threshold and learning weights, leave one tree out.

Data: the development trees and labelled stories in benchmarks/data (written for this purpose,
grouped in banks of a few trees as municipalities have them, see BANKS), and the example trees and
stories in shared/ as one more bank.

* Which calibration features to use (FEATURE_SETS) and the learning weights are chosen on the
  development trees only, each dev tree held out in turn (``leave_one_dev_tree_out``).
* The shipped constants (``final``; ``--write`` puts them into verhalenbank/nlp/tagger.py) are
  fitted on every tree, the example trees included, because they are the only stories told by
  real residents. So no reported figure is tuned on the tree it is scored on,
  benchmarks/bench_tagger_quality.py reports every example tree with constants fitted without it.

    VERHALENBANK_SPACY_MODEL=../shared/models/nl_verhalen_sm .venv/bin/python benchmarks/fit_tagger_calibration.py [--write]
"""

from __future__ import annotations

import json
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tagger_data import (  # noqa: E402
    DEV, ROOT, SHARED, T, B_corpus, B_tree, baseline_module, dev_stories, example_stories, f1_per_subdoel, fit_calibrator, lemmatise_stories, load_trees, macro_f1_of, ronde_of, tree_features,
    truth_for,
)

THRESHOLDS = [round(float(x), 2) for x in np.arange(0.15, 0.65, 0.05)]
# Feature sets the calibrator may use; the one with the best held-out dev score is kept.
# A set is one tuple for both contexts, or a dict per context.
_SUBDOEL = ("z_bank", "relative", "is_best", "margin", "similarity")
# In a ronde: the story among the stories told for the tree (see T.ColdStartTagger).
_RONDE = ("z_ronde", "relative_ronde", "top_two", "z_bank", "similarity", "example_vote")
FEATURE_SETS = {
    "subdoel": _SUBDOEL,
    "subdoel+theme": _SUBDOEL + ("z_theme",),
    "subdoel+examples": _SUBDOEL + ("example_vote",),
    "subdoel+theme+examples": _SUBDOEL + ("z_theme", "example_vote"),
    "subdoel+examples, ronde among its own": {T.OPEN: _SUBDOEL + ("example_vote",), T.RONDE: _RONDE},
}
ROCCHIO_GRID = [(0.25, 0.0), (0.5, 0.0), (1.0, 0.0), (1.0, 0.25), (2.0, 0.25), (2.0, 0.5), (4.0, 0.5)]


def shipped_features() -> dict[str, tuple[str, ...]]:
    """Per context, the features of the shipped calibrator (the set this script chose)."""
    return {context: tuple(n for n, c in zip(T.CALIBRATION_FEATURES, coefficients) if c != 0.0)
            for context, (coefficients, _) in T.CALIBRATION.items()}


def features_for(features, context: str):
    """The feature names of a set for one context (None: all)."""
    return features.get(context) if isinstance(features, dict) else features


# The dev trees and stories form several banks, as municipalities do: each bank holds the stories
# of a few trees (and some that fit none), so a tree's open block meets the stories of neighbouring
# themes in the proportions a real bank has, not one story in twelve. A tree and a story belong to
# the bank of the prefix of their code ("dev1-eenzaamheid", "dev1-0007").
BANKS = (("dev",), ("dev1", "dev2"), ("dev3", "dev4"), ("dev5", "dev6"))


def _bank_prefix(code: str) -> str:
    return code.split("-")[0]


@dataclass
class Bank:
    codes: list[str]
    rows: list[int]  # the bank's stories, as indices into DevData.stories
    stories: list
    lemmas: list
    corpus: T.CorpusModel
    rondes: list


class DevData:
    """The dev banks; with ``include_examples`` also the example stories and trees as one more bank
    (for the shipped fit and for the leave-one-tree-out fits that report on the example trees)."""

    def __init__(self, include_examples: bool = False):
        self.trees = load_trees(DEV / "doelenbomen")
        self.dev_codes = list(self.trees)
        self.stories = dev_stories()
        self.lemmas = lemmatise_stories(self.stories)
        self.banks: list[Bank] = []
        self.bank_of: dict[str, Bank] = {}
        for prefixes in BANKS:
            codes = [c for c in self.trees if _bank_prefix(c) in prefixes]
            rows = [i for i, st in enumerate(self.stories) if _bank_prefix(st.key or "") in prefixes]
            if codes:
                self._add_bank(codes, rows)
        self.example_codes: list[str] = []
        if include_examples:
            ex_trees = load_trees(SHARED / "doelenbomen")
            start = len(self.stories)
            ex_stories = example_stories()
            self.trees.update(ex_trees)
            self.stories += ex_stories
            self.lemmas += lemmatise_stories(ex_stories)
            self.example_codes = list(ex_trees)
            self._add_bank(self.example_codes, list(range(start, len(self.stories))))

    def _add_bank(self, codes: list[str], rows: list[int]) -> None:
        stories = [self.stories[i] for i in rows]
        lemmas = [self.lemmas[i] for i in rows]
        bank = Bank(codes, rows, stories, lemmas, T.CorpusModel(lemmas), ronde_of(stories, {c: self.trees[c] for c in codes}))
        self.banks.append(bank)
        self.bank_of.update({c: bank for c in codes})

    def blocks(self, codes, learn: bool):
        """Per tree: (ronde block, open block); ronde = the stories collected for the tree, open =
        every story of the tree's bank."""
        result = {}
        for code in codes:
            bank = self.bank_of[code]
            rows = [i for i, r in enumerate(bank.rondes) if r == code]
            f, s, t = tree_features(self.trees[code], bank.stories, bank.lemmas, bank.corpus, bank.rondes,
                                    rows if learn else None)
            result[code] = ((f[rows], s[rows], t[rows]), (f, s, t))
        return result


def _predict(block, calibration, context, threshold):
    f, s, _ = block
    return T.calibrated_probability(f, s, context, calibration) >= threshold


def score(blocks, calibration, thresholds) -> float:
    """Mean of: each story against its own tree, and the open bank (all stories, all trees)."""
    return (score_context(blocks, calibration, T.RONDE, thresholds[T.RONDE])
            + score_context(blocks, calibration, T.OPEN, thresholds[T.OPEN])) / 2.0


def score_context(blocks, calibration, context, threshold) -> float:
    """Macro-F1 in one context: RONDE, each story against its own tree; OPEN, all against all."""
    if context == T.RONDE:
        return float(np.mean([macro_f1_of(_predict(b[0], calibration, T.RONDE, threshold), b[0][2])
                              for b in blocks.values()]))
    f1s = f1_per_subdoel([(_predict(b[1], calibration, T.OPEN, threshold), b[1][2]) for b in blocks.values()])
    return float(np.mean(f1s))


def choose_thresholds(blocks, calibration) -> dict[str, float]:
    return {
        context: max(THRESHOLDS, key=lambda t: (round(score_context(blocks, calibration, context, t), 4), -abs(t - 0.5)))
        for context in (T.RONDE, T.OPEN)
    }


def fit(cold, learned, codes, features=None):
    calibration = {
        T.RONDE: fit_calibrator([cold[c][0] for c in codes] + [learned[c][0] for c in codes],
                                features=features_for(features, T.RONDE)),
        T.OPEN: fit_calibrator([cold[c][1] for c in codes] + [learned[c][1] for c in codes],
                               features=features_for(features, T.OPEN)),
    }
    both = {**{c + "/cold": cold[c] for c in codes}, **{c + "/learned": learned[c] for c in codes}}
    return calibration, choose_thresholds(both, calibration)


def choose_rocchio(data, codes, calibration, threshold):
    """Learning weights: best learned (leave-one-story-out) result on these dev trees."""
    saved = (T.ROCCHIO_POSITIVE, T.ROCCHIO_NEGATIVE)
    results = {}
    try:
        for pos, neg in ROCCHIO_GRID:
            T.ROCCHIO_POSITIVE, T.ROCCHIO_NEGATIVE = pos, neg
            results[(pos, neg)] = round(score(data.blocks(codes, learn=True), calibration, threshold), 4)
    finally:
        T.ROCCHIO_POSITIVE, T.ROCCHIO_NEGATIVE = saved
    return max(results, key=lambda k: (results[k], -k[0])), results


@contextmanager
def rocchio_weights(weights):
    saved = (T.ROCCHIO_POSITIVE, T.ROCCHIO_NEGATIVE)
    T.ROCCHIO_POSITIVE, T.ROCCHIO_NEGATIVE = weights
    try:
        yield
    finally:
        T.ROCCHIO_POSITIVE, T.ROCCHIO_NEGATIVE = saved


def run(data, codes, features=None):
    cold = data.blocks(codes, learn=False)
    calibration, threshold = fit(cold, cold, codes, features)  # first pass: cold only (learned = cold)
    rocchio, _ = choose_rocchio(data, codes, calibration, threshold)
    with rocchio_weights(rocchio):
        learned = data.blocks(codes, learn=True)
    calibration, threshold = fit(cold, learned, codes, features)
    return calibration, threshold, rocchio


def _held_out_score(entry) -> float:
    return float(np.mean([v for k, v in entry.items() if k.startswith("test_")]))


def choose_feature_set(per_variant) -> tuple[str, dict]:
    """The first feature set ("subdoel") unless another one beats it on the held-out dev trees by
    more than one standard error of the paired difference: with a dozen trees, smaller gains are
    noise, and a feature that does not clearly generalise is left out."""
    base = per_variant["subdoel"]
    gains, chosen, best = {}, "subdoel", 0.0
    for variant, per_tree in per_variant.items():
        if variant == "subdoel":
            continue
        diffs = np.array([_held_out_score(per_tree[c]) - _held_out_score(base[c]) for c in base])
        mean, se = float(diffs.mean()), float(diffs.std(ddof=1) / np.sqrt(len(diffs)))
        gains[variant] = {"mean": round(mean, 4), "standard_error": round(se, 4)}
        if mean > se and mean > best:
            chosen, best = variant, mean
    return chosen, gains


def baseline_own_tree(data, codes) -> dict:
    """The tagger before issue 12 (bench_tagger_quality.BASELINE_COMMIT, suggestion at score
    >= 0.5) on each dev tree's own stories: its constants predate the dev data, so these trees
    are as new to it as they are, held out, to the fitted tagger."""
    from verhalenbank.nlp.analysis import lemmatise

    old_tagger = baseline_module()
    per_tree = {}
    for code in codes:
        bank = data.bank_of[code]
        rows = [i for i, ronde in enumerate(bank.rondes) if ronde == code]
        scorer = old_tagger.TreeScorer(B_tree(old_tagger, data.trees[code]), lemmatise,
                                       B_corpus(old_tagger, bank.lemmas), reference_rows=rows)
        scores = scorer.cold_scores([bank.lemmas[i] for i in rows])
        per_tree[code] = macro_f1_of(scores >= 0.5, truth_for(data.trees[code], bank.stories, rows))
    return {"macro_f1": round(float(np.mean(list(per_tree.values()))), 3), "per_tree": per_tree}


def main() -> None:
    data = DevData(include_examples=True)
    codes = data.dev_codes
    dev_stories_ = [s for s in data.stories if s.key]
    report = {"dev_trees": codes, "dev_stories": len(dev_stories_), "banks": [b.codes for b in data.banks],
              "dev_stories_fitting_no_tree": sum(1 for s in dev_stories_ if s.tree is None),
              "leave_one_dev_tree_out": {}}
    held_out_scores = {}
    for variant, features in FEATURE_SETS.items():
        per_tree = report["leave_one_dev_tree_out"][variant] = {}
        for held_out in codes:
            train = [c for c in codes if c != held_out]
            calibration, threshold, rocchio = run(data, train, features)
            cold = data.blocks([held_out], learn=False)
            with rocchio_weights(rocchio):
                # The held-out tree after people judged all its other stories (each scored
                # without its own judgement).
                learned = data.blocks([held_out], learn=True)
            entry = {"chosen": {"SUGGEST_THRESHOLDS": threshold, "ROCCHIO": rocchio, "CALIBRATION": calibration}}
            for name, blocks in (("cold", cold), ("learned", learned)):
                entry[f"test_{name}_own_tree_macro_f1"] = macro_f1_of(
                    _predict(blocks[held_out][0], calibration, T.RONDE, threshold[T.RONDE]), blocks[held_out][0][2])
                entry[f"test_{name}_open_bank_macro_f1"] = round(score_context(blocks, calibration, T.OPEN, threshold[T.OPEN]), 3)
            per_tree[held_out] = entry
        held_out_scores[variant] = round(float(np.mean([
            np.mean([v for k, v in r.items() if k.startswith("test_")]) for r in per_tree.values()])), 4)
    variant, gains = choose_feature_set(report["leave_one_dev_tree_out"])
    chosen = report["leave_one_dev_tree_out"][variant]
    report["own_tree_on_dev_trees"] = {
        "chosen_held_out_cold_macro_f1": round(float(np.mean(
            [e["test_cold_own_tree_macro_f1"] for e in chosen.values()])), 3),
        "chosen_held_out_learned_macro_f1": round(float(np.mean(
            [e["test_learned_own_tree_macro_f1"] for e in chosen.values()])), 3),
        "baseline": baseline_own_tree(data, codes),
    }
    report["feature_sets"] = {"held_out_mean_of_own_tree_and_open_bank": held_out_scores,
                              "paired_gain_over_subdoel": gains, "chosen": variant}
    # The shipped constants: every tree, the example trees included. Figures on an example tree
    # come from a fit without it (benchmarks/bench_tagger_quality.py).
    calibration, threshold, rocchio = run(data, codes + data.example_codes, FEATURE_SETS[variant])
    report["final"] = {"fitted_on": codes + data.example_codes, "CALIBRATION": calibration, "SUGGEST_THRESHOLDS": threshold,
                       "ROCCHIO_POSITIVE": rocchio[0], "ROCCHIO_NEGATIVE": rocchio[1]}
    print(json.dumps(report, indent=2))
    if "--write" in sys.argv:
        write(calibration, threshold, rocchio)


def write(calibration, threshold, rocchio) -> None:
    path = ROOT / "verhalenbank" / "nlp" / "tagger.py"
    text = path.read_text(encoding="utf-8")
    block = (
        "# BEGIN CALIBRATION (written by benchmarks/fit_tagger_calibration.py --write)\n"
        "CALIBRATION = {\n"
        f"    \"ronde\": ({calibration[T.RONDE][0]!r}, {calibration[T.RONDE][1]!r}),\n"
        f"    \"open\": ({calibration[T.OPEN][0]!r}, {calibration[T.OPEN][1]!r}),\n"
        "}\n"
        f"SUGGEST_THRESHOLDS = {{\"ronde\": {threshold[T.RONDE]!r}, \"open\": {threshold[T.OPEN]!r}}}\n"
        f"ROCCHIO_POSITIVE = {rocchio[0]!r}\n"
        f"ROCCHIO_NEGATIVE = {rocchio[1]!r}\n"
        "# END CALIBRATION"
    )
    text = re.sub(r"# BEGIN CALIBRATION.*?# END CALIBRATION", lambda _: block, text, flags=re.S)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
