"""The small corpus every search test uses (imported by conftest and the tests)."""

from __future__ import annotations

from datetime import date

from verhalenbank.zoeken.backend import ZoekDocument

LW = "lelystad-sociaal-krachtige-wijken"
HS = "hoorn-samenleven"


def _doc(id, titel, tekst, **fields) -> ZoekDocument:
    fields.setdefault("status", "actief")
    return ZoekDocument(id=id, titel=titel, tekst_publiek=tekst, **fields)


def make_corpus() -> list[ZoekDocument]:
    return [
        _doc(1, "Niemand groet", "Ik ken nog steeds niemand in mijn portiek. Bij de nieuwe buren heb ik een kaartje "
             "in de bus gedaan, er kwam nooit iets terug.",
             doelenbomen=[LW], subdoelen_bevestigd=[f"{LW}:LW1"], indicatoren_voorgesteld=[f"{LW}:LW1.1"],
             ronde="lelystad-2026-voorjaar", wijk="Atolwijk", bron="inwoner", aanbieder="welzijn-lelystad",
             gevoel=1, datum=date(2026, 4, 2)),
        _doc(2, "Koffie in de buurtkamer", "Elke dinsdag drink ik koffie met de buren in de buurtkamer. "
             "Zo leer je elkaar kennen.",
             doelenbomen=[LW], subdoelen_bevestigd=[f"{LW}:LW1"], indicatoren_bevestigd=[f"{LW}:LW1.2"],
             ronde="lelystad-2026-voorjaar", wijk="Atolwijk", bron="inwoner", aanbieder="welzijn-lelystad",
             gevoel=5, datum=date(2026, 5, 14)),
        _doc(3, "De moestuin", "Met vier buurvrouwen beginnen we een moestuin achter de flat. "
             "Iedereen neemt zaadjes mee.",
             doelenbomen=[LW], subdoelen_voorgesteld=[f"{LW}:LW2"], indicatoren_voorgesteld=[f"{LW}:LW2.1"],
             ronde="lelystad-2026-voorjaar", wijk="Waterwijk", bron="vrijwilliger", aanbieder="groen-doen",
             gevoel=4, datum=date(2026, 6, 1)),
        _doc(4, "Repair café", "In het repair café repareren buren samen fietsen en lampen. "
             "Daarna drinken we koffie.",
             doelenbomen=[HS], subdoelen_bevestigd=[f"{HS}:HS1"], subdoelen_voorgesteld=[f"{LW}:LW1"],
             ronde="hoorn-2026-najaar", wijk="Grote Waal", bron="inwoner", aanbieder="welzijn-hoorn",
             gevoel=4, datum=date(2026, 10, 3)),
        _doc(5, "Mantelzorg valt zwaar", "Als mantelzorger voor mijn man ben ik moe. De mantelzorgconsulent "
             "belde terug en regelde respijtzorg.",
             doelenbomen=[HS], subdoelen_voorgesteld=[f"{HS}:HS2"],
             ronde="hoorn-2026-najaar", wijk="Zwaag", bron="mantelzorger", aanbieder="welzijn-hoorn",
             gevoel=2, datum=date(2026, 11, 20)),
        _doc(6, "Verborgen verhaal", "Dit verhaal over buren is verborgen door een beheerder.",
             doelenbomen=[LW], subdoelen_bevestigd=[f"{LW}:LW1"], ronde="lelystad-2026-voorjaar",
             wijk="Atolwijk", bron="inwoner", status="verborgen", datum=date(2026, 4, 20)),
        _doc(7, "Op school", "De jongerenwerker <script>alert(1)</script> & de school organiseerden een "
             "voetbaltoernooi in de wijk.",
             doelenbomen=[HS], subdoelen_voorgesteld=[f"{HS}:HS3"], ronde="hoorn-2026-najaar",
             wijk="Zwaag", bron="professional", datum=None),
    ]
