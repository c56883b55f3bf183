"""Build plain pack input from the shared example stories and trees (no database)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import yaml

from verhalenbank.pakketten.gegevens import (
    DoelenboomInfo,
    IndicatorInfo,
    PakketInvoer,
    PakketVerhaal,
    SubdoelInfo,
    TagInfo,
)

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
VOORBEELDEN = SHARED / "voorbeelden"
BOMEN = {
    "lelystad-2026-voorjaar": "lelystad-sociaal-krachtige-wijken",
    "hoorn-2026-najaar": "hoorn-samenleven",
    "bollenstreek-2026": "bollenstreek-mantelzorg-in-balans",
}


def laad_boom(code: str) -> DoelenboomInfo:
    data = yaml.safe_load((SHARED / "doelenbomen" / f"{code}.yaml").read_text(encoding="utf-8"))
    subdoelen = tuple(
        SubdoelInfo(
            sleutel=s["code"],
            code=s["code"],
            titel=s["titel"],
            doelenboom_code=code,
            beschrijving=s.get("beschrijving"),
            indicatoren=tuple(IndicatorInfo(i["code"], i["code"], i["titel"]) for i in s.get("indicatoren") or []),
        )
        for s in data["subdoelen"]
    )
    return DoelenboomInfo(code, data["titel"], data.get("hoofddoel"), subdoelen)


def laad_verhalen(pad: Path = VOORBEELDEN / "verhalen.jsonl") -> list[dict]:
    return [json.loads(regel) for regel in pad.read_text(encoding="utf-8").splitlines() if regel.strip()]


def pakket_verhaal(rij: dict, **extra) -> PakketVerhaal:
    return PakketVerhaal(
        id=rij["id"],
        titel=rij.get("titel") or rij["id"],
        tekst=rij["tekst"],
        bron=rij.get("bron", "inwoner"),
        wijk=rij.get("wijk"),
        datum=date.fromisoformat(rij["datum"]) if rij.get("datum") else None,
        citeren=bool(rij.get("citeren")),
        tags=tuple(TagInfo(code, bevestigd=True) for code in rij.get("labels") or []),
        **extra,
    )


def invoer_voor_ronde(slug: str, extra_regels: list[dict] | None = None) -> PakketInvoer:
    rijen = [r for r in laad_verhalen() + (extra_regels or []) if r.get("ronde") == slug]
    return PakketInvoer(
        ronde_slug=slug,
        ronde_titel=slug.replace("-", " ").capitalize(),
        doelenbomen=[laad_boom(BOMEN[slug])],
        verhalen=[pakket_verhaal(r) for r in rijen],
        start_datum=date(2026, 4, 1),
        eind_datum=date(2026, 6, 30),
    )
