"""Tagger quality on the example stories, with today's tagger (before issue 12) as baseline.

Honest measurement: no figure is tuned on the tree it is scored on. The features and learning
weights were chosen on the development trees only (benchmarks/data); every figure on an example
tree is computed with a calibrator and thresholds fitted, as the shipped ones are
(benchmarks/fit_tagger_calibration.py), on the dev trees and the two other example trees. The
baseline is the tagger of commit BASELINE_COMMIT, loaded from git.

Prints JSON:

* (a) ``own_tree``: each example story against the tree of its own ronde; macro-F1 and κ.
* (b) ``open_bank``: all 90 example stories without ronde, every tree (3 example + the dev trees)
  in one bank, every subdoel scored; macro-F1 over the example trees' subdoelen, plus how many
  suggestions fell in trees a story does not belong to and how many stories got none.
* (c) ``constants``: the shipped constants and how they were chosen, and per example tree the
  constants its figures were computed with (fitted without it).
* (d) ``learning_curve``: macro-F1 and κ after 0, 5, 10 and 20 confirmations per subdoel,
  simulated from the labels (5 random draws; per draw a fixed test third of the tree's stories,
  confirmations from the rest; a subdoel with fewer labelled stories gives what it has, so the
  effective number per subdoel is reported).
* (e) ``calibration``: expected calibration error and a reliability table, (a) and (b).

    VERHALENBANK_SPACY_MODEL=../shared/models/nl_verhalen_sm .venv/bin/python benchmarks/bench_tagger_quality.py
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fit_tagger_calibration import DevData, rocchio_weights, run, shipped_features  # noqa: E402
from tagger_data import (  # noqa: E402
    BASELINE_COMMIT, DEV, SHARED, T, B_corpus, B_tree, baseline_module, calibration_table, dev_stories, example_stories, lemmatise_stories,
    load_trees, macro_f1_of, tree_features, tree_gemeenten, truth_for,
)
from verhalenbank.nlp.analysis import lemmatise  # noqa: E402
from verhalenbank.nlp.evaluation import cohen_kappa, draw_examples, split  # noqa: E402
from verhalenbank.nlp.plaatsen import Plaatswijzer, bomen_voor, gemeente_sleutel  # noqa: E402

CONFIRMATIONS = (0, 5, 10, 20)
DRAWS = 5


def macro_kappa_of(predicted: np.ndarray, truth: np.ndarray) -> float:
    values = [cohen_kappa(predicted[:, j], truth[:, j]) for j in range(truth.shape[1]) if truth[:, j].any() or predicted[:, j].any()]
    return round(float(np.mean(values)), 3) if values else 0.0


def _mean(values) -> float:
    return round(float(np.mean(values)), 3)


# --- (a) own tree --------------------------------------------------------------------------------


def own_tree(ex, trees, stories, lemmas, corpus, B, K):
    result, probs, labels = {}, [], []
    for code in ex:
        tree = trees[code]
        threshold = K[code].threshold(T.RONDE)
        rows = [i for i, s in enumerate(stories) if s.tree == code]
        truth = truth_for(tree, stories, rows)
        # Every example story was collected in a ronde: the stories of the tree's ronde are
        # its reference in the ronde context, as in the product (nlp.operations.reference_rows).
        f, s, _ = tree_features(tree, stories, lemmas, corpus, [st.tree for st in stories])
        p = K[code].probability(f[rows], s[rows], T.RONDE)
        probs.append(p.ravel())
        labels.append(truth.ravel())
        entry = {"stories": len(rows), "macro_f1": macro_f1_of(p >= threshold, truth),
                 "macro_kappa": macro_kappa_of(p >= threshold, truth)}
        if B is not None:
            old = B.TreeScorer(B_tree(B, tree), lemmatise, B_corpus(B, lemmas), reference_rows=rows)
            old_scores = old.cold_scores([lemmas[i] for i in rows])
            entry["baseline_macro_f1"] = macro_f1_of(old_scores >= 0.5, truth)
            entry["baseline_macro_kappa"] = macro_kappa_of(old_scores >= 0.5, truth)
            entry["baseline_scores"] = old_scores.ravel()
        result[code] = entry
    return result, np.concatenate(probs), np.concatenate(labels)


# --- (b) open bank -------------------------------------------------------------------------------


def place_mask(trees, gemeenten, stories, known_wijken=None) -> dict[str, np.ndarray]:
    """Per tree, which stories the place rule (nlp/plaatsen.py) leaves in play: the bank has no
    rondes here, so only a wijk or text naming a place of a tree's gemeente counts, and the
    wijken of stories people confirmed (``known_wijken``)."""
    wijzer = Plaatswijzer((gemeenten.get(code) for code in trees), known_wijken)
    allowed = [
        set(bomen_voor(wijzer.gemeenten(s.wijk, s.text), list(trees), gemeenten.get)) for s in stories
    ]
    placed = np.array([len(a) < len(trees) for a in allowed])
    return {code: np.array([code in a for a in allowed]) for code in trees}, placed


def open_bank(ex, trees, stories, lemmas, corpus, B, gemeenten, K):
    new_pred, old_pred, truths, probs, old_scores, features = {}, {}, {}, {}, {}, {}
    for code, tree in trees.items():
        f, s, truth = tree_features(tree, stories, lemmas, corpus, None)
        features[code] = (f, s, truth)
        probs[code] = K[code].probability(f, s, T.OPEN)
        new_pred[code] = probs[code] >= K[code].threshold(T.OPEN)
        truths[code] = truth
        if B is not None:
            old = B.TreeScorer(B_tree(B, tree), lemmatise, B_corpus(B, lemmas))
            old_scores[code] = old.cold_scores(lemmas)
            old_pred[code] = old_scores[code] >= 0.5

    def summary(pred, scores=None):
        out = {
            "macro_f1": macro_f1_of(np.hstack([pred[c] for c in ex]), np.hstack([truths[c] for c in ex])),
            "macro_kappa": macro_kappa_of(np.hstack([pred[c] for c in ex]), np.hstack([truths[c] for c in ex])),
            "suggestions": int(sum(pred[c].sum() for c in trees)),
            "correct_suggestions": int(sum((pred[c] & truths[c]).sum() for c in trees)),
            "suggestions_outside_the_story_s_own_tree": int(sum(
                pred[c][[i for i, st in enumerate(stories) if st.tree != c]].sum() for c in trees)),
            # Of those, by the example trees (a story of Hoorn tagged in Lelystad's tree); the rest
            # come from the dev trees, so that figure grows with the number of dev trees.
            "of_which_in_another_example_tree": int(sum(
                pred[c][[i for i, st in enumerate(stories) if st.tree != c]].sum() for c in ex)),
            "stories_without_any_suggestion": int(sum(
                1 for i in range(len(stories)) if not any(pred[c][i].any() for c in trees))),
            "unlabelled_stories_with_a_suggestion": int(sum(
                1 for i, st in enumerate(stories) if not st.labels and any(pred[c][i].any() for c in trees))),
        }
        if scores is not None:
            values = np.round(np.concatenate([scores[c][pred[c]] for c in trees]), 2)
            if len(values):
                common, count = np.unique(values, return_counts=True)
                out["share_of_suggestions_with_the_most_common_score"] = round(float(count.max() / len(values)), 3)
                out["most_common_score"] = float(common[np.argmax(count)])
        return out

    # A placed story is scored like one collected in a ronde for its municipality's trees (the
    # product's rule in nlp/operations.py); the others stay in the open bank over every tree.
    in_play, placed = place_mask(trees, gemeenten, stories)
    placed_probs, placed_pred = {}, {}
    for c in trees:
        f, s, _ = features[c]
        ronde_p = K[c].probability(f, s, T.RONDE)
        placed_probs[c] = np.where(placed[:, None], ronde_p, probs[c]) * in_play[c][:, None]
        placed_pred[c] = placed_probs[c] >= np.where(placed, K[c].threshold(T.RONDE), K[c].threshold(T.OPEN))[:, None]
    result = {"trees": list(trees), "stories": len(stories),
              "stories_placed_by_wijk_or_text": int(placed.sum()),
              "new": summary(placed_pred, placed_probs),
              "new_without_place_rule": summary(new_pred, probs)}
    if B is not None:
        result["baseline"] = summary(old_pred, old_scores)
    p = np.concatenate([placed_probs[c].ravel() for c in ex])
    y = np.concatenate([truths[c].ravel() for c in ex])
    return result, p, y, (np.concatenate([old_scores[c].ravel() for c in ex]) if B is not None else None)


def open_bank_half_confirmed(ex, trees, stories, lemmas, corpus, gemeenten, K, draws: int = DRAWS):
    """The open bank after half of the labelled stories were imported with their labels
    (confirmed tags) and the tagger retagged: the other half is scored. People's judgements
    teach each tree (its confirmed stories) and tell where their wijken are."""
    labelled = [i for i, st in enumerate(stories) if st.labels and st.tree in trees]
    results = {"new": [], "new_without_place_rule": [], "kappa": [], "placed": []}
    for draw in range(draws):
        rng = np.random.default_rng(1000 + draw)
        confirmed = set(rng.choice(labelled, size=len(labelled) // 2, replace=False).tolist())
        test = [i for i in range(len(stories)) if i not in confirmed]
        known = {}
        for i in confirmed:
            if stories[i].wijk and gemeenten.get(stories[i].tree):
                known.setdefault(stories[i].wijk, set()).add(gemeente_sleutel(gemeenten[stories[i].tree]))
        in_play, placed = place_mask(trees, gemeenten, stories, known)
        pred, pred_open, truths = {}, {}, {}
        for code, tree in trees.items():
            learn = [i for i in confirmed if stories[i].tree == code]
            with rocchio_weights(K[code].rocchio):
                f, s, truth = tree_features(tree, stories, lemmas, corpus, None, learn_rows=learn)
            open_p = K[code].probability(f, s, T.OPEN)
            ronde_p = K[code].probability(f, s, T.RONDE)
            p = np.where(placed[:, None], ronde_p, open_p) * in_play[code][:, None]
            thr = np.where(placed, K[code].threshold(T.RONDE), K[code].threshold(T.OPEN))[:, None]
            pred[code] = (p >= thr)[test]
            pred_open[code] = (open_p >= K[code].threshold(T.OPEN))[test]
            truths[code] = truth[test]
        results["new"].append(macro_f1_of(np.hstack([pred[c] for c in ex]), np.hstack([truths[c] for c in ex])))
        results["kappa"].append(macro_kappa_of(np.hstack([pred[c] for c in ex]), np.hstack([truths[c] for c in ex])))
        results["new_without_place_rule"].append(
            macro_f1_of(np.hstack([pred_open[c] for c in ex]), np.hstack([truths[c] for c in ex])))
        results["placed"].append(int(placed[test].sum()))
    return {
        "draws": draws, "confirmed_stories": len(labelled) // 2, "scored_stories": len(stories) - len(labelled) // 2,
        "macro_f1": _mean(results["new"]), "macro_kappa": _mean(results["kappa"]),
        "macro_f1_without_place_rule": _mean(results["new_without_place_rule"]),
        "scored_stories_placed": _mean(results["placed"]),
        "goal": {"macro_f1": 0.80, "macro_kappa": 0.61},
    }


# --- (d) learning curve --------------------------------------------------------------------------


def learning_curve(ex, trees, stories, lemmas, corpus, B, K):
    """Per tree and draw, one fixed test third; confirmations come from the other two thirds, so
    every point of the curve is measured on the same stories."""
    scores: dict[int, dict[str, dict[str, list]]] = {k: {} for k in CONFIRMATIONS}
    effective: dict[int, list[float]] = {k: [] for k in CONFIRMATIONS}
    for code in ex:
        tree = trees[code]
        rows = np.array([i for i, s in enumerate(stories) if s.tree == code])
        truth = truth_for(tree, stories, rows)
        for draw in range(DRAWS):
            rng = np.random.default_rng(draw)
            test, pool = split(truth, rng)
            test_lemmas = [lemmas[rows[i]] for i in test]
            for k in CONFIRMATIONS:
                train = draw_examples(truth, pool, k, np.random.default_rng(100 * draw + k))
                effective[k].append(float(truth[train].sum(axis=0).mean()) if len(train) else 0.0)
                examples = T.TreeExamples([lemmas[rows[i]] for i in train], truth[train]) if len(train) else None
                with rocchio_weights(K[code].rocchio):
                    scorer = T.TreeScorer(tree, lemmatise, corpus, reference_rows=list(rows), examples=examples)
                    f, s = scorer.features(corpus.vectorise(test_lemmas))
                predicted = K[code].probability(f, s, T.RONDE) >= K[code].threshold(T.RONDE)
                entry = scores[k].setdefault(code, {"f1": [], "kappa": [], "base_f1": [], "base_kappa": []})
                entry["f1"].append(macro_f1_of(predicted, truth[test]))
                entry["kappa"].append(macro_kappa_of(predicted, truth[test]))
                if B is not None:
                    old = B.TreeScorer(B_tree(B, tree), lemmatise, B_corpus(B, lemmas), reference_rows=list(rows))
                    if len(train) >= 4 and truth[train].any():
                        train_lemmas = [lemmas[rows[i]] for i in train]
                        cold = old.cold_scores(train_lemmas)
                        learned, _ = B.train_learned(B_corpus(B, lemmas), train_lemmas, truth[train], cold,
                                                     tree.subdoel_codes, folds=3)
                        old.learned = learned
                    old_scores = np.array([[s.score for s in row] for row in old.score(test_lemmas)])
                    old_pred = old_scores >= np.array([old.threshold(c) for c in tree.subdoel_codes])
                    entry["base_f1"].append(macro_f1_of(old_pred, truth[test]))
                    entry["base_kappa"].append(macro_kappa_of(old_pred, truth[test]))
    result = {}
    for k in CONFIRMATIONS:
        per_tree = {code: {"macro_f1": _mean(v["f1"]), "macro_kappa": _mean(v["kappa"]),
                           **({"baseline_macro_f1": _mean(v["base_f1"]), "baseline_macro_kappa": _mean(v["base_kappa"])}
                              if B is not None else {})}
                    for code, v in scores[k].items()}
        entry = {"effective_confirmations_per_subdoel": round(float(np.mean(effective[k])), 1),
                 "macro_f1": _mean([t["macro_f1"] for t in per_tree.values()]),
                 "macro_kappa": _mean([t["macro_kappa"] for t in per_tree.values()])}
        if B is not None:
            entry["baseline_macro_f1"] = _mean([t["baseline_macro_f1"] for t in per_tree.values()])
            entry["baseline_macro_kappa"] = _mean([t["baseline_macro_kappa"] for t in per_tree.values()])
        entry["trees"] = per_tree
        result[str(k)] = entry
    return result


# --- (c) constants, each tree's fitted without it ---------------------------------------------------


@dataclass
class Constants:
    """Calibrator, thresholds and learning weights that one tree's figures are computed with."""

    calibration: dict
    thresholds: dict
    rocchio: tuple
    fitted_on: list

    def probability(self, features, sims, context):
        return T.calibrated_probability(features, sims, context, self.calibration)

    def threshold(self, context) -> float:
        return self.thresholds[context]


def leave_one_tree_out_constants(ex) -> dict[str, Constants]:
    """For each example tree: everything fitted, exactly as the shipped constants are, on the dev
    trees and the two other example trees. For a dev tree (it only matters for its suggestions on
    the example stories, counted as wrong): fitted on the dev trees, which never sees the examples."""
    data = DevData(include_examples=True)
    features = shipped_features()
    dev_codes = data.dev_codes
    calibration, thresholds, rocchio = run(data, dev_codes, features)
    K = {c: Constants(calibration, thresholds, rocchio, dev_codes) for c in dev_codes}
    for held_out in ex:
        train = dev_codes + [c for c in ex if c != held_out]
        calibration, thresholds, rocchio = run(data, train, features)
        K[held_out] = Constants(calibration, thresholds, rocchio, train)
    return K


def main() -> None:
    started = time.perf_counter()
    B = baseline_module()
    stories = example_stories()
    lemmas = lemmatise_stories(stories)
    corpus = T.CorpusModel(lemmas)
    ex_trees = load_trees(SHARED / "doelenbomen")
    dev_trees = load_trees(DEV / "doelenbomen")
    trees = {**ex_trees, **dev_trees}
    ex = list(ex_trees)

    K = leave_one_tree_out_constants(ex)
    own, own_p, own_y = own_tree(ex, trees, stories, lemmas, corpus, B, K)
    base_own_scores = np.concatenate([own[c].pop("baseline_scores") for c in ex])
    gemeenten = {**tree_gemeenten(SHARED / "doelenbomen"), **tree_gemeenten(DEV / "doelenbomen")}
    opened, open_p, open_y, base_open_scores = open_bank(ex, trees, stories, lemmas, corpus, B, gemeenten, K)
    opened["after_half_of_the_labels_confirmed"] = open_bank_half_confirmed(ex, trees, stories, lemmas, corpus, gemeenten, K)
    report = {
        "baseline": f"tagger of commit {BASELINE_COMMIT} (today's tagger), suggestion at score >= 0.5",
        "a_own_tree": {
            "macro_f1": _mean([t["macro_f1"] for t in own.values()]),
            "macro_kappa": _mean([t["macro_kappa"] for t in own.values()]),
            "baseline_macro_f1": _mean([t["baseline_macro_f1"] for t in own.values()]),
            "baseline_macro_kappa": _mean([t["baseline_macro_kappa"] for t in own.values()]),
            "goal_macro_f1": 0.75,
            "trees": own,
        },
        "b_open_bank": {**opened, "goal_macro_f1": 0.70},
        "c_constants": {
            "shipped": {
                "CALIBRATION": T.CALIBRATION, "SUGGEST_THRESHOLDS": T.SUGGEST_THRESHOLDS,
                "ROCCHIO_POSITIVE": T.ROCCHIO_POSITIVE, "ROCCHIO_NEGATIVE": T.ROCCHIO_NEGATIVE,
                "features": shipped_features(),
                "how": f"benchmarks/fit_tagger_calibration.py: features and learning weights chosen leaving one of "
                       f"{len(dev_trees)} dev trees ({len(dev_stories())} dev stories) out at a time; calibrator and "
                       "thresholds then fitted on every dev and example tree",
            },
            "used_for_the_figures_above": {
                code: {"fitted_on": k.fitted_on, "CALIBRATION": k.calibration, "SUGGEST_THRESHOLDS": k.thresholds,
                       "ROCCHIO": k.rocchio} for code, k in K.items() if code in ex
            },
            "rule": "every figure on an example tree is computed with constants fitted without that tree",
            "fixed_by_design_not_tuned": {
                "ROCCHIO_EVIDENCE": T.ROCCHIO_EVIDENCE, "SHORT_TEXT_TERMS": T.SHORT_TEXT_TERMS,
                "EXPANSION_NEIGHBOURS": T.EXPANSION_NEIGHBOURS, "EXPANSION_WEIGHT": T.EXPANSION_WEIGHT,
                "THEME_OWN_WORDS": T.THEME_OWN_WORDS, "VOTE_SCALE": T.VOTE_SCALE,
                "note": "term weighting constants predate issue 12 (chosen leave-one-tree-out on "
                        "the example trees by earlier work) and were not changed",
            },
        },
        "d_learning_curve": {"goal_at_20": {"macro_f1": 0.80, "macro_kappa": 0.61},
                             **learning_curve(ex, trees, stories, lemmas, corpus, B, K)},
    }
    ece_own, table_own = calibration_table(own_p, own_y)
    ece_open, table_open = calibration_table(open_p, open_y)
    base_ece_own, base_table_own = calibration_table(base_own_scores, own_y)
    base_ece_open, base_table_open = calibration_table(base_open_scores, open_y)
    report["e_calibration"] = {
        "own_tree": {"ece": ece_own, "baseline_ece": base_ece_own, "reliability": table_own,
                     "baseline_reliability": base_table_own},
        "open_bank": {"ece": ece_open, "baseline_ece": base_ece_open, "reliability": table_open,
                      "baseline_reliability": base_table_open},
    }
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, indent=2, default=float))


if __name__ == "__main__":
    main()
