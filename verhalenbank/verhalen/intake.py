"""One intake for a told story, whichever way it comes in (the public form, the API).

`eerdere_inzending` (the caller, first) → validate → store → queue the analysis job → flush
here; the caller commits, then calls `plan_na_commit`.
A resend with the same `inzend_sleutel` in the same ronde gives the stored story back (with a
fresh withdrawal code); the same key in another ronde is refused, never silently dropped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from verhalenbank.core.errors import Ongeldig
from verhalenbank.extensions import db
from verhalenbank.verhalen import operations
from verhalenbank.verhalen.models import Verhaal
from verhalenbank.verhalen.verwerking import plan_verwerking

logger = logging.getLogger(__name__)

SLEUTEL_ELDERS = "Deze inzend_sleutel is al gebruikt voor een andere ronde."


@dataclass
class Inname:
    verhaal: Verhaal
    intrekcode: str
    nieuw: bool  # False: a resend of a story we already had


def eerdere_inzending(sleutel: str | None, ronde) -> Verhaal | None:
    """The story stored earlier under `sleutel` in `ronde`; refuses a key used in another ronde."""
    if not sleutel:
        return None
    eerder = operations.find_by_inzend_sleutel(sleutel)
    if eerder is not None and eerder.ronde_id != ronde.id:
        raise Ongeldig(SLEUTEL_ELDERS, veld="inzend_sleutel")
    return eerder


def herhaal(verhaal: Verhaal) -> Inname:
    """A resend: the same story, a fresh code (the first answer may never have arrived)."""
    return Inname(verhaal, operations.create_intrekcode(verhaal), nieuw=False)


def neem_verhaal_in(invoer: operations.VerhaalInvoer, *, ronde, organisatie=None) -> Inname:
    """Store a told story with its withdrawal code (flushed, not committed).

    The caller has looked its key up with `eerdere_inzending` first (before its other checks, so
    a resend is answered even when those would refuse it) and found nothing; two requests with
    the same key at the same moment meet the unique index (IntegrityError for the caller).
    """
    code, code_hash = operations.nieuwe_intrekcode()
    verhaal = operations.store_verhaal(invoer, ronde=ronde, organisatie=organisatie, intrekcode_hash=code_hash)
    plan_verwerking([verhaal.id])  # the analysis job commits with the story
    return Inname(verhaal, code, nieuw=True)


def plan_na_commit(ids: list[int]) -> None:
    """After the commit: the analysis job of these stories (queued with them) runs on a worker,
    or here and now when processing is synchronous. Never raises: the story is stored."""
    from verhalenbank.core.jobs import run_now_if_synchronous

    try:
        run_now_if_synchronous()
    except Exception:  # noqa: BLE001 - the story and its job are stored; a worker retries
        logger.exception("Processing stories %s failed after intake", ids)
        db.session.rollback()
