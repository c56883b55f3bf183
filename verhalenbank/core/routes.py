"""Home page and health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import func, select

from verhalenbank.accounts.permissions import publiek
from verhalenbank.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/")
@publiek
def home():
    overzicht = None
    if current_user.is_authenticated:
        from verhalenbank.doelenbomen.models import Doelenboom
        from verhalenbank.rondes.models import Ronde
        from verhalenbank.verhalen.models import Verhaal

        overzicht = {
            "verhalen": db.session.scalar(select(func.count(Verhaal.id))),
            "doelenbomen": db.session.scalar(select(func.count(Doelenboom.id))),
            "rondes": db.session.scalar(select(func.count(Ronde.id))),
        }
    return render_template("home.html", overzicht=overzicht)


@bp.get("/gezondheid")
@publiek
def gezondheid():
    db.session.execute(select(1))
    return jsonify(status="ok")
