"""Doelenboom operations: import/update from the exchange format, export, and editing."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from verhalenbank.accounts.audit import AuditActie
from verhalenbank.accounts.operations import log_audit
from verhalenbank.core import limits
from verhalenbank.core.errors import NietGevonden, Ongeldig
from verhalenbank.doelenbomen.exchange import (
    DoelenboomSpec,
    dump_doelenboom,
    parse_doelenboom,
    spec_from_model,
)
from verhalenbank.doelenbomen.models import Doelenboom, Indicator, Subdoel
from verhalenbank.extensions import db

if TYPE_CHECKING:
    from verhalenbank.accounts.models import Gebruiker


def find_doelenboom(code: str) -> Doelenboom | None:
    return db.session.scalar(select(Doelenboom).where(Doelenboom.code == code))


def get_doelenboom(code: str) -> Doelenboom:
    boom = find_doelenboom(code)
    if boom is None:
        raise NietGevonden(f"Er is geen doelenboom met code '{code}'.")
    return boom


def list_doelenbomen() -> list[Doelenboom]:
    return list(db.session.scalars(select(Doelenboom).order_by(Doelenboom.titel)))


def read_doelenboom_file(path: Path) -> DoelenboomSpec:
    try:
        limits.check_yaml_grootte(path.stat().st_size, path.name)  # before reading it at all
        raw = path.read_bytes()
    except OSError as exc:
        raise Ongeldig(f"{path.name}: kan het bestand niet lezen ({exc.strerror})") from None
    try:
        tekst = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Ongeldig(f"{path.name}: het bestand is geen UTF-8-tekst") from None
    return parse_doelenboom(tekst, path.name)


def save_doelenboom(spec: DoelenboomSpec, *, door: Gebruiker | None = None) -> tuple[Doelenboom, bool]:
    """Create a tree, or update the tree with the same code in place.

    Subdoelen and indicatoren are matched by code, so tags on a subdoel whose code is unchanged
    survive a re-import; subdoelen that are gone take their tags with them. That loss is audited
    (who, which subdoelen, how many tags, before and after); `door` None: the command line.
    """
    boom = db.session.scalar(select(Doelenboom).where(Doelenboom.code == spec.code))
    nieuw = boom is None
    if not nieuw:
        _log_verwijderde_subdoelen(boom, spec, door)
    if nieuw:
        boom = Doelenboom(code=spec.code, titel=spec.titel, hoofddoel=spec.hoofddoel)
        db.session.add(boom)
    boom.titel, boom.hoofddoel = spec.titel, spec.hoofddoel
    boom.gemeente, boom.thema, boom.bron = spec.gemeente, spec.thema, spec.bron

    bestaande = {s.code: s for s in boom.subdoelen}
    bestaande_indicatoren = {i.code: i for s in boom.subdoelen for i in s.indicatoren}
    nieuwe_subdoelen = []
    for positie, sub_spec in enumerate(spec.subdoelen):
        subdoel = bestaande.pop(sub_spec.code, None) or Subdoel(code=sub_spec.code, titel=sub_spec.titel)
        subdoel.titel, subdoel.beschrijving, subdoel.positie = sub_spec.titel, sub_spec.beschrijving, positie
        indicatoren = []
        for ind_positie, ind_spec in enumerate(sub_spec.indicatoren):
            indicator = bestaande_indicatoren.pop(ind_spec.code, None) or Indicator(code=ind_spec.code, titel=ind_spec.titel)
            indicator.titel, indicator.soort, indicator.positie = ind_spec.titel, ind_spec.soort, ind_positie
            indicatoren.append(indicator)
        subdoel.indicatoren = indicatoren
        nieuwe_subdoelen.append(subdoel)
    boom.subdoelen = nieuwe_subdoelen
    db.session.flush()
    return boom, nieuw


def import_doelenboom_files(paths: list[Path]) -> list[tuple[Doelenboom, bool]]:
    """All files are validated before anything is stored: one bad file stores nothing."""
    specs = [read_doelenboom_file(path) for path in paths]
    codes = [spec.code for spec in specs]
    dubbel = {code for code in codes if codes.count(code) > 1}
    if dubbel:
        raise Ongeldig(f"Dezelfde doelenboom-code staat in meer dan één bestand: {', '.join(sorted(dubbel))}")
    return [save_doelenboom(spec) for spec in specs]


def export_doelenboom(boom: Doelenboom) -> str:
    return dump_doelenboom(spec_from_model(boom))


def count_tags(subdoel_ids: list[int] | None = None, indicator_ids: list[int] | None = None) -> int:
    from verhalenbank.verhalen.models import Tag

    query = select(func.count(Tag.id))
    if subdoel_ids is not None:
        query = query.where(Tag.subdoel_id.in_(subdoel_ids))
    if indicator_ids is not None:
        query = query.where(Tag.indicator_id.in_(indicator_ids))
    return db.session.scalar(query) or 0


def tags_lost_by(boom: Doelenboom, spec: DoelenboomSpec) -> int:
    """How many tags an edit would delete (subdoelen that disappear); asked before saving."""
    blijvend = {s.code for s in spec.subdoelen}
    weg = [s.id for s in boom.subdoelen if s.code not in blijvend and s.id is not None]
    return count_tags(subdoel_ids=weg) if weg else 0


def _log_verwijderde_subdoelen(boom: Doelenboom, spec: DoelenboomSpec, door: Gebruiker | None) -> None:
    voor = [s.code for s in boom.subdoelen]
    weg = sorted(set(voor) - {s.code for s in spec.subdoelen})
    if not weg:
        return
    log_audit(
        door, AuditActie.DOELENBOOM_SUBDOELEN_VERWIJDERD, object_type="doelenboom", object_id=boom.code,
        details={"voor": voor, "na": [s.code for s in spec.subdoelen], "verwijderd": weg,
                 "labels_verwijderd": tags_lost_by(boom, spec)},
    )


def delete_doelenboom(boom: Doelenboom) -> None:
    db.session.delete(boom)
    db.session.flush()
