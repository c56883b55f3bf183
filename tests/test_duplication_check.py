"""`make duplication` (pylint's duplicate-code check, configured in pyproject.toml) can fail.

`make test` runs it on the package. These tests run the same configuration on a small stand-in
package: it passes while the modules differ and fails once one repeats another's logic.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYLINT = Path(sys.executable).parent / "pylint"

LOGIC = '''
def {name}(rij):
    totaal = 0
    for waarde in rij:
        if waarde > 10:
            totaal += waarde * 2
        else:
            totaal -= waarde
    gemiddelde = totaal / max(len(rij), 1)
    return round(gemiddelde, 2)
'''

OTHER = '''
def telling(woorden):
    gezien = {}
    for woord in woorden:
        gezien[woord] = gezien.get(woord, 0) + 1
    return sorted(gezien.items(), key=lambda paar: -paar[1])
'''


def _check(package: Path) -> subprocess.CompletedProcess:
    assert PYLINT.is_file(), f"{PYLINT} missing: install the dev extra (pip install -e '.[test,dev]')"
    return subprocess.run(
        [str(PYLINT), "--rcfile", str(ROOT / "pyproject.toml"), package.name],
        cwd=package.parent, capture_output=True, text=True, timeout=300,
    )


def _package(tmp_path: Path, modules: dict[str, str]) -> Path:
    package = tmp_path / "bankje"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    for name, source in modules.items():
        (package / f"{name}.py").write_text(source, encoding="utf-8")
    return package


def test_different_modules_pass(tmp_path):
    result = _check(_package(tmp_path, {"a": LOGIC.format(name="gemiddelde"), "b": OTHER}))
    assert result.returncode == 0, result.stdout + result.stderr


def test_logic_repeated_in_another_module_fails(tmp_path):
    result = _check(_package(tmp_path, {"a": LOGIC.format(name="gemiddelde"), "b": LOGIC.format(name="score")}))
    assert result.returncode != 0
    assert "duplicate-code" in result.stdout
    assert "Similar lines in 2 files" in result.stdout
