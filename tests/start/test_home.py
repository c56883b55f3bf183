"""The home page per role: the work waiting for that role, counted over what it may see; and the
health check."""

from __future__ import annotations

import re

import pytest

from tests.support.factories import make_ronde


def _verhaal(tekst: str, *, ronde, organisatie=None):
    from verhalenbank.verhalen.operations import VerhaalInvoer, store_verhaal

    return store_verhaal(VerhaalInvoer(tekst=tekst, toestemming=True), ronde=ronde, organisatie=organisatie)


@pytest.fixture
def verhalen_van_twee_organisaties(app):
    from verhalenbank.accounts import operations
    from verhalenbank.extensions import db

    ronde = make_ronde("wijk-2026")
    eigen = operations.get_or_create_organisatie("Welzijn Lelystad")
    ander = operations.get_or_create_organisatie("Zorg Hoorn")
    for n in range(3):
        _verhaal(f"Verhaal {n} van Welzijn Lelystad over de buurtkamer.", ronde=ronde, organisatie=eigen)
    for n in range(5):
        _verhaal(f"Verhaal {n} van Zorg Hoorn over de koffieochtend.", ronde=ronde, organisatie=ander)
    db.session.commit()
    return ronde


def _telling(html: str, sleutel: str) -> int:
    gevonden = re.search(rf'data-taak="{sleutel}">\s*<a [^>]*><strong>(\d+)</strong>', html)
    assert gevonden is not None, f"no task {sleutel!r} on the home page"
    return int(gevonden.group(1))


def _verhalen(html: str) -> int:
    return int(re.search(r'<strong data-telling="verhalen">(\d+)</strong>', html).group(1))


def test_aanbieder_sees_only_its_own_organisations_stories_and_transcripts(client, login, verhalen_van_twee_organisaties):
    login("aanbieder", organisatie="Welzijn Lelystad")
    html = client.get("/").get_data(as_text=True)
    assert _verhalen(html) == 3
    assert "van Welzijn Lelystad" in html
    assert _telling(html, "transcripten") == 0
    # What an aanbieder may not do is not offered as work.
    assert 'data-taak="labels"' not in html
    assert 'data-taak="pakketten"' not in html
    assert 'data-taak="wissen"' not in html
    # The count matches the list the link opens.
    assert "<p>3 verhalen</p>" in client.get("/verhalen/").get_data(as_text=True)


def test_beheerder_sees_every_story_and_every_kind_of_work(client, login, verhalen_van_twee_organisaties):
    login("beheerder")
    html = client.get("/").get_data(as_text=True)
    assert _verhalen(html) == 8
    assert "van alle organisaties" in html
    for sleutel in ("transcripten", "labels", "rondes", "pakketten", "wissen"):
        assert _telling(html, sleutel) == 0


def test_facilitator_sees_packs_and_rondes_not_transcripts_or_labels(client, login, verhalen_van_twee_organisaties):
    login("facilitator")
    html = client.get("/").get_data(as_text=True)
    assert 'data-taak="pakketten"' in html
    assert 'data-taak="rondes"' in html
    assert 'data-taak="transcripten"' not in html
    assert 'data-taak="labels"' not in html


def test_rondes_closing_within_two_weeks_are_counted(client, login, app):
    from datetime import date, timedelta

    vandaag = date.today()
    make_ronde("sluit-morgen", eind_datum=vandaag + timedelta(days=1))
    make_ronde("sluit-over-een-maand", eind_datum=vandaag + timedelta(days=30))
    make_ronde("al-gesloten", eind_datum=vandaag - timedelta(days=1))
    login("beleidsadviseur")
    html = client.get("/").get_data(as_text=True)
    assert _telling(html, "rondes") == 1


def test_transcripts_waiting_for_review_are_counted_per_organisation(client, login, app):
    from verhalenbank.accounts import operations
    from verhalenbank.extensions import db
    from verhalenbank.transcripten.models import Transcript, TranscriptStatus

    eigen = operations.get_or_create_organisatie("Welzijn Lelystad")
    ander = operations.get_or_create_organisatie("Zorg Hoorn")
    for organisatie, status in ((eigen, TranscriptStatus.TE_BEOORDELEN), (ander, TranscriptStatus.TE_BEOORDELEN),
                                (eigen, TranscriptStatus.OPGESLAGEN)):
        db.session.add(Transcript(origineel_naam="sessie.txt", formaat="txt", organisatie=organisatie, status=status))
    db.session.commit()
    login("aanbieder", organisatie="Welzijn Lelystad")
    assert _telling(client.get("/").get_data(as_text=True), "transcripten") == 1


def test_logged_out_home_has_no_counts(client, verhalen_van_twee_organisaties):
    html = client.get("/").get_data(as_text=True)
    assert "data-telling" not in html
    assert "Inloggen voor medewerkers" in html


def test_the_health_check_answers_without_login(client):
    response = client.get("/gezondheid")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
