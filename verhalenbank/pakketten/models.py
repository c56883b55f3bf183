"""A feedback pack (na-waarderen) for a ronde, with the facilitator's curation choices."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from verhalenbank.accounts.models import Gebruiker, Organisatie
from verhalenbank.core.models import Base, TimestampMixin
from verhalenbank.doelenbomen.models import Doelenboom
from verhalenbank.rondes.models import Ronde


class Pakket(TimestampMixin, Base):
    __tablename__ = "pakketten"

    id: Mapped[int] = mapped_column(primary_key=True)
    ronde_id: Mapped[int] = mapped_column(ForeignKey("rondes.id", ondelete="CASCADE"), index=True)
    doelenboom_id: Mapped[int | None] = mapped_column(ForeignKey("doelenbomen.id", ondelete="SET NULL"))
    wijk: Mapped[str | None] = mapped_column(String(200))
    organisatie_id: Mapped[int | None] = mapped_column(ForeignKey("organisaties.id", ondelete="SET NULL"))
    titel: Mapped[str] = mapped_column(String(300))
    # Curation: per subdoel dropped/pinned story ids, order and a note.
    keuzes: Mapped[dict] = mapped_column(default=dict)
    gemaakt_door_id: Mapped[int | None] = mapped_column(ForeignKey("gebruikers.id", ondelete="SET NULL"))

    ronde: Mapped[Ronde] = relationship()
    doelenboom: Mapped[Doelenboom | None] = relationship()
    organisatie: Mapped[Organisatie | None] = relationship()
    gemaakt_door: Mapped[Gebruiker | None] = relationship()
