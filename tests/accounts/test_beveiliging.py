"""The hostile stories of ../shared/voorbeelden/slechte-invoer/ are inert on every page a
beheerder can open them on (list, story, original text, search snippet, logbook, AVG export)."""

from __future__ import annotations

from flask import g
from sqlalchemy import select

from tests.support.paths import VOORBEELDEN
from verhalenbank.cli import main
from verhalenbank.extensions import db
from verhalenbank.verhalen.models import Verhaal

AANVALLEN = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")


def _inert(pagina: str) -> None:
    for aanval in AANVALLEN:
        assert aanval not in pagina
    assert "onerror=alert(1)>" not in pagina


def test_script_injection_is_inert_everywhere(app, client, login, runner, voorbeeld_rondes):
    result = runner.invoke(main, ["verhalen", "import", str(VOORBEELDEN / "slechte-invoer" / "script-injectie.jsonl")])
    assert result.exit_code == 0, result.output
    verhalen = db.session.scalars(select(Verhaal).order_by(Verhaal.id)).all()
    assert len(verhalen) == 2
    login("beheerder")

    def get(url: str) -> str:
        g.pop("_login_user", None)
        response = client.get(url)
        assert response.status_code == 200, url
        return response.get_data(as_text=True)

    lijst = get("/verhalen/")
    _inert(lijst)
    assert "&lt;script&gt;" in lijst  # the title is shown, escaped
    zoek = get("/zoeken/?q=buurtkamer")
    _inert(zoek)
    assert "buurtkamer" in zoek.lower()
    for verhaal in verhalen:
        _inert(get(f"/verhalen/{verhaal.id}"))
        g.pop("_login_user", None)
        origineel = client.post(f"/verhalen/{verhaal.id}/origineel", data={"reden": AANVALLEN[1]}).get_data(as_text=True)
        _inert(origineel)
        assert "&lt;" in origineel
        export = client.get(f"/avg/verhalen/{verhaal.id}.json")
        # A download, never rendered as a page: JSON, attachment, and the browser may not sniff it.
        assert export.mimetype == "application/json" and "attachment" in export.headers["Content-Disposition"]
        assert export.headers["X-Content-Type-Options"] == "nosniff"
    logboek = get("/logboek")
    _inert(logboek)
    assert "&lt;img src=x onerror=alert(1)&gt;" in logboek  # the reason given, escaped
