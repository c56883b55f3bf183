"""Choosing stories and words for a subdoel: representative, contrasting, characteristic.

- Representative: central to the subdoel's stories (cosine to the TF-IDF centroid) and
  different from each other, by maximal marginal relevance (MMR).
- Contrasting voices: stories of the subdoel that tell of a knelpunt (a negative
  self-signification answer or negative wording), again kept different from each other; when
  there are too few, the story least like the rest ("een ander geluid").
- Characteristic words: weighted log-odds with an informative Dirichlet prior (Monroe, Colaresi
  & Quinn 2008) of the subdoel's stories against all other stories in the pack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from verhalenbank.pakketten.gegevens import PakketVerhaal
from verhalenbank.pakketten.tekst import (
    KNELPUNT_DREMPEL,
    alle_woordvormen,
    is_algemeen,
    is_vraagwoord,
    negatief_signaal,
    werkwoordvormen,
    woorden,
)

if TYPE_CHECKING:
    from scipy import sparse

MMR_LAMBDA = 0.6
# Stories this similar to one already chosen are near-copies: only picked when nothing else is left.
BIJNA_GELIJK = 0.9
MIN_REPRESENTATIEF = 3
MAX_REPRESENTATIEF = 5
MAX_VASTGEPIND = 8
MAX_TEGENGELUID = 3


@dataclass
class Tekstmatrix:
    """Term counts and L2-normalised TF-IDF rows for every story of the pack, same row order."""

    tellingen: sparse.csr_matrix
    tfidf: sparse.csr_matrix
    termen: np.ndarray
    toonbaar: np.ndarray  # bool per term: may be shown as a word (occurs in the public texts)

    @property
    def aantal(self) -> int:
        return self.tfidf.shape[0]


def _analyse(verhaal: PakketVerhaal) -> list[str]:
    # The words as written in the public text: what is counted is what can be shown, whole.
    # (Lemmas of small models are often stems: "woon", "begin".)
    return woorden(verhaal.tekst)


def _telmatrix(verhalen: Sequence[PakketVerhaal]) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Term counts per story and the terms in sorted order (what scikit-learn's
    CountVectorizer gives, without importing scikit-learn: its import alone took seconds)."""
    from scipy import sparse

    index: dict[str, int] = {}
    kolommen: list[int] = []
    waarden: list[int] = []
    rijgrenzen = [0]
    for verhaal in verhalen:
        telling: dict[int, int] = {}
        for woord in _analyse(verhaal):
            kolom = index.setdefault(woord, len(index))
            telling[kolom] = telling.get(kolom, 0) + 1
        kolommen.extend(telling)
        waarden.extend(telling.values())
        rijgrenzen.append(len(kolommen))
    termen = np.array(sorted(index), dtype=object)
    nieuwe_plaats = np.empty(len(index), dtype=np.int64)
    for plaats, term in enumerate(termen):
        nieuwe_plaats[index[term]] = plaats
    tellingen = sparse.csr_matrix(
        (np.array(waarden, dtype=np.int64), nieuwe_plaats[np.array(kolommen, dtype=np.int64)],
         np.array(rijgrenzen, dtype=np.int64)),
        shape=(len(verhalen), len(index)),
    )
    tellingen.sort_indices()
    return tellingen, termen


def _tfidf(tellingen: sparse.csr_matrix) -> sparse.csr_matrix:
    """Sublinear TF-IDF with smoothed idf, rows L2-normalised: scikit-learn's
    TfidfTransformer(sublinear_tf=True) defaults, written out."""
    aantal = tellingen.shape[0]
    df = np.bincount(tellingen.indices, minlength=tellingen.shape[1])
    idf = np.log((1 + aantal) / (1 + df)) + 1.0
    tfidf = tellingen.astype(np.float64)
    tfidf.data = (np.log(tfidf.data) + 1.0) * idf[tfidf.indices]
    normen = np.sqrt(np.asarray(tfidf.multiply(tfidf).sum(axis=1)).ravel())
    normen[normen == 0] = 1.0
    tfidf.data /= np.repeat(normen, np.diff(tfidf.indptr))
    return tfidf


def toonbare_termen(
    termen: Sequence[str],
    teksten: Sequence[str],
    vraag: frozenset[str] = frozenset(),
    geen_inhoud: frozenset[str] = frozenset(),
) -> np.ndarray:
    """Per term: may it be shown to a group as a word the residents used?

    Only whole words of the public texts (never anything from the original), never the
    facilitator's question words, nor verbs, words too common in Dutch, or very short words;
    `geen_inhoud`: words a tagger saw mostly as something else than a noun or adjective.
    """
    vormen = alle_woordvormen(teksten)
    werkwoorden = werkwoordvormen(teksten)
    return np.array([
        t in vormen
        and len(t) >= 4
        and t not in werkwoorden
        and t not in geen_inhoud
        and not is_vraagwoord(t, vraag)
        and not is_algemeen(t)
        for t in termen
    ], dtype=bool)


def maak_tekstmatrix(
    verhalen: Sequence[PakketVerhaal],
    vraag: frozenset[str] = frozenset(),
    geen_inhoud: frozenset[str] = frozenset(),
) -> Tekstmatrix:
    from scipy import sparse

    if not verhalen:
        leeg = sparse.csr_matrix((0, 0))
        return Tekstmatrix(leeg, leeg, np.array([], dtype=object), np.array([], dtype=bool))
    tellingen, termen = _telmatrix(verhalen)
    if not len(termen):  # no word in any story (all empty or all stop words)
        leeg = sparse.csr_matrix((len(verhalen), 0))
        return Tekstmatrix(leeg, leeg, np.array([], dtype=object), np.array([], dtype=bool))
    tfidf = _tfidf(tellingen)
    toonbaar = toonbare_termen(termen, [v.tekst for v in verhalen], vraag, geen_inhoud)
    return Tekstmatrix(tellingen, tfidf, termen, toonbaar)


def _centroid_gelijkenis(matrix: sparse.csr_matrix, rijen: Sequence[int]) -> np.ndarray:
    deel = matrix[list(rijen)]
    centroid = np.asarray(deel.mean(axis=0)).ravel()
    norm = np.linalg.norm(centroid)
    if norm == 0:
        return np.zeros(len(rijen))
    return np.asarray(deel @ (centroid / norm)).ravel()


def aantal_representatief(poolgrootte: int) -> int:
    """3 to 5, more when there are more stories to represent."""
    return int(min(MAX_REPRESENTATIEF, max(MIN_REPRESENTATIEF, round(poolgrootte / 6))))


def mmr(
    matrix: sparse.csr_matrix,
    kandidaten: Sequence[int],
    relevantie: np.ndarray,
    aantal: int,
    al_gekozen: Sequence[int] = (),
    lam: float = MMR_LAMBDA,
) -> list[int]:
    """Greedy maximal marginal relevance over rows `kandidaten` (relevantie aligned with them)."""
    kandidaten = list(kandidaten)
    if not kandidaten or aantal <= 0:
        return []
    blok = matrix[kandidaten]
    onderling = np.asarray((blok @ blok.T).todense()) if blok.shape[1] else np.zeros((len(kandidaten),) * 2)
    if al_gekozen:
        vooraf = matrix[list(al_gekozen)]
        max_sim = np.asarray((blok @ vooraf.T).todense()).max(axis=1) if blok.shape[1] else np.zeros(len(kandidaten))
    else:
        max_sim = np.zeros(len(kandidaten))
    gekozen: list[int] = []
    over = np.ones(len(kandidaten), dtype=bool)
    heeft_vorige = bool(al_gekozen)
    while len(gekozen) < aantal and over.any():
        score = lam * relevantie - (1 - lam) * (max_sim if heeft_vorige else 0)
        if heeft_vorige:
            score = np.where(max_sim >= BIJNA_GELIJK, score - 2.0, score)
        score = np.where(over, score, -np.inf)
        beste = int(np.argmax(score))
        gekozen.append(beste)
        over[beste] = False
        max_sim = np.maximum(max_sim, onderling[beste])
        heeft_vorige = True
    return [kandidaten[i] for i in gekozen]


@dataclass
class Keuze:
    representatief: list[int]  # row indices, in display order
    vastgepind: set[int]
    tegengeluid: list[tuple[int, str]]  # (row, reason)


def kies_verhalen(
    matrix: Tekstmatrix,
    verhalen: Sequence[PakketVerhaal],
    pool: Sequence[int],
    weg: set[str] = frozenset(),
    vast: Sequence[str] = (),
    volgorde: Sequence[str] = (),
    signalen: Sequence[float] | None = None,
) -> Keuze:
    """Representative stories and contrasting voices among `pool` (rows of this subdoel).

    Only quotable stories (`citeren`) are chosen; the centroid is over all stories of the
    subdoel, because what is typical does not depend on who allowed quoting.
    """
    pool = list(pool)
    if not pool:
        return Keuze([], set(), [])
    centraal = dict(zip(pool, _centroid_gelijkenis(matrix.tfidf, pool)))
    kiesbaar = [r for r in pool if verhalen[r].citeren and verhalen[r].sleutel not in weg]

    rij_van = {verhalen[r].sleutel: r for r in kiesbaar}
    vastgepind = [rij_van[s] for s in vast if s in rij_van][:MAX_VASTGEPIND]
    rest = [r for r in kiesbaar if r not in vastgepind]
    nodig = max(0, aantal_representatief(len(pool)) - len(vastgepind))
    relevantie = np.array([centraal[r] for r in rest])
    gekozen = vastgepind + mmr(matrix.tfidf, rest, relevantie, nodig, al_gekozen=vastgepind)

    # Facilitator's order first, then pinned, then MMR order.
    plek = {s: i for i, s in enumerate(volgorde)}
    gekozen.sort(key=lambda r: (plek.get(verhalen[r].sleutel, len(plek)),))

    over = [r for r in kiesbaar if r not in gekozen]
    if signalen is None:
        signaal = {r: negatief_signaal(verhalen[r].tekst, verhalen[r].zelfduiding, verhalen[r].gevoel) for r in over}
    else:  # computed once for the whole pack by the caller
        signaal = {r: signalen[r] for r in over}
    negatief = [r for r in over if signaal[r] >= KNELPUNT_DREMPEL]
    negatief.sort(key=lambda r: -signaal[r])
    tegengeluid: list[tuple[int, str]] = []
    if negatief:
        sterkte = np.array([min(signaal[r], 4.0) / 4.0 for r in negatief])
        for r in mmr(matrix.tfidf, negatief, sterkte, MAX_TEGENGELUID, al_gekozen=gekozen, lam=0.6):
            tegengeluid.append((r, "knelpunt"))
    if len(tegengeluid) < 2:
        # Too few knelpunten: add the quotable story least like the subdoel's centre.
        anders = [r for r in over if r not in {t for t, _ in tegengeluid}]
        if anders and len(pool) >= 4:
            afwijkend = min(anders, key=lambda r: centraal[r])
            tegengeluid.append((afwijkend, "ander geluid"))
    return Keuze(gekozen, set(vastgepind), tegengeluid)


def kenmerkende_woorden(
    matrix: Tekstmatrix, groep: Sequence[int], aantal: int = 8, min_documenten: int = 2
) -> list[tuple[str, float]]:
    """Words most typical of the rows in `groep` compared with the other rows of the pack."""
    groep = list(groep)
    if not groep or matrix.tellingen.shape[1] == 0:
        return []
    tellingen = matrix.tellingen
    in_groep = np.zeros(tellingen.shape[0], dtype=bool)
    in_groep[groep] = True
    y_i = np.asarray(tellingen[in_groep].sum(axis=0)).ravel().astype(float)
    y_j = np.asarray(tellingen[~in_groep].sum(axis=0)).ravel().astype(float)
    alpha = y_i + y_j  # informative prior: the pack's own word frequencies
    alpha_0 = alpha.sum()
    n_i, n_j = y_i.sum(), y_j.sum()
    # Words that appear in too few of the group's stories are anecdotes, not characteristics.
    df_groep = np.asarray((tellingen[in_groep] > 0).sum(axis=0)).ravel()
    geldig = (df_groep >= min(min_documenten, len(groep))) & matrix.toonbaar & (y_i > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.log((y_i + alpha) / (n_i + alpha_0 - y_i - alpha)) - np.log(
            (y_j + alpha) / (n_j + alpha_0 - y_j - alpha)
        )
        variantie = 1.0 / (y_i + alpha) + 1.0 / (y_j + alpha)
        z = delta / np.sqrt(variantie)
    z = np.where(geldig & np.isfinite(z), z, -np.inf)
    volgorde = np.argsort(-z)[:aantal]
    return [(str(matrix.termen[i]), float(z[i])) for i in volgorde if np.isfinite(z[i]) and z[i] > 0]


def documenten_met_woord(matrix: Tekstmatrix, rijen: Sequence[int], woord: str) -> int:
    """How many of these stories contain the (analysed) word."""
    idx = np.flatnonzero(matrix.termen == woord)
    if not len(idx) or not len(rijen):
        return 0
    return int((matrix.tellingen[list(rijen)][:, idx[0]] > 0).sum())
