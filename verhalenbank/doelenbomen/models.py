"""Doelenboom → Subdoel → Indicator: the municipality's own goal tree."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from verhalenbank.core.models import Base, TimestampMixin

SOORTEN = ("beleving", "feit")


class Doelenboom(TimestampMixin, Base):
    __tablename__ = "doelenbomen"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    titel: Mapped[str] = mapped_column(String(300))
    gemeente: Mapped[str | None] = mapped_column(String(200))
    thema: Mapped[str | None] = mapped_column(String(200))
    hoofddoel: Mapped[str] = mapped_column(Text)
    bron: Mapped[str | None] = mapped_column(Text)

    subdoelen: Mapped[list[Subdoel]] = relationship(
        back_populates="doelenboom",
        order_by="Subdoel.positie",
        cascade="all, delete-orphan",
    )

    def subdoel(self, code: str) -> Subdoel | None:
        return next((s for s in self.subdoelen if s.code == code), None)

    def indicator(self, code: str) -> Indicator | None:
        return next((i for s in self.subdoelen for i in s.indicatoren if i.code == code), None)


class _GenummerdOnderdeel:
    """A subdoel or indicator: a code unique within its parent, a title, a place in the order."""

    code: Mapped[str] = mapped_column(String(50))
    titel: Mapped[str] = mapped_column(Text)
    positie: Mapped[int] = mapped_column(default=0)


class Subdoel(_GenummerdOnderdeel, Base):
    __tablename__ = "subdoelen"
    __table_args__ = (UniqueConstraint("doelenboom_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    doelenboom_id: Mapped[int] = mapped_column(ForeignKey("doelenbomen.id", ondelete="CASCADE"), index=True)
    beschrijving: Mapped[str | None] = mapped_column(Text)

    doelenboom: Mapped[Doelenboom] = relationship(back_populates="subdoelen")
    indicatoren: Mapped[list[Indicator]] = relationship(
        back_populates="subdoel",
        order_by="Indicator.positie",
        cascade="all, delete-orphan",
    )

    @property
    def volledige_code(self) -> str:
        """Subdoel codes are unique only within a tree; this one is unique everywhere."""
        return f"{self.doelenboom.code}:{self.code}"


class Indicator(_GenummerdOnderdeel, Base):
    __tablename__ = "indicatoren"
    __table_args__ = (UniqueConstraint("subdoel_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subdoel_id: Mapped[int] = mapped_column(ForeignKey("subdoelen.id", ondelete="CASCADE"), index=True)
    soort: Mapped[str | None] = mapped_column(String(20))

    subdoel: Mapped[Subdoel] = relationship(back_populates="indicatoren")

    @property
    def volledige_code(self) -> str:
        return f"{self.subdoel.doelenboom.code}:{self.code}"
