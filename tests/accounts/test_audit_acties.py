"""Audit actions are an enum (accounts/audit.py): every call names a member, an unknown action
is refused, and the logboek has plain words for each."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import select

from verhalenbank.accounts.audit import AuditActie
from verhalenbank.accounts.audit import actie_label
from verhalenbank.accounts.models import AuditLog
from verhalenbank.accounts.operations import log_audit
from verhalenbank.extensions import db

PACKAGE = Path(__file__).resolve().parents[2] / "verhalenbank"


def _text_in(node: ast.AST) -> list[str]:
    """String literals (plain or f-strings) that an action expression may evaluate to (for
    `a if test else b`: in a and b, not in the test)."""
    if isinstance(node, ast.IfExp):
        return _text_in(node.body) + _text_in(node.orelse)
    return [ast.unparse(n) for n in ast.walk(node)
            if isinstance(n, ast.JoinedStr) or (isinstance(n, ast.Constant) and isinstance(n.value, str))]


def _audit_calls_with_literal_actions(package: Path = PACKAGE) -> list[str]:
    found = []
    for path in package.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            naam = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            actie = node.args[1] if naam in ("log_audit", "_audited_download") and len(node.args) > 1 else None
            if actie is not None and _text_in(actie):
                found.append(f"{path.relative_to(package.parent)}:{node.lineno}: {ast.unparse(actie)}")
    return found


def test_no_audit_call_names_its_action_as_text():
    assert _audit_calls_with_literal_actions() == []


def test_the_scan_sees_a_literal_action(tmp_path):
    bron = tmp_path / "verhalenbank" / "voorbeeld.py"
    bron.parent.mkdir()
    bron.write_text(
        'log_audit(door, f"tag_{x}", object_type="tag")\n'
        'log_audit(door, AuditActie.TAG_BEVESTIGD if x == "ja" else "tag_afgewezen")\n'
        'log_audit(door, AuditActie.TAG_BEVESTIGD if x == "ja" else AuditActie.TAG_AFGEWEZEN)\n'
    )
    assert _audit_calls_with_literal_actions(bron.parent) == [
        "verhalenbank/voorbeeld.py:1: f'tag_{x}'",
        "verhalenbank/voorbeeld.py:2: AuditActie.TAG_BEVESTIGD if x == 'ja' else 'tag_afgewezen'",
    ]


def test_an_unknown_action_is_refused_and_nothing_is_logged(app):
    with pytest.raises(ValueError):
        log_audit(None, "iets_verzonnen")
    assert db.session.scalars(select(AuditLog)).all() == []


def test_a_member_is_stored_as_its_value_and_shown_in_words(app):
    log_audit(None, AuditActie.VERHAAL_GEWIST, object_type="verhaal", object_id=1)
    db.session.commit()
    assert db.session.scalar(select(AuditLog.actie)) == "verhaal_gewist"
    assert actie_label("verhaal_gewist") == "Verhaal gewist"


def test_every_action_has_its_own_value_and_dutch_words():
    waarden = [actie.value for actie in AuditActie]
    assert len(waarden) == len(set(waarden))
    assert all(actie.label and actie.label != actie.value for actie in AuditActie)
