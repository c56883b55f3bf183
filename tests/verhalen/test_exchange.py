"""`verhalen import` (verhalen/exchange.py): every bad line is refused with its line number and
no traceback, every good line is stored, on SQLite and PostgreSQL (issue 16 item 9)."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from verhalenbank.cli import main
from verhalenbank.extensions import db
from verhalenbank.verhalen.models import Verhaal


def _goed(n: int) -> bytes:
    return json.dumps({"id": f"goed-{n}", "tekst": f"Een goed verhaal nummer {n} over de buurtkamer."}).encode()


def _genoemde_regels(output: str) -> dict[int, str]:
    """Line number → reason, from 'verhalen.jsonl, regel 4: …' and 'verhalen.jsonl, regels 4, 5: …'."""
    genoemd: dict[int, str] = {}
    for m in re.finditer(r"^verhalen\.jsonl, regels? ([\d, ]+): (.*)$", output, re.M):
        for nummer in m.group(1).split(","):
            genoemd[int(nummer)] = m.group(2)
    return genoemd


def test_bad_lines_are_refused_by_line_number_and_good_lines_stored(runner, tmp_path):
    slecht = {
        2: b'{"id": "diep", "tekst": "x", "labels": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        3: b'{"id": ' + b"9" * 5000 + b', "tekst": "groot getal"}',
        4: b'{"id": "surrogaat", "tekst": "alleen \\ud800 half"}',
        5: b'{"id": "nul", "tekst": "een \\u0000 nul"}',
        6: json.dumps({"id": "wijk-201", "tekst": "Lange wijk.", "wijk": "w" * 201}).encode(),
        7: json.dumps({"id": "wijk-10000", "tekst": "Heel lange wijk.", "wijk": "w" * 10_000}).encode(),
        8: json.dumps({"id": "i" * 5000, "tekst": "Lang id."}).encode(),
    }
    regels = [_goed(1)] + [slecht[n] for n in range(2, 9)]
    # Past the first 8 KB: more good lines, then invalid UTF-8, then good lines again.
    while sum(len(r) + 1 for r in regels) < 9000:
        regels.append(_goed(len(regels) + 1))
    kapot = len(regels) + 1
    regels.append(b'{"id": "kapot", "tekst": "caf\xe9 \xff"}')
    regels += [_goed(len(regels) + 1 + i) for i in range(3)]
    bestand = tmp_path / "verhalen.jsonl"
    bestand.write_bytes(b"\n".join(regels) + b"\n")

    result = runner.invoke(main, ["verhalen", "import", str(bestand)])
    assert result.exit_code == 1, result.output
    assert type(result.exception) in (type(None), SystemExit)
    assert "Traceback" not in result.output
    genoemd = _genoemde_regels(result.output)
    assert sorted(genoemd) == sorted([*slecht, kapot])
    assert "niet zijn toegestaan" in genoemd[4]  # a lone surrogate
    assert "niet zijn toegestaan" in genoemd[5]  # a NUL character
    assert "regel 8: 'id' is te lang (5000 tekens; maximaal 200)" in result.output
    assert "regel 6: 'wijk' is te lang (201 tekens; maximaal 200)" in result.output
    assert f"regel {kapot}: geen geldige UTF-8-tekst" in result.output

    goed = len(regels) - len(slecht) - 1
    assert f"{goed} opgeslagen, {len(slecht) + 1} geweigerd" in result.output
    opgeslagen = set(db.session.scalars(select(Verhaal.extern_id)))
    assert opgeslagen == {f"goed-{n}" for n in range(1, len(regels) + 1) if n not in slecht and n != kapot}
    assert db.session.scalar(select(func.max(func.length(Verhaal.wijk)))) is None


def test_a_bom_at_the_start_is_not_a_bad_line(runner, tmp_path):
    bestand = tmp_path / "bom.jsonl"
    bestand.write_bytes(b"\xef\xbb\xbf" + _goed(1) + b"\n" + _goed(2) + b"\n")
    result = runner.invoke(main, ["verhalen", "import", str(bestand)])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Verhaal.id))) == 2


def test_a_story_twice_in_one_file_is_stored_once(runner, tmp_path):
    """Which lines are stored already is asked once per batch of lines: a line repeated later in
    the same batch, or in the next one, must still be skipped, with an id and without one."""
    zonder_id = json.dumps({"tekst": "Zonder id: de buurvrouw brengt soep."}).encode()
    regels = [_goed(1), zonder_id, _goed(1), zonder_id]
    regels += [_goed(n) for n in range(2, 120)]  # past the first batch of 100 lines
    regels += [_goed(1), zonder_id, _goed(50)]
    bestand = tmp_path / "dubbel.jsonl"
    bestand.write_bytes(b"\n".join(regels) + b"\n")

    result = runner.invoke(main, ["verhalen", "import", str(bestand)])
    assert result.exit_code == 0, result.output
    assert "120 opgeslagen, 0 geweigerd, 5 overgeslagen" in result.output
    assert db.session.scalar(select(func.count(Verhaal.id))) == 120
    assert db.session.scalar(select(func.count(Verhaal.id)).where(Verhaal.extern_id.is_(None))) == 1


def test_refusals_are_reported_in_file_order(runner, tmp_path):
    """Lines are read a batch at a time, then stored: a line refused while storing (its ronde
    does not exist) and a later line refused while reading are still reported in file order."""
    regels = [_goed(1), json.dumps({"id": "r", "tekst": "Verhaal.", "ronde": "bestaat-niet"}).encode(), b"{kapot"]
    bestand = tmp_path / "verhalen.jsonl"
    bestand.write_bytes(b"\n".join(regels) + b"\n")
    result = runner.invoke(main, ["verhalen", "import", str(bestand)])
    assert result.exit_code == 1, result.output
    assert "1 opgeslagen, 2 geweigerd" in result.output
    assert list(_genoemde_regels(result.output)) == [2, 3]
