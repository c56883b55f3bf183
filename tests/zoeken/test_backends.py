"""The same search behaviour on every back end (Whoosh and PostgreSQL full-text)."""

from __future__ import annotations

from datetime import date

import pytest

from verhalenbank.core.errors import Ongeldig
from verhalenbank.zoeken.backend import FACET_FIELDS, ZoekDocument, Zoekopdracht
from verhalenbank.zoeken.zoekvraag import ZoekvraagFout

from tests.zoeken.zoekcorpus import HS, LW, make_corpus

ACTIEF = {"status": ["actief"]}


def found(backend, tekst="", **options) -> set[int]:
    options.setdefault("per_pagina", 200)
    return set(backend.search(Zoekopdracht(tekst=tekst, **options)).ids)


def test_add_count_and_ids(filled):
    assert filled.count() == 7
    assert filled.ids() == {1, 2, 3, 4, 5, 6, 7}


def test_add_replaces_a_document_with_the_same_id(filled):
    filled.add([ZoekDocument(id=3, titel="Anders", tekst_publiek="Nu over de bibliotheek.", status="actief")])
    assert filled.count() == 7
    assert found(filled, "moestuin") == set()
    assert found(filled, "bibliotheek") == {3}


def test_remove_takes_effect_at_once(filled):
    assert 2 in found(filled, "buren")
    filled.remove([2, 999])
    assert 2 not in found(filled, "buren")
    assert filled.ids() == {1, 3, 4, 5, 6, 7}


def test_rebuild_replaces_everything(filled):
    filled.rebuild([ZoekDocument(id=42, tekst_publiek="Een nieuw begin in de wijk.", status="actief")])
    assert filled.ids() == {42}
    assert found(filled, "buren") == set()
    assert found(filled, "begin") == {42}


def test_dutch_stemming_matches_word_forms(filled):
    # "buurvrouwen" is not "buren"; "buren" matches the plural and the title alike.
    assert found(filled, "buren", filters=ACTIEF) == {1, 2, 4}
    assert found(filled, "repareren", filters=ACTIEF) == found(filled, "repareert", filters=ACTIEF) == {4}


def test_accents_are_folded_in_documents_and_queries(filled):
    assert found(filled, "cafe") == {4}
    assert found(filled, "café") == {4}
    assert found(filled, "CAFÉ") == {4}


def test_stop_words_are_ignored(filled):
    assert found(filled, "de buren", filters=ACTIEF) == found(filled, "buren", filters=ACTIEF)


def test_phrase_requires_the_words_together(filled):
    assert found(filled, '"koffie met de buren"') == {2}
    assert {2, 4} <= found(filled, "koffie buren")


def test_prefix(filled):
    assert found(filled, "moes*") == {3}
    assert found(filled, "voetbal*") == {7}


def test_compound_parts_help_recall(filled):
    # "kamer" finds the story about the "buurtkamer".
    assert found(filled, "kamer") == {2}
    assert found(filled, "buurtkamer") == {2}


@pytest.mark.parametrize(
    "tekst, expected",
    [
        ("koffie EN moestuin", set()),
        ("koffie AND moestuin", set()),
        ("koffie OF moestuin", {2, 3, 4}),
        ("koffie OR moestuin", {2, 3, 4}),
        ("koffie NIET fietsen", {2}),
        ("koffie AND NOT fietsen", {2}),
        ("koffie -fietsen", {2}),
        ("(moestuin OF fietsen) EN koffie", {4}),
    ],
)
def test_boolean_operators(filled, tekst, expected):
    assert found(filled, tekst) == expected


def test_small_typos_are_tolerated(filled):
    result = filled.search(Zoekopdracht(tekst="moestiun"))
    assert result.ids == [3]
    assert "moestiun" in result.verbeteringen
    assert found(filled, "koffei") == {2, 4}


def test_typo_tolerance_does_not_replace_known_words(filled):
    result = filled.search(Zoekopdracht(tekst="koffie"))
    assert result.verbeteringen == {}


@pytest.mark.parametrize(
    "tekst",
    ['"buren', "(buren", "buren)", "buren EN", "OF buren", "NIET buren", "moes**tuin", "b*", "de het", "()"],
)
def test_malformed_query_gives_a_dutch_message(filled, tekst):
    with pytest.raises(ZoekvraagFout) as raised:
        filled.search(Zoekopdracht(tekst=tekst))
    message = str(raised.value)
    assert message and "Traceback" not in message
    assert any(word in message for word in ("zoekvraag", "haakje", "aanhalingsteken", "woord", "letters", "*", "Zoek"))


def test_subdoel_filter_confirmed_and_suggested_apart(filled):
    lw1 = f"{LW}:LW1"
    assert found(filled, "buren", filters={"subdoel": [lw1], **ACTIEF}) == {1, 2, 4}
    assert found(filled, "buren", filters={"subdoel_bevestigd": [lw1], **ACTIEF}) == {1, 2}
    assert found(filled, "buren", filters={"subdoel_voorgesteld": [lw1], **ACTIEF}) == {4}
    assert found(filled, "", filters={"indicator": [f"{LW}:LW1.2"]}) == {2}
    assert found(filled, "", filters={"indicator_voorgesteld": [f"{LW}:LW1.1", f"{LW}:LW2.1"]}) == {1, 3}


def test_filters_or_within_a_field_and_across_fields(filled):
    assert found(filled, "", filters={"wijk": ["Atolwijk", "Zwaag"], **ACTIEF}) == {1, 2, 5, 7}
    assert found(filled, "", filters={"wijk": ["Atolwijk", "Zwaag"], "bron": ["inwoner"], **ACTIEF}) == {1, 2}
    assert found(filled, "", filters={"doelenboom": [HS], "gevoel": ["4"]}) == {4}
    assert found(filled, "", filters={"aanbieder": ["welzijn-hoorn"]}) == {4, 5}
    assert found(filled, "", filters={"wijk": ["Nergens"]}) == set()


def test_period_filter_is_inclusive_and_skips_undated(filled):
    assert found(filled, "", datum_van=date(2026, 5, 14), datum_tot=date(2026, 6, 1)) == {2, 3}
    assert found(filled, "", datum_van=date(2026, 10, 1)) == {4, 5}
    assert found(filled, "", datum_tot=date(2026, 4, 2)) == {1}


def test_facet_counts_are_disjunctive_and_match_the_linked_search(filled):
    opdracht = Zoekopdracht(tekst="buren OF koffie OF mantelzorger", filters={"wijk": ["Atolwijk"], **ACTIEF})
    result = filled.search(opdracht)
    assert result.totaal == 2
    assert set(result.facetten) == set(FACET_FIELDS)
    # Other wijken still show what choosing them would give.
    assert result.facetten["wijk"] == {"Atolwijk": 2, "Grote Waal": 1, "Zwaag": 1}
    assert result.facetten["bron"] == {"inwoner": 2}
    # Every count equals the total of the search it links to.
    for field, counts in result.facetten.items():
        for value, count in counts.items():
            filters = dict(opdracht.filters)
            filters[field] = [value]
            linked = filled.search(Zoekopdracht(tekst=opdracht.tekst, filters=filters))
            assert linked.totaal == count, (field, value)


def test_facets_for_gevoel_and_status(filled):
    result = filled.search(Zoekopdracht(facetten=("gevoel", "status", "subdoel_bevestigd")))
    assert result.facetten["gevoel"] == {"1": 1, "2": 1, "4": 2, "5": 1}
    assert result.facetten["status"] == {"actief": 6, "verborgen": 1}
    assert result.facetten["subdoel_bevestigd"] == {f"{LW}:LW1": 3, f"{HS}:HS1": 1}


def test_selected_value_without_results_still_has_a_count(filled):
    result = filled.search(Zoekopdracht(tekst="moestuin", filters={"wijk": ["Zwaag"]}))
    assert result.totaal == 0
    assert result.facetten["wijk"]["Zwaag"] == 0
    assert result.facetten["wijk"]["Waterwijk"] == 1


def test_sort_by_date_newest_first_undated_last(filled):
    result = filled.search(Zoekopdracht(sortering="datum", filters=ACTIEF))
    assert result.ids == [5, 4, 3, 2, 1, 7]
    oldest = filled.search(Zoekopdracht(tekst="buren", sortering="datum_oud", filters=ACTIEF))
    assert oldest.ids == [1, 2, 4]


def test_relevance_puts_title_matches_first(filled):
    result = filled.search(Zoekopdracht(tekst="moestuin OF koffie"))
    assert result.ids[0] in {2, 3}  # both carry the word in their title
    assert result.treffers[0].score >= result.treffers[-1].score


def test_pagination_covers_every_hit_once(filled):
    seen: list[int] = []
    for page in (1, 2, 3, 4):
        result = filled.search(Zoekopdracht(pagina=page, per_pagina=2, sortering="datum"))
        assert result.totaal == 7
        assert result.aantal_paginas == 4
        seen.extend(result.ids)
    assert sorted(seen) == [1, 2, 3, 4, 5, 6, 7]
    assert filled.search(Zoekopdracht(pagina=9, per_pagina=2)).ids == []


def test_snippet_is_escaped_and_marks_only_the_hits(filled):
    [hit] = filled.search(Zoekopdracht(tekst="jongerenwerker")).treffers
    html = str(hit.fragment)
    assert "<mark>jongerenwerker</mark>" in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html
    assert html.count("<mark>") == 1


def test_snippet_marks_word_forms_and_folded_accents(filled):
    [hit] = filled.search(Zoekopdracht(tekst="cafe")).treffers
    assert "<mark>café</mark>" in str(hit.fragment)
    [hit] = filled.search(Zoekopdracht(tekst="buren NIET koffie", filters=ACTIEF)).treffers
    assert "<mark>buren</mark>" in str(hit.fragment)
    assert "koffie" not in str(hit.fragment).split("<mark>")[-1].split("</mark>")[0]


def test_unknown_filter_or_bad_paging_is_refused(filled):
    with pytest.raises(Ongeldig):
        filled.search(Zoekopdracht(filters={"postcode": ["1234"]}))
    with pytest.raises(Ongeldig):
        filled.search(Zoekopdracht(pagina=0))
    with pytest.raises(Ongeldig):
        filled.search(Zoekopdracht(datum_van=date(2026, 5, 1), datum_tot=date(2026, 4, 1)))


def test_both_back_ends_agree(whoosh_backend, pg_backend):
    corpus = make_corpus()
    whoosh_backend.add(corpus)
    pg_backend.add(corpus)
    for tekst in ["buren", "koffie OF moestuin", '"repair café"', "buur*", "koffei", "mantelzorg*", ""]:
        opdracht = Zoekopdracht(tekst=tekst, filters={"status": ["actief"]}, per_pagina=50)
        from_whoosh = whoosh_backend.search(opdracht)
        from_pg = pg_backend.search(opdracht)
        assert set(from_whoosh.ids) == set(from_pg.ids), tekst
        assert from_whoosh.facetten == from_pg.facetten, tekst


def test_failed_whoosh_commit_does_not_lock_out_later_writes(whoosh_backend, monkeypatch):
    from whoosh.writing import SegmentWriter

    whoosh_backend.add(make_corpus()[:2])

    def disk_full(self, segments):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(SegmentWriter, "_commit_toc", disk_full)
        with pytest.raises(OSError):
            whoosh_backend.add(make_corpus()[2:4])
    # Without releasing whoosh's own lock this would wait WRITER_TIMEOUT_SECONDS and fail.
    whoosh_backend.add(make_corpus()[4:])
    assert whoosh_backend.ids() == {1, 2, 5, 6, 7}


@pytest.mark.parametrize("rank_by_id_share", [1.0, 0.0])
def test_postgresql_ranks_only_the_filtered_stories_with_the_same_scores(pg_backend, monkeypatch, rank_by_id_share):
    # With filters PostgreSQL ranks only what is left after them: by primary key for a few,
    # in a second pass over the matches for many (RANK_BY_ID_SHARE). Both give the scores of
    # the unfiltered search.
    from verhalenbank.zoeken import postgres_backend

    monkeypatch.setattr(postgres_backend, "RANK_BY_ID_SHARE", rank_by_id_share)
    pg_backend.add(make_corpus())
    unfiltered = {hit.id: hit.score for hit in pg_backend.search(Zoekopdracht(tekst="buren OF koffie", per_pagina=50)).treffers}
    filtered = pg_backend.search(Zoekopdracht(tekst="buren OF koffie", filters=ACTIEF, per_pagina=50))
    assert set(filtered.ids) == {1, 2, 4}
    assert [(hit.id, hit.score) for hit in filtered.treffers] == sorted(
        ((story, unfiltered[story]) for story in filtered.ids), key=lambda pair: (-pair[1], pair[0])
    )
    assert min(hit.score for hit in filtered.treffers) > 0
