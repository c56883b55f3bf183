"""Tagger quality on the example stories: cold start (labels hidden) and 5-fold learning.

Each story is scored only against the tree of its own ronde. The bank (for related words and
standardisation) is all 90 stories, without labels. Two simple baselines are measured in the
same run, on the same stories and folds:

* cold start: plain word overlap: the subdoel whose title, description and indicator words
  (lowercase, stop words removed; no lemmas, stems, compounds or related words) a story shares
  most of; one subdoel per story, none without any shared word.
* learned: a bag-of-words logistic regression per subdoel (scikit-learn defaults, threshold 0.5)
  trained on the same 5 folds.

Prints JSON, including the ratios ours / baseline.

    VERHALENBANK_SPACY_MODEL=../shared/models/nl_verhalen_sm .venv/bin/python benchmarks/bench_tagger_quality.py
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from verhalenbank.nlp import tagger as T  # noqa: E402
from verhalenbank.nlp.analysis import analyse_texts, lemmatise  # noqa: E402
from verhalenbank.nlp.dutch import STOP_WORDS  # noqa: E402
from verhalenbank.nlp.evaluation import _folds, cross_validate, figures_per_subdoel, macro_f1, macro_kappa  # noqa: E402

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


_TOKEN = re.compile(r"[a-zà-ÿ]+")


def _words(text: str) -> set[str]:
    return {w for w in _TOKEN.findall(text.lower()) if len(w) >= 3 and w not in STOP_WORDS}


def overlap_baseline(tree: T.TreeSpec, texts: list[str]) -> np.ndarray:
    """Cold-start baseline: the subdoel sharing most words with the story (ties: first)."""
    sub_words = [
        _words(" ".join([sub.titel, sub.beschrijving] + [i.titel for i in sub.indicatoren])) for sub in tree.subdoelen
    ]
    predicted = np.zeros((len(texts), len(sub_words)), dtype=bool)
    for row, text in enumerate(texts):
        words = _words(text)
        overlaps = [len(words & sw) for sw in sub_words]
        if max(overlaps) > 0:
            predicted[row, int(np.argmax(overlaps))] = True
    return predicted


def bag_of_words_baseline(texts: list[str], truth: np.ndarray, folds: int = 5, seed: int = 0) -> np.ndarray:
    """Learned baseline: per subdoel a logistic regression on word counts, same folds as ours."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    predicted = np.zeros_like(truth)
    for test in _folds(len(texts), folds, seed):
        train = np.setdiff1d(np.arange(len(texts)), test)
        vectoriser = CountVectorizer(lowercase=True)
        x_train = vectoriser.fit_transform([texts[i] for i in train])
        x_test = vectoriser.transform([texts[i] for i in test])
        for j in range(truth.shape[1]):
            y = truth[train, j]
            if y.all() or not y.any():
                predicted[test, j] = bool(y.all())
                continue
            model = LogisticRegression(max_iter=2000).fit(x_train, y)
            predicted[test, j] = model.predict_proba(x_test)[:, 1] >= 0.5
    return predicted


def _ratio(ours: float, base: float) -> float | None:
    return round(ours / base, 3) if base else None


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
        row_texts = [stories[i]["tekst"] for i in rows]
        base_cold = figures_per_subdoel(overlap_baseline(tree, row_texts), truth, tree.subdoel_codes)
        base_learned = figures_per_subdoel(bag_of_words_baseline(row_texts, truth), truth, tree.subdoel_codes)
        report["trees"][code] = {
            "stories": len(rows),
            "positives_per_subdoel": {c: int(truth[:, j].sum()) for j, c in enumerate(tree.subdoel_codes)},
            "baseline_overlap_macro_f1": macro_f1(base_cold),
            "baseline_overlap_macro_kappa": macro_kappa(base_cold),
            "baseline_bow_5fold_macro_f1": macro_f1(base_learned),
            "baseline_bow_5fold_macro_kappa": macro_kappa(base_learned),
            "cold_start_macro_f1": macro_f1(cold_figures),
            "cold_start_macro_kappa": macro_kappa(cold_figures),
            "cold_start": [f.as_dict() for f in cold_figures],
            "learned_5fold_macro_f1": macro_f1(learned_figures),
            "learned_5fold_macro_kappa": macro_kappa(learned_figures),
            "learned_5fold": [f.as_dict() for f in learned_figures],
        }
    report["cold_start_macro_f1_mean"] = round(float(np.mean([t["cold_start_macro_f1"] for t in report["trees"].values()])), 3)
    report["learned_5fold_macro_f1_mean"] = round(float(np.mean([t["learned_5fold_macro_f1"] for t in report["trees"].values()])), 3)
    for key in ("baseline_overlap_macro_f1", "baseline_bow_5fold_macro_f1", "cold_start_macro_kappa",
                "learned_5fold_macro_kappa", "baseline_overlap_macro_kappa", "baseline_bow_5fold_macro_kappa"):
        report[f"{key}_mean"] = round(float(np.mean([t[key] for t in report["trees"].values()])), 3)
    report["ratio_cold_start_to_overlap_baseline"] = _ratio(report["cold_start_macro_f1_mean"], report["baseline_overlap_macro_f1_mean"])
    report["ratio_learned_to_bow_baseline"] = _ratio(report["learned_5fold_macro_f1_mean"], report["baseline_bow_5fold_macro_f1_mean"])
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
