"""Schemathesis against the running app: every operation of /api/v1/openapi.json, generated
requests with a beheerder token, zero server errors and zero schema violations.

The document is OpenAPI 3.1 (the issue asks for 3.1); schemathesis 3.x supports 3.1 behind its
experimental switch, which also makes it validate responses with JSON Schema 2020-12 (the
dialect of 3.1). A second test serves a document that the implementation does not match and
checks that the run fails, so the conformance test cannot pass by testing nothing.

Bounded (a few examples per operation) so CI stays fast; a failure prints the request that
broke it.
"""

from __future__ import annotations

from collections import Counter

import hypothesis
import pytest
import schemathesis
from flask import g
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from verhalenbank.api import openapi as openapi_module

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 20


@pytest.fixture(autouse=True)
def openapi_31():
    schemathesis.experimental.OPEN_API_3_1.enable()
    yield
    schemathesis.experimental.OPEN_API_3_1.disable()


@pytest.fixture(autouse=True)
def whoosh_names_from_the_os(monkeypatch):
    """Hypothesis seeds the global `random` the same way for every example, so whoosh (which
    names its segment files with `random`) would pick the same name twice and refuse to commit.
    A real server never runs under that seeding; give whoosh names from the OS here."""
    import secrets
    import string

    def random_name(size: int = 28) -> str:
        return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(size))

    for module in ("whoosh.writing", "whoosh.codec.base", "whoosh.filedb.compound", "whoosh.filedb.filestore"):
        monkeypatch.setattr(f"{module}.random_name", random_name)


def _run(app, headers, wereld, *, max_examples: int = MAX_EXAMPLES, alleen: set[str] | None = None):
    """Run every operation (or those whose operationId is in `alleen`); -> (failures, statuses)."""

    def wsgi_app(environ, start_response):
        # The test keeps one app context (so one `g`) for all requests; a real request starts
        # with an empty one, so drop Flask-Login's cached user and let each request authenticate.
        g.pop("_login_user", None)
        return app(environ, start_response)

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    if alleen is not None:
        operations = [op for op in operations if op.definition.raw.get("operationId") in alleen]
    failures: list[str] = []
    bestaande = {
        "slug": [wereld.open_ronde.slug, wereld.gesloten_ronde.slug],
        "code": ["lelystad-sociaal-krachtige-wijken", "hoorn-samenleven"],
        "verhaal_id": [wereld.verhaal_eigen.id, wereld.verhaal_ander.id, wereld.verhaal_zonder_org.id],
        "tag_id": [tag.id for tag in wereld.verhaal_eigen.tags + wereld.verhaal_ander.tags],
    }
    # The same for body fields whose valid values depend on the data (a ronde's wijken, the
    # subgoals of its tree): random text would almost always be refused with 422.
    bestaande_velden = {
        "wijk": [None, "Atolwijk", "Waterwijk"],
        "toestemming": [True],
        "subdoel": ["LW1", "LW2", "LW3", "HS1"],
        "doelenboom": [None, "lelystad-sociaal-krachtige-wijken"],
        "indicator": [None, "LW1.1"],
    }
    statussen: Counter[int] = Counter()

    for operation in operations:

        @hypothesis.settings(
            max_examples=max_examples,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @hypothesis.given(case=operation.as_strategy(), data=st.data())
        def run(case, data):
            # Random ids and slugs mostly miss; half the time use ones that exist, so the
            # successful paths (200/201 bodies) are checked against the schema too.
            for name in list(case.path_parameters or {}):
                if name in bestaande and data.draw(st.booleans()):
                    case.path_parameters[name] = data.draw(st.sampled_from(bestaande[name]))
            if isinstance(case.body, dict):
                for name in list(case.body):
                    if name in bestaande_velden and data.draw(st.booleans()):
                        case.body[name] = data.draw(st.sampled_from(bestaande_velden[name]))
            response = case.call(headers=headers)
            statussen[response.status_code] += 1
            case.validate_response(response, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report
            # Anything, not only a check failure: an operation that cannot even be generated
            # or called is a failure of the run too.
            failures.append(f"{operation.verbose_name}: {type(exc).__name__}: {exc}")
    return operations, failures, statussen


def test_api_conforms_to_its_openapi_document(app, api_token, wereld):
    app.config["VERHALENBANK_INZEND_LIMIET"] = 10_000  # generated stories must not hit the rate limit
    _, headers = api_token("beheerder")
    operations, failures, statussen = _run(app, headers, wereld)
    assert len(operations) >= 11  # schemathesis may leave out the document itself
    assert failures == [], "\n\n".join(failures[:5])
    # Every request carried a valid token: a 401 would mean the run tested only the door.
    assert statussen[401] == 0 and statussen[200] > 0 and statussen[201] > 0, statussen


def test_the_run_fails_when_the_api_breaks_its_document(app, api_token, wereld, monkeypatch):
    """Serve a document that promises a field the API never sends: the run must report it."""
    _, headers = api_token("beheerder")
    echt = openapi_module.SCHEMAS["Ronde"]
    kapot = {**echt, "required": [*echt["required"], "bestaat_niet"],
             "properties": {**echt["properties"], "bestaat_niet": {"type": "string"}}}
    monkeypatch.setitem(openapi_module.SCHEMAS, "Ronde", kapot)
    _, failures, statussen = _run(app, headers, wereld, max_examples=10, alleen={"rondesLijst", "ronde"})
    assert statussen[200] > 0, statussen
    assert failures and all("bestaat_niet" in failure for failure in failures), failures
