"""Ronde (verhalenronde): one collection round with its public form and linked doelenbomen."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from verhalenbank.core.models import Base, TimestampMixin
from verhalenbank.doelenbomen.models import Doelenboom

ronde_doelenbomen = Table(
    "ronde_doelenbomen",
    Base.metadata,
    Column("ronde_id", ForeignKey("rondes.id", ondelete="CASCADE"), primary_key=True),
    Column("doelenboom_id", ForeignKey("doelenbomen.id", ondelete="CASCADE"), primary_key=True),
)

STANDAARD_VRAAG = "Vertel over een moment dat voor u belangrijk was."


class Ronde(TimestampMixin, Base):
    __tablename__ = "rondes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    titel: Mapped[str] = mapped_column(String(300))
    vraag: Mapped[str] = mapped_column(Text, default=STANDAARD_VRAAG)
    beschrijving: Mapped[str | None] = mapped_column(Text)
    start_datum: Mapped[date | None]
    eind_datum: Mapped[date | None]
    is_open: Mapped[bool] = mapped_column(default=True)
    wijken: Mapped[list] = mapped_column(default=list)
    # One-tap self-signification questions; None means the defaults (see rondes.zelfduiding).
    zelfduiding: Mapped[dict | None]
    # AVG: stories older than this are deleted by `verhalenbank opschonen`; None keeps them.
    bewaartermijn_maanden: Mapped[int | None]

    doelenbomen: Mapped[list[Doelenboom]] = relationship(
        secondary=ronde_doelenbomen, order_by="Doelenboom.titel"
    )
