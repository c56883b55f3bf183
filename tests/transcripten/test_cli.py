"""`verhalenbank transcript import` on SQLite and PostgreSQL, and as a real process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from verhalenbank.cli import main
from verhalenbank.extensions import db
from verhalenbank.transcripten.models import Transcript
from verhalenbank.verhalen.models import Verhaal

from .fixtures import SLECHTE_INVOER, VOORBEELDEN, VTT, maak_docx, maak_tekst_pdf, maak_versleutelde_pdf


def _tel(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def ronde(app):
    from verhalenbank.rondes.operations import RondeGegevens, create_ronde

    ronde = create_ronde(RondeGegevens(slug="hoorn-2026-najaar", titel="Hoorn najaar 2026"))
    db.session.commit()
    return ronde


def test_dry_run_prints_the_split_and_stores_nothing(runner):
    result = runner.invoke(main, ["transcript", "import", str(VOORBEELDEN / "transcript-jongerenwerk.srt"), "--dry-run"])
    assert result.exit_code == 0, result.output
    regels = result.output.splitlines()
    assert regels[0] == "transcript-jongerenwerk.srt: 6 voorgestelde verhalen"
    assert "Rachid (gespreksleider, 13x)" in regels[1]
    assert "  1. Sanne [4-55, 00:00:15.522–00:03:57.965]" in regels
    assert "     vraag: Rachid: Lisa, jij zei net iets over het station." in regels
    assert _tel(Transcript) == 0 and _tel(Verhaal) == 0


def test_dry_run_of_the_text_example_matches_the_web_split(runner):
    result = runner.invoke(main, ["transcript", "import", str(VOORBEELDEN / "transcript-ontmoetingsplek.txt"), "--dry-run"])
    assert result.exit_code == 0, result.output
    sprekers = [regel.split()[1] for regel in result.output.splitlines() if regel[:5].strip().rstrip(".").isdigit()]
    assert sprekers == ["Gerrit", "Tineke", "Ahmed", "Wilma", "Joke", "Bert", "Dini"]
    assert "Niet citeren: Joke (‘Joke wil niet geciteerd worden.’)" in result.output


def test_import_stores_stories_in_the_ronde(runner, ronde, data_dir):
    result = runner.invoke(
        main,
        ["transcript", "import", str(VOORBEELDEN / "transcript-jongerenwerk.srt"), "--ronde", "hoorn-2026-najaar",
         "--aanbieder", "Jongerenwerk Hoorn", "--toestemming", "--datum", "2026-10-02"],
    )
    assert result.exit_code == 0, result.output
    assert "6 verhalen opgeslagen" in result.output
    verhalen = db.session.scalars(select(Verhaal).order_by(Verhaal.transcript_positie)).all()
    assert len(verhalen) == 6
    assert {v.bron for v in verhalen} == {"transcript"}
    assert {v.ronde_id for v in verhalen} == {ronde.id}
    assert verhalen[0].organisatie.naam == "Jongerenwerk Hoorn"
    assert verhalen[0].transcript_tijd.startswith("00:00:15.522–")
    assert verhalen[0].spreker == "Deelnemer 1"
    assert verhalen[0].toestemming is True and verhalen[0].citeren is False
    assert str(verhalen[0].datum) == "2026-10-02"
    transcript = db.session.scalar(select(Transcript))
    assert (data_dir / "transcripten" / transcript.bestand).is_file()


def test_import_honours_the_header_note_of_a_participant_who_refused_quoting(runner, data_dir, tmp_path):
    from markupsafe import escape

    from verhalenbank.rondes.operations import RondeGegevens, create_ronde

    create_ronde(RondeGegevens(slug="lelystad-2026-voorjaar", titel="Lelystad voorjaar 2026"))
    db.session.commit()
    # The operator says everyone may be quoted; the header says Joke does not want to be.
    result = runner.invoke(main, ["transcript", "import", str(VOORBEELDEN / "transcript-ontmoetingsplek.txt"),
                                  "--toestemming", "--citeren"])
    assert result.exit_code == 0, result.output
    verhalen = db.session.scalars(select(Verhaal).order_by(Verhaal.transcript_positie)).all()
    assert len(verhalen) == 7
    # The ronde, date and wijk come from the header.
    assert {v.ronde.slug for v in verhalen} == {"lelystad-2026-voorjaar"}
    assert {str(v.datum) for v in verhalen} == {"2026-04-16"}
    assert {v.wijk for v in verhalen} == {"Atolwijk"}
    joke = next(v for v in verhalen if "bloemstukjes" in v.tekst)
    assert joke.toestemming is True
    assert joke.citeren is False
    assert sum(v.citeren for v in verhalen) == 6

    # Her words never reach the pack, although her story counts.
    uit = tmp_path / "pakket.html"
    result = runner.invoke(main, ["pakket", "lelystad-2026-voorjaar", "--out", str(uit)])
    assert result.exit_code == 0, result.output
    html = uit.read_text(encoding="utf-8")
    assert "bloemstukjes" not in html and "Ophalen. Anders komen ze niet" not in html
    # The pack does quote the others: at least one quotable story appears in it.
    geciteerd = [v for v in verhalen if v.citeren and str(escape(v.tekst_publiek[:40])) in html]
    assert geciteerd


@pytest.mark.parametrize(
    ("naam", "maker", "aantal"),
    [("s.docx", maak_docx, 2), ("s.pdf", maak_tekst_pdf, 2), ("s.vtt", lambda: VTT.encode(), 2)],
)
def test_import_other_formats(runner, tmp_path, naam, maker, aantal):
    pad = tmp_path / naam
    pad.write_bytes(maker())
    result = runner.invoke(main, ["transcript", "import", str(pad)])
    assert result.exit_code == 0, result.output
    assert _tel(Verhaal) == aantal


@pytest.mark.parametrize(
    ("naam", "melding"),
    [
        ("leeg.txt", "is leeg"),
        ("binair.pdf", "kan niet als PDF gelezen worden"),
        ("geheim.pdf", "beveiligd met een wachtwoord"),
        ("notities.odt", "kennen we niet"),
    ],
)
def test_bad_inputs_exit_non_zero_with_one_line_and_store_nothing(runner, tmp_path, data_dir, naam, melding):
    pad = SLECHTE_INVOER / naam
    if not pad.exists():
        pad = tmp_path / naam
        pad.write_bytes(maak_versleutelde_pdf(gebruikerswachtwoord="x") if naam == "geheim.pdf" else b"tekst")
    result = runner.invoke(main, ["transcript", "import", str(pad)])
    assert result.exit_code == 1
    assert melding in result.output and naam in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert _tel(Transcript) == 0 and _tel(Verhaal) == 0
    map_ = data_dir / "transcripten"
    assert list(map_.glob("**/*")) == []  # absent or empty


def test_unknown_ronde_is_refused(runner):
    result = runner.invoke(main, ["transcript", "import", str(VOORBEELDEN / "transcript-jongerenwerk.srt"), "--ronde", "onbekend"])
    assert result.exit_code == 1
    assert "onbekend" in result.output
    assert _tel(Verhaal) == 0


def test_latin1_import_as_a_process_keeps_accents(tmp_path):
    env = {**os.environ, "VERHALENBANK_DATA_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-m", "verhalenbank.cli", "init"], env=env, capture_output=True, timeout=120, check=True)
    result = subprocess.run(
        [sys.executable, "-m", "verhalenbank.cli", "transcript", "import", str(SLECHTE_INVOER / "latin1.txt"), "--toestemming"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "latin1.txt: 2 verhalen opgeslagen" in result.stdout
    assert "gelezen als ISO-8859-1" in result.stderr
    kapot = subprocess.run(
        [sys.executable, "-m", "verhalenbank.cli", "transcript", "import", str(SLECHTE_INVOER / "binair.pdf")],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert kapot.returncode == 1
    assert "Traceback" not in kapot.stderr + kapot.stdout
    assert kapot.stderr.strip().splitlines() == ["Error: ‘binair.pdf’ kan niet als PDF gelezen worden: het bestand is beschadigd of geen PDF."]
