"""Shared by the tagger benchmark and the calibration fit: trees, stories, features, measures.

Development data (benchmarks/data) is for choosing constants; the example stories in
shared/voorbeelden are for reporting only.
"""

from __future__ import annotations

import json
import subprocess
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from verhalenbank.nlp import tagger as T  # noqa: E402

SHARED = ROOT.parent / "shared"
if not (SHARED / "voorbeelden").is_dir():  # a worktree next to main: the shared data is /work/shared
    SHARED = Path("/work/shared")
DEV = ROOT / "benchmarks" / "data"
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


def load_trees(folder: Path) -> dict[str, T.TreeSpec]:
    trees = {}
    for path in sorted(folder.glob("*.yaml")):
        spec = tree_spec(yaml.safe_load(path.read_text(encoding="utf-8")))
        trees[spec.code] = spec
    return trees


@dataclass
class Story:
    text: str
    title: str | None
    tree: str | None  # the tree it was collected for (its ronde's tree), None: fits none
    labels: set[str]
    wijk: str | None = None
    key: str | None = None  # the story's id in its file


def tree_gemeenten(folder: Path) -> dict[str, str | None]:
    """Each tree's gemeente field (where its stories come from), by tree code."""
    result = {}
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        result[data["code"]] = data.get("gemeente")
    return result


def example_stories() -> list[Story]:
    rows = [json.loads(line) for line in (SHARED / "voorbeelden" / "verhalen.jsonl").open(encoding="utf-8")]
    return [Story(r["tekst"], r.get("titel"), RONDE_TREE.get(r.get("ronde")), set(r.get("labels") or []), r.get("wijk"))
            for r in rows]


def dev_stories() -> list[Story]:
    rows = [json.loads(line) for path in sorted(DEV.glob("verhalen-dev*.jsonl"))
            for line in path.open(encoding="utf-8") if line.strip()]
    return [Story(r["tekst"], r.get("titel"), r.get("boom"), set(r.get("labels") or []), r.get("wijk"), r.get("id"))
            for r in rows]


def lemmatise_stories(stories: list[Story]) -> list[list[str]]:
    from verhalenbank.nlp.analysis import analyse_texts

    return [a.lemmas for a in analyse_texts([(s.text, s.title) for s in stories])]


def truth_for(tree: T.TreeSpec, stories: list[Story], rows=None) -> np.ndarray:
    rows = range(len(stories)) if rows is None else rows
    return np.array([[c in stories[i].labels for c in tree.subdoel_codes] for i in rows], dtype=bool).reshape(
        len(list(rows)), len(tree.subdoel_codes)
    )


def f1_per_subdoel(pairs) -> list[float]:
    """F1 of every subdoel (column) of (predicted, truth) pairs that has a positive or a prediction."""
    f1s = []
    for predicted, truth in pairs:
        for j in range(truth.shape[1]):
            tp = float((predicted[:, j] & truth[:, j]).sum())
            fp = float((predicted[:, j] & ~truth[:, j]).sum())
            fn = float((~predicted[:, j] & truth[:, j]).sum())
            if tp + fp + fn:
                f1s.append(2 * tp / (2 * tp + fp + fn))
    return f1s


def macro_f1_of(predicted: np.ndarray, truth: np.ndarray) -> float:
    """Mean F1 over the subdoelen (columns) that have at least one positive or prediction."""
    f1s = f1_per_subdoel([(predicted, truth)])
    return round(float(np.mean(f1s)), 3) if f1s else 0.0


def calibration_table(p: np.ndarray, y: np.ndarray, bins: int = 10) -> tuple[float, list[dict]]:
    """Expected calibration error and a reliability table (equal-width bins of the score)."""
    p = np.asarray(p, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    edges = np.linspace(0.0, 1.0, bins + 1)
    table, ece = [], 0.0
    for k in range(bins):
        inside = (p >= edges[k]) & ((p < edges[k + 1]) if k < bins - 1 else (p <= edges[k + 1]))
        if not inside.any():
            continue
        mean_p, frac = float(p[inside].mean()), float(y[inside].mean())
        ece += inside.sum() / len(p) * abs(mean_p - frac)
        table.append({"bin": f"{edges[k]:.1f}-{edges[k + 1]:.1f}", "n": int(inside.sum()),
                      "mean_score": round(mean_p, 3), "fraction_true": round(frac, 3)})
    return round(float(ece), 4), table


def ronde_of(stories: list[Story], trees) -> list[str | None]:
    """The tree each story was collected for; stories that fit none are spread over the trees
    (in a real ronde, some stories fit none of its subdoelen)."""
    codes = list(trees)
    result, k = [], 0
    for story in stories:
        if story.tree in trees:
            result.append(story.tree)
        elif story.tree is None and codes:
            result.append(codes[k % len(codes)])
            k += 1
        else:
            result.append(None)
    return result


def tree_features(tree, stories, lemmas, corpus, rondes, learn_rows=None):
    """(features, sims, truth) of every story against one tree.

    ``rondes``: per story, the tree it was collected for (None: none); the stories collected for
    this tree are its reference in the ronde context, as `nlp.operations` passes them.
    ``learn_rows``: indices of stories whose labels count as people's judgements for this tree;
    each of them is scored without its own judgement (leave one out).
    """
    from verhalenbank.nlp.analysis import lemmatise

    examples = None
    if learn_rows is not None and len(learn_rows):
        examples = T.TreeExamples([lemmas[i] for i in learn_rows], truth_for(tree, stories, learn_rows), list(learn_rows))
    reference = [i for i, ronde in enumerate(rondes) if ronde == tree.code] if rondes is not None else None
    scorer = T.TreeScorer(tree, lemmatise, corpus, reference_rows=reference, examples=examples)
    features, sims = scorer.features(corpus.vectorise(lemmas), keys=list(range(len(stories))))
    return features, sims, truth_for(tree, stories)


def fit_calibrator(blocks, c: float = 1.0, features: tuple[str, ...] | None = None):
    """Logistic calibrator on stacked (features, sims, truth) blocks; pairs without a shared word
    are left out (they get probability 0). ``features``: the names of T.CALIBRATION_FEATURES to
    use; the others get coefficient 0."""
    from sklearn.linear_model import LogisticRegression

    use = [i for i, name in enumerate(T.CALIBRATION_FEATURES) if features is None or name in features]
    x = np.concatenate([f.reshape(-1, f.shape[-1]) for f, _, _ in blocks])
    s = np.concatenate([sims.ravel() for _, sims, _ in blocks])
    y = np.concatenate([t.ravel() for _, _, t in blocks])
    model = LogisticRegression(C=c, max_iter=5000).fit(x[s > 0][:, use], y[s > 0])
    coef = np.zeros(x.shape[1])
    coef[use] = model.coef_[0]
    return tuple(round(float(v), 4) for v in coef), round(float(model.intercept_[0]), 4)


# --- The tagger before issue 12, as a baseline -------------------------------------------------

BASELINE_COMMIT = "1bda35f"  # main before issue 12 landed (0b1c4e4): the tagger users had


def _git_module(name: str, path: str, replace: dict[str, str]):
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{BASELINE_COMMIT}:{path}"], check=True, capture_output=True, text=True,
    ).stdout
    for old, new in replace.items():
        source = source.replace(old, new)
    module = types.ModuleType(name)
    sys.modules[name] = module
    exec(compile(source, f"{name}.py", "exec"), module.__dict__)  # noqa: S102 - our own git history
    return module


def baseline_module():
    """Today's tagger (and the evaluation module its training uses), from git."""
    module = _git_module("baseline_tagger", "verhalenbank/nlp/tagger.py",
                         {"from verhalenbank.nlp.evaluation import": "from baseline_evaluation import"})
    _git_module("baseline_evaluation", "verhalenbank/nlp/evaluation.py",
                {"from verhalenbank.nlp.tagger import": "from baseline_tagger import"})
    return module


_B_CORPUS = {}


def B_corpus(B, lemmas):
    key = id(lemmas)
    if key not in _B_CORPUS:
        _B_CORPUS[key] = B.CorpusModel(lemmas)
    return _B_CORPUS[key]


def B_tree(B, tree):
    return B.TreeSpec(tree.code, tree.titel, tree.hoofddoel, [
        B.SubdoelSpec(s.code, s.titel, s.beschrijving, [B.IndicatorSpec(i.code, i.titel) for i in s.indicatoren])
        for s in tree.subdoelen
    ])
