"""Tagger quality on the example stories: cold start (labels hidden) and 5-fold learning.

Each story is scored only against the tree of its own ronde. The bank (for related words and
standardisation) is all 90 stories, without labels. Prints JSON.

    VERHALENBANK_SPACY_MODEL=../shared/models/nl_verhalen_sm .venv/bin/python benchmarks/bench_tagger_quality.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from verhalenbank.nlp import tagger as T  # noqa: E402
from verhalenbank.nlp.analysis import analyse_texts, lemmatise  # noqa: E402
from verhalenbank.nlp.evaluation import cross_validate, figures_per_subdoel, macro_f1, macro_kappa  # noqa: E402

SHARED = ROOT.parent / "shared"
RONDE_TREE = {
    "lelystad-2026-voorjaar": "lelystad-sociaal-krachtige-wijken",
    "hoorn-2026-najaar": "hoorn-samenleven",
    "bollenstreek-2026": "bollenstreek-mantelzorg-in-balans",
}


def tree_spec(data: dict) -> T.TreeSpec:
    return T.TreeSpec(
        code=data["code"],
        titel=data.get("titel", ""),
        hoofddoel=data.get("hoofddoel", ""),
        subdoelen=[
            T.SubdoelSpec(
                s["code"], s["titel"], s.get("beschrijving", "") or "",
                [T.IndicatorSpec(i["code"], i["titel"]) for i in s.get("indicatoren") or []],
            )
            for s in data["subdoelen"]
        ],
    )


def main() -> None:
    started = time.perf_counter()
    stories = [json.loads(line) for line in (SHARED / "voorbeelden" / "verhalen.jsonl").open(encoding="utf-8")]
    lemmas = [a.lemmas for a in analyse_texts([(s["tekst"], s.get("titel")) for s in stories])]
    corpus = T.CorpusModel(lemmas)
    trees = {}
    for path in sorted((SHARED / "doelenbomen").glob("*.yaml")):
        spec = tree_spec(yaml.safe_load(path.read_text(encoding="utf-8")))
        trees[spec.code] = spec
    report = {"trees": {}, "settings": {"Z_MIN": T.Z_MIN, "RELATIVE_MIN": T.RELATIVE_MIN, "Z_BANK_MIN": T.Z_BANK_MIN}}
    cold_z = {}
    for ronde, code in RONDE_TREE.items():
        tree = trees[code]
        rows = [i for i, s in enumerate(stories) if s.get("ronde") == ronde]
        scorer = T.TreeScorer(tree, lemmatise, corpus, reference_rows=rows)
        row_lemmas = [lemmas[i] for i in rows]
        cold = scorer.cold_scores(row_lemmas)
        z_ref, sims = scorer.cold.raw_scores(corpus.doc_matrix[rows])
        cold_z[code] = (z_ref, (sims - scorer.cold.bank_mean) / scorer.cold.bank_std, rows)
        truth = np.array([[c in (stories[i].get("labels") or []) for c in tree.subdoel_codes] for i in rows])
        cold_figures = figures_per_subdoel(cold >= 0.5, truth, tree.subdoel_codes)
        factory = lambda: T.LearnedTagger.from_corpus(corpus)  # noqa: E731
        features = factory().vectorise(row_lemmas)
        learned_figures, _ = cross_validate(factory, features, truth, cold, tree.subdoel_codes, folds=5)
        report["trees"][code] = {
            "stories": len(rows),
            "cold_start_macro_f1": macro_f1(cold_figures),
            "cold_start_macro_kappa": macro_kappa(cold_figures),
            "cold_start": [f.as_dict() for f in cold_figures],
            "learned_5fold_macro_f1": macro_f1(learned_figures),
            "learned_5fold_macro_kappa": macro_kappa(learned_figures),
            "learned_5fold": [f.as_dict() for f in learned_figures],
        }
    report["cold_start_macro_f1_mean"] = round(float(np.mean([t["cold_start_macro_f1"] for t in report["trees"].values()])), 3)
    report["learned_5fold_macro_f1_mean"] = round(float(np.mean([t["learned_5fold_macro_f1"] for t in report["trees"].values()])), 3)
    report["leave_one_tree_out"] = leave_one_tree_out(cold_z, trees, stories)
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, indent=2))


def leave_one_tree_out(cold_z, trees, stories) -> dict:
    """Choose the two global decision settings on two trees, test on the third (Z_BANK_MIN fixed)."""
    grid_z = [-2.0, -1.5, -1.0, -0.5, 0.0, 0.5]
    grid_r = [0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
    saved = (T.Z_MIN, T.RELATIVE_MIN)

    def f1_for(code, z_min, r_min):
        T.Z_MIN, T.RELATIVE_MIN = z_min, r_min
        z, z_bank, rows = cold_z[code]
        tree = trees[code]
        truth = np.array([[c in (stories[i].get("labels") or []) for c in tree.subdoel_codes] for i in rows])
        return macro_f1(figures_per_subdoel(T.cold_scores_from_z(z, z_bank) >= 0.5, truth, tree.subdoel_codes))

    result = {}
    try:
        for test in cold_z:
            train = [c for c in cold_z if c != test]
            best = max(
                ((np.mean([f1_for(c, a, b) for c in train]), a, b) for a in grid_z for b in grid_r),
                key=lambda item: item[0],
            )
            result[test] = {"chosen": {"Z_MIN": best[1], "RELATIVE_MIN": best[2]},
                            "train_macro_f1": round(float(best[0]), 3),
                            "test_macro_f1": f1_for(test, best[1], best[2])}
    finally:
        T.Z_MIN, T.RELATIVE_MIN = saved
    result["mean_test_macro_f1"] = round(float(np.mean([r["test_macro_f1"] for r in result.values()])), 3)
    return result


if __name__ == "__main__":
    main()
