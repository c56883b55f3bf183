"""Accounts: organisations (aanbieders), users with a role, API tokens, login attempts, audit log."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from verhalenbank.core.models import Base, TimestampMixin, utcnow


class Rol(str, enum.Enum):
    BEHEERDER = "beheerder"
    BELEIDSADVISEUR = "beleidsadviseur"
    FACILITATOR = "facilitator"
    AANBIEDER = "aanbieder"

    @property
    def label(self) -> str:
        return {
            "beheerder": "Beheerder",
            "beleidsadviseur": "Beleidsadviseur",
            "facilitator": "Facilitator",
            "aanbieder": "Aanbieder",
        }[self.value]


class Organisatie(TimestampMixin, Base):
    """An aanbieder: a welfare or care organisation funded by the municipality."""

    __tablename__ = "organisaties"

    id: Mapped[int] = mapped_column(primary_key=True)
    naam: Mapped[str] = mapped_column(String(200), unique=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)

    gebruikers: Mapped[list[Gebruiker]] = relationship(back_populates="organisatie")


class Gebruiker(UserMixin, TimestampMixin, Base):
    __tablename__ = "gebruikers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    naam: Mapped[str] = mapped_column(String(200), default="")
    rol: Mapped[str] = mapped_column(String(30))
    organisatie_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisaties.id", ondelete="SET NULL"), index=True
    )
    wachtwoord_hash: Mapped[str | None] = mapped_column(String(300))
    actief: Mapped[bool] = mapped_column(default=True)
    laatst_ingelogd_op: Mapped[datetime | None]

    organisatie: Mapped[Organisatie | None] = relationship(back_populates="gebruikers")

    @property
    def rol_enum(self) -> Rol:
        return Rol(self.rol)

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled accounts cannot log in
        return self.actief


class ApiToken(TimestampMixin, Base):
    """A personal API token; only a hash is stored, the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    gebruiker_id: Mapped[int] = mapped_column(ForeignKey("gebruikers.id", ondelete="CASCADE"), index=True)
    naam: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    laatst_gebruikt_op: Mapped[datetime | None]
    ingetrokken_op: Mapped[datetime | None]

    gebruiker: Mapped[Gebruiker] = relationship()


class LoginPoging(Base):
    """Failed and successful logins, for throttling across server processes."""

    __tablename__ = "login_pogingen"

    id: Mapped[int] = mapped_column(primary_key=True)
    sleutel: Mapped[str] = mapped_column(String(300), index=True)
    tijdstip: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    gelukt: Mapped[bool] = mapped_column(default=False)


class AuditLog(Base):
    """Who viewed original text, exported or deleted what, and when (AVG accountability)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    tijdstip: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    gebruiker_id: Mapped[int | None] = mapped_column(
        ForeignKey("gebruikers.id", ondelete="SET NULL"), index=True
    )
    # The e-mail is kept as text too, so the trail survives a deleted account.
    gebruiker_email: Mapped[str | None] = mapped_column(String(254))
    actie: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(100))
    details: Mapped[dict | None]
    reden: Mapped[str | None] = mapped_column(Text)

    gebruiker: Mapped[Gebruiker | None] = relationship()
