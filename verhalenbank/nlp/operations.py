"""Analysis, tagging and training against the database.

* ``analyse_verhalen``: 'te analyseren' → 'geanalyseerd' | 'mislukt' (with the reason), in
  batches with nlp.pipe; a failing story never blocks the others and is never lost.
* ``tag_verhalen``: scores every story against every tree linked to its ronde; a story without
  one against the trees of the municipality its wijk or text names (nlp/plaatsen.py), or every
  tree when nothing says where it comes from; and stores suggestions whose calibrated probability reaches the suggestion
  threshold, leaving confirmed, rejected and manual tags alone. The tagger learns from the
  stories people judged for the tree, read from the database at each run, so a decision counts
  at the next retag; a story's own judgement is never used to tag it (leave one out).
* ``learn_after_decision``: after a confirmation or rejection, retag that tree's stories.
* ``train_doelenboom``: measures learning by cross-validation on the judged stories, saves the
  figures under the data dir, records a ``TaggerModel`` row.

Functions flush, never commit (entry points commit).
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from flask import current_app
from sqlalchemy import BigInteger, case, cast, func, literal, or_, select
from sqlalchemy.orm import selectinload

from verhalenbank.core.models import utcnow
from verhalenbank.doelenbomen.models import Doelenboom, Subdoel
from verhalenbank.extensions import db
from verhalenbank.nlp import plaatsen as P
from verhalenbank.nlp import tagger as T
from verhalenbank.nlp.models import TaggerModel
from verhalenbank.rondes.models import Ronde, ronde_doelenbomen
from verhalenbank.verhalen.models import AnalyseStatus, Tag, TagMethode, Verhaal, VerhaalStatus

logger = logging.getLogger(__name__)

BATCH_SIZE = 64
MAX_ERROR_LENGTH = 500


@dataclass
class AnalyseRapport:
    geanalyseerd: int = 0
    mislukt: int = 0
    fouten: list[tuple[int, str]] = field(default_factory=list)
    suggesties: int = 0


# --- Settings ---------------------------------------------------------------------------------


def _settings():
    return current_app.config["VERHALENBANK"]


def _model_name() -> str | None:
    return getattr(_settings(), "spacy_model", None)


def _model_dir() -> Path:
    path = Path(_settings().model_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- Analysis ----------------------------------------------------------------------------------


@dataclass
class VoorafAnalyse:
    """An analysis computed before the transaction that stores it, with the text it was made
    of: stored only when the story still has that text."""

    tekst: str
    titel: str | None
    analyse: object | None = None  # nlp.analysis.Analysis
    fout: Exception | None = None


def lees_teksten(ids: list[int]) -> list[tuple[int, str, str | None]]:
    """(id, tekst, titel) of the stories among `ids` still waiting for analysis (reads only)."""
    rows = db.session.execute(
        select(Verhaal.id, Verhaal.tekst, Verhaal.titel)
        .where(Verhaal.id.in_(ids), Verhaal.analyse_status != AnalyseStatus.GEANALYSEERD)
        .order_by(Verhaal.id)
    )
    return [(row.id, row.tekst, row.titel) for row in rows]


def bereken_analyses(items: list[tuple[int, str, str | None]]) -> dict[int, VoorafAnalyse]:
    """spaCy over these texts without touching the database (so no transaction is open while
    it runs). A text that fails on its own keeps its error; a missing model raises."""
    from verhalenbank.nlp.analysis import analyse_texts
    from verhalenbank.nlp.pipeline import SpacyModelUnavailable

    uit = {i: VoorafAnalyse(tekst, titel) for i, tekst, titel in items}
    try:
        for (i, _, _), analyse in zip(items, analyse_texts([(t, ti) for _, t, ti in items], _model_name())):
            uit[i].analyse = analyse
    except SpacyModelUnavailable:
        raise
    except Exception:  # noqa: BLE001 - one bad story must not fail the batch: one by one
        for i, tekst, titel in items:
            try:
                uit[i].analyse = analyse_texts([(tekst, titel)], _model_name())[0]
            except SpacyModelUnavailable:
                raise
            except Exception as exc:  # noqa: BLE001 - stored on the story by analyse_verhalen
                uit[i].fout = exc
    return uit


def analyse_verhalen(
    ids: list[int] | None = None, opnieuw: bool = False, tag: bool = True,
    vooraf: dict[int, VoorafAnalyse] | None = None,
) -> AnalyseRapport:
    """Analyse the given stories (default: all waiting ones; with ``opnieuw`` all stories).
    `vooraf`: analyses computed beforehand (`bereken_analyses`), used where the text is unchanged."""
    from verhalenbank.nlp.analysis import analyse_texts
    from verhalenbank.nlp.pipeline import SpacyModelUnavailable

    query = select(Verhaal.id).order_by(Verhaal.id)
    if ids is not None:
        query = query.where(Verhaal.id.in_(ids))
    if not opnieuw:
        query = query.where(Verhaal.analyse_status != AnalyseStatus.GEANALYSEERD)
    todo = list(db.session.scalars(query))
    rapport = AnalyseRapport()
    done: list[int] = []
    for start in range(0, len(todo), BATCH_SIZE):
        batch = [db.session.get(Verhaal, i) for i in todo[start:start + BATCH_SIZE]]
        batch = [v for v in batch if v is not None]
        klaar = {v.id: vooraf[v.id] for v in batch
                 if vooraf and v.id in vooraf and (vooraf[v.id].tekst, vooraf[v.id].titel) == (v.tekst, v.titel)}
        for verhaal in [v for v in batch if v.id in klaar and klaar[v.id].fout is not None]:
            _mark_failed(verhaal, klaar[verhaal.id].fout)
            rapport.mislukt += 1
            rapport.fouten.append((verhaal.id, verhaal.analyse_fout))
        berekend = [(v, klaar[v.id].analyse) for v in batch if v.id in klaar and klaar[v.id].fout is None]
        batch = [v for v in batch if v.id not in klaar]
        try:
            analyses = analyse_texts([(v.tekst, v.titel) for v in batch], _model_name()) if batch else []
            pairs = berekend + list(zip(batch, analyses))
        except SpacyModelUnavailable:
            raise
        except Exception:  # one bad story must not fail the batch: retry one by one
            pairs = list(berekend)
            for verhaal in batch:
                try:
                    pairs.append((verhaal, analyse_texts([(verhaal.tekst, verhaal.titel)], _model_name())[0]))
                except SpacyModelUnavailable:
                    raise
                except Exception as exc:  # noqa: BLE001 - the reason is stored on the story
                    _mark_failed(verhaal, exc)
                    rapport.mislukt += 1
                    rapport.fouten.append((verhaal.id, verhaal.analyse_fout))
        for verhaal, analysis in pairs:
            verhaal.tekst_publiek = analysis.tekst_publiek
            verhaal.titel_publiek = (analysis.titel_publiek or None) and analysis.titel_publiek[:300]
            verhaal.lemmas = " ".join(analysis.lemmas)
            verhaal.trefwoorden = analysis.trefwoorden
            verhaal.woordsoorten = analysis.woordsoorten
            verhaal.analyse_status = AnalyseStatus.GEANALYSEERD
            verhaal.analyse_fout = None
            verhaal.geanalyseerd_op = utcnow()
            done.append(verhaal.id)
            rapport.geanalyseerd += 1
        db.session.flush()
    if tag and done:
        rapport.suggesties = tag_verhalen(done)
    return rapport


def _mark_failed(verhaal: Verhaal, exc: Exception) -> None:
    verhaal.analyse_status = AnalyseStatus.MISLUKT
    verhaal.analyse_fout = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH]
    # Never show the unpseudonymised text to others: no public text until analysis succeeds.
    verhaal.tekst_publiek = None
    verhaal.woordsoorten = None
    logger.warning("analysis of verhaal %s failed: %s", verhaal.id, verhaal.analyse_fout)


def analysis_failures_note() -> str | None:
    """One line for commands that store stories: how many failed analysis, and the first reason
    (e.g. the spaCy model is missing), so the user learns why there is no public text yet."""
    failed = list(db.session.execute(
        select(Verhaal.analyse_fout).where(Verhaal.analyse_status == AnalyseStatus.MISLUKT).order_by(Verhaal.id)
    ).scalars())
    if not failed:
        return None
    return (
        f"{len(failed)} verhalen konden niet worden geanalyseerd: {failed[0]} "
        f"Los dit op en voer daarna `verhalenbank analyse` uit."
    )


def mark_batch_failed(ids: list[int], exc: Exception) -> None:
    """Used by the intake path when analysis as a whole cannot run (e.g. no model)."""
    for verhaal in db.session.scalars(select(Verhaal).where(Verhaal.id.in_(ids))):
        if verhaal.analyse_status != AnalyseStatus.GEANALYSEERD:
            _mark_failed(verhaal, exc)
    db.session.flush()


# --- Trees and the bank ------------------------------------------------------------------------


def tree_spec(boom: Doelenboom) -> T.TreeSpec:
    return T.TreeSpec(
        code=boom.code,
        titel=boom.titel,
        hoofddoel=boom.hoofddoel or "",
        subdoelen=[
            T.SubdoelSpec(
                s.code, s.titel, s.beschrijving or "", [T.IndicatorSpec(i.code, i.titel) for i in s.indicatoren]
            )
            for s in boom.subdoelen
        ],
    )


def _lemmatiser():
    from verhalenbank.nlp.analysis import lemmatise

    model = _model_name()
    return lambda texts: lemmatise(texts, model)


@dataclass
class _Bank:
    ids: list[int]
    ronde_ids: list[int | None]
    corpus: T.CorpusModel
    row: dict[int, int]


def _in_bank():
    return (Verhaal.analyse_status == AnalyseStatus.GEANALYSEERD, Verhaal.status == VerhaalStatus.ACTIEF)


def _load_bank() -> _Bank:
    rows = db.session.execute(
        select(Verhaal.id, Verhaal.lemmas, Verhaal.ronde_id).where(*_in_bank()).order_by(Verhaal.id)
    ).all()
    ids = [r[0] for r in rows]
    lemmas = [(r[1] or "").split() for r in rows]
    # The lemma lists go once the model is made: a bank a worker keeps holds only the model.
    return _Bank(ids, [r[2] for r in rows], T.CorpusModel(lemmas), {i: k for k, i in enumerate(ids)})


# Tagging a batch scores it against the whole bank (similarities standardised over every story),
# which is read and modelled afresh: at 100,000 stories seconds per batch of 32. A worker keeps
# the bank it read while the bank is large and only grew a little since: a few percent more
# stories barely move the standardisation, and a batch is then tagged in milliseconds.
BANK_REUSE_FROM = 1_000  # smaller banks are read for every batch (exact, and cheap)
BANK_GROWTH = 0.05  # reuse while the stories analysed since are at most this share of the bank


# A small bank's standardisation still moves as it grows: a story tagged when the bank held 30
# stories gets other suggestions than when it holds 300 (of 250 stories told one by one into a
# new bank, 13 of the first 25 had other suggestions than a retag at the end gave, scores off by
# 0.15). So each time the bank grows past a checkpoint (1, 2, 3, 5, 8, 12, 18, ... 3,596: each
# half again the one before) its first stories are tagged again
# (`verhalen.verwerking.plan_hertaggen_bank_na_groei`),
# at most RETAG_UP_TO of them: about three times RETAG_UP_TO taggings in a bank's life, after
# which the bank is large enough for its standardisation to stay put.
RETAG_UP_TO = 4_096
BANK_CHECKPOINT_GROWTH = 1.5


def _checkpoints() -> tuple[int, ...]:
    points, size = [], 1
    while size <= RETAG_UP_TO:
        points.append(size)
        size = max(size + 1, math.ceil(size * BANK_CHECKPOINT_GROWTH))
    return tuple(points)


BANK_CHECKPOINTS = _checkpoints()


def small_bank_size() -> int:
    """How many stories the bank holds (analysed and active), counted up to RETAG_UP_TO + 1:
    cheap however large the bank is."""
    bounded = select(Verhaal.id).where(*_in_bank()).limit(RETAG_UP_TO + 1).subquery()
    return int(db.session.scalar(select(func.count()).select_from(bounded)) or 0)


def grew_past_checkpoint(before: int, after: int) -> bool:
    """Whether a bank that grew from `before` to `after` stories passed a checkpoint."""
    return any(before < point <= after for point in BANK_CHECKPOINTS)


def stories_tagged_on_a_small_bank() -> list[int]:
    """The bank's first stories (the earliest analysed, at most RETAG_UP_TO): those tagged while
    the bank was small, to be tagged again on the bank as it is now."""
    query = (
        select(Verhaal.id).where(*_in_bank())
        .order_by(Verhaal.geanalyseerd_op, Verhaal.id).limit(RETAG_UP_TO)
    )
    return sorted(db.session.scalars(query))


@dataclass(frozen=True)
class _BankState:
    fingerprint: tuple[int, int, int]  # of the stories in the bank when it was read (_fingerprint)
    analysed_at: object  # the latest geanalyseerd_op among them


_bank_cache: dict[str, tuple[_BankState, _Bank]] = {}

# A second, scrambled sum of the ids: with the count and the plain sum it tells one set of
# stories from another (a story erased and another one committed late do not cancel out).
_SCRAMBLE, _PRIME = 2_654_435_761, 4_294_967_291


def _fingerprint_of(ids) -> tuple[int, int, int]:
    ids = list(ids)
    return len(ids), sum(ids), sum(i * _SCRAMBLE % _PRIME for i in ids)


def forget_bank() -> None:
    """Drop the bank this process keeps (after an erasure: its words leave the memory too)."""
    _bank_cache.clear()


def _bank_kept(state: _BankState) -> bool:
    """Whether the bank read in `state` may still be used: the stories analysed up to its latest
    analysis are exactly the ones it holds (none erased, withdrawn or analysed again since, by a
    fingerprint of their ids, not only a count), and the stories analysed since are few. One
    aggregate query, milliseconds where reading the bank takes seconds."""
    earlier = or_(Verhaal.geanalyseerd_op.is_(None), Verhaal.geanalyseerd_op <= state.analysed_at)
    wide_id = cast(Verhaal.id, BigInteger)  # the product needs 64 bits (PostgreSQL's id is 32)
    count, total, scrambled, added = db.session.execute(
        select(
            func.count(case((earlier, 1))),
            func.coalesce(func.sum(case((earlier, Verhaal.id))), 0),
            func.coalesce(func.sum(case((
                earlier, wide_id * literal(_SCRAMBLE, BigInteger) % literal(_PRIME, BigInteger)))), 0),
            func.count(case((~earlier, 1))),
        ).where(*_in_bank())
    ).one()
    return (int(count), int(total), int(scrambled)) == state.fingerprint and added <= BANK_GROWTH * count


def _current_bank() -> _Bank:
    """The bank for tagging: the one this process read before while `_bank_kept`, otherwise read
    afresh. Erasing a story makes the next batch read the bank again, and the worker forgets the
    bank when it cleans up after an erasure (verwerking.index_opschonen_job)."""
    key = str(db.engine.url)
    cached = _bank_cache.pop(key, None)
    if cached is not None and _bank_kept(cached[0]):
        _bank_cache[key] = cached
        return cached[1]
    analysed_at = db.session.scalar(select(func.max(Verhaal.geanalyseerd_op)).where(*_in_bank()))
    bank = _load_bank()
    if len(bank.ids) >= BANK_REUSE_FROM and analysed_at is not None:
        state = _BankState(_fingerprint_of(bank.ids), analysed_at)
        if _bank_kept(state):  # nothing changed between the two reads
            _bank_cache[key] = (state, bank)
    return bank


def reference_rows(boom: Doelenboom, bank: _Bank) -> list[int]:
    """The bank's stories collected in the tree's rondes: its reference in the ronde context."""
    ronde_ids = set(db.session.scalars(
        select(ronde_doelenbomen.c.ronde_id).where(ronde_doelenbomen.c.doelenboom_id == boom.id)))
    return [row for row, ronde_id in enumerate(bank.ronde_ids) if ronde_id in ronde_ids]


def tree_scorer(boom: Doelenboom, bank: _Bank, lemmatiser=None) -> T.TreeScorer:
    """The scorer of one tree over the bank, taught by the tree's judged stories."""
    return T.TreeScorer(tree_spec(boom), lemmatiser or _lemmatiser(), bank.corpus,
                        reference_rows=reference_rows(boom, bank), examples=tree_examples(boom))


def plaatswijzer(all_trees: list[Doelenboom]) -> P.Plaatswijzer:
    """Where stories come from, as this bank knows it: the trees' municipalities, and the wijken
    of stories collected in rondes for a municipality's trees or confirmed in its trees."""
    in_rondes = (
        select(Verhaal.wijk, Doelenboom.gemeente)
        .join(Ronde, Verhaal.ronde_id == Ronde.id)
        .join(ronde_doelenbomen, ronde_doelenbomen.c.ronde_id == Ronde.id)
        .join(Doelenboom, Doelenboom.id == ronde_doelenbomen.c.doelenboom_id)
        .where(Verhaal.wijk.is_not(None), Doelenboom.gemeente.is_not(None))
    )
    bevestigd = (
        select(Verhaal.wijk, Doelenboom.gemeente)
        .join(Tag, Tag.verhaal_id == Verhaal.id)
        .join(Subdoel, Subdoel.id == Tag.subdoel_id)
        .join(Doelenboom, Doelenboom.id == Subdoel.doelenboom_id)
        .where(Verhaal.wijk.is_not(None), Doelenboom.gemeente.is_not(None), Tag.bevestigd.is_(True))
    )
    wijken: dict[str, set[str]] = {}
    for wijk, gemeente in db.session.execute(in_rondes.union(bevestigd)).all():
        key = P.gemeente_sleutel(gemeente)
        if key is not None and wijk.strip():
            wijken.setdefault(wijk, set()).add(key)
    return P.Plaatswijzer([b.gemeente for b in all_trees], wijken)


def trees_with_context(
    verhaal: Verhaal, all_trees: list[Doelenboom], wijzer: P.Plaatswijzer
) -> list[tuple[Doelenboom, str]]:
    """The trees a story is scored against, each with its context.

    A story collected in a ronde: the ronde's trees (RONDE). A story without one whose wijk or
    text says which municipality it comes from: that municipality's trees, scored as if
    collected in a ronde for them (RONDE), since that is what the place says (nlp/plaatsen.py).
    Otherwise every tree, as an open-bank story (OPEN)."""
    if verhaal.ronde is not None and verhaal.ronde.doelenbomen:
        return [(boom, T.RONDE) for boom in verhaal.ronde.doelenbomen]
    gemeenten = wijzer.gemeenten(verhaal.wijk, verhaal.tekst)
    if gemeenten:
        return [(boom, T.RONDE) for boom in P.bomen_voor(gemeenten, all_trees, lambda b: b.gemeente)]
    return [(boom, T.OPEN) for boom in all_trees]


def _context(verhaal: Verhaal, boom: Doelenboom, wijzer: P.Plaatswijzer) -> str:
    return dict((b.id, c) for b, c in trees_with_context(verhaal, [boom], wijzer)).get(boom.id, T.OPEN)


# --- Tagging -----------------------------------------------------------------------------------


def tag_verhalen(ids: list[int]) -> int:
    """(Re)tag these stories against their trees; returns how many suggestions are stored."""
    all_trees = list(db.session.scalars(select(Doelenboom).order_by(Doelenboom.id)))
    if not all_trees or not ids:
        return 0
    bank = _current_bank()
    # Tags and ronde trees in a few queries for the batch, not two per story.
    verhalen = [
        v for v in db.session.scalars(select(Verhaal).where(Verhaal.id.in_(ids)).options(
            selectinload(Verhaal.tags).selectinload(Tag.subdoel),
            selectinload(Verhaal.ronde).selectinload(Ronde.doelenbomen),
        ))
        if v.analyse_status == AnalyseStatus.GEANALYSEERD
    ]
    wijzer = plaatswijzer(all_trees)
    per_tree: dict[int, list[tuple[Verhaal, str]]] = {}
    for verhaal in verhalen:
        in_play = trees_with_context(verhaal, all_trees, wijzer)
        for boom, context in in_play:
            per_tree.setdefault(boom.id, []).append((verhaal, context))
        _drop_suggestions_outside(verhaal, {boom.id for boom, _ in in_play})
    lemmatiser = _lemmatiser()
    stored = 0
    for boom in all_trees:
        group = per_tree.get(boom.id)
        if not group:
            continue
        scorer = tree_scorer(boom, bank, lemmatiser)
        contexts = [context for _, context in group]
        stories = [verhaal for verhaal, _ in group]
        results = scorer.score([(v.lemmas or "").split() for v in stories], keys=[v.id for v in stories], context=contexts)
        subdoelen = {s.code: s for s in boom.subdoelen}
        for verhaal, scores, context in zip(stories, results, contexts):
            for item in scores:
                stored += _store_suggestion(verhaal, subdoelen[item.code], item, item.score, T.suggest_threshold(context))
    db.session.flush()
    return stored


def _drop_suggestions_outside(verhaal: Verhaal, boom_ids: set[int]) -> None:
    """Suggestions in trees that no longer apply to the story (its ronde or place changed) go;
    tags a person confirmed, rejected or added stay."""
    for tag in list(verhaal.tags):
        if tag.methode == TagMethode.AUTO and not (tag.bevestigd or tag.afgewezen) \
                and tag.subdoel.doelenboom_id not in boom_ids:
            verhaal.tags.remove(tag)


def scores_for(verhaal: Verhaal, boom: Doelenboom) -> dict[str, float]:
    """The tagger's probability per subdoel of this tree for one analysed story (stores nothing)."""
    bank = _load_bank()
    scorer = tree_scorer(boom, bank)
    context = _context(verhaal, boom, plaatswijzer(list(db.session.scalars(select(Doelenboom)))))
    row = scorer.score([(verhaal.lemmas or "").split()], keys=[verhaal.id], context=context)[0]
    return {item.code: item.score for item in row}


def _store_suggestion(verhaal: Verhaal, subdoel: Subdoel, item: T.SubdoelScore, score: float, threshold: float) -> int:
    tag = next((t for t in verhaal.tags if t.subdoel_id == subdoel.id), None)
    if tag is not None and (tag.bevestigd or tag.afgewezen or tag.methode != TagMethode.AUTO):
        return 0  # a person decided: never touched
    indicator = next((i for i in subdoel.indicatoren if i.code == item.indicator), None)
    if score < threshold:
        if tag is not None:
            verhaal.tags.remove(tag)  # an old suggestion the tagger no longer makes
        return 0
    if tag is None:
        tag = Tag(subdoel=subdoel, methode=TagMethode.AUTO, bevestigd=False, afgewezen=False)
        verhaal.tags.append(tag)
    tag.score = round(float(score), 4)
    tag.indicator = indicator
    return 1


def stories_for_tree(boom: Doelenboom) -> list[int]:
    """Ids of the analysed, active stories that this tree applies to."""
    all_trees = list(db.session.scalars(select(Doelenboom)))
    wijzer = plaatswijzer(all_trees)
    # Stories with a suggestion in this tree are retagged too: if the tree no longer applies to
    # them (their place became known), the retag removes it.
    met_suggestie = set(db.session.scalars(
        select(Tag.verhaal_id).join(Subdoel, Subdoel.id == Tag.subdoel_id)
        .where(Subdoel.doelenboom_id == boom.id, Tag.methode == TagMethode.AUTO)
    ))
    return [
        v.id for v in db.session.scalars(
            select(Verhaal).where(Verhaal.analyse_status == AnalyseStatus.GEANALYSEERD, Verhaal.status == VerhaalStatus.ACTIEF)
        )
        if v.id in met_suggestie or any(b.id == boom.id for b, _ in trees_with_context(v, all_trees, wijzer))
    ]


def retag_doelenboom(boom: Doelenboom) -> int:
    """After training or a tree change: retag every analysed story that this tree applies to."""
    return tag_verhalen(stories_for_tree(boom))


# --- Learning ----------------------------------------------------------------------------------


def _model_path(boom: Doelenboom) -> Path:
    return _model_dir() / f"tagger-{boom.code}.json"


def tree_examples(boom: Doelenboom) -> T.TreeExamples | None:
    """The stories people judged for this tree, as the tagger learns from them (None: none yet)."""
    verhalen, truth = coded_examples(boom)
    if not verhalen:
        return None
    return T.TreeExamples([(v.lemmas or "").split() for v in verhalen], truth, [v.id for v in verhalen])


def learn_after_decision(boom: Doelenboom) -> list[int]:
    """A person confirmed or rejected a tag of this tree: retag the tree's stories so the next
    suggestions learn from it. Returns the retagged story ids (for the search index)."""
    ids = stories_for_tree(boom)
    tag_verhalen(ids)
    return ids


def boom_subdoel_codes(boom: Doelenboom) -> list[str]:
    return [s.code for s in boom.subdoelen]


def coded_examples(boom: Doelenboom) -> tuple[list[Verhaal], np.ndarray]:
    """Stories a person has judged for this tree, and the truth matrix (stories × subdoelen).

    A story counts as judged for the tree when it has a confirmed or rejected tag (or imported
    label) for one of the tree's subdoelen; its other subdoelen count as 'not about this'.
    """
    codes = boom_subdoel_codes(boom)
    by_subdoel_id = {s.id: s.code for s in boom.subdoelen}
    tags = db.session.scalars(
        select(Tag).where(Tag.subdoel_id.in_(list(by_subdoel_id)), (Tag.bevestigd == True) | (Tag.afgewezen == True))  # noqa: E712
    )
    judged: dict[int, set[str]] = {}
    for tag in tags:
        positives = judged.setdefault(tag.verhaal_id, set())
        if tag.bevestigd:
            positives.add(by_subdoel_id[tag.subdoel_id])
    verhalen = [
        v for v in db.session.scalars(select(Verhaal).where(Verhaal.id.in_(list(judged))).order_by(Verhaal.id))
        if v.analyse_status == AnalyseStatus.GEANALYSEERD and v.status == VerhaalStatus.ACTIEF
    ]
    truth = np.array([[c in judged[v.id] for c in codes] for v in verhalen], dtype=bool).reshape(len(verhalen), len(codes))
    return verhalen, truth


@dataclass
class TrainResultaat:
    boom: str
    voorbeelden: int
    figures: list = field(default_factory=list)
    melding: str | None = None


def train_doelenboom(boom: Doelenboom, folds: int = 5) -> TrainResultaat:
    """Measure how well the tagger learns this tree from the judged stories (cross-validation)
    and record the figures. The tagger itself learns from judged stories at every retag."""
    from verhalenbank.nlp.evaluation import cross_validate, learning_curve

    verhalen, truth = coded_examples(boom)
    codes = boom_subdoel_codes(boom)
    if len(verhalen) < 4 or not truth.any():
        return TrainResultaat(boom.code, len(verhalen), melding="te weinig beoordeelde verhalen om van te leren")
    bank = _load_bank()
    spec, reference = tree_spec(boom), reference_rows(boom, bank)
    lemmatiser = _lemmatiser()
    lemma_lists = [(v.lemmas or "").split() for v in verhalen]
    wijzer = plaatswijzer(list(db.session.scalars(select(Doelenboom))))
    contexts = [_context(v, boom, wijzer) for v in verhalen]
    figures, _, _ = cross_validate(
        lambda examples: T.TreeScorer(spec, lemmatiser, bank.corpus, reference_rows=reference, examples=examples),
        lemma_lists, truth, codes, folds=folds, context=contexts,
    )
    # What more confirmations would bring (the quality page shows it; nlp/leercurve.py).
    curve = learning_curve(
        lambda examples: T.TreeScorer(spec, lemmatiser, bank.corpus, reference_rows=reference, examples=examples),
        lemma_lists, truth, codes, context=contexts,
    )
    now = utcnow()
    gegevens = {
        "leercurve": curve,
        "getraind_op": now.isoformat(),
        "verhalen": len(verhalen),
        "voorbeelden": {c: int(truth[:, j].sum()) for j, c in enumerate(codes)},
        "drempels": {c: round(T.suggest_threshold(T.RONDE), 3) for c in codes},
        "cv": [f.as_dict() for f in figures],
        "folds": folds,
    }
    path = _model_path(boom)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(gegevens, indent=2), encoding="utf-8")
    tmp.replace(path)
    record = db.session.scalar(select(TaggerModel).where(TaggerModel.doelenboom_id == boom.id))
    if record is None:
        record = TaggerModel(doelenboom_id=boom.id)
        db.session.add(record)
    record.pad = str(path)
    record.getraind_op = now
    record.gegevens = gegevens
    record.moet_hertrainen = False
    db.session.flush()
    return TrainResultaat(boom.code, len(verhalen), figures)


# --- Review ------------------------------------------------------------------------------------


def review_queue(boom_id: int | None = None, limit: int = 50) -> list[Tag]:
    """Open suggestions, most informative first: the scores are probabilities, so the tagger is
    least sure (and a decision teaches it most) where the score is closest to one half."""
    query = (
        select(Tag)
        .join(Verhaal, Tag.verhaal_id == Verhaal.id)
        .where(Tag.methode == TagMethode.AUTO, Tag.bevestigd == False, Tag.afgewezen == False)  # noqa: E712
        .where(Verhaal.status == VerhaalStatus.ACTIEF)  # hidden stories are not offered for review
    )
    if boom_id is not None:
        query = query.join(Subdoel, Tag.subdoel_id == Subdoel.id).where(Subdoel.doelenboom_id == boom_id)
    tags = list(db.session.scalars(query))
    def uncertainty(tag: Tag) -> float:
        return abs((tag.score or 0.0) - 0.5)

    tags.sort(key=lambda t: (uncertainty(t), t.verhaal_id, t.id))
    return tags[:limit]


def addable_subdoelen(verhaal: Verhaal) -> list[Subdoel]:
    """Subdoelen of the story's trees that it has no (non-rejected) tag for yet."""
    all_trees = list(db.session.scalars(select(Doelenboom).order_by(Doelenboom.id)))
    taken = {t.subdoel_id for t in verhaal.tags if not t.afgewezen}
    # A person may add a subdoel of any tree the story could be about; the place rule only
    # narrows what the tagger suggests.
    trees = list(verhaal.ronde.doelenbomen) if verhaal.ronde is not None and verhaal.ronde.doelenbomen else all_trees
    return [s for boom in trees for s in boom.subdoelen if s.id not in taken]


def live_agreement(boom: Doelenboom) -> list[dict]:
    """Per subdoel: how often people confirmed the tagger's suggestions so far."""
    result = []
    for subdoel in boom.subdoelen:
        tags = list(db.session.scalars(select(Tag).where(Tag.subdoel_id == subdoel.id, Tag.methode == TagMethode.AUTO)))
        bevestigd = sum(1 for t in tags if t.bevestigd)
        afgewezen = sum(1 for t in tags if t.afgewezen)
        result.append({"code": subdoel.code, "bevestigd": bevestigd, "afgewezen": afgewezen,
                       "open": len(tags) - bevestigd - afgewezen})
    return result


def mark_tree_changed(boom_ids: list[int]) -> list[int]:
    """A doelenboom was imported or edited (and committed): mark its recorded figures for
    retraining (`verhalenbank train` refreshes them; the tagger learns from the judged stories at
    each retag, so it follows the changed tree at once) and return the ids of the stories to
    retag, sorted. Flush only; the caller retags them, in batches if it likes."""
    from sqlalchemy import update

    if boom_ids:
        db.session.execute(
            update(TaggerModel).where(TaggerModel.doelenboom_id.in_(boom_ids)).values(moet_hertrainen=True)
        )
    ids: set[int] = set()
    for boom in db.session.scalars(select(Doelenboom).where(Doelenboom.id.in_(boom_ids))):
        ids.update(stories_for_tree(boom))
    db.session.flush()
    return sorted(ids)


def after_tree_change(boom_ids: list[int]) -> list[int]:
    """After a doelenboom was imported or edited (and committed): retag its stories in one go.
    Returns the ids of the retagged stories (their search index entries need refreshing).
    Entry points use `verhalen.verwerking.verwerk_boomwijziging`, which commits per batch."""
    ids = mark_tree_changed(boom_ids)
    tag_verhalen(ids)
    db.session.flush()
    return ids
