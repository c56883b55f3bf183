"""Benchmark: how well the pack tells knelpunt stories from cheerful ones.

Scores the classifier in `pakketten/tekst.py` (wording only, no self-signification) against the
hand labels in tests/pakketten/data/gevoel_labels.json (K = mainly a knelpunt, P = mainly positive
or neutral, G = mixed: left out), and, in the same run, the previous classifier as baseline (a
list of negative cue words, no positive cues, no sentence weighting; copied below verbatim).

Prints JSON: accuracy, precision and recall of "knelpunt", for both, and their ratio.

    .venv/bin/python benchmarks/bench_pakket_gevoel.py
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from tests.pakketten.voorbeelden import laad_verhalen  # noqa: E402
from verhalenbank.pakketten.tekst import is_knelpunt  # noqa: E402

LABELS = PROJECT / "tests" / "pakketten" / "data" / "gevoel_labels.json"

# --- baseline: the classifier before issue 14 ---------------------------------------------
_OUD_STERK = (
    "helaas", "jammer", "moeilijk", "lastig", "probleem", "problemen", "zwaar", "eenzaam",
    "eenzaamheid", "boos", "verdriet", "teleurgesteld", "teleurstel", "bang", "angst", "stress",
    "uitgeput", "slecht", "vervelend", "frustr", "drempel", "wachtlijst", "wachttijd",
    "opgegeven", "ellende", "klacht", "pijn", "ruzie", "overlast", "onveilig", "tekort",
    "genegeerd", "afgewezen", "geweigerd", "mislukt", "hopeloos", "zinloos", "schaam",
    "onbegrip", "onzeker", "ontevreden", "zorgelijk", "overbelast", "overvraagd", "eenzame",
    "nergens", "niemand", "alleen gelaten", "niet gehoord", "niet serieus", "niet welkom",
    "niet meer", "geen tijd", "geen geld", "geen hulp", "geen plek", "te weinig", "te duur",
    "te ver", "te druk", "kwijtgeraakt", "gesloten", "opgezegd", "wegbezuinigd",
    "gestopt", "verloren", "mis ", "missen", "gemist",
)
_OUD_STERK_RE = re.compile(r"\b(?=[a-z])(?:" + "|".join(re.escape(c) for c in sorted(_OUD_STERK)) + r")")
_OUD_ZWAK_RE = re.compile(r"\b(?:niet|geen|nooit|niks|niets|maar)\b")
_WOORD = re.compile(r"[a-zà-öø-ÿ]+(?:['-][a-zà-öø-ÿ]+)*")


def oud_is_knelpunt(tekst: str) -> bool:
    schoon = re.sub(r"\[[^\]]{0,40}\]", " ", tekst).lower()
    lengte = max(1, len(_WOORD.findall(schoon)))
    score = (1.4 * len(_OUD_STERK_RE.findall(schoon)) + 0.35 * len(_OUD_ZWAK_RE.findall(schoon))) / math.sqrt(
        max(1.0, lengte / 25)
    )
    return score >= 1.0


# -------------------------------------------------------------------------------------------


def meet(voorspel, verhalen, labels) -> dict:
    tp = fp = fn = tn = 0
    for v in verhalen:
        label = labels.get(v["id"])
        if label not in ("K", "P"):
            continue
        knel = voorspel(v["tekst"])
        if knel and label == "K":
            tp += 1
        elif knel:
            fp += 1
        elif label == "K":
            fn += 1
        else:
            tn += 1
    n = tp + fp + fn + tn
    return {
        "verhalen": n,
        "accuracy": round((tp + tn) / n, 3),
        "precision_knelpunt": round(tp / (tp + fp), 3) if tp + fp else None,
        "recall_knelpunt": round(tp / (tp + fn), 3) if tp + fn else None,
        "vrolijk_als_knelpunt": fp,
    }


def evaluatie() -> dict:
    labels = json.loads(LABELS.read_text(encoding="utf-8"))["labels"]
    verhalen = laad_verhalen()
    nu = meet(lambda t: is_knelpunt(t, {}), verhalen, labels)
    basis = meet(oud_is_knelpunt, verhalen, labels)
    return {
        "classifier": nu,
        "baseline_voor_issue_14": basis,
        "accuracy_ratio": round(nu["accuracy"] / basis["accuracy"], 3),
    }


if __name__ == "__main__":
    print(json.dumps(evaluatie(), indent=2))
