"""'Wat de verhalen nog meer vertellen': themes in stories that fit no subdoel (well).

NMF over the TF-IDF rows of those stories. With few stories topic models produce noise, so
the function rather returns nothing: it needs a minimum number of stories, keeps only themes
that several stories share, and only words that occur in more than one of them.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from verhalenbank.pakketten.gegevens import PakketVerhaal
from verhalenbank.pakketten.selectie import Tekstmatrix

# Stories without a confirmed tag whose best suggestion scores below this fit "poorly".
LOS_DREMPEL = 0.5
MIN_VERHALEN = 6
MAX_THEMAS = 6
WOORDEN_PER_THEMA = 6
MIN_GEDEELDE_WOORDEN = 3


@dataclass
class GevondenThema:
    woorden: list[str]
    rijen: list[int]  # stories that belong mainly to this theme, strongest first
    voorbeeld: int | None  # a quotable story, or None


def past_nergens(verhaal: PakketVerhaal, subdoelen: set[str] | None = None) -> bool:
    """True when the story has no confirmed tag and no convincing suggestion (in these subdoelen)."""
    tags = [t for t in verhaal.tags if subdoelen is None or t.subdoel in subdoelen]
    if any(t.bevestigd for t in tags):
        return False
    return all(t.score < LOS_DREMPEL for t in tags)


def aantal_themas(aantal_verhalen: int) -> int:
    return int(min(MAX_THEMAS, max(1, round(math.sqrt(aantal_verhalen / 2)))))


def vind_themas(
    matrix: Tekstmatrix,
    verhalen: Sequence[PakketVerhaal],
    rijen: Sequence[int],
    weg: set[str] = frozenset(),
) -> list[GevondenThema]:
    rijen = list(rijen)
    if len(rijen) < MIN_VERHALEN or matrix.tfidf.shape[1] == 0:
        return []
    deel = matrix.tfidf[rijen]
    # Only words shared by at least two of these stories can make a theme.
    df = np.asarray((matrix.tellingen[rijen] > 0).sum(axis=0)).ravel()
    kolommen = np.flatnonzero((df >= 2) & matrix.toonbaar)
    if len(kolommen) < MIN_GEDEELDE_WOORDEN:
        return []
    deel = deel[:, kolommen]
    heeft_woorden = np.asarray(deel.sum(axis=1)).ravel() > 0
    if heeft_woorden.sum() < MIN_VERHALEN:
        return []
    k = min(aantal_themas(int(heeft_woorden.sum())), len(kolommen) // MIN_GEDEELDE_WOORDEN)
    if k < 1:
        return []
    # scikit-learn loads only when themes are looked for, never at CLI or web start.
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = NMF(n_components=k, init="nndsvd", random_state=0, max_iter=400)
        w = model.fit_transform(deel)
    h = model.components_

    totaal = w.sum(axis=1)
    hoofdthema = w.argmax(axis=1)
    # A story belongs to a theme when that theme carries at least half its weight.
    aandeel = np.divide(w.max(axis=1), totaal, out=np.zeros_like(totaal), where=totaal > 0)
    min_leden = max(2, math.ceil(0.05 * len(rijen)))

    themas: list[GevondenThema] = []
    for t in range(k):
        leden = [i for i in range(len(rijen)) if hoofdthema[i] == t and aandeel[i] >= 0.5 and totaal[i] > 0]
        if len(leden) < min_leden:
            continue
        leden.sort(key=lambda i: -w[i, t])
        top = np.argsort(-h[t])[: WOORDEN_PER_THEMA * 2]
        # Keep words that at least two of the theme's own stories use.
        leden_tellingen = matrix.tellingen[[rijen[i] for i in leden]][:, kolommen[top]]
        gedeeld = np.asarray((leden_tellingen > 0).sum(axis=0)).ravel() >= 2
        woorden = [str(matrix.termen[kolommen[j]]) for j, ok in zip(top, gedeeld) if ok and h[t, j] > 0]
        woorden = woorden[:WOORDEN_PER_THEMA]
        if len(woorden) < MIN_GEDEELDE_WOORDEN:
            continue
        voorbeeld = next(
            (rijen[i] for i in leden if verhalen[rijen[i]].citeren and verhalen[rijen[i]].sleutel not in weg),
            None,
        )
        themas.append(GevondenThema(woorden, [rijen[i] for i in leden], voorbeeld))
    themas.sort(key=lambda th: -len(th.rijen))
    return themas
