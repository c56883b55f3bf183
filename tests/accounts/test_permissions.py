"""Walk every route of the URL map for every role and for anonymous visitors.

A new route cannot escape the matrix: an undeclared endpoint fails this test, and each
declared one must refuse exactly the roles the matrix refuses.
"""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule

from verhalenbank.accounts.models import Rol
from verhalenbank.accounts.permissions import MATRIX, Recht, vereist_recht_van

SAMPLE_ARGS = {"int": 999999, "string": "bestaat-niet", "path": "bestaat/niet", "default": "bestaat-niet"}


def _url_for_rule(rule: Rule) -> str:
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name].__class__.__name__.lower()
        values[name] = 999999 if "integer" in converter else "bestaat-niet"
    return rule.build(values)[1]


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def test_every_endpoint_declares_a_right(app):
    missing = [r.endpoint for r in _rules(app) if vereist_recht_van(app.view_functions[r.endpoint]) is None]
    assert missing == []


@pytest.mark.parametrize("rol", [None] + [r.value for r in Rol])
def test_route_walk_enforces_the_matrix(app, client, make_user, rol):
    if rol is not None:
        gebruiker = make_user(rol)
        assert client.post("/inloggen", data={"email": gebruiker.email, "wachtwoord": "geheim-wachtwoord-123"}).status_code == 302
    checked = 0
    for rule in _rules(app):
        recht = vereist_recht_van(app.view_functions[rule.endpoint])
        url = _url_for_rule(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if rule.endpoint == "accounts.uitloggen":
                continue  # would end this walk's session
            response = client.open(url, method=method)
            allowed = recht is Recht.PUBLIEK or (rol is not None and Rol(rol) in MATRIX[recht])
            if allowed:
                if not rule.endpoint.startswith("api."):  # the API answers tokens, not a session
                    assert response.status_code not in (401, 403), (rule.endpoint, method, rol)
                assert response.status_code < 500, (rule.endpoint, method, rol, response.status_code)
            elif rol is None:
                assert response.status_code in (302, 401), (rule.endpoint, method, response.status_code)
                if response.status_code == 302:
                    assert "/inloggen" in response.headers["Location"]
            else:
                assert response.status_code == 403, (rule.endpoint, method, rol, response.status_code)
            checked += 1
    assert checked > 20


def test_security_headers_and_csp_without_inline_scripts(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_login_is_throttled(client, make_user):
    gebruiker = make_user("beleidsadviseur")
    for _ in range(5):
        assert client.post("/inloggen", data={"email": gebruiker.email, "wachtwoord": "fout"}).status_code == 400
    response = client.post("/inloggen", data={"email": gebruiker.email, "wachtwoord": "geheim-wachtwoord-123"})
    assert response.status_code == 400
    assert "Te veel mislukte pogingen" in response.get_data(as_text=True)


def test_open_redirect_after_login_is_refused(client, make_user):
    gebruiker = make_user("facilitator")
    response = client.post("/inloggen?next=https://evil.example/x", data={"email": gebruiker.email, "wachtwoord": "geheim-wachtwoord-123"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
