"""`verhalenbank demo` (verhalenbank/demo.py): it stops before storing anything when it cannot run."""

from __future__ import annotations

from tests.support.cli import run_cli, tabellen


def test_demo_on_a_busy_port_says_which_port_and_how_to_choose_another(tmp_path):
    import socket

    with socket.socket() as bezet:
        bezet.bind(("127.0.0.1", 0))
        bezet.listen()
        port = bezet.getsockname()[1]
        result = run_cli(["demo", "--port", str(port)], tmp_path)
    assert result.returncode != 0
    uitvoer = result.stdout + result.stderr
    assert "draait op" not in uitvoer and "Traceback" not in uitvoer
    assert result.stderr.strip().splitlines() == [
        f"Error: Poort {port} op 127.0.0.1 is al in gebruik. Kies een andere poort: "
        f"make demo PORT={port + 1} (of verhalenbank demo/serve --port {port + 1})."
    ]
    assert tabellen(tmp_path) == set()  # nothing was prepared


def test_demo_without_a_spacy_model_stops_before_storing_anything(tmp_path):
    result = run_cli(["demo", "--no-serve"], tmp_path, VERHALENBANK_SPACY_MODEL=str(tmp_path / "geen-model"))
    assert result.returncode != 0
    assert "opgeslagen" not in result.stdout and "Traceback" not in result.stdout + result.stderr
    regels = result.stderr.strip().splitlines()
    assert len(regels) == 1, regels
    assert "VERHALENBANK_SPACY_MODEL" in regels[0] and "python -m spacy download nl_core_news_sm" in regels[0]
    assert tabellen(tmp_path) == set()  # no story stored, nothing half-made
