"""Serving stored photos to people who may read the story they belong to."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, send_from_directory
from flask_login import current_user
from sqlalchemy import or_, select

from verhalenbank.accounts.permissions import Recht, mag_organisatie_zien, vereist
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
    # The same visibility rule as the story itself (accounts.permissions, as in
    # verhalen.operations.zichtbaar_verhaal), read through the photo's own story: media sits
    # below verhalen and imports none of its code.
    if not mag_organisatie_zien(current_user, gevonden.verhaal.organisatie_id):
        abort(404)
    response = send_from_directory(current_app.config["VERHALENBANK"].photo_dir, naam, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
