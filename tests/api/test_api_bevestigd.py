"""API: confirmed and suggested labels kept apart (tags=, score in words, counts per tree)."""

from __future__ import annotations

from sqlalchemy import select

from verhalenbank.doelenbomen.models import Subdoel
from verhalenbank.extensions import db
from verhalenbank.verhalen.models import Tag, TagMethode
from verhalenbank.zoeken.operations import index_verhalen

LW = "lelystad-sociaal-krachtige-wijken"


def _suggest(verhaal, code: str, score: float) -> Tag:
    subdoel = db.session.scalar(select(Subdoel).where(Subdoel.code == code))
    tag = Tag(verhaal_id=verhaal.id, subdoel_id=subdoel.id, score=score, methode=TagMethode.AUTO, bevestigd=False)
    db.session.add(tag)
    db.session.commit()
    return tag


def test_tags_parameter_keeps_confirmed_and_suggested_apart(client, api_token, wereld):
    _, headers = api_token("beleidsadviseur")
    # verhaal_eigen: LW1 confirmed (import label); verhaal_ander: LW2 confirmed, LW1 only suggested.
    _suggest(wereld.verhaal_ander, "LW1", 0.7)

    def ids(query: str) -> set[int]:
        response = client.get(f"/api/v1/verhalen{query}", headers=headers)
        assert response.status_code == 200, response.get_json()
        return {v["id"] for v in response.get_json()["verhalen"]}

    assert ids("?subdoel=LW1") == {wereld.verhaal_eigen.id, wereld.verhaal_ander.id}
    assert ids("?subdoel=LW1&tags=alle") == {wereld.verhaal_eigen.id, wereld.verhaal_ander.id}
    assert ids("?subdoel=LW1&tags=bevestigd") == {wereld.verhaal_eigen.id}
    assert ids("?subdoel=LW1&tags=voorgesteld") == {wereld.verhaal_ander.id}
    # Without a subdoel: stories with at least one such label.
    assert ids("?tags=bevestigd") == {wereld.verhaal_eigen.id, wereld.verhaal_ander.id}
    assert ids("?tags=voorgesteld") == {wereld.verhaal_ander.id}
    response = client.get("/api/v1/verhalen?tags=zeker", headers=headers)
    assert response.status_code == 422
    assert "tags" in response.get_json()["fout"]


def test_every_tag_says_whether_it_is_confirmed_and_its_score_in_words(client, api_token, wereld):
    _, headers = api_token("beleidsadviseur")
    _suggest(wereld.verhaal_ander, "LW1", 0.7)
    _suggest(wereld.verhaal_eigen, "LW2", 0.45)
    body = client.get(f"/api/v1/verhalen/{wereld.verhaal_ander.id}", headers=headers).get_json()
    by_code = {tag["subdoel"]: tag for tag in body["tags"]}
    assert by_code["LW2"]["bevestigd"] is True
    assert by_code["LW2"]["score_woorden"] == "bevestigd"
    assert by_code["LW1"]["bevestigd"] is False
    assert by_code["LW1"]["score"] == 0.7  # the number stays for scripts
    assert by_code["LW1"]["score_woorden"] == "waarschijnlijk"
    eigen = client.get(f"/api/v1/verhalen/{wereld.verhaal_eigen.id}", headers=headers).get_json()
    assert {t["subdoel"]: t["score_woorden"] for t in eigen["tags"]} == {"LW1": "bevestigd", "LW2": "mogelijk"}


def test_counts_per_tree_show_confirmed_and_suggested_apart(client, api_token, wereld):
    _, headers = api_token("beleidsadviseur")
    _suggest(wereld.verhaal_ander, "LW1", 0.7)
    index_verhalen([wereld.verhaal_eigen.id, wereld.verhaal_ander.id, wereld.verhaal_zonder_org.id])

    response = client.get(f"/api/v1/doelenbomen/{LW}/tellen", headers=headers)
    assert response.status_code == 200, response.get_json()
    telling = response.get_json()
    assert telling["alleen_bevestigd"] is False
    assert telling["totaal"] == 2
    assert telling["verhalen_met_bevestigd_label"] == 2
    rows = {row["code"]: row for row in telling["subdoelen"]}
    assert rows["LW1"] == {"code": "LW1", "titel": rows["LW1"]["titel"], "bevestigd": 1, "voorgesteld": 1}
    assert rows["LW2"]["bevestigd"] == 1
    assert rows["LW2"]["voorgesteld"] == 0
    assert rows["LW1"]["titel"]

    alleen = client.get(f"/api/v1/doelenbomen/{LW}/tellen?tags=bevestigd", headers=headers).get_json()
    assert alleen["alleen_bevestigd"] is True
    rows = {row["code"]: row for row in alleen["subdoelen"]}
    assert rows["LW1"]["bevestigd"] == 1
    assert rows["LW1"]["voorgesteld"] == 0

    assert client.get(f"/api/v1/doelenbomen/{LW}/tellen?tags=voorgesteld", headers=headers).status_code == 422
    assert client.get("/api/v1/doelenbomen/bestaat-niet/tellen", headers=headers).status_code == 404
    _, aanbieder = api_token("aanbieder", organisatie="Welzijn Eigen")
    assert client.get(f"/api/v1/doelenbomen/{LW}/tellen", headers=aanbieder).status_code == 403
