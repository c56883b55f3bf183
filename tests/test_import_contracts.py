"""The import contracts in pyproject.toml ([tool.importlinter]) are really checked.

`make lint-imports` runs them on the package. These tests prove the check can fail: the same
contracts, applied to a small stand-in package, pass while its layers point down and fail on an
upward import from core and on a cycle between two domains (even one hidden inside a function).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
STAND_IN = "bankje"
DOMAINS = ("accounts", "api", "doelenbomen", "media", "nlp", "pakketten", "rondes", "start", "transcripten",
           "verhalen", "waarderen", "zoeken")


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def _lint_imports(cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess:
    assert LINT_IMPORTS.is_file(), f"{LINT_IMPORTS} missing: install the dev extra (pip install -e '.[test,dev]')"
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=cwd, env={**os.environ, "PYTHONPATH": str(pythonpath)},
        capture_output=True, text=True, timeout=300,
    )


def _toml_value(value) -> str:
    # JSON strings, integers and arrays of strings are valid TOML.
    return json.dumps(value)


def _stand_in_project(tmp_path: Path) -> Path:
    """The project's contracts, renamed onto a package with core, extensions and every domain.

    Main's known debt (ignore_imports) is left out: it names imports of the real package, and the
    stand-in's upward imports below must count even where the real package's are tolerated.
    """
    config = _config()
    rename = lambda text: text.replace("verhalenbank", STAND_IN)  # noqa: E731
    lines = ["[tool.importlinter]", f"root_package = {_toml_value(rename(config['root_package']))}"]
    for contract in config["contracts"]:
        lines += ["", "[[tool.importlinter.contracts]]"]
        for key, value in contract.items():
            if key in ("ignore_imports", "unmatched_ignore_imports_alerting"):
                continue
            value = [rename(item) for item in value] if isinstance(value, list) else value
            value = rename(value) if isinstance(value, str) else value
            lines.append(f"{key} = {_toml_value(value)}")
    (tmp_path / "pyproject.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    package = tmp_path / "src" / STAND_IN
    files = {
        "__init__.py": "",
        "app.py": f"from {STAND_IN}.verhalen import models\n",
        "cli.py": f"from {STAND_IN} import app\n",
        "extensions.py": "",
        "core/__init__.py": "",
        "core/models.py": f"from {STAND_IN} import extensions\n",
        "core/routes.py": f"from {STAND_IN}.core import models\n",
    }
    for domain in DOMAINS:
        files[f"{domain}/__init__.py"] = ""
        files[f"{domain}/models.py"] = f"from {STAND_IN}.core import models\n"
    # rondes sits above verhalen: it may import it, not the other way round.
    files["rondes/models.py"] = f"from {STAND_IN}.core import models\nfrom {STAND_IN}.verhalen import models as verhalen\n"
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return package


def test_the_contracts_are_the_two_of_issue_15():
    contracts = {contract["id"]: contract["type"] for contract in _config()["contracts"]}
    assert contracts == {"core-imports-no-domain": "forbidden", "no-package-cycles": "acyclic_siblings"}


def test_a_package_whose_layers_point_down_keeps_both_contracts(tmp_path):
    _stand_in_project(tmp_path)
    result = _lint_imports(tmp_path, tmp_path / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_core_importing_a_domain_breaks_the_contract(tmp_path):
    package = _stand_in_project(tmp_path)
    (package / "core" / "routes.py").write_text(f"from {STAND_IN}.verhalen import models\n", encoding="utf-8")
    result = _lint_imports(tmp_path, tmp_path / "src")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{STAND_IN}.core imports no domain package BROKEN" in result.stdout
    assert f"{STAND_IN}.core.routes -> {STAND_IN}.verhalen.models" in result.stdout


def test_a_cycle_between_domains_hidden_in_a_function_breaks_the_contract(tmp_path):
    package = _stand_in_project(tmp_path)
    (package / "verhalen" / "models.py").write_text(
        f"from {STAND_IN}.core import models\n\n\ndef wis():\n    from {STAND_IN}.rondes import models as rondes\n",
        encoding="utf-8",
    )
    result = _lint_imports(tmp_path, tmp_path / "src")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"No import cycles between the packages of {STAND_IN} BROKEN" in result.stdout
    assert f"{STAND_IN}.core imports no domain package KEPT" in result.stdout


def test_the_package_keeps_the_contracts():
    result = _lint_imports(ROOT, ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout
