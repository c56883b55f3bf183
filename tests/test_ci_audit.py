"""`make audit` (.ci/audit) claims a result only when it has advisory data.

pip-audit is replaced by a stand-in whose answers each test chooses, so the tests need no
network and cover the case this machine has: a registry without vulnerability data.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

AUDIT = Path(__file__).resolve().parent.parent / ".ci" / "audit"
NOT_AUDITED = "niet gecontroleerd: geen advisory-gegevens bereikbaar"

FAKE_PIP_AUDIT = """#!/usr/bin/env bash
# Stand-in pip-audit: records each call; the probe (-r FILE) answers per $PROBE, the
# environment audit per $ENVIRONMENT.
echo "$*" >> "$CALLS"
case " $* " in
  *" -r "*)
    case "$PROBE" in
      vulnerable) echo '{"dependencies": [{"name": "jinja2", "version": "2.10", "vulns": [{"id": "PYSEC-2019-217"}]}]}'; exit 1 ;;
      empty) echo '{"dependencies": [{"name": "jinja2", "version": "2.10", "vulns": []}]}'; exit 0 ;;
      unreachable) echo "ConnectionError: no route to host" >&2; exit 1 ;;
    esac ;;
  *)
    case "$ENVIRONMENT" in
      clean) echo "No known vulnerabilities found"; exit 0 ;;
      vulnerable) echo "Found 1 known vulnerability in 1 package"; exit 1 ;;
    esac ;;
esac
"""


def _audit(tmp_path: Path, *, probe: str, environment: str = "clean") -> tuple[subprocess.CompletedProcess, list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "pip-audit"
    fake.write_text(FAKE_PIP_AUDIT, encoding="utf-8")
    fake.chmod(0o755)
    (bin_dir / "python").symlink_to(sys.executable)
    calls = tmp_path / "calls"
    calls.touch()
    result = subprocess.run(
        ["bash", str(AUDIT)],
        env={**os.environ, "BIN": str(bin_dir), "CALLS": str(calls), "PROBE": probe, "ENVIRONMENT": environment},
        capture_output=True, text=True, timeout=60,
    )
    return result, calls.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("probe", ["empty", "unreachable"])
def test_without_advisory_data_it_says_not_audited_and_claims_nothing(tmp_path, probe):
    result, calls = _audit(tmp_path, probe=probe)
    assert result.returncode == 3
    assert NOT_AUDITED in result.stdout
    assert "No known vulnerabilities" not in result.stdout + result.stderr
    assert len(calls) == 1  # only the probe: the environment is never audited blind


def test_with_advisory_data_a_clean_environment_passes(tmp_path):
    result, calls = _audit(tmp_path, probe="vulnerable", environment="clean")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No known vulnerabilities found" in result.stdout
    assert NOT_AUDITED not in result.stdout
    assert len(calls) == 2
    assert "--skip-editable" in calls[1]


def test_with_advisory_data_a_vulnerable_environment_fails(tmp_path):
    result, _ = _audit(tmp_path, probe="vulnerable", environment="vulnerable")
    assert result.returncode == 1
    assert "Found 1 known vulnerability" in result.stdout
