"""Photo lookups for pages that show a story."""

from __future__ import annotations

from sqlalchemy import select

from verhalenbank.extensions import db
from verhalenbank.media.models import Foto


def photos_of_verhaal(verhaal_id: int) -> list[Foto]:
    return list(db.session.scalars(select(Foto).where(Foto.verhaal_id == verhaal_id).order_by(Foto.id)))
