"""The home page: a welcome for visitors, the work list for a signed-in user."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from verhalenbank.accounts.permissions import publiek
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
