"""What happens to stories after they are stored and committed: analysis, then indexing.

Web entry points queue the work as jobs (`plan_verwerking`, before their commit) that a
`verhalenbank worker` runs in batches; CLI commands call `verwerk_verhalen(ids)` after their
commit. Each step records its own failure (a failed job keeps its reason; the story's analysis
state becomes 'mislukt' after the last attempt; index drift is repaired by `verhalenbank
reindex`), so a stored story is never lost or blocked.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

logger = logging.getLogger(__name__)


def verwerk_verhalen(verhaal_ids: list[int]) -> None:
    """Analyse, tag and index freshly stored stories. Commits its own work (it is a job step)."""
    if not verhaal_ids:
        return
    _analyse(verhaal_ids)
    # Search index last, after analysis (it indexes tekst_publiek and tags); never raises.
    from verhalenbank.zoeken.operations import index_after_commit

    index_after_commit(verhaal_ids)


def verwerk_importbatch(verhaal_ids: list[int]) -> None:
    """One batch of a file import that this process analyses: analysed and tagged (committed),
    and its index write queued as a job (committed). The import runs the queue's index jobs a
    few batches at a time, one write for all of them (`verhalen import`). The index job commits
    with the analysis, so a killed import never leaves an analysed story without one."""
    if not verhaal_ids:
        return
    _analyse(verhaal_ids, index_als_taak=True)


# Job kinds (core/jobs.py; registered in verhalenbank/app.py).
ANALYSEREN = "verhalen.analyseren"
INDEXEREN = "zoeken.indexeren"
HERTAGGEN = "doelenbomen.hertaggen"
INDEX_OPSCHONEN = "zoeken.opschonen"
LEREN = "nlp.leren"


def plan_verwerking(verhaal_ids: list[int]) -> None:
    """Queue analysis (then indexing) of stored stories as a job, in the session: the jobs
    commit together with the stories (the commit writes them). After the commit, entry points
    call `core.jobs.run_now_if_synchronous()`; otherwise a worker takes it."""
    from verhalenbank.core.jobs import plan_job

    for verhaal_id in verhaal_ids:
        plan_job(ANALYSEREN, {"verhaal_id": int(verhaal_id)}, flush=False)


def plan_wachtende_verhalen() -> int:
    """Stories waiting for analysis without a job for it (stored before the job queue existed,
    or by a command that left them): queue them. Flush only; returns how many."""
    from sqlalchemy import select

    from verhalenbank.core.jobs import Job, JobStatus
    from verhalenbank.extensions import db
    from verhalenbank.verhalen.models import AnalyseStatus, Verhaal

    ids = set(db.session.scalars(select(Verhaal.id).where(Verhaal.analyse_status == AnalyseStatus.TE_ANALYSEREN)))
    if not ids:
        return 0
    open_jobs = db.session.scalars(
        select(Job.payload).where(Job.kind == ANALYSEREN, Job.status.in_([JobStatus.WAITING.value, JobStatus.RUNNING.value]))
    )
    ids -= {payload.get("verhaal_id") for payload in open_jobs}
    plan_verwerking(sorted(ids))
    return len(ids)


def lees_te_analyseren(payloads: list[dict]) -> list[tuple[int, str, str | None]]:
    """The analysis job's prepare step: the texts of the batch (reads only)."""
    from verhalenbank.nlp.operations import lees_teksten

    return lees_teksten(sorted({int(payload["verhaal_id"]) for payload in payloads}))


def analyseer_job(payloads: list[dict], teksten: list[tuple[int, str, str | None]] | None = None) -> None:
    """Job handler: analyse a batch of stories in one `nlp.pipe` (flush only; the job runner
    commits the analysis together with the jobs' 'done'), then queue one index write for the
    batch. spaCy runs first, on the texts the prepare step read, before this touches the
    database, so no transaction is open meanwhile. Stories already analysed are skipped, so a
    batch taken again after a crash does nothing twice."""
    from verhalenbank.core.jobs import plan_job
    from verhalenbank.extensions import db
    from verhalenbank.nlp.operations import analyse_verhalen, bereken_analyses

    vooraf = bereken_analyses(teksten) if teksten else None
    ids = sorted({int(payload["verhaal_id"]) for payload in payloads})
    with plan_hertaggen_bank_na_groei():
        analyse_verhalen(ids, vooraf=vooraf)
        db.session.flush()
    plan_job(INDEXEREN, {"verhaal_ids": ids})


@contextmanager
def plan_hertaggen_bank_na_groei() -> Iterator[None]:
    """Around analysing stories: when the bank grows past a checkpoint meanwhile, queue tagging
    its first stories again (nlp.operations.RETAG_UP_TO), unless that job already waits. Flush only."""
    from sqlalchemy import select

    from verhalenbank.core.jobs import Job, JobStatus, plan_job
    from verhalenbank.extensions import db
    from verhalenbank.nlp.operations import RETAG_UP_TO, grew_past_checkpoint, small_bank_size

    voor = small_bank_size()
    yield
    if voor > RETAG_UP_TO or not grew_past_checkpoint(voor, small_bank_size()):
        return
    wachtend = db.session.scalars(
        select(Job.payload).where(Job.kind == HERTAGGEN, Job.status == JobStatus.WAITING.value)
    )
    if not any(payload.get("bank") for payload in wachtend):
        plan_job(HERTAGGEN, {"bank": True})


def indexeer_job(payloads: list[dict]) -> None:
    """Job handler: one search-index write for the stories of all payloads. Idempotent (an
    entry is replaced), so a batch taken again after a crash does no harm."""
    from verhalenbank.zoeken.operations import index_verhalen

    ids = sorted({int(i) for payload in payloads for i in payload["verhaal_ids"]})
    index_verhalen(ids)


def analyse_mislukt(payloads: list[dict], reden: str) -> None:
    """After a failed attempt: the stories show that their analysis failed, and why (an
    attempt that succeeds later puts them right)."""
    from verhalenbank.nlp.operations import mark_batch_failed

    mark_batch_failed([int(payload["verhaal_id"]) for payload in payloads], Analysefout(reden))


def plan_boomwijziging(boom_ids: list[int]) -> None:
    """Queue retagging stories after a doelenboom import or edit (flush only; commits with the
    tree change)."""
    from verhalenbank.core.jobs import plan_job

    if boom_ids:
        plan_job(HERTAGGEN, {"boom_ids": sorted(int(i) for i in boom_ids)})


def hertag_job(payloads: list[dict]) -> None:
    """Job handler: retag the stories of the changed trees with `verwerk_boomwijziging`, and,
    after the bank grew past a checkpoint (`plan_hertaggen_bank_na_groei`), its first stories.
    Both commit every RETAG_BATCH stories (and refresh index entries), so no writer waits longer
    than one batch. Retagging again gives the same tags, so a job taken again after a crash
    does no harm."""
    boom_ids = sorted({int(i) for payload in payloads for i in payload.get("boom_ids", [])})
    if boom_ids:
        verwerk_boomwijziging(boom_ids)
    if any(payload.get("bank") for payload in payloads):
        from verhalenbank.extensions import db
        from verhalenbank.nlp.operations import forget_bank, stories_tagged_on_a_small_bank

        ids = stories_tagged_on_a_small_bank()
        db.session.rollback()  # hold no transaction between the batches
        # On the bank as it is now: a bank this process kept may be up to 5% behind (the
        # kept-bank rule), which made an import's final tags depend on its timing.
        forget_bank()
        hertag_verhalen(ids, "after the bank grew", alleen_veranderd=True)


def plan_leren(boom_ids: list[int]) -> None:
    """Queue learning from a review decision for these trees (flush only; commits with the
    decision). A burst of decisions in one tree becomes one retag in the worker's batch."""
    from verhalenbank.core.jobs import plan_job

    if boom_ids:
        plan_job(LEREN, {"boom_ids": sorted({int(i) for i in boom_ids})})


def leer_job(payloads: list[dict]) -> None:
    """Job handler: the trees' suggestions learn from the decisions (`verwerk_beoordeling`)."""
    verwerk_beoordeling(sorted({int(i) for payload in payloads for i in payload["boom_ids"]}))


def index_opschonen_job(payloads: list[dict]) -> None:
    """Job handler: rewrite the index files that still hold erased stories' words, and forget the
    bank this worker keeps for tagging (it may hold them too)."""
    from verhalenbank.nlp.operations import forget_bank

    forget_bank()
    index_opschonen()


class Analysefout(Exception):
    """The reason a whole analysis job failed, as the story shows it."""


def _analyse(verhaal_ids: list[int], *, index_als_taak: bool = False) -> None:
    """NLP step: public text, lemmas, keywords, suggested tags. Failures are stored per story.
    `index_als_taak`: queue the stories' index write as a job, committed with the analysis (or
    with the failure, as the index is written either way)."""
    from verhalenbank.core.jobs import plan_job
    from verhalenbank.extensions import db

    def index_taak() -> None:
        if index_als_taak:
            plan_job(INDEXEREN, {"verhaal_ids": sorted(int(i) for i in verhaal_ids)})

    try:
        from verhalenbank.nlp.operations import analyse_verhalen

        with plan_hertaggen_bank_na_groei():
            analyse_verhalen(verhaal_ids)
        index_taak()
        db.session.commit()
    except Exception as exc:  # noqa: BLE001 - never lose or block a stored story
        db.session.rollback()
        logger.exception("analysis of %d stories failed", len(verhaal_ids))
        try:
            from verhalenbank.nlp.operations import mark_batch_failed

            mark_batch_failed(verhaal_ids, exc)
            index_taak()
            db.session.commit()
        except Exception:  # noqa: BLE001
            db.session.rollback()
            logger.exception("could not record the analysis failure")


def verwijder_verwerking(verhaal_ids: list[int]) -> None:
    """After erasure is committed: remove from the search index at once (results), then rewrite
    the index files that still hold the stories' words (on the background worker when served:
    seconds on a big index). Never raises; `opschonen` purges whatever is left."""
    if not verhaal_ids:
        return
    from verhalenbank.zoeken.operations import remove_after_commit

    remove_after_commit(verhaal_ids)
    from flask import has_request_context

    if has_request_context():  # a served request answers first; a worker rewrites the files
        from verhalenbank.core.jobs import plan_job, run_now_if_synchronous
        from verhalenbank.extensions import db

        plan_job(INDEX_OPSCHONEN, {})
        db.session.commit()
        run_now_if_synchronous()
    else:
        index_opschonen()  # a command: it is the job


def index_opschonen() -> int:
    """Rewrite the search-index segments that hold erased stories (Whoosh only marks a delete),
    so their words leave the disk. Returns segments rewritten; never raises."""
    try:
        from verhalenbank.verhalen.operations import purge_erased

        return purge_erased()
    except Exception:  # noqa: BLE001 - the erasure is committed; `opschonen` retries
        logger.exception("purging erased stories from the search index files failed")
        return 0


# Stories retagged per transaction after a tree change. On SQLite a transaction that writes holds
# the database's write lock until it commits, so this bounds how long the public form, the API
# and every other writer can wait on a retag (issue 16: a 5,000-subdoel re-import held it for
# minutes). Scoring one batch of the demo trees takes well under a second.
RETAG_BATCH = 50
# Neither SQLite's busy handler nor the write queue (core/sqlite_rij.py) is fair: a writer that
# was waiting gets the lock when the retag lets go of it for a moment, not when it only commits.
PAUZE_TUSSEN_BATCHES = 0.02


def verwerk_boomwijziging(boom_ids: list[int]) -> int:
    """After a doelenboom import or edit is committed: retag its stories and refresh their index
    entries, RETAG_BATCH stories per transaction, committing each batch, so no writer ever waits
    longer than one batch. Returns how many stories were retagged. Never raises (the tree
    change itself is already stored); a batch that fails is logged and skipped, and
    `verhalenbank analyse --opnieuw` or `verhalenbank train` repair it later."""
    if not boom_ids:
        return 0
    from verhalenbank.extensions import db

    db.session.rollback()  # hold no transaction (on SQLite: the write lock) while the model loads
    try:
        from flask import current_app

        from verhalenbank.nlp.pipeline import get_pipeline

        # Seconds in a cold process: the first batch must not hold the lock for it.
        get_pipeline(getattr(current_app.config["VERHALENBANK"], "spacy_model", None))
    except Exception:  # noqa: BLE001 - the batches below record what is wrong
        logger.exception("loading the spaCy model before retagging failed")
    try:
        from verhalenbank.nlp.operations import mark_tree_changed

        ids = mark_tree_changed(boom_ids)
        db.session.commit()
    except Exception:  # noqa: BLE001
        db.session.rollback()
        logger.exception("retagging after a change of doelenboom %s failed", boom_ids)
        return 0
    return hertag_verhalen(ids, f"after a change of doelenboom {boom_ids}")


def _tags_of(verhaal_ids: list[int]) -> dict[int, set[tuple]]:
    """What the search index holds of these stories' tags, per story (no scores:
    zoeken.operations.build_zoekdocument)."""
    from sqlalchemy import select

    from verhalenbank.extensions import db
    from verhalenbank.verhalen.models import Tag

    tags: dict[int, set[tuple]] = {i: set() for i in verhaal_ids}
    rows = db.session.execute(
        select(Tag.verhaal_id, Tag.subdoel_id, Tag.indicator_id, Tag.bevestigd, Tag.afgewezen)
        .where(Tag.verhaal_id.in_(verhaal_ids))
    )
    for verhaal_id, *rest in rows:
        tags[verhaal_id].add(tuple(rest))
    return tags


def hertag_verhalen(ids: list[int], waarom: str, *, alleen_veranderd: bool = False) -> int:
    """Retag these stories, RETAG_BATCH per transaction, each batch committed, and refresh their
    index entries: all of them, batch by batch (a tree change may have renamed the codes the
    index holds), or with `alleen_veranderd` only those whose tags changed, in one index write at
    the end. Never raises: a batch that fails is logged (with `waarom`) and skipped. Returns how
    many stories were retagged."""
    from verhalenbank.extensions import db
    from verhalenbank.nlp.operations import tag_verhalen
    from verhalenbank.zoeken.operations import index_after_commit

    klaar = 0
    veranderd: list[int] = []
    for start in range(0, len(ids), RETAG_BATCH):
        deel = ids[start:start + RETAG_BATCH]
        try:
            voor = _tags_of(deel) if alleen_veranderd else {}
            tag_verhalen(deel)
            na = _tags_of(deel) if alleen_veranderd else {}
            db.session.commit()
        except Exception:  # noqa: BLE001 - the next batch still gets its turn
            db.session.rollback()
            logger.exception("retagging stories %s..%s %s failed", deel[0], deel[-1], waarom)
            continue
        if alleen_veranderd:
            veranderd += [i for i in deel if voor[i] != na[i]]
        else:
            index_after_commit(deel)
            db.session.rollback()  # end the read transaction indexing began: the lock is free now
        klaar += len(deel)
        if start + RETAG_BATCH < len(ids):
            time.sleep(PAUZE_TUSSEN_BATCHES)  # let a waiting writer (the public form) in first
    if veranderd:
        index_after_commit(veranderd)  # one index write: each costs most of a second on a big index
        db.session.rollback()
    return klaar


def verwerk_beoordeling(boom_ids: list[int]) -> None:
    """After a person confirmed, rejected or added a tag (committed): the tree's suggestions learn
    from it at once (retag its stories, refresh their index entries). Commits its own work; never
    raises (the decision itself is already stored)."""
    if not boom_ids:
        return
    from verhalenbank.extensions import db

    try:
        from verhalenbank.doelenbomen.models import Doelenboom
        from verhalenbank.nlp.operations import learn_after_decision

        ids: set[int] = set()
        for boom_id in sorted(set(boom_ids)):
            boom = db.session.get(Doelenboom, boom_id)
            if boom is not None:
                ids.update(learn_after_decision(boom))
        db.session.commit()
    except Exception:  # noqa: BLE001 - the next retag (`analyse --opnieuw`, `train`) catches up
        db.session.rollback()
        logger.exception("learning from a decision in doelenboom %s failed", boom_ids)
        return
    from verhalenbank.zoeken.operations import index_after_commit

    index_after_commit(sorted(ids))
