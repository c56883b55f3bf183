"""The story exchange format (INTERFACES §3): JSON Lines import and export."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError

from verhalenbank.core import limits
from verhalenbank.core.errors import Gebruikersfout, Ongeldig
from verhalenbank.extensions import db
from verhalenbank.rondes import operations as rondes_ops
from verhalenbank.verhalen import operations
from verhalenbank.verhalen.models import BRONNEN, Verhaal

IMPORT_VELDEN = {
    "id", "tekst", "titel", "bron", "ronde", "wijk", "datum", "toestemming", "citeren", "labels",
    # Fields our own export adds; accepted so export → import round-trips.
    "tekst_publiek", "tags",
}


@dataclass
class ImportRapport:
    opgeslagen: list[int] = field(default_factory=list)
    overgeslagen: int = 0
    geweigerd: list[tuple[int, str]] = field(default_factory=list)
    nieuwe_rondes: list[str] = field(default_factory=list)

    @property
    def samenvatting(self) -> str:
        return (
            f"{len(self.opgeslagen)} opgeslagen, {len(self.geweigerd)} geweigerd, "
            f"{self.overgeslagen} overgeslagen (al aanwezig)"
        )


def _parse_date(value) -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise Ongeldig(f"ongeldige datum {value!r} (verwacht JJJJ-MM-DD)", veld="datum")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Ongeldig(f"ongeldige datum '{value}' (verwacht JJJJ-MM-DD)", veld="datum") from None


def _parse_bool(data: dict, key: str) -> bool:
    value = data.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise Ongeldig(f"'{key}' moet true of false zijn, niet {value!r}", veld=key)
    return value


def _optional_str(data: dict, key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise Ongeldig(f"'{key}' moet een tekst zijn", veld=key)
    value = str(value)
    limits.check_lengte(value, limits.VERHAAL_VELDEN[key], key)
    return value


def decode_regel(regel: bytes | str, nummer: int) -> str:
    """A line of the file as text; invalid UTF-8 refuses that line only."""
    if isinstance(regel, str):
        return regel
    try:
        tekst = regel.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Ongeldig(f"geen geldige UTF-8-tekst (byte {exc.start + 1})") from None
    return tekst.removeprefix("\ufeff") if nummer == 1 else tekst


def parse_regel(regel: str) -> tuple[operations.VerhaalInvoer, str | None]:
    """One JSONL line → (invoer, ronde slug). Raises Ongeldig with a short reason.

    Size, nesting depth, huge numbers and characters no database stores are refused before or
    while parsing (core/limits.py); every field is checked against its column length."""
    data = limits.load_json(regel)
    if not isinstance(data, dict):
        raise Ongeldig("een regel moet één JSON-object zijn")
    onbekend = sorted(set(data) - IMPORT_VELDEN)
    if onbekend:
        raise Ongeldig(f"onbekend veld: {', '.join(onbekend)}")
    tekst = data.get("tekst")
    if not isinstance(tekst, str) or not tekst.strip():
        raise Ongeldig("lege tekst", veld="tekst")
    bron = data.get("bron") or "inwoner"
    if bron not in BRONNEN:
        raise Ongeldig(f"onbekende bron \"{bron}\" (kies uit {', '.join(BRONNEN)})", veld="bron")
    labels = data.get("labels") or []
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise Ongeldig("'labels' moet een lijst met subdoel-codes zijn", veld="labels")
    if len(labels) > limits.MAX_LABELS:
        raise Ongeldig(f"te veel labels (maximaal {limits.MAX_LABELS})", veld="labels")
    for label in labels:
        limits.check_lengte(label, limits.VERHAAL_VELDEN["labels[]"], "labels")
    extern_id = _optional_str(data, "id")
    invoer = operations.VerhaalInvoer(
        tekst=tekst,
        titel=_optional_str(data, "titel"),
        bron=bron,
        wijk=_optional_str(data, "wijk"),
        datum=_parse_date(data.get("datum")),
        toestemming=_parse_bool(data, "toestemming"),
        citeren=_parse_bool(data, "citeren"),
        toestemming_versie="import" if data.get("toestemming") else None,
        extern_id=extern_id,
        # Lines without an id still must not be stored twice when an import is re-run.
        inzend_sleutel=None if extern_id else "import:" + hashlib.sha256(regel.strip().encode()).hexdigest(),
        labels=list(dict.fromkeys(labels)),
    )
    operations.validate_invoer(invoer)
    return invoer, _optional_str(data, "ronde")


def import_jsonl(
    regels: Iterable[str | bytes],
    *,
    ronde_slug: str | None = None,
    doelenbomen: dict[str | None, list[str]] | None = None,
    na_batch: Callable[[list[int]], None] | None = None,
    batch_grootte: int = 100,
    voortgang: Callable[[int], None] | None = None,
) -> ImportRapport:
    """Import stories line by line; a bad line is reported and skipped, the rest stored.

    Lines may be bytes (read from a file in binary mode): each is decoded on its own, so invalid
    UTF-8 refuses that line and no other. Each line is stored in a savepoint, so a refused line
    leaves nothing behind, not even a database refusal the checks did not foresee. After every
    `batch_grootte` stored lines `na_batch(ids)` is called: the entry point commits there and
    hands the batch to analysis, so a killed import keeps what it had committed and a re-run
    skips those ids.

    `doelenbomen`: the tree codes for rondes that do not exist yet, per ronde slug, or under
    the key None for every new ronde. A line whose ronde does not exist and has no tree here
    is refused.
    """
    doelenbomen = doelenbomen or {}
    rapport = ImportRapport()
    batch: list[int] = []
    # Lines are read a batch at a time, so which of them are stored already is asked in one
    # query per batch instead of one per line.
    for deel in _in_delen(enumerate(regels, start=1), batch_grootte):
        # Rondes that exist (slug -> Ronde), looked up once per batch: a ronde someone removes
        # during a long import is looked up again, as each line did before.
        rondes: dict = {}
        gelezen: list[tuple[int, operations.VerhaalInvoer, str | None]] = []
        for nummer, regel in deel:
            if voortgang:
                voortgang(nummer)
            if not regel.strip():
                continue
            try:
                invoer, slug = parse_regel(decode_regel(regel, nummer))
            except Gebruikersfout as exc:
                rapport.geweigerd.append((nummer, exc.bericht))
                continue
            gelezen.append((nummer, invoer, ronde_slug or slug))
        al_opgeslagen = _stored_keys([invoer for _, invoer, _ in gelezen])
        for nummer, invoer, slug in gelezen:
            if _key_of(invoer) in al_opgeslagen:  # also a line that came earlier in this file
                rapport.overgeslagen += 1
                continue
            try:
                with db.session.begin_nested():
                    ronde, nieuw = rondes.get(slug), False
                    if slug and ronde is None:
                        ronde, nieuw = rondes_ops.ensure_ronde_for_import(
                            slug, doelenbomen.get(slug) or doelenbomen.get(None)
                        )
                    verhaal = operations.store_verhaal(invoer, ronde=ronde)
            except Gebruikersfout as exc:
                rapport.geweigerd.append((nummer, exc.bericht))
                continue
            except (DataError, IntegrityError) as exc:
                # The savepoint is rolled back; the other lines go on.
                rapport.geweigerd.append((nummer, f"de database weigerde deze regel ({type(exc.orig).__name__})"))
                continue
            if slug:
                # Only once the line is stored: a refused line's new ronde is rolled back.
                rondes[slug] = ronde
            if nieuw:
                rapport.nieuwe_rondes.append(slug)
            al_opgeslagen.add(_key_of(invoer))
            rapport.opgeslagen.append(verhaal.id)
            batch.append(verhaal.id)
            if na_batch and len(batch) >= batch_grootte:
                na_batch(batch)
                batch = []
    if na_batch and batch:
        na_batch(batch)
    rapport.geweigerd.sort(key=lambda geweigerd: geweigerd[0])  # in file order
    return rapport


def _in_delen(items: Iterable, grootte: int) -> Iterator[list]:
    deel: list = []
    for item in items:
        deel.append(item)
        if len(deel) >= grootte:
            yield deel
            deel = []
    if deel:
        yield deel


def _key_of(invoer: operations.VerhaalInvoer) -> tuple[str, str]:
    """What makes a line the same story on a re-run: its id, or else a key of its content."""
    return ("id", invoer.extern_id) if invoer.extern_id else ("sleutel", invoer.inzend_sleutel or "")


def _stored_keys(invoeren: list[operations.VerhaalInvoer]) -> set[tuple[str, str]]:
    """The keys (`_key_of`) of these lines that the database holds already."""
    ids = [i.extern_id for i in invoeren if i.extern_id]
    sleutels = [i.inzend_sleutel for i in invoeren if not i.extern_id and i.inzend_sleutel]
    found: set[tuple[str, str]] = set()
    if ids:
        found |= {("id", v) for v in db.session.scalars(select(Verhaal.extern_id).where(Verhaal.extern_id.in_(ids)))}
    if sleutels:
        found |= {("sleutel", v) for v in db.session.scalars(
            select(Verhaal.inzend_sleutel).where(Verhaal.inzend_sleutel.in_(sleutels)))}
    return found


def verhaal_to_dict(verhaal: Verhaal) -> dict:
    """The export record: the import fields plus tekst_publiek and the tags a user would see."""
    record = {
        "id": verhaal.extern_id or f"verhaal-{verhaal.id}",
        "tekst": verhaal.tekst,
        "titel": verhaal.titel,
        "bron": verhaal.bron,
        "ronde": verhaal.ronde.slug if verhaal.ronde else None,
        "wijk": verhaal.wijk,
        "datum": verhaal.datum.isoformat() if verhaal.datum else None,
        "toestemming": verhaal.toestemming,
        "citeren": verhaal.citeren,
        "labels": sorted({t.subdoel.code for t in verhaal.tags if t.bevestigd}),
        "tekst_publiek": verhaal.tekst_publiek,
        "tags": [operations.tag_gegevens(tag) for tag in operations.visible_tags(verhaal)],
    }
    return {key: value for key, value in record.items() if value is not None or key == "tekst_publiek"}


def export_jsonl(verhalen: Iterable[Verhaal]) -> Iterator[str]:
    for verhaal in verhalen:
        yield json.dumps(verhaal_to_dict(verhaal), ensure_ascii=False) + "\n"
