"""Waarderingssessies on SQLite and PostgreSQL: prepare, join, choose, close; what they feed."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import select

from tests.pakketten.test_pakket_db import _pdf_tekst, voorbeeld_rondes  # noqa: F401  (fixture)
from verhalenbank.cli import main
from verhalenbank.core.errors import Ongeldig
from verhalenbank.extensions import db
from verhalenbank.pakketten.qdpx import valideer_project_xml

RONDE = "bollenstreek-2026"


def _ronde(slug=RONDE):
    from verhalenbank.rondes.models import Ronde

    return db.session.scalar(select(Ronde).where(Ronde.slug == slug))


def _gesloten_sessie(client, login):
    """Prepared in the browser, three participants choose, the group's choice recorded, closed."""
    from verhalenbank.waarderen import operations
    from verhalenbank.waarderen.models import Waarderingssessie

    ronde = _ronde()
    login("facilitator")
    pagina = client.get(f"/waarderen/nieuw?ronde={RONDE}").get_data(as_text=True)
    assert operations.STANDAARD_VRAAG in pagina
    voorstel = operations.stel_selectie_voor(ronde)
    data = {"ronde": RONDE, "titel": "Panel Lisse", "vraag": operations.STANDAARD_VRAAG, "panel": "raadslid\nbuurtwerker"}
    from werkzeug.datastructures import MultiDict

    form = MultiDict(list(data.items()))
    for subdoel_id, ids in voorstel.items():
        for i in ids:
            form.add(f"verhaal-{subdoel_id}", str(i))
    response = client.post("/waarderen/nieuw", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    sessie = db.session.scalars(select(Waarderingssessie)).one()
    assert sessie.panel == ["raadslid", "buurtwerker"]
    assert client.post(f"/waarderen/{sessie.id}/open").status_code == 302

    blokken = operations.panel_inhoud(sessie)
    blok = next(b for b in blokken if len(b.verhalen) >= 2)
    keuzes = [blok.verhalen[0].id, blok.verhalen[0].id, blok.verhalen[1].id]
    for n, verhaal_id in enumerate(keuzes):
        deelnemer, _ = operations.join_sessie(sessie, f"deelnemer {n}")
        operations.kies(deelnemer, blok.id, verhaal_id, f"Reden {n}: dit raakt mij.")
    db.session.commit()
    response = client.post(f"/waarderen/{sessie.id}/groep", data={
        "subdoel": blok.id, "verhaal": blok.verhalen[0].id, "reden": "Het laat zien wat er anders werd.",
        "onenigheid": "Eén persoon vond het tweede verhaal sterker."})
    assert response.status_code == 302
    assert client.post(f"/waarderen/{sessie.id}/sluiten").status_code == 302
    db.session.refresh(sessie)
    assert sessie.status == "gesloten"
    return sessie, blok


def test_a_session_feeds_the_pack_exports_and_letters(app, client, login, runner, voorbeeld_rondes, tmp_path):
    from verhalenbank.accounts.models import AuditLog
    from verhalenbank.verhalen.models import Contactgegevens, Verhaal
    from verhalenbank.waarderen import operations

    sessie, blok = _gesloten_sessie(client, login)
    gekozen = db.session.get(Verhaal, blok.verhalen[0].id)
    db.session.add(Contactgegevens(verhaal=gekozen, naam="Els Jansen", email="els@example.org"))
    db.session.commit()

    # The pack: "Wat de groep koos, en waarom", with the votes, reasons and the disagreement.
    uit = tmp_path / "pakket.pdf"
    result = runner.invoke(main, ["pakket", RONDE, "--out", str(uit)])
    assert result.exit_code == 0, result.output
    tekst = _pdf_tekst(uit.read_bytes())
    assert "Wat de groep koos, en waarom" in tekst
    assert "2 van de 3 deelnemers kozen dit verhaal" in tekst
    assert "Het laat zien wat er anders werd." in tekst
    assert "Eén persoon vond het tweede verhaal sterker." in tekst
    assert "Els Jansen" not in tekst and "els@example.org" not in tekst

    # The quality page and tellen show which subdoel's stories panels chose.
    login("beleidsadviseur")
    boom = _ronde().doelenbomen[0]
    for url in (f"/tagger/{boom.id}", f"/zoeken/tellen?boom={boom.code}"):
        response = client.get(url)
        pagina = " ".join(response.get_data(as_text=True).split())
        assert response.status_code == 200, (url, pagina[-1500:])
        assert "Door een panel gekozen" in pagina, url
        assert f"{blok.titel}: 1 verhaal gekozen in een waarderingssessie" in pagina, url
        # Which story, in which session, and why.
        assert f'<a href="/verhalen/{gekozen.id}">‘{blok.verhalen[0].titel}’</a>, gekozen in Panel Lisse (' in pagina, url
        assert "(2 van de 3 deelnemers kozen dit verhaal)" in pagina, url
        assert "Waarom: ‘Het laat zien wat er anders werd.’" in pagina, url
        assert "Niet iedereen was het eens: ‘Eén persoon vond het tweede verhaal sterker.’" in pagina, url
        assert "els@example.org" not in pagina, url

    # Exports: chosen stories only, the reasons as memos (REFI-QDA valid).
    csv = client.get(f"/waarderen/{sessie.id}/gekozen.csv").get_data(as_text=True)
    assert "Het laat zien wat er anders werd." in csv and "Reden 0: dit raakt mij." in csv
    assert csv.count("\r\n") >= 2
    qdpx = client.get(f"/waarderen/{sessie.id}/gekozen.qdpx").data
    with zipfile.ZipFile(io.BytesIO(qdpx)) as archief:
        xml = archief.read("project.qde")
    assert valideer_project_xml(xml) == []
    assert b"Het laat zien wat er anders werd." in xml and b"<NoteRef" in xml

    # Letters: only for the beheerder (contact details), audited; a facilitator is refused.
    login("facilitator")
    assert client.get(f"/waarderen/{sessie.id}/brieven").status_code == 403
    login("beheerder")
    # Contact details for a conversation only: no letter, and the page says not to write.
    brieven = client.get(f"/waarderen/{sessie.id}/brieven").get_data(as_text=True)
    assert "Beste Els Jansen" not in brieven and "els@example.org" not in brieven
    assert "1 gekozen verhaal krijgt geen brief" in brieven
    # With consent to hear back, the letter speaks in the teller's own words and the group's.
    gekozen.contactgegevens.terugkoppeling = True
    db.session.commit()
    brieven = " ".join(client.get(f"/waarderen/{sessie.id}/brieven").get_data(as_text=True).split())
    assert "Uw verhaal is gekozen" in brieven and "Beste Els Jansen" in brieven and "els@example.org" in brieven
    assert "krijgt geen brief" not in brieven
    eigen = " ".join(gekozen.tekst_publiek.split()).split(". ")[0].split()[:6]
    assert "U schreef: ‘" + " ".join(eigen) in brieven
    assert "Dit zei de groep erover: ‘Het laat zien wat er anders werd.’" in brieven
    # B1: short sentences around the quoted words, and nothing from the doelenboom's policy terms.
    (brief,) = operations.brieven(sessie)
    zinnen = [z for alinea in brief.tekst for z in re.split(r"(?<=[.!?,])\s+", re.sub(r"‘[^’]*’", "X", alinea))]
    assert max(len(z.split()) for z in zinnen) <= 15
    assert blok.titel not in " ".join(brief.tekst)

    pdf = client.get(f"/waarderen/{sessie.id}/brieven.pdf")
    assert pdf.mimetype == "application/pdf"
    assert "Uw verhaal is gekozen" in _pdf_tekst(pdf.data)

    # The teller asks to stop: recorded with a reason on the story's page, audited; no letter after.
    pagina = " ".join(client.get(f"/verhalen/{gekozen.id}").get_data(as_text=True).split())
    assert "Bericht aan de verteller: ja, wil horen wat er met het verhaal gebeurt" in pagina
    actie = f"/waarderen/verhaal/{gekozen.id}/terugkoppeling"
    client.post(actie, data={"terugkoppeling": "", "reden": " "})
    db.session.refresh(gekozen.contactgegevens)
    assert gekozen.contactgegevens.terugkoppeling is True
    response = client.post(actie, data={"terugkoppeling": "", "reden": "De verteller belde op 3 december."})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/verhalen/{gekozen.id}#terugkoppeling")
    db.session.refresh(gekozen.contactgegevens)
    assert gekozen.contactgegevens.terugkoppeling is False
    (regel,) = db.session.scalars(select(AuditLog).where(AuditLog.actie == "terugkoppeling_gewijzigd")).all()
    assert (regel.object_id, regel.reden, regel.details) == (str(gekozen.id), "De verteller belde op 3 december.",
                                                             {"terugkoppeling": False})
    assert "Beste Els Jansen" not in client.get(f"/waarderen/{sessie.id}/brieven").get_data(as_text=True)
    assert "Bericht aan de verteller: nee" in client.get(f"/verhalen/{gekozen.id}").get_data(as_text=True)
    # Someone who may not see contact details sees no such block and cannot change it.
    login("facilitator")
    assert "Bericht aan de verteller" not in client.get(f"/verhalen/{gekozen.id}").get_data(as_text=True)
    assert client.post(actie, data={"terugkoppeling": "ja", "reden": "x"}).status_code == 403


def test_panels_never_see_unquotable_stories_nor_contact_details(app, client, login, voorbeeld_rondes):
    from verhalenbank.verhalen.models import Verhaal
    from verhalenbank.waarderen import operations

    ronde = _ronde()
    subdoel = operations.subdoelen_van(ronde)[0]
    niet = next(v for v in db.session.scalars(select(Verhaal).where(Verhaal.ronde_id == ronde.id)) if not v.citeren)
    with pytest.raises(Ongeldig):
        operations.create_sessie(ronde, "x", {subdoel.id: [niet.id]})
    db.session.rollback()
    kiesbaar = operations.kiesbare_verhalen(ronde)
    assert kiesbaar and all(v.citeren for v in kiesbaar)
    sessie = operations.create_sessie(ronde, "Panel", {subdoel.id: [kiesbaar[0].id]})
    operations.open_sessie(sessie, None)
    db.session.commit()
    # The participant's page: the public text, never the original with names or numbers.
    pagina = client.get(f"/w/{sessie.code}").get_data(as_text=True)
    assert "Meedoen" in pagina
    client.post(f"/w/{sessie.code}/meedoen", data={"naam": "Ans"})
    pagina = client.get(f"/w/{sessie.code}").get_data(as_text=True)
    assert " ".join(kiesbaar[0].tekst_publiek.split())[:40] in " ".join(pagina.split())
    if kiesbaar[0].tekst != kiesbaar[0].tekst_publiek:
        assert kiesbaar[0].tekst[:200] not in pagina
    # A story becomes unquotable after the preparation: it disappears from the panel.
    kiesbaar[0].citeren = False
    db.session.commit()
    pagina = client.get(f"/w/{sessie.code}").get_data(as_text=True)
    assert " ".join(kiesbaar[0].tekst_publiek.split())[:40] not in " ".join(pagina.split())
    # A choice without a reason, or of a story outside the selection, is refused with a message.
    response = client.post(f"/w/{sessie.code}/keuze", data={"subdoel": subdoel.id, "verhaal": kiesbaar[1].id,
                                                             "reden": "Mooi"}, headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert "Kies een van de verhalen" in response.get_json()["melding"]


def test_two_rondes_of_one_tree_side_by_side_render_and_print(app, client, login, runner, voorbeeld_rondes, tmp_path):
    from verhalenbank.verhalen.models import Verhaal

    # A second ronde of the same tree, a year later, with some of the stories moved into it.
    boom = _ronde().doelenbomen[0]
    result = runner.invoke(main, ["ronde", "add", "bollenstreek-2027", "--titel", "Bollenstreek 2027",
                                  "--doelenboom", boom.code])
    assert result.exit_code == 0, result.output
    later = _ronde("bollenstreek-2027")
    verhalen = list(db.session.scalars(select(Verhaal).where(Verhaal.ronde_id == _ronde().id).order_by(Verhaal.id)))
    for v in verhalen[::2]:
        v.ronde_id = later.id
    db.session.commit()

    login("facilitator")
    lijst = client.get("/waarderen/").get_data(as_text=True)
    assert "Rondes naast elkaar" in lijst and "Bollenstreek 2027" in lijst
    url = f"/waarderen/vergelijken?boom={boom.code}&ronde={RONDE}&ronde=bollenstreek-2027"
    html = client.get(url).get_data(as_text=True)
    assert "Verhalen per doel en per ronde" in html
    for subdoel in boom.subdoelen:
        assert subdoel.titel in html
    assert "Wat veranderde" in html
    pdf = client.get(url.replace("vergelijken?", "vergelijken.pdf?"))
    assert pdf.mimetype == "application/pdf"
    tekst = _pdf_tekst(pdf.data)
    assert "Rondes naast elkaar" in tekst and "Bollenstreek 2027" in tekst
    # The CLI prints the same.
    uit = tmp_path / "vergelijking.pdf"
    result = runner.invoke(main, ["waarderen", "vergelijk", boom.code, RONDE, "bollenstreek-2027", "--out", str(uit)])
    assert result.exit_code == 0, result.output
    assert "Wat veranderde" in _pdf_tekst(uit.read_bytes())
    # A ronde of another tree is refused with a message.
    assert client.get(f"/waarderen/vergelijken?boom={boom.code}&ronde={RONDE}&ronde=hoorn-2026-najaar").status_code == 302


def test_the_resident_form_records_consent_to_hear_back(app, client, voorbeeld_rondes):
    from verhalenbank.verhalen.models import Verhaal

    pagina = client.get(f"/r/{RONDE}").get_data(as_text=True)
    assert "Ja, laat mij weten wat er met mijn verhaal gebeurt." in pagina
    basis = {"tekst": "Sinds de mantelzorgcafé open is, heb ik weer tijd voor mezelf.", "toestemming": "y",
             "naam": "Piet", "email": "piet@example.org"}
    for n, extra in enumerate(({"terugkoppeling": "y"}, {})):
        response = client.post(f"/r/{RONDE}", data={**basis, **extra, "inzend_sleutel": f"sleutel-{n}" + "b" * 24})
        assert response.status_code == 303, response.get_data(as_text=True)[-500:]
        assert response.headers["Location"].endswith(f"/r/{RONDE}/bedankt")
    verhalen = list(db.session.scalars(select(Verhaal).where(Verhaal.inzend_sleutel.like("sleutel-%"))
                                       .order_by(Verhaal.inzend_sleutel)))
    assert [v.contactgegevens.terugkoppeling for v in verhalen] == [True, False]
    assert [v.contactgegevens.email for v in verhalen] == ["piet@example.org", "piet@example.org"]


def test_a_facilitator_changes_a_session_until_it_opens_and_names_until_it_closes(app, client, login, voorbeeld_rondes):
    from werkzeug.datastructures import MultiDict

    from verhalenbank.accounts.models import AuditLog
    from verhalenbank.waarderen import operations

    ronde = _ronde()
    kiesbaar = operations.kiesbare_verhalen(ronde)
    eerste, tweede = operations.subdoelen_van(ronde)[:2]
    sessie = operations.create_sessie(ronde, "Panel Lisse", {eerste.id: [kiesbaar[0].id, kiesbaar[1].id]})
    db.session.commit()
    login("facilitator")
    url = f"/waarderen/{sessie.id}/bewerken"
    pagina = client.get(url).get_data(as_text=True)
    assert 'value="Panel Lisse"' in pagina and operations.STANDAARD_VRAAG in pagina
    assert f'name="verhaal-{eerste.id}" value="{kiesbaar[0].id}" checked' in pagina

    # Before it opens: name, question, panel and stories all change.
    form = MultiDict([("titel", "Panel Lisse en Hillegom"), ("vraag", "Welk verhaal raakt u het meest?"),
                      ("panel", "raadslid\nmantelzorger"), (f"verhaal-{eerste.id}", str(kiesbaar[1].id)),
                      (f"verhaal-{tweede.id}", str(kiesbaar[2].id))])
    response = client.post(url, data=form)
    assert response.status_code == 302
    db.session.refresh(sessie)
    assert sessie.titel == "Panel Lisse en Hillegom"
    assert sessie.vraag == "Welk verhaal raakt u het meest?"
    assert sessie.panel == ["raadslid", "mantelzorger"]
    assert operations.selectie_van(sessie) == {eerste.id: [kiesbaar[1].id], tweede.id: [kiesbaar[2].id]}
    audit = db.session.scalars(select(AuditLog).where(AuditLog.actie == "waarderingssessie_gewijzigd")).all()
    assert [a.details["gewijzigd"] for a in audit] == [["titel", "panel", "vraag", "verhalen"]]
    # A story that may not be quoted is refused, and nothing changes.
    niet = next(v for v in db.session.scalars(_verhalen_van(ronde)) if not v.citeren)
    form.setlist(f"verhaal-{tweede.id}", [str(niet.id)])
    client.post(url, data=form)
    assert "geciteerd mogen worden" in client.get(url).get_data(as_text=True)
    db.session.refresh(sessie)
    assert operations.selectie_van(sessie) == {eerste.id: [kiesbaar[1].id], tweede.id: [kiesbaar[2].id]}

    # Open: the name and the panel still change; the question and the stories are fixed.
    operations.open_sessie(sessie, None)
    db.session.commit()
    pagina = client.get(url).get_data(as_text=True)
    assert "De vraag en de verhalen liggen vast" in pagina
    response = client.post(url, data={"titel": "Panel Bollenstreek", "panel": "raadslid"})
    assert response.status_code == 302
    db.session.refresh(sessie)
    assert (sessie.titel, sessie.panel, sessie.vraag) == ("Panel Bollenstreek", ["raadslid"],
                                                          "Welk verhaal raakt u het meest?")
    assert operations.selectie_van(sessie) == {eerste.id: [kiesbaar[1].id], tweede.id: [kiesbaar[2].id]}
    with pytest.raises(Ongeldig, match="voordat de sessie begint"):
        operations.update_sessie(sessie, "Panel", [], None, vraag="Een andere vraag")
    with pytest.raises(Ongeldig, match="voordat de sessie begint"):
        operations.update_sessie(sessie, "Panel", [], None, selectie={eerste.id: [kiesbaar[0].id]})
    db.session.rollback()

    # Closed: nothing changes any more.
    deelnemer, _ = operations.join_sessie(sessie, "Ans")
    operations.kies(deelnemer, eerste.id, kiesbaar[1].id, "Dit laat zien wat er veranderd is.")
    operations.leg_groepskeuze_vast(sessie, eerste.id, kiesbaar[1].id, "Het raakt ons allemaal.")
    operations.sluit_sessie(sessie)
    db.session.commit()
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/waarderen/{sessie.id}")
    assert client.post(url, data={"titel": "Nog anders", "panel": ""}).status_code == 302
    db.session.refresh(sessie)
    assert sessie.titel == "Panel Bollenstreek"


def _verhalen_van(ronde):
    from verhalenbank.verhalen.models import Verhaal

    return select(Verhaal).where(Verhaal.ronde_id == ronde.id)


def test_the_public_service_worker_also_keeps_the_choosing_page(app, client):
    script = client.get("/sw.js").get_data(as_text=True)
    assert 'return /^\\/w\\/[A-Za-z0-9]{1,12}\\/?$/.test(url.pathname) && url.search === "";' in script
    assert 'if (request.method !== "GET") return;' in script
    # The page script registers it for /w/ only, never for the facilitator's /waarderen/.
    pagina_script = client.get("/static/js/waarderen.js").get_data(as_text=True)
    assert 'navigator.serviceWorker.register("/sw.js", { scope: "/w/" })' in pagina_script


def test_the_projector_screen_shows_the_stories_and_records_the_groups_choice(app, client, login, voorbeeld_rondes):
    from verhalenbank.waarderen import operations

    ronde = _ronde()
    kiesbaar = operations.kiesbare_verhalen(ronde)
    subdoel = operations.subdoelen_van(ronde)[0]
    sessie = operations.create_sessie(ronde, "Panel op de beamer", {subdoel.id: [kiesbaar[0].id, kiesbaar[1].id]})
    operations.open_sessie(sessie, None)
    db.session.commit()
    login("facilitator")
    scherm = " ".join(client.get(f"/waarderen/{sessie.id}/scherm").get_data(as_text=True).split())
    assert f"<h1>{operations.STANDAARD_VRAAG}</h1>" in scherm
    for verhaal in kiesbaar[:2]:
        assert " ".join(verhaal.tekst_publiek.split())[:60] in scherm
    # No participants on phones: the facilitator records the group's choice on this screen.
    response = client.post(f"/waarderen/{sessie.id}/groep", data={
        "subdoel": subdoel.id, "verhaal": kiesbaar[1].id, "reden": "Iedereen in de zaal herkende dit.",
        "terug": "scherm"})
    assert response.status_code == 302 and f"/waarderen/{sessie.id}/scherm#groep-{subdoel.id}" in response.headers["Location"]
    scherm = " ".join(client.get(f"/waarderen/{sessie.id}/scherm").get_data(as_text=True).split())
    assert (f"<strong>De groep koos:</strong> {operations.publieke_titel(kiesbaar[1])}. "
            "Iedereen in de zaal herkende dit.") in scherm
    assert client.post(f"/waarderen/{sessie.id}/sluiten").status_code == 302
    db.session.refresh(sessie)
    assert sessie.status == "gesloten"
    assert [(g.verhaal_id, g.reden) for g in sessie.groepskeuzes] == [(kiesbaar[1].id, "Iedereen in de zaal herkende dit.")]
