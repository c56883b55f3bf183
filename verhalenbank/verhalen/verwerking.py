"""What happens to stories after they are stored and committed: analysis, then indexing.

Entry points call `verwerk_verhalen(ids)` after their commit. Each step records its own
failure on the story (analysis state 'mislukt' with the reason; index drift is repaired by
`verhalenbank reindex`) and never raises, so a stored story is never lost or blocked.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def verwerk_verhalen(verhaal_ids: list[int]) -> None:
    """Analyse, tag and index freshly stored stories. Commits its own work (it is a job step)."""
    if not verhaal_ids:
        return
    _analyse(verhaal_ids)
    # Search index last, after analysis (it indexes tekst_publiek and tags); never raises.
    from verhalenbank.zoeken.operations import index_after_commit

    index_after_commit(verhaal_ids)


def plan_verwerking(verhaal_ids: list[int]) -> None:
    """Web entry points, after their commit: process on the background worker of this process
    (the response doesn't wait), or right away when the app is configured for direct processing
    (VERHALENBANK_VERWERKING=direct; the unit tests). Never raises."""
    if not verhaal_ids:
        return
    from flask import current_app

    app = current_app._get_current_object()
    if not app.config["VERHALENBANK"].achtergrond_verwerking:
        verwerk_verhalen(verhaal_ids)
        return
    from verhalenbank.verhalen.achtergrond import Achtergrondverwerker

    verwerker = app.extensions.setdefault("verhalenbank.verwerker", Achtergrondverwerker(app))
    verwerker.plan(verhaal_ids)


def _analyse(verhaal_ids: list[int]) -> None:
    """NLP step: public text, lemmas, keywords, suggested tags. Failures are stored per story."""
    from verhalenbank.extensions import db

    try:
        from verhalenbank.nlp.operations import analyse_verhalen

        analyse_verhalen(verhaal_ids)
        db.session.commit()
    except Exception as exc:  # noqa: BLE001 - never lose or block a stored story
        db.session.rollback()
        logger.exception("analysis of %d stories failed", len(verhaal_ids))
        try:
            from verhalenbank.nlp.operations import mark_batch_failed

            mark_batch_failed(verhaal_ids, exc)
            db.session.commit()
        except Exception:  # noqa: BLE001
            db.session.rollback()
            logger.exception("could not record the analysis failure")


def verwijder_verwerking(verhaal_ids: list[int]) -> None:
    """After erasure is committed: remove from the search index; mark tagger models stale."""
    if not verhaal_ids:
        return
    from verhalenbank.zoeken.operations import remove_after_commit

    remove_after_commit(verhaal_ids)


def verwerk_boomwijziging(boom_ids: list[int]) -> None:
    """After a doelenboom import or edit is committed: retag its stories, refresh their index
    entries. Commits its own work; never raises (the tree change itself is already stored)."""
    if not boom_ids:
        return
    from verhalenbank.extensions import db

    try:
        from verhalenbank.nlp.operations import after_tree_change

        ids = after_tree_change(boom_ids)
        db.session.commit()
    except Exception:  # noqa: BLE001 - `verhalenbank train`/`analyse --opnieuw` repair it later
        db.session.rollback()
        logger.exception("retagging after a change of doelenboom %s failed", boom_ids)
        return
    from verhalenbank.zoeken.operations import index_after_commit

    index_after_commit(ids)
