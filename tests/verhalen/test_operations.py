from __future__ import annotations

import json

from sqlalchemy import func, select

from tests.support.databases import table_counts
from tests.support.paths import VOORBEELDEN
from verhalenbank.accounts.models import AuditLog
from verhalenbank.cli import main
from verhalenbank.extensions import db
from verhalenbank.rondes.models import Ronde
from verhalenbank.verhalen.models import AnalyseStatus, Tag, Verhaal

SLECHT = VOORBEELDEN / "slechte-invoer"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_import_examples_is_idempotent(runner, voorbeeld_rondes):
    result = runner.invoke(main, ["verhalen", "import", str(VOORBEELDEN / "verhalen.jsonl")])
    assert result.exit_code == 0, result.output
    assert "90 opgeslagen, 0 geweigerd, 0 overgeslagen" in result.output
    assert "Nieuwe ronde" not in result.output  # the fixture made the rondes, each with its tree
    assert _count(Verhaal) == 90
    assert db.session.scalar(select(func.count()).where(Verhaal.analyse_status == AnalyseStatus.TE_ANALYSEREN)) >= 0
    # Labels become confirmed manual tags, on the tree of the story's own ronde.
    v1 = db.session.scalar(select(Verhaal).where(Verhaal.extern_id == "v-0001"))
    assert [(t.subdoel.code, t.methode, t.bevestigd) for t in v1.tags if t.methode == "handmatig"] == [("LW1", "handmatig", True)]
    ronde = db.session.scalar(select(Ronde).where(Ronde.slug == "lelystad-2026-voorjaar"))
    assert ronde.is_open and [b.code for b in ronde.doelenbomen] == ["lelystad-sociaal-krachtige-wijken"]

    result = runner.invoke(main, ["verhalen", "import", str(VOORBEELDEN / "verhalen.jsonl")])
    assert result.exit_code == 0
    assert "0 opgeslagen, 0 geweigerd, 90 overgeslagen" in result.output
    assert _count(Verhaal) == 90


def test_import_of_an_unknown_ronde_needs_its_tree(runner, app, tmp_path):
    from verhalenbank.doelenbomen import operations as bomen_ops
    from tests.support.paths import DOELENBOMEN

    bomen_ops.import_doelenboom_files(sorted(DOELENBOMEN.glob("*.yaml")))
    db.session.commit()
    bestand = tmp_path / "v.jsonl"
    bestand.write_text("".join(
        json.dumps({"id": f"x-{i}", "tekst": "De buurman helpt mij met de boodschappen.", "ronde": "lisse-2027",
                    "toestemming": True}) + "\n" for i in range(7)
    ), encoding="utf-8")
    result = runner.invoke(main, ["verhalen", "import", str(bestand)])
    assert result.exit_code == 1
    # Said once for all seven lines, with what to do.
    assert "regels 1, 2, 3, 4, 5 en 2 meer: ronde 'lisse-2027' bestaat niet" in result.output
    assert "--doelenboom CODE" in result.output
    assert _count(Verhaal) == 0 and _count(Ronde) == 0

    result = runner.invoke(main, ["verhalen", "import", str(bestand),
                                  "--doelenboom", "lisse-2027=bollenstreek-mantelzorg-in-balans"])
    assert result.exit_code == 0, result.output
    assert ("Nieuwe ronde aangemaakt: lisse-2027 (formulier dicht tot de onderwerpen gewone woorden hebben, "
            "doelenboom bollenstreek-mantelzorg-in-balans)") in result.output
    ronde = db.session.scalar(select(Ronde))
    assert [b.code for b in ronde.doelenbomen] == ["bollenstreek-mantelzorg-in-balans"]
    assert ronde.is_open is False  # its form would offer policy titles
    assert _count(Verhaal) == 7


def test_bad_lines_are_reported_and_skipped(runner, voorbeeld_rondes):
    result = runner.invoke(main, ["verhalen", "import", str(SLECHT / "verhalen-met-fouten.jsonl")])
    assert result.exit_code == 1
    out = result.output
    assert "6 opgeslagen, 4 geweigerd" in out
    assert "regel 3: ongeldige JSON" in out
    assert "regel 5: lege tekst" in out
    assert 'regel 7: onbekende bron "robot"' in out
    assert "regel 9: ongeldige datum '2026-13-45'" in out
    assert "Traceback" not in out
    assert _count(Verhaal) == 6
    result = runner.invoke(main, ["verhalen", "import", str(SLECHT / "verhalen-met-fouten.jsonl")])
    assert "0 opgeslagen, 4 geweigerd, 6 overgeslagen" in result.output
    assert _count(Verhaal) == 6


def test_refused_line_leaves_nothing_half_stored(runner, voorbeeld_bomen, tmp_path):
    bestand = tmp_path / "x.jsonl"
    bestand.write_text(
        json.dumps({"id": "a", "tekst": "Goed verhaal", "ronde": "nieuwe-ronde"}) + "\n"
        + json.dumps({"id": "b", "tekst": "Met onbekend label", "ronde": "andere-ronde", "labels": ["ZZ9"]}) + "\n"
    )
    voor = table_counts(db.engine)
    result = runner.invoke(main, ["verhalen", "import", str(bestand), "--doelenboom", "lelystad-sociaal-krachtige-wijken"])
    assert result.exit_code == 1
    assert "regel 2" in result.output and "ZZ9" in result.output
    na = table_counts(db.engine)
    assert na["verhalen"] == voor["verhalen"] + 1
    # The ronde of the refused line was rolled back with it.
    assert db.session.scalar(select(Ronde).where(Ronde.slug == "andere-ronde")) is None


def test_export_then_import_elsewhere_gives_same_stories(runner, voorbeeld_rondes, tmp_path, app):
    assert runner.invoke(main, ["verhalen", "import", str(VOORBEELDEN / "verhalen.jsonl")]).exit_code == 0
    out = tmp_path / "export.jsonl"
    result = runner.invoke(main, ["verhalen", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    regels = [json.loads(r) for r in out.read_text().splitlines()]
    assert len(regels) == 90
    assert all("tekst_publiek" in r and "tags" in r for r in regels)
    assert db.session.scalar(select(func.count()).where(AuditLog.actie == "verhalen_geexporteerd")) == 1
    origineel = {json.loads(r)["id"]: json.loads(r) for r in (VOORBEELDEN / "verhalen.jsonl").read_text().splitlines()}
    for regel in regels:
        bron = origineel[regel["id"]]
        for veld in ("tekst", "titel", "bron", "ronde", "wijk", "datum", "toestemming", "citeren"):
            assert regel.get(veld) == bron.get(veld), (regel["id"], veld)
        assert sorted(regel["labels"]) == sorted(bron["labels"])

    # Into a second, empty data dir: the same stories.
    from verhalenbank.app import create_app
    from verhalenbank.core.migrate import upgrade

    url2 = f"sqlite:///{tmp_path / 'tweede.sqlite3'}"
    upgrade(url2)
    app2 = create_app({"data_dir": tmp_path / "tweede", "database_url": url2, "secret_key": "x"})
    runner2 = app2.test_cli_runner()
    # with_appcontext reuses a pushed context, so push the second app's explicitly.
    with app2.app_context():
        bomen = [str(p) for p in sorted((VOORBEELDEN.parent / "doelenbomen").glob("*.yaml"))]
        assert runner2.invoke(main, ["doelenboom", "import", *bomen]).exit_code == 0
        result = runner2.invoke(main, [
            "verhalen", "import", str(out),
            "--doelenboom", "lelystad-2026-voorjaar=lelystad-sociaal-krachtige-wijken",
            "--doelenboom", "hoorn-2026-najaar=hoorn-samenleven",
            "--doelenboom", "bollenstreek-2026=bollenstreek-mantelzorg-in-balans",
        ])
        assert result.exit_code == 0, result.output
        assert "90 opgeslagen" in result.output
        terug = tmp_path / "terug.jsonl"
        assert runner2.invoke(main, ["verhalen", "export", "--out", str(terug)]).exit_code == 0
        db.session.remove()
        db.engine.dispose()
    strip = lambda r: {k: v for k, v in r.items() if k not in ("tags", "tekst_publiek")}  # noqa: E731
    assert [strip(json.loads(r)) for r in terug.read_text().splitlines()] == [strip(r) for r in regels]


def test_script_injection_imports_and_is_inert_on_the_story_page(runner, voorbeeld_rondes, client, login):
    result = runner.invoke(main, ["verhalen", "import", str(SLECHT / "script-injectie.jsonl")])
    assert result.exit_code == 0, result.output
    verhalen = db.session.scalars(select(Verhaal)).all()
    assert len(verhalen) == 2 and any("<script>" in v.tekst for v in verhalen)
    login("beheerder")
    for verhaal in verhalen:
        page = client.post(f"/verhalen/{verhaal.id}/origineel", data={"reden": "controle op injectie"}).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page
        assert "<img src=x onerror" not in page
        assert "&lt;" in page
    assert db.session.scalar(select(func.count()).where(AuditLog.actie == "originele_tekst_bekeken")) == 2


def test_erasure_removes_story_and_what_hangs_on_it(app, client, login, voorbeeld_rondes, runner):
    assert runner.invoke(main, ["verhalen", "import", str(VOORBEELDEN / "verhalen.jsonl")]).exit_code == 0
    verhaal = db.session.scalar(select(Verhaal).where(Verhaal.extern_id == "v-0001"))
    verhaal_id = verhaal.id
    login("beheerder")
    response = client.post(f"/verhalen/{verhaal_id}/wissen", data={"reden": "verzoek van inwoner"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Verhaal, verhaal_id) is None
    assert db.session.scalar(select(func.count()).where(Tag.verhaal_id == verhaal_id)) == 0
    regel = db.session.scalar(select(AuditLog).where(AuditLog.actie == "verhaal_gewist"))
    assert regel.object_id == str(verhaal_id) and regel.reden == "verzoek van inwoner"


def test_pages_for_rondes_and_stories(client, login, runner, voorbeeld_rondes):
    assert runner.invoke(main, ["verhalen", "import", str(VOORBEELDEN / "verhalen.jsonl")]).exit_code == 0
    login("facilitator")
    assert "Lelystad 2026 voorjaar" in client.get("/rondes/").get_data(as_text=True)
    page = client.get("/rondes/lelystad-2026-voorjaar").get_data(as_text=True)
    assert "Verhalen (" in page
    assert client.get("/verhalen/?bron=mantelzorger").status_code == 200
    response = client.post("/rondes/nieuw", data={
        "slug": "hoorn-2027", "titel": "Hoorn 2027", "vraag": "Vertel eens", "wijken": "Kersenboogerd\nGrote Waal",
        "doelenbomen": ["hoorn-samenleven"], "is_open": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    ronde = db.session.scalar(select(Ronde).where(Ronde.slug == "hoorn-2027"))
    assert ronde.wijken == ["Kersenboogerd", "Grote Waal"] and [b.code for b in ronde.doelenbomen] == ["hoorn-samenleven"]
    client.post("/rondes/hoorn-2027/open", data={"open": "0"})
    db.session.expire_all()
    assert db.session.scalar(select(Ronde).where(Ronde.slug == "hoorn-2027")).is_open is False


def test_ronde_add_cli(runner, voorbeeld_bomen):
    result = runner.invoke(main, ["ronde", "add", "test-ronde", "--titel", "Test", "--doelenboom", "hoorn-samenleven", "--wijk", "Noord"])
    assert result.exit_code == 0, result.output
    # Its form would show policy titles: it is made, but stays closed until they are in residents' words.
    assert "Ronde test-ronde aangemaakt (gesloten)" in result.output
    assert "verhalenbank ronde open test-ronde" in result.output
    result = runner.invoke(main, ["ronde", "add", "test-ronde", "--titel", "Test"])
    assert result.exit_code == 1 and "al een ronde" in result.output
    result = runner.invoke(main, ["ronde", "add", "x", "--titel", "T", "--doelenboom", "bestaat-niet"])
    assert result.exit_code == 1 and "bestaat-niet" in result.output


def test_ronde_add_cli_opens_with_topics_in_residents_words(runner, voorbeeld_bomen):
    from verhalenbank.doelenbomen.models import Doelenboom

    boom = db.session.scalar(select(Doelenboom).where(Doelenboom.code == "hoorn-samenleven"))
    codes = [subdoel.code for subdoel in boom.subdoelen]
    eerste, *rest = codes
    result = runner.invoke(main, ["ronde", "add", "hoorn-buurt", "--titel", "Hoorn buurt", "--doelenboom", boom.code,
                                  "--onderwerp", f"{eerste}=Samen iets doen"])
    assert result.exit_code == 0, result.output
    assert "(gesloten)" in result.output and rest[0] in result.output
    # Opening is refused, in plain words, while a topic is still in policy words.
    result = runner.invoke(main, ["ronde", "open", "hoorn-buurt"])
    assert result.exit_code == 1 and "gewone woorden" in result.output
    result = runner.invoke(main, ["ronde", "add", "hoorn-buurt-2", "--titel", "Hoorn buurt 2", "--doelenboom", boom.code,
                                  *[arg for code in codes for arg in ("--onderwerp", f"{code}=Woorden voor {code}")]])
    assert result.exit_code == 0, result.output
    assert "Ronde hoorn-buurt-2 aangemaakt (open)" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(Ronde.is_open).where(Ronde.slug == "hoorn-buurt-2")) is True
    assert runner.invoke(main, ["ronde", "add", "x2", "--titel", "T", "--onderwerp", "zonder-woorden"]).exit_code == 2


def test_import_with_helper_processes_analyses_and_indexes_every_story_once(runner, app, tmp_path, monkeypatch):
    """`--processen 2`: the stories' analysis goes through the job queue, worked by this process
    and a helper `verhalenbank worker --once` process; every story is analysed and indexed, none
    twice."""
    from tests.support.paths import PROJECT_ROOT
    from verhalenbank.core.jobs import Job, JobStatus
    from verhalenbank.verhalen.verwerking import ANALYSEREN, INDEXEREN
    from verhalenbank.zoeken.operations import get_backend

    monkeypatch.setenv("VERHALENBANK_SECRET_KEY", "test-secret")  # the helper's environment
    monkeypatch.setenv("PYTHONPATH", str(PROJECT_ROOT))
    zinnen = ["Elke dinsdag drink ik koffie in de buurtkamer.", "De buurvrouw nam me mee naar het koor.",
              "Mijn zoon vond een stage via het jongerenwerk.", "In de moestuin praat ik met de buren."]
    bestand = tmp_path / "v.jsonl"
    bestand.write_text("".join(
        json.dumps({"id": f"p-{i}", "tekst": f"{zinnen[i % 4]} Verhaal {i}.", "toestemming": True}) + "\n"
        for i in range(150)
    ), encoding="utf-8")
    # This process stores and then leaves the first round of the queue to its helper, so the
    # helper must do the analysing; this process takes what the helper left.
    from verhalenbank.core import jobs as jobs_module

    real_work, rounds = jobs_module.work, []

    def second_round_only(**options):
        rounds.append(options)
        return real_work(**options) if len(rounds) > 1 else 0

    monkeypatch.setattr(jobs_module, "work", second_round_only)
    result = runner.invoke(main, ["verhalen", "import", str(bestand), "--processen", "2"])
    assert result.exit_code == 0, result.output
    assert "150 opgeslagen, 0 geweigerd, 0 overgeslagen" in result.output
    assert "wachten nog" not in result.output
    # The analysis beside the helper (which leaves the index to this process), what was left
    # with the index writes, then tagging the bank's first stories again (it grew).
    assert [options["kinds"] for options in rounds] == [
        ("verhalen.analyseren",), ("verhalen.analyseren", "zoeken.indexeren"), ("doelenbomen.hertaggen",)]
    db.session.expire_all()
    statuses = db.session.execute(select(Verhaal.analyse_status, func.count()).group_by(Verhaal.analyse_status)).all()
    assert dict(statuses) == {AnalyseStatus.GEANALYSEERD: 150}
    jobs = db.session.scalars(select(Job).where(Job.kind == ANALYSEREN)).all()
    assert sorted(job.payload["verhaal_id"] for job in jobs) == sorted(db.session.scalars(select(Verhaal.id)))
    assert {(job.status, job.attempts) for job in jobs} == {(JobStatus.DONE.value, 1)}
    assert jobs_module.worker_id() not in {job.worker for job in jobs}  # the helper analysed them
    # ... and this process wrote the index, a few of the helper's batches at a time.
    index_jobs = db.session.scalars(select(Job).where(Job.kind == INDEXEREN)).all()
    assert {job.worker for job in index_jobs} == {jobs_module.worker_id()}
    backend = get_backend()
    if hasattr(backend, "close"):
        backend.close()  # a fresh reader of what the index holds now
    assert backend.count() == 150
