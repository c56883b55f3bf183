"""Waarderingssessie: a panel reads stories of a ronde and chooses, per subdoel or per domain of
change, the one that matters most, and says why (Most Significant Change; step 4/5 of the
narratieve methode).

A session is divided either per subdoel (`indeling` "subdoel": rows carry `subdoel_id`) or per
domain of change (`indeling` "domein": the facilitator names the domains, e.g. "Veranderingen
in het dagelijks leven", each optionally covering some subdoelen; rows carry `domein_id`).
Every selection, choice and group choice belongs to exactly one of the two."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from verhalenbank.accounts.models import Gebruiker
from verhalenbank.core.models import Base, TimestampMixin
from verhalenbank.doelenbomen.models import Subdoel
from verhalenbank.rondes.models import Ronde
from verhalenbank.verhalen.models import Verhaal


class SessieStatus(str, enum.Enum):
    VOORBEREID = "voorbereid"  # prepared, participants cannot join yet
    OPEN = "open"  # in the room: participants join and choose
    GESLOTEN = "gesloten"  # the group's choices are recorded


class SessieIndeling(str, enum.Enum):
    SUBDOEL = "subdoel"  # one choice per subdoel of the ronde's trees
    DOMEIN = "domein"  # one choice per domain of change the facilitator named


# Exactly one of subdoel_id / domein_id is set on a row of a session's parts.
_EEN_ONDERDEEL = "(subdoel_id IS NULL) <> (domein_id IS NULL)"


def _een_onderdeel() -> CheckConstraint:
    return CheckConstraint(_EEN_ONDERDEEL, name="een_onderdeel")


class _OnderdeelVerhaal:
    """Columns of a row about one story for exactly one subdoel or one domain (see `_een_onderdeel`)."""

    subdoel_id: Mapped[int | None] = mapped_column(ForeignKey("subdoelen.id", ondelete="CASCADE"))
    domein_id: Mapped[int | None] = mapped_column(ForeignKey("sessie_domeinen.id", ondelete="CASCADE"))
    verhaal_id: Mapped[int] = mapped_column(ForeignKey("verhalen.id", ondelete="CASCADE"), index=True)


class Waarderingssessie(TimestampMixin, Base):
    __tablename__ = "waarderingssessies"

    id: Mapped[int] = mapped_column(primary_key=True)
    ronde_id: Mapped[int] = mapped_column(ForeignKey("rondes.id", ondelete="CASCADE"), index=True)
    titel: Mapped[str] = mapped_column(String(200))
    vraag: Mapped[str] = mapped_column(Text)
    code: Mapped[str] = mapped_column(String(12), unique=True)  # short join code for /w/<code>
    status: Mapped[str] = mapped_column(String(20), default=SessieStatus.VOORBEREID)
    indeling: Mapped[str] = mapped_column(String(20), default=SessieIndeling.SUBDOEL,
                                          server_default=SessieIndeling.SUBDOEL.value)
    panel: Mapped[list] = mapped_column(default=list)  # names or roles only, e.g. ["raadslid", "Els"]
    gemaakt_door_id: Mapped[int | None] = mapped_column(ForeignKey("gebruikers.id", ondelete="SET NULL"))
    gesloten_op: Mapped[datetime | None]

    ronde: Mapped[Ronde] = relationship()
    gemaakt_door: Mapped[Gebruiker | None] = relationship()
    verhalen: Mapped[list[SessieVerhaal]] = relationship(
        back_populates="sessie", cascade="all, delete-orphan", passive_deletes=True,
        order_by="(SessieVerhaal.subdoel_id, SessieVerhaal.volgorde)",
    )
    deelnemers: Mapped[list[Deelnemer]] = relationship(
        back_populates="sessie", cascade="all, delete-orphan", passive_deletes=True
    )
    domeinen: Mapped[list[SessieDomein]] = relationship(
        back_populates="sessie", cascade="all, delete-orphan", passive_deletes=True,
        order_by="SessieDomein.volgorde",
    )
    groepskeuzes: Mapped[list[Groepskeuze]] = relationship(
        back_populates="sessie", cascade="all, delete-orphan", passive_deletes=True
    )


class SessieDomein(Base):
    """A domain of change of a session per domain: its name in plain words and, optionally,
    the subdoelen it covers (used to suggest stories; none: "any other change")."""

    __tablename__ = "sessie_domeinen"

    id: Mapped[int] = mapped_column(primary_key=True)
    sessie_id: Mapped[int] = mapped_column(ForeignKey("waarderingssessies.id", ondelete="CASCADE"), index=True)
    naam: Mapped[str] = mapped_column(String(200))
    subdoel_ids: Mapped[list] = mapped_column(default=list)
    volgorde: Mapped[int] = mapped_column(default=0)

    sessie: Mapped[Waarderingssessie] = relationship(back_populates="domeinen")


class SessieVerhaal(_OnderdeelVerhaal, Base):
    """A story in the session's selection for one subdoel or one domain of change."""

    __tablename__ = "sessie_verhalen"
    __table_args__ = (
        UniqueConstraint("sessie_id", "subdoel_id", "verhaal_id"),
        UniqueConstraint("domein_id", "verhaal_id"),
        _een_onderdeel(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sessie_id: Mapped[int] = mapped_column(ForeignKey("waarderingssessies.id", ondelete="CASCADE"), index=True)
    volgorde: Mapped[int] = mapped_column(default=0)

    sessie: Mapped[Waarderingssessie] = relationship(back_populates="verhalen")
    subdoel: Mapped[Subdoel | None] = relationship()
    domein: Mapped[SessieDomein | None] = relationship()
    verhaal: Mapped[Verhaal] = relationship()


class Deelnemer(Base):
    """A participant's phone: no account, a random key kept in the browser."""

    __tablename__ = "sessie_deelnemers"

    id: Mapped[int] = mapped_column(primary_key=True)
    sessie_id: Mapped[int] = mapped_column(ForeignKey("waarderingssessies.id", ondelete="CASCADE"), index=True)
    naam: Mapped[str | None] = mapped_column(String(100))  # a first name or a role, optional
    sleutel_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column()

    sessie: Mapped[Waarderingssessie] = relationship(back_populates="deelnemers")
    keuzes: Mapped[list[DeelnemerKeuze]] = relationship(
        back_populates="deelnemer", cascade="all, delete-orphan", passive_deletes=True
    )


class DeelnemerKeuze(_OnderdeelVerhaal, Base):
    """One participant's choice for one subdoel or domain, with the reason in their words."""

    __tablename__ = "sessie_keuzes"
    __table_args__ = (
        UniqueConstraint("deelnemer_id", "subdoel_id"),
        UniqueConstraint("domein_id", "deelnemer_id"),
        _een_onderdeel(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deelnemer_id: Mapped[int] = mapped_column(ForeignKey("sessie_deelnemers.id", ondelete="CASCADE"), index=True)
    reden: Mapped[str] = mapped_column(Text)
    gekozen_op: Mapped[datetime] = mapped_column()

    deelnemer: Mapped[Deelnemer] = relationship(back_populates="keuzes")
    verhaal: Mapped[Verhaal] = relationship()


class Groepskeuze(_OnderdeelVerhaal, Base):
    """What the group chose for a subdoel or domain at the close, why, and where it disagreed."""

    __tablename__ = "sessie_groepskeuzes"
    __table_args__ = (
        UniqueConstraint("sessie_id", "subdoel_id"),
        UniqueConstraint("domein_id"),
        _een_onderdeel(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sessie_id: Mapped[int] = mapped_column(ForeignKey("waarderingssessies.id", ondelete="CASCADE"), index=True)
    reden: Mapped[str] = mapped_column(Text)
    onenigheid: Mapped[str] = mapped_column(Text, default="")
    vastgelegd_op: Mapped[datetime] = mapped_column()

    sessie: Mapped[Waarderingssessie] = relationship(back_populates="groepskeuzes")
    subdoel: Mapped[Subdoel | None] = relationship()
    domein: Mapped[SessieDomein | None] = relationship()
    verhaal: Mapped[Verhaal] = relationship()
