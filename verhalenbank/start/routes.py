"""The home page: a welcome for visitors, the work list for a signed-in user; and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import select

from verhalenbank.accounts.permissions import publiek
from verhalenbank.core.sqlite_rij import alleen_lezen
from verhalenbank.extensions import db
from verhalenbank.start.werkvoorraad import werkvoorraad

bp = Blueprint("start", __name__)


@bp.get("/")
@publiek
def home():
    ingelogd = current_user.is_authenticated
    return render_template(
        "home.html",
        voorraad=werkvoorraad(current_user) if ingelogd else None,
        rol=current_user.rol if ingelogd else None,
    )


@bp.get("/gezondheid")
@publiek
@alleen_lezen  # answers while a long write holds the queue
def gezondheid():
    db.session.execute(select(1))
    return jsonify(status="ok")
