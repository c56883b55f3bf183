"""Fit the tagger's calibrator, suggestion threshold and learning weights on DEVELOPMENT data only.

Development data: the trees in benchmarks/data/doelenbomen and the labelled stories in
benchmarks/data/verhalen-dev.jsonl (written for this purpose; the example stories in
shared/voorbeelden are never read here). Prints JSON with the leave-one-dev-tree-out choices
and the final values; ``--write`` puts the final values into verhalenbank/nlp/tagger.py.

    VERHALENBANK_SPACY_MODEL=../shared/models/nl_verhalen_sm .venv/bin/python benchmarks/fit_tagger_calibration.py [--write]
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tagger_data import (  # noqa: E402
    DEV, ROOT, T, dev_stories, f1_per_subdoel, fit_calibrator, lemmatise_stories, load_trees, macro_f1_of, ronde_of, tree_features,
)

THRESHOLDS = [round(float(x), 2) for x in np.arange(0.15, 0.65, 0.05)]
ROCCHIO_GRID = [(0.25, 0.0), (0.5, 0.0), (1.0, 0.0), (1.0, 0.25), (2.0, 0.25), (2.0, 0.5), (4.0, 0.5)]


class DevData:
    def __init__(self):
        self.trees = load_trees(DEV / "doelenbomen")
        self.stories = dev_stories()
        self.lemmas = lemmatise_stories(self.stories)
        self.corpus = T.CorpusModel(self.lemmas)
        self.rondes = ronde_of(self.stories, self.trees)

    def blocks(self, codes, learn: bool):
        """Per tree: (ronde block, open block); ronde = the stories collected for the tree."""
        result = {}
        for code in codes:
            rows = [i for i, r in enumerate(self.rondes) if r == code]
            f, s, t = tree_features(self.trees[code], self.stories, self.lemmas, self.corpus, self.rondes,
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


def fit(cold, learned, codes):
    calibration = {
        T.RONDE: fit_calibrator([cold[c][0] for c in codes] + [learned[c][0] for c in codes]),
        T.OPEN: fit_calibrator([cold[c][1] for c in codes] + [learned[c][1] for c in codes]),
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


def run(data, codes):
    cold = data.blocks(codes, learn=False)
    calibration, threshold = fit(cold, cold, codes)  # first pass: cold only (learned = cold)
    rocchio, _ = choose_rocchio(data, codes, calibration, threshold)
    saved = (T.ROCCHIO_POSITIVE, T.ROCCHIO_NEGATIVE)
    try:
        T.ROCCHIO_POSITIVE, T.ROCCHIO_NEGATIVE = rocchio
        learned = data.blocks(codes, learn=True)
    finally:
        T.ROCCHIO_POSITIVE, T.ROCCHIO_NEGATIVE = saved
    calibration, threshold = fit(cold, learned, codes)
    return calibration, threshold, rocchio


def main() -> None:
    data = DevData()
    codes = list(data.trees)
    report = {"dev_trees": codes, "dev_stories": len(data.stories),
              "dev_stories_fitting_no_tree": sum(1 for s in data.stories if s.tree is None),
              "leave_one_dev_tree_out": {}}
    for held_out in codes:
        train = [c for c in codes if c != held_out]
        calibration, threshold, rocchio = run(data, train)
        cold = data.blocks([held_out], learn=False)
        report["leave_one_dev_tree_out"][held_out] = {
            "chosen": {"SUGGEST_THRESHOLDS": threshold, "ROCCHIO": rocchio, "CALIBRATION": calibration},
            "test_own_tree_macro_f1": macro_f1_of(_predict(cold[held_out][0], calibration, T.RONDE, threshold[T.RONDE]), cold[held_out][0][2]),
        }
    calibration, threshold, rocchio = run(data, codes)
    report["final"] = {"CALIBRATION": calibration, "SUGGEST_THRESHOLDS": threshold,
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
