"""Schemathesis against the running app: every operation of /api/v1/openapi.json, generated
requests with a beheerder token, zero server errors and zero schema violations.

Bounded (a few examples per operation) so CI stays fast; a failure prints the request that
broke it.
"""

from __future__ import annotations

from collections import Counter

import hypothesis
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

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 20


def test_api_conforms_to_its_openapi_document(app, api_token, wereld):
    app.config["VERHALENBANK_INZEND_LIMIET"] = 10_000  # generated stories must not hit the rate limit
    _, headers = api_token("beheerder")

    def wsgi_app(environ, start_response):
        # The test keeps one app context (so one `g`) for all requests; a real request starts
        # with an empty one, so drop Flask-Login's cached user and let each request authenticate.
        g.pop("_login_user", None)
        return app(environ, start_response)

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11  # schemathesis may leave out the document itself
    failures: list[str] = []
    bestaande = {
        "slug": [wereld.open_ronde.slug, wereld.gesloten_ronde.slug],
        "code": ["lelystad-sociaal-krachtige-wijken", "hoorn-samenleven"],
        "verhaal_id": [wereld.verhaal_eigen.id, wereld.verhaal_ander.id, wereld.verhaal_zonder_org.id],
        "tag_id": [tag.id for tag in wereld.verhaal_eigen.tags + wereld.verhaal_ander.tags],
    }
    statussen: Counter[int] = Counter()

    for operation in operations:

        @hypothesis.settings(
            max_examples=MAX_EXAMPLES,
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
            response = case.call(headers=headers)
            statussen[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as exc:  # noqa: BLE001 - collect all operations' failures, then report
                failures.append(f"{operation.label}: {exc}")
                raise

        try:
            run()
        except Exception:  # noqa: BLE001 - recorded above
            pass
    assert failures == [], "\n\n".join(failures[:5])
    # Every request carried a valid token: a 401 would mean the run tested only the door.
    print("STATUS", statussen)
    assert statussen[401] == 0 and statussen[200] > 0 and statussen[201] > 0, statussen

