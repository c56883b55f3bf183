"""No assert in the tests can pass by a fallback: `assert a and b or c`, `assert x or y`.

An `or` at the top of an assert (or beside an `and` there) lets the test pass on the weaker
branch, so it hides the behaviour the test is named after. Write two asserts, an `if`, or
compute the one expected value instead. An `or` nested inside a call or comparison
(`x in (y or "")`, `any(a or b for …)`) is a value, not a fallback, and is allowed.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _fallback_ors(test: ast.expr) -> list[ast.BoolOp]:
    """The `or` expressions at the top of an assert's condition, looking through `and`."""
    if isinstance(test, ast.BoolOp):
        if isinstance(test.op, ast.Or):
            return [test]
        return [found for value in test.values for found in _fallback_ors(value)]
    return []


def fallback_asserts(source: str) -> list[tuple[int, str]]:
    return [
        (node.lineno, ast.unparse(node.test))
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Assert) and _fallback_ors(node.test)
    ]


def test_the_check_finds_the_weak_shapes_and_allows_values():
    assert [line for line, _ in fallback_asserts("assert a and b or c\n")] == [1]
    assert [line for line, _ in fallback_asserts("assert x\nassert a or b\n")] == [2]
    assert [line for line, _ in fallback_asserts("assert a and (b or c)\n")] == [1]
    assert fallback_asserts("assert x not in (y or '')\nassert not any(a or b for a, b in z)\nassert a and b\n") == []


def test_no_assert_in_the_tests_has_a_fallback_or():
    found = [
        f"{path.relative_to(TESTS.parent)}:{line}: assert {text}"
        for path in sorted(TESTS.rglob("*.py"))
        for line, text in fallback_asserts(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "asserts that can pass on a fallback branch:\n" + "\n".join(found)
