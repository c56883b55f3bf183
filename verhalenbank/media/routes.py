"""Serving stored photos to people who may read the story they belong to."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, send_from_directory
from sqlalchemy import or_, select

from verhalenbank.accounts.permissions import Recht, vereist
from verhalenbank.extensions import db
from verhalenbank.media import images
from verhalenbank.media.models import Foto

bp = Blueprint("media", __name__, url_prefix="/media")


@bp.get("/fotos/<naam>")
@vereist(Recht.VERHALEN_LEZEN)
def foto(naam: str):
    # Only our own generated names reach the file system; anything else is simply not found.
    if not images.is_stored_name(naam):
        abort(404)
    gevonden = db.session.scalar(select(Foto).where(or_(Foto.bestand == naam, Foto.miniatuur == naam)))
    if gevonden is None:
        abort(404)
    from verhalenbank.verhalen.routes import get_zichtbaar_verhaal

    get_zichtbaar_verhaal(gevonden.verhaal_id)  # same visibility rule as the story itself
    response = send_from_directory(current_app.config["VERHALENBANK"].photo_dir, naam, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
