"""The authorisation matrix at work on every request and in every page's menu.

`init_app` adds, to every app: the `before_request` hook that checks each endpoint's declared
right (`permissions.vereist`), and the template globals that show a role only what it may use
(`navigatie`, `heeft_recht`, `Recht`). create_app() calls it before any blueprint is registered,
so the check runs before every other hook."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, abort, current_app, jsonify, redirect, request, url_for
from flask_login import current_user

from verhalenbank.accounts.permissions import Recht, heeft_recht, vereist_recht_van


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    recht: Recht


# Shown in this order, each only to roles that have the right and only once its page exists.
NAVIGATIE = (
    NavItem("verhalen.lijst", "Verhalen", Recht.VERHALEN_LEZEN),
    NavItem("zoeken.zoek", "Zoeken", Recht.ZOEKEN),
    NavItem("zoeken.tellen", "Tellen", Recht.ZOEKEN),
    NavItem("nlp.beoordelen", "Beoordelen", Recht.TAGS_BEOORDELEN),
    NavItem("rondes.lijst", "Rondes", Recht.RONDES_BEHEREN),
    NavItem("doelenbomen.lijst", "Doelenbomen", Recht.VERHALEN_LEZEN),
    NavItem("transcripten.lijst", "Transcripten", Recht.TRANSCRIPTEN),
    NavItem("pakketten.lijst", "Pakketten", Recht.PAKKETTEN),  # short: the desk menu is one row
    NavItem("waarderen.lijst", "Waarderen", Recht.WAARDEREN),
    NavItem("accounts.gebruikers", "Gebruikers", Recht.GEBRUIKERS_BEHEREN),
    NavItem("accounts.logboek", "Logboek", Recht.AUDIT_BEKIJKEN),
    NavItem("accounts.taken", "Taken", Recht.TAKEN_BEHEREN),
)


def navigatie() -> list[tuple[str, str, str]]:
    items = []
    for item in NAVIGATIE:
        if item.endpoint in current_app.view_functions and heeft_recht(current_user, item.recht):
            items.append((item.endpoint, url_for(item.endpoint), item.label))
    return items


def _check_authorisation():
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static":
        return None
    view = current_app.view_functions.get(endpoint)
    recht = vereist_recht_van(view)
    if recht is None:
        # Undeclared routes are closed to everyone: a forgotten decorator fails safe.
        abort(403)
    if recht is Recht.PUBLIEK:
        return None
    if not current_user.is_authenticated:
        if request.path.startswith("/api/"):
            if request.headers.get("Authorization", "").startswith("Bearer "):
                return jsonify(fout="Dit API-token is onbekend, verlopen of ingetrokken."), 401
            return jsonify(fout="Inloggen of een API-token is nodig."), 401
        return redirect(url_for("accounts.inloggen", next=request.full_path.rstrip("?")))
    if not heeft_recht(current_user, recht):
        abort(403)
    return None


def init_app(app: Flask) -> None:
    app.before_request(_check_authorisation)
    app.jinja_env.globals.update(
        navigatie=navigatie,
        heeft_recht=lambda recht: heeft_recht(current_user, Recht(recht)),
        Recht=Recht,
    )
