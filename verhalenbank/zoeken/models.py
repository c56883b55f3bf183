"""Tables of the PostgreSQL search back end.

They exist on SQLite too (plain TEXT / JSON columns, no special indexes) so one metadata and
one migration history serve both databases; only `PostgresBackend` reads and writes them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Index, SmallInteger, String, Text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from verhalenbank.core.models import Base, utcnow


class TsVector(TypeDecorator):
    """`tsvector` on PostgreSQL, harmless TEXT elsewhere."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.TSVECTOR())
        return dialect.type_descriptor(Text())


def TextList():
    """`text[]` on PostgreSQL (GIN-indexable, `&&` overlap), JSON list elsewhere."""
    return JSON().with_variant(postgresql.ARRAY(Text), "postgresql")


class ZoekDocumentRij(Base):
    """One verhaal in the PostgreSQL full-text index (mirrors zoeken.backend.ZoekDocument)."""

    __tablename__ = "zoekdocumenten"

    verhaal_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    titel: Mapped[str] = mapped_column(Text, default="")
    tekst_publiek: Mapped[str] = mapped_column(Text, default="")
    # Facet columns carry the facet field names of zoeken.backend.FACET_FIELDS.
    doelenboom: Mapped[list] = mapped_column(TextList(), default=list)
    subdoel: Mapped[list] = mapped_column(TextList(), default=list)
    subdoel_bevestigd: Mapped[list] = mapped_column(TextList(), default=list)
    subdoel_voorgesteld: Mapped[list] = mapped_column(TextList(), default=list)
    indicator: Mapped[list] = mapped_column(TextList(), default=list)
    indicator_bevestigd: Mapped[list] = mapped_column(TextList(), default=list)
    indicator_voorgesteld: Mapped[list] = mapped_column(TextList(), default=list)
    ronde: Mapped[str | None] = mapped_column(String(200))
    wijk: Mapped[str | None] = mapped_column(String(200))
    bron: Mapped[str | None] = mapped_column(String(30))
    aanbieder: Mapped[str | None] = mapped_column(String(200))
    gevoel: Mapped[int | None] = mapped_column(SmallInteger)
    datum: Mapped[date | None]
    status: Mapped[str | None] = mapped_column(String(20))
    bijgewerkt_op: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_zoekdocumenten_subdoel", "subdoel", postgresql_using="gin").ddl_if(dialect="postgresql"),
        Index("ix_zoekdocumenten_indicator", "indicator", postgresql_using="gin").ddl_if(dialect="postgresql"),
        Index("ix_zoekdocumenten_datum", "datum"),
    )


class ZoekVector(Base):
    """A verhaal's weighted tsvector, in a narrow table of its own.

    A text search reads every matching row (for the facet counts and the ranking); with the
    texts and facet arrays beside it, a common word visited 2.5 times as many pages and took
    three times as long at 100,000 stories.
    """

    __tablename__ = "zoekvectoren"

    verhaal_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    tsv: Mapped[str | None] = mapped_column(TsVector())

    __table_args__ = (
        Index("ix_zoekvectoren_tsv", "tsv", postgresql_using="gin").ddl_if(dialect="postgresql"),
    )


class ZoekWoord(Base):
    """Every lexeme ever indexed: the candidates for typo tolerance (stale words are harmless)."""

    __tablename__ = "zoekwoorden"

    woord: Mapped[str] = mapped_column(Text, primary_key=True)

    __table_args__ = (
        Index(
            "ix_zoekwoorden_patroon", "woord", postgresql_ops={"woord": "text_pattern_ops"}
        ).ddl_if(dialect="postgresql"),
    )


class ZoekGeneratie(Base):
    """One row, raised by every write to `zoekdocumenten` in the same transaction.

    App servers cache the facet bitmaps of the whole index and reload them only when this
    number changed, so facet counts stay exact after every write on any server.
    """

    __tablename__ = "zoekgeneratie"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    generatie: Mapped[int] = mapped_column(BigInteger, default=0)


ZOEK_TABLES = (ZoekDocumentRij.__table__, ZoekVector.__table__, ZoekWoord.__table__, ZoekGeneratie.__table__)
