"""The JSON API: tokens, errors as JSON, each resource, privacy of original text, tags."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.support.paths import DOELENBOMEN
from verhalenbank.accounts import operations as accounts_ops
from verhalenbank.accounts.models import ApiToken, AuditLog
from verhalenbank.extensions import db
from verhalenbank.verhalen.models import Tag, Verhaal

SLEUTEL = "sleutel-abcdefghijklmnop"


# --- authentication and errors -------------------------------------------------------------


def test_openapi_is_public_and_describes_every_api_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    beschreven = {
        (re.sub(r"\{[^}]+\}", "<>", pad), methode.upper())
        for pad, operaties in document["paths"].items() for methode in operaties
    }
    geregistreerd = {
        (re.sub(r"<[^>]+>", "<>", rule.rule), methode)
        for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
        for methode in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert beschreven == geregistreerd


def test_no_token_gives_json_401(client, wereld):
    response = client.get("/api/v1/verhalen")
    assert response.status_code == 401
    assert response.mimetype == "application/json" and "fout" in response.get_json()


def test_unknown_and_revoked_tokens_are_refused(client, api_token, wereld):
    gebruiker, headers = api_token("beheerder")
    assert client.get("/api/v1/verhalen", headers=headers).status_code == 200
    assert client.get("/api/v1/verhalen", headers={"Authorization": "Bearer vb_verzonnen"}).status_code == 401
    record = db.session.scalar(select(ApiToken).where(ApiToken.gebruiker_id == gebruiker.id))
    accounts_ops.revoke_api_token(record)
    db.session.commit()
    response = client.get("/api/v1/verhalen", headers=headers)
    assert response.status_code == 401 and response.get_json()["fout"]


def test_token_of_a_disabled_account_stops_working(client, api_token, wereld):
    gebruiker, headers = api_token("beleidsadviseur")
    gebruiker.actief = False
    db.session.commit()
    assert client.get("/api/v1/rondes", headers=headers).status_code == 401


def test_errors_under_api_are_json(client, api_token, wereld):
    _, headers = api_token("facilitator")
    for url, status in [("/api/v1/bestaat-niet", 404), ("/api/v1/verhalen/999999", 404),
                        ("/api/v1/doelenbomen/geen-boom", 404)]:
        response = client.get(url, headers=headers)
        assert response.status_code == status and response.mimetype == "application/json", url
        assert response.get_json()["fout"]
    response = client.delete("/api/v1/verhalen", headers=headers)
    assert response.status_code == 405 and response.get_json()["fout"]
    response = client.post("/api/v1/tags/1/bevestigen", headers=headers)  # facilitator may not review
    assert response.status_code == 403 and response.get_json()["fout"]
    response = client.get("/api/v1/verhalen?pagina=nul", headers=headers)
    assert response.status_code == 422 and "pagina" in response.get_json()["fout"]


def test_token_request_ignores_a_browser_session(client, login, api_token, wereld):
    login("beheerder")
    # A bad token next to a valid session is still a bad token.
    response = client.get("/api/v1/verhalen", headers={"Authorization": "Bearer vb_verzonnen"})
    assert response.status_code == 401


# --- doelenbomen ---------------------------------------------------------------------------


def test_doelenbomen_list_and_get(client, api_token, wereld):
    _, headers = api_token("aanbieder")
    lijst = client.get("/api/v1/doelenbomen", headers=headers).get_json()["doelenbomen"]
    assert {b["code"] for b in lijst} == {
        "lelystad-sociaal-krachtige-wijken", "hoorn-samenleven", "bollenstreek-mantelzorg-in-balans"
    }
    boom = client.get("/api/v1/doelenbomen/hoorn-samenleven", headers=headers).get_json()
    assert [s["code"] for s in boom["subdoelen"]] == ["HS1", "HS2", "HS3"]
    assert [i["code"] for i in boom["subdoelen"][0]["indicatoren"]] == ["HS1.A", "HS1.B", "HS1.C"]


def test_doelenboom_import_from_yaml_body(client, api_token, app):
    _, headers = api_token("beleidsadviseur")
    yaml_tekst = (DOELENBOMEN / "hoorn-samenleven.yaml").read_bytes()
    response = client.post("/api/v1/doelenbomen", data=yaml_tekst, headers={**headers, "Content-Type": "application/yaml"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["code"] == "hoorn-samenleven"
    again = client.post("/api/v1/doelenbomen", data=yaml_tekst, headers={**headers, "Content-Type": "application/yaml"})
    assert again.status_code == 200
    assert db.session.scalar(select(AuditLog).where(AuditLog.actie == "doelenboom_geimporteerd")) is not None


def test_doelenboom_import_refuses_bad_input_and_stores_nothing(client, api_token, app):
    from verhalenbank.doelenbomen.models import Doelenboom

    _, headers = api_token("beheerder")
    slecht = (DOELENBOMEN.parent / "voorbeelden" / "slechte-invoer" / "boom-onbekend-veld.yaml").read_bytes()
    response = client.post("/api/v1/doelenbomen", data=slecht, headers={**headers, "Content-Type": "application/yaml"})
    assert response.status_code == 422 and response.mimetype == "application/json"
    assert response.get_json()["fout"]
    response = client.post("/api/v1/doelenbomen", json={"code": "x"}, headers=headers)
    assert response.status_code == 415
    assert db.session.scalar(select(func.count(Doelenboom.id))) == 0


def test_doelenboom_import_needs_the_right(client, api_token, app):
    _, headers = api_token("facilitator")
    yaml_tekst = (DOELENBOMEN / "hoorn-samenleven.yaml").read_bytes()
    response = client.post("/api/v1/doelenbomen", data=yaml_tekst, headers={**headers, "Content-Type": "application/yaml"})
    assert response.status_code == 403


# --- rondes --------------------------------------------------------------------------------


def test_rondes_list_and_get(client, api_token, wereld):
    _, headers = api_token("facilitator")
    rondes = {r["slug"]: r for r in client.get("/api/v1/rondes", headers=headers).get_json()["rondes"]}
    assert rondes["lelystad-open"]["status"] == "open"
    assert rondes["hoorn-dicht"]["status"] == "gesloten"
    ronde = client.get("/api/v1/rondes/lelystad-open", headers=headers).get_json()
    assert ronde["wijken"] == ["Atolwijk", "Waterwijk"]
    assert ronde["doelenbomen"] == ["lelystad-sociaal-krachtige-wijken"]
    assert client.get("/api/v1/rondes/bestaat-niet", headers=headers).status_code == 404


# --- public intake -------------------------------------------------------------------------


def test_public_create_stores_a_story_without_login(client, wereld):
    response = client.post(
        "/api/v1/rondes/lelystad-open/verhalen",
        json={"tekst": "De buurtkamer is fijn.", "wijk": "Atolwijk", "toestemming": True, "citeren": True,
              "inzend_sleutel": SLEUTEL},
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "opgeslagen" and re.fullmatch(r"[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", body["intrekcode"])
    verhaal = db.session.scalar(select(Verhaal).where(Verhaal.inzend_sleutel == SLEUTEL))
    assert verhaal.ronde.slug == "lelystad-open" and verhaal.wijk == "Atolwijk"
    assert verhaal.toestemming and verhaal.toestemming_op is not None and verhaal.toestemming_versie
    assert verhaal.organisatie_id is None and verhaal.ingediend_door_id is None


def test_public_create_is_idempotent_with_the_same_key(client, wereld):
    body = {"tekst": "Twee keer verstuurd.", "toestemming": True, "inzend_sleutel": SLEUTEL}
    eerste = client.post("/api/v1/rondes/lelystad-open/verhalen", json=body)
    tweede = client.post("/api/v1/rondes/lelystad-open/verhalen", json=body)
    assert (eerste.status_code, tweede.status_code) == (201, 200)
    assert db.session.scalar(select(func.count(Verhaal.id)).where(Verhaal.inzend_sleutel == SLEUTEL)) == 1
    # The newest code works (the first answer may never have arrived).
    from verhalenbank.verhalen.operations import find_by_intrekcode

    assert find_by_intrekcode(tweede.get_json()["intrekcode"]) is not None


def test_public_create_refusals(client, wereld):
    url = "/api/v1/rondes/lelystad-open/verhalen"
    aantal = db.session.scalar(select(func.count(Verhaal.id)))
    gevallen = [
        (url, {"tekst": "Zonder toestemming"}, 422, "toestemming"),
        (url, {"tekst": "   ", "toestemming": True}, 422, "leeg"),
        (url, {"tekst": "x" * 20_001, "toestemming": True}, 422, "te lang"),
        (url, {"tekst": "Wijk?", "toestemming": True, "wijk": "Nergens"}, 422, "wijk"),
        (url, {"tekst": "Bron?", "toestemming": True, "bron": "transcript"}, 422, "bron"),
        (url, {"tekst": "Extra", "toestemming": True, "organisatie": 1}, 422, "organisatie"),
        (url, {"tekst": "Sleutel", "toestemming": True, "inzend_sleutel": "kort"}, 422, "inzend_sleutel"),
        (url, {"tekst": "Nul\x00teken", "toestemming": True}, 422, "tekens"),
        ("/api/v1/rondes/hoorn-dicht/verhalen", {"tekst": "Te laat", "toestemming": True}, 410, "gesloten"),
        ("/api/v1/rondes/bestaat-niet/verhalen", {"tekst": "Waar?", "toestemming": True}, 404, "ronde"),
    ]
    for adres, body, status, woord in gevallen:
        response = client.post(adres, json=body)
        assert response.status_code == status, (body, response.get_json())
        assert woord in response.get_json()["fout"].lower(), (woord, response.get_json())
    assert client.post(url, data="{kapot", content_type="application/json").status_code == 400
    assert client.post(url, data="tekst=hoi", content_type="application/x-www-form-urlencoded").status_code == 415
    assert db.session.scalar(select(func.count(Verhaal.id))) == aantal


def test_public_create_is_rate_limited_like_the_form(app, client, wereld):
    app.config["VERHALENBANK_INZEND_LIMIET"] = 2
    url = "/api/v1/rondes/lelystad-open/verhalen"
    statussen = [client.post(url, json={"tekst": f"Verhaal {i}", "toestemming": True}).status_code for i in range(3)]
    assert statussen == [201, 201, 429]


# --- verhalen ------------------------------------------------------------------------------


def test_list_with_filters_and_pagination(client, api_token, wereld):
    from datetime import date

    from verhalenbank.doelenbomen.models import Indicator
    from verhalenbank.verhalen import operations as verhalen_ops

    _, headers = api_token("beleidsadviseur")
    wereld.verhaal_eigen.datum = date(2026, 4, 12)
    indicator = db.session.scalar(select(Indicator).where(Indicator.code == "LW2.1"))
    verhalen_ops.add_tag(wereld.verhaal_ander, indicator.subdoel, indicator=indicator, door=None)
    db.session.commit()

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/verhalen{query}", headers=headers)
        assert response.status_code == 200, response.get_json()
        return [v["id"] for v in response.get_json()["verhalen"]]

    assert set(ids("")) == {wereld.verhaal_eigen.id, wereld.verhaal_ander.id, wereld.verhaal_zonder_org.id}
    assert set(ids("?ronde=lelystad-open")) == {wereld.verhaal_eigen.id, wereld.verhaal_ander.id}
    assert ids("?bron=mantelzorger") == [wereld.verhaal_ander.id]
    assert ids("?wijk=Atolwijk") == [wereld.verhaal_eigen.id]
    assert ids("?subdoel=LW2") == [wereld.verhaal_ander.id]
    assert set(ids("?doelenboom=lelystad-sociaal-krachtige-wijken")) == {wereld.verhaal_eigen.id, wereld.verhaal_ander.id}
    from verhalenbank.zoeken.operations import index_verhalen

    # The requests above share this session (the token's last use is set, not committed); the
    # index is written after a commit, as every entry point does.
    db.session.commit()
    index_verhalen([wereld.verhaal_eigen.id, wereld.verhaal_ander.id, wereld.verhaal_zonder_org.id])
    assert ids("?q=buurtkamer") == [wereld.verhaal_eigen.id]
    assert ids("?q=tuin&bron=inwoner") == []
    assert ids("?q=Jan") == []  # names are not searchable: the index holds the pseudonymised text
    assert ids("?indicator=LW2.1") == [wereld.verhaal_ander.id]
    assert ids("?indicator=LW1.1") == []
    assert ids("?aanbieder=zorg-ander") == [wereld.verhaal_ander.id]
    assert ids("?van=2026-04-01&tot=2026-04-30") == [wereld.verhaal_eigen.id]
    assert ids("?van=2026-05-01") == []
    assert client.get("/api/v1/verhalen?van=30-04-2026", headers=headers).status_code == 422
    eerste = client.get("/api/v1/verhalen?per_pagina=2", headers=headers).get_json()
    tweede = client.get("/api/v1/verhalen?per_pagina=2&pagina=2", headers=headers).get_json()
    assert eerste["totaal"] == tweede["totaal"] == 3
    assert len(eerste["verhalen"]) == 2 and len(tweede["verhalen"]) == 1
    assert not {v["id"] for v in eerste["verhalen"]} & {v["id"] for v in tweede["verhalen"]}
    assert client.get("/api/v1/verhalen?per_pagina=500", headers=headers).status_code == 422
    assert client.get("/api/v1/verhalen?bron=iemand", headers=headers).status_code == 422


def test_story_shows_only_the_pseudonymised_text(client, api_token, wereld):
    _, headers = api_token("facilitator")
    response = client.get(f"/api/v1/verhalen/{wereld.verhaal_eigen.id}", headers=headers)
    body = response.get_json()
    assert body["tekst"] == "[naam] belde [nummer] over de buurtkamer."
    assert body["titel"] == "Titel met [naam]"
    assert "Jan" not in response.get_data(as_text=True) and "06-12345678" not in response.get_data(as_text=True)
    assert [t["subdoel"] for t in body["tags"]] == ["LW1"]
    assert "no-store" in response.headers["Cache-Control"]


def test_original_text_needs_the_right_and_a_reason_and_is_audited(client, api_token, wereld):
    verhaal_id = wereld.verhaal_eigen.id
    _, facilitator = api_token("facilitator")
    url = f"/api/v1/verhalen/{verhaal_id}?origineel=1&reden=Nodig+voor+een+gesprek"
    assert client.get(url, headers=facilitator).status_code == 403
    beleid, headers = api_token("beleidsadviseur")
    assert client.get(f"/api/v1/verhalen/{verhaal_id}?origineel=1", headers=headers).status_code == 422
    assert db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.actie == "originele_tekst_bekeken")) == 0
    body = client.get(url, headers=headers).get_json()
    assert body["origineel"]["tekst"].startswith("Jan de Vries belde")
    regel = db.session.scalar(select(AuditLog).where(AuditLog.actie == "originele_tekst_bekeken"))
    assert regel.gebruiker_id == beleid.id and regel.object_id == str(verhaal_id)
    assert regel.reden == "Nodig voor een gesprek"


def test_aanbieder_cannot_reach_another_organisations_story(client, api_token, login, wereld):
    _, headers = api_token("aanbieder", organisatie="Welzijn Eigen")
    ids = [v["id"] for v in client.get("/api/v1/verhalen", headers=headers).get_json()["verhalen"]]
    assert ids == [wereld.verhaal_eigen.id]
    assert client.get(f"/api/v1/verhalen/{wereld.verhaal_eigen.id}", headers=headers).status_code == 200
    for verhaal in (wereld.verhaal_ander, wereld.verhaal_zonder_org):
        response = client.get(f"/api/v1/verhalen/{verhaal.id}", headers=headers)
        # The same answer as for a story that does not exist: nothing to learn by guessing ids.
        assert response.status_code == 404
        assert response.get_json() == {"fout": f"Verhaal {verhaal.id} bestaat niet (meer)."}


def test_aanbieder_web_story_page_of_another_organisation_is_404(client, login, wereld):
    login("aanbieder", organisatie="Welzijn Eigen")
    assert client.get(f"/verhalen/{wereld.verhaal_eigen.id}").status_code == 200
    assert client.get(f"/verhalen/{wereld.verhaal_ander.id}").status_code == 404
    assert client.get(f"/verhalen/{wereld.verhaal_zonder_org.id}").status_code == 404


# --- tags ----------------------------------------------------------------------------------


def test_add_confirm_and_reject_tags(client, api_token, wereld):
    beoordelaar, headers = api_token("beleidsadviseur")
    verhaal_id = wereld.verhaal_eigen.id
    response = client.post(f"/api/v1/verhalen/{verhaal_id}/tags", json={"subdoel": "LW2", "indicator": "LW2.1"}, headers=headers)
    assert response.status_code == 201, response.get_json()
    tag = response.get_json()
    assert (tag["subdoel"], tag["indicator"], tag["methode"], tag["bevestigd"]) == ("LW2", "LW2.1", "handmatig", True)
    opgeslagen = db.session.get(Tag, tag["id"])
    assert opgeslagen.beoordeeld_door_id == beoordelaar.id and opgeslagen.beoordeeld_op is not None

    afgewezen = client.post(f"/api/v1/tags/{tag['id']}/afwijzen", headers=headers).get_json()
    assert afgewezen["afgewezen"] is True and afgewezen["bevestigd"] is False
    story = client.get(f"/api/v1/verhalen/{verhaal_id}", headers=headers).get_json()
    assert "LW2" not in [t["subdoel"] for t in story["tags"]]  # a rejected tag is not listed
    bevestigd = client.post(f"/api/v1/tags/{tag['id']}/bevestigen", headers=headers).get_json()
    assert bevestigd["bevestigd"] is True and bevestigd["afgewezen"] is False
    # Adding an existing subdoel confirms it instead of making a second tag.
    again = client.post(f"/api/v1/verhalen/{verhaal_id}/tags", json={"subdoel": "LW2"}, headers=headers)
    assert again.status_code == 200 and again.get_json()["id"] == tag["id"]
    acties = set(db.session.scalars(select(AuditLog.actie).where(AuditLog.object_type == "tag")))
    assert {"tag_toegevoegd", "tag_afgewezen", "tag_bevestigd"} <= acties


def test_tag_refusals(client, api_token, wereld):
    _, headers = api_token("beheerder")
    url = f"/api/v1/verhalen/{wereld.verhaal_eigen.id}/tags"
    assert client.post(url, json={"subdoel": "ZZ9"}, headers=headers).status_code == 422
    assert client.post(url, json={"subdoel": "LW1", "indicator": "LW2.1"}, headers=headers).status_code == 422
    assert client.post(url, json={}, headers=headers).status_code == 422
    assert client.post("/api/v1/verhalen/999999/tags", json={"subdoel": "LW1"}, headers=headers).status_code == 404
    assert client.post("/api/v1/tags/999999/bevestigen", headers=headers).status_code == 404
    _, facilitator = api_token("facilitator")
    assert client.post(url, json={"subdoel": "LW2"}, headers=facilitator).status_code == 403
