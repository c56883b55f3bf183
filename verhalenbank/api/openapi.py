"""The OpenAPI 3.1 description of /api/v1, written next to the routes it describes.

`tests/api/test_schemathesis.py` runs the implementation against this document, so a change on
either side that makes them disagree fails the build.
"""

from __future__ import annotations

from copy import deepcopy

from verhalenbank.core.scores import SCORE_WOORDEN
from verhalenbank.verhalen.models import BRONNEN
from verhalenbank.zoeken.parameters import TAG_STATUSES

API_VERSIE = "1.0.0"
PUBLIEKE_BRONNEN = ["inwoner", "mantelzorger", "vrijwilliger", "professional"]


STRING = {"type": "string"}
NSTRING = {"type": ["string", "null"]}


def _lijst(schema_ref: str) -> dict:
    return {"type": "array", "items": {"$ref": f"#/components/schemas/{schema_ref}"}}


# What both doelenboom shapes start with (`weergave._doelenboom_kop`).
_DOELENBOOM_KOP = {"code": STRING, "titel": STRING, "gemeente": NSTRING, "thema": NSTRING, "hoofddoel": STRING}

SCHEMAS: dict[str, dict] = {
    "Fout": {
        "type": "object",
        "required": ["fout"],
        "properties": {
            "fout": {"type": "string", "description": "Wat er mis is, in gewone taal."},
            "details": {"type": "array", "items": STRING},
        },
        "additionalProperties": False,
    },
    "Indicator": {
        "type": "object",
        "required": ["code", "titel", "soort"],
        "properties": {"code": STRING, "titel": STRING, "soort": NSTRING},
        "additionalProperties": False,
    },
    "Subdoel": {
        "type": "object",
        "required": ["code", "titel", "beschrijving", "indicatoren"],
        "properties": {
            "code": STRING,
            "titel": STRING,
            "beschrijving": NSTRING,
            "indicatoren": _lijst("Indicator"),
        },
        "additionalProperties": False,
    },
    "DoelenboomKort": {
        "type": "object",
        "required": [*_DOELENBOOM_KOP, "aantal_subdoelen"],
        "properties": {
            **_DOELENBOOM_KOP,
            "aantal_subdoelen": {"type": "integer", "minimum": 0},
        },
        "additionalProperties": False,
    },
    "Doelenboom": {
        "type": "object",
        "required": [*_DOELENBOOM_KOP, "bron", "subdoelen"],
        "properties": {
            **_DOELENBOOM_KOP,
            "bron": NSTRING,
            "subdoelen": _lijst("Subdoel"),
        },
        "additionalProperties": False,
    },
    "Ronde": {
        "type": "object",
        "required": [
            "slug", "titel", "vraag", "beschrijving", "start_datum", "eind_datum", "status",
            "wijken", "doelenbomen", "bewaartermijn_maanden",
        ],
        "properties": {
            "slug": STRING,
            "titel": STRING,
            "vraag": STRING,
            "beschrijving": NSTRING,
            "start_datum": {"type": ["string", "null"], "format": "date"},
            "eind_datum": {"type": ["string", "null"], "format": "date"},
            "status": {"enum": ["open", "gesloten", "nog_niet"]},
            "wijken": {"type": "array", "items": STRING},
            "doelenbomen": {"type": "array", "items": STRING, "description": "Codes van de gekoppelde doelenbomen."},
            "bewaartermijn_maanden": {"type": ["integer", "null"]},
        },
        "additionalProperties": False,
    },
    "Tag": {
        "type": "object",
        "required": [
            "id", "verhaal_id", "doelenboom", "subdoel", "indicator", "score", "score_woorden", "methode",
            "bevestigd", "afgewezen", "beoordeeld_op",
        ],
        "properties": {
            "id": {"type": "integer"},
            "verhaal_id": {"type": "integer"},
            "doelenboom": STRING,
            "subdoel": STRING,
            "indicator": NSTRING,
            "score": {"type": "number", "minimum": 0, "maximum": 1},
            "score_woorden": {
                "enum": SCORE_WOORDEN,
                "description": "De score in woorden, zoals gebruikers hem zien; 'bevestigd' als een mens het label bevestigde.",
            },
            "methode": {"enum": ["auto", "handmatig"]},
            "bevestigd": {"type": "boolean"},
            "afgewezen": {"type": "boolean"},
            "beoordeeld_op": {"type": ["string", "null"], "format": "date-time"},
        },
        "additionalProperties": False,
    },
    "Verhaal": {
        "type": "object",
        "description": (
            "Het verhaal zonder namen en contactgegevens (`tekst` is de gepseudonimiseerde tekst; "
            "null zolang die nog niet klaar is). `origineel` staat er alleen in met ?origineel=1."
        ),
        "required": [
            "id", "extern_id", "titel", "tekst", "bron", "wijk", "datum", "ronde", "citeren",
            "analyse_status", "aangemaakt_op", "tags",
        ],
        "properties": {
            "id": {"type": "integer"},
            "extern_id": NSTRING,
            "titel": NSTRING,
            "tekst": NSTRING,
            "bron": {"enum": list(BRONNEN)},
            "wijk": NSTRING,
            "datum": {"type": ["string", "null"], "format": "date"},
            "ronde": NSTRING,
            "citeren": {"type": "boolean"},
            "analyse_status": {"enum": ["te analyseren", "geanalyseerd", "mislukt"]},
            "aangemaakt_op": {"type": "string", "format": "date-time"},
            "tags": _lijst("Tag"),
            "origineel": {
                "type": "object",
                "required": ["titel", "tekst"],
                "properties": {"titel": NSTRING, "tekst": STRING},
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
    },
    "Telling": {
        "type": "object",
        "required": ["doelenboom", "totaal", "alleen_bevestigd", "verhalen_met_bevestigd_label", "subdoelen", "indicatoren"],
        "additionalProperties": False,
        "properties": {
            "doelenboom": STRING,
            "totaal": {"type": "integer", "minimum": 0},
            "alleen_bevestigd": {"type": "boolean"},
            "verhalen_met_bevestigd_label": {"type": "integer", "minimum": 0},
            "subdoelen": _lijst("TellingRij"),
            "indicatoren": _lijst("TellingRij"),
        },
    },
    "TellingRij": {
        "type": "object",
        "required": ["code", "titel", "bevestigd", "voorgesteld"],
        "additionalProperties": False,
        "properties": {
            "code": STRING,
            "titel": STRING,
            "bevestigd": {"type": "integer", "minimum": 0, "description": "Verhalen waarvan een mens dit label bevestigde."},
            "voorgesteld": {"type": "integer", "minimum": 0,
                            "description": "Verhalen met alleen een voorstel van de computer (niet bevestigd); 0 bij tags=bevestigd."},
        },
    },
    "VerhalenPagina": {
        "type": "object",
        "required": ["verhalen", "totaal", "pagina", "per_pagina"],
        "properties": {
            "verhalen": _lijst("Verhaal"),
            "totaal": {"type": "integer", "minimum": 0},
            "pagina": {"type": "integer", "minimum": 1},
            "per_pagina": {"type": "integer", "minimum": 1, "maximum": 100},
        },
        "additionalProperties": False,
    },
    "NieuwVerhaal": {
        "type": "object",
        "required": ["tekst", "toestemming"],
        "properties": {
            "tekst": {"type": "string", "minLength": 1, "maxLength": 20000},
            "titel": {"type": ["string", "null"], "maxLength": 300},
            "bron": {"enum": PUBLIEKE_BRONNEN, "default": "inwoner"},
            "wijk": {"type": ["string", "null"], "maxLength": 200, "description": "Een van de wijken van de ronde."},
            "toestemming": {"type": "boolean", "description": "Moet true zijn: toestemming om het verhaal te bewaren en te gebruiken."},
            "citeren": {"type": "boolean", "default": False},
            "inzend_sleutel": {
                "type": "string",
                "pattern": "^[A-Za-z0-9_-]{16,100}$",
                "description": "Eigen sleutel per verhaal: opnieuw versturen met dezelfde sleutel maakt geen tweede verhaal.",
            },
        },
        "additionalProperties": False,
    },
    "Inzending": {
        "type": "object",
        "required": ["status", "intrekcode", "intrek_url"],
        "properties": {
            "status": {"const": "opgeslagen"},
            "intrekcode": {"type": "string", "description": "Persoonlijke code waarmee de verteller het verhaal kan laten wissen."},
            "intrek_url": STRING,
        },
        "additionalProperties": False,
    },
    "NieuweTag": {
        "type": "object",
        "required": ["subdoel"],
        "properties": {
            "subdoel": {"type": "string", "minLength": 1, "maxLength": 100},
            "doelenboom": {"type": ["string", "null"], "maxLength": 100},
            "indicator": {"type": ["string", "null"], "maxLength": 100},
        },
        "additionalProperties": False,
    },
}

FOUT_OMSCHRIJVING = {
    "400": "Het verzoek klopt niet (bijvoorbeeld geen geldige JSON, of een sessie zonder CSRF-token).",
    "401": "Geen of een ongeldig API-token.",
    "403": "Uw rol mag dit niet.",
    "404": "Bestaat niet, of is niet zichtbaar voor u.",
    "410": "De ronde is gesloten.",
    "413": "Te groot.",
    "415": "Verkeerd soort inhoud (Content-Type).",
    "422": "De inhoud is niet goed; `fout` zegt wat.",
    "429": "Te veel verzoeken; probeer het later opnieuw.",
}


def _json(schema_ref: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}


def _ok(omschrijving: str, schema: dict | str) -> dict:
    inhoud = _json(schema) if isinstance(schema, str) else {"application/json": {"schema": schema}}
    return {"description": omschrijving, "content": inhoud}


def _fouten(*codes: str) -> dict:
    return {code: {"description": FOUT_OMSCHRIJVING[code], "content": _json("Fout")} for code in codes}


def _path_param(naam: str, soort: str, omschrijving: str) -> dict:
    schema = {"type": "integer", "minimum": 1} if soort == "integer" else {"type": "string", "minLength": 1}
    return {"name": naam, "in": "path", "required": True, "schema": schema, "description": omschrijving}


def _query(naam: str, schema: dict, omschrijving: str) -> dict:
    return {"name": naam, "in": "query", "required": False, "schema": schema, "description": omschrijving}


PUBLIEK: list = []  # security: none


def _operatie(op_id: str, samenvatting: str, antwoorden: dict, *, tag: str, publiek: bool = False, **extra) -> dict:
    operatie = {"operationId": op_id, "summary": samenvatting, "tags": [tag], "responses": antwoorden}
    if publiek:
        operatie["security"] = PUBLIEK
    operatie.update(extra)
    return operatie


_LEZEN = ("401", "403")
_SCHRIJVEN = ("400", "401", "403")


def _lijst_operatie(op_id: str, samenvatting: str, omschrijving: str, sleutel: str, schema_ref: str, *, tag: str) -> dict:
    """GET of a whole collection: `{sleutel: [schema_ref, ...]}`."""
    return _operatie(
        op_id, samenvatting,
        {"200": _ok(omschrijving, {
            "type": "object", "required": [sleutel], "additionalProperties": False,
            "properties": {sleutel: _lijst(schema_ref)},
        }), **_fouten(*_LEZEN)},
        tag=tag,
    )


def _een_operatie(op_id: str, samenvatting: str, omschrijving: str, schema_ref: str, param: tuple[str, str], *,
                  tag: str, soort: str = "string", fouten: tuple[str, ...] = _LEZEN + ("404",),
                  query: tuple[dict, ...] = ()) -> dict:
    """One item by the path parameter `param` = (name, description), of `soort`; then the `query` parameters."""
    return _operatie(
        op_id, samenvatting,
        {"200": _ok(omschrijving, schema_ref), **_fouten(*fouten)},
        tag=tag, parameters=[_path_param(param[0], soort, param[1]), *query],
    )


def _paths() -> dict:
    return {
        "/api/v1/openapi.json": {
            "get": _operatie(
                "openapi", "Deze beschrijving (OpenAPI 3.1)",
                {"200": {"description": "Het OpenAPI-document.", "content": {"application/json": {"schema": {"type": "object"}}}},
                 **_fouten("401")},
                tag="algemeen", publiek=True,
            )
        },
        "/api/v1/doelenbomen": {
            "get": _lijst_operatie(
                "doelenbomenLijst", "Alle doelenbomen", "De doelenbomen.", "doelenbomen", "DoelenboomKort",
                tag="doelenbomen",
            ),
            "post": _operatie(
                "doelenboomImporteren", "Een doelenboom importeren of bijwerken (YAML-uitwisselformaat)",
                {"200": _ok("Bestaande doelenboom bijgewerkt.", "Doelenboom"),
                 "201": _ok("Nieuwe doelenboom opgeslagen.", "Doelenboom"),
                 **_fouten(*_SCHRIJVEN, "413", "415", "422")},
                tag="doelenbomen",
                requestBody={
                    "required": True,
                    "description": "Het YAML-uitwisselformaat van één doelenboom (zie INTERFACES §2).",
                    "content": {"application/yaml": {"schema": {"type": "string"}}},
                },
            ),
        },
        "/api/v1/doelenbomen/{code}": {
            "get": _een_operatie(
                "doelenboom", "Eén doelenboom met subdoelen en indicatoren", "De doelenboom.", "Doelenboom",
                ("code", "Code van de doelenboom."), tag="doelenbomen",
            )
        },
        "/api/v1/doelenbomen/{code}/tellen": {
            "get": _een_operatie(
                "doelenboomTellen", "Aantallen per subdoel en indicator; bevestigd en voorgesteld apart",
                "De aantallen, zoals op de pagina Tellen.", "Telling", ("code", "Code van de doelenboom."),
                tag="doelenbomen", fouten=(*_LEZEN, "404", "422"),
                query=(
                    _query("tags", {"enum": ["alle", "bevestigd"], "default": "alle"},
                           "bevestigd: tel alleen verhalen met een door een mens bevestigd label in deze doelenboom."),
                ),
            )
        },
        "/api/v1/rondes": {
            "get": _lijst_operatie("rondesLijst", "Alle rondes", "De rondes.", "rondes", "Ronde", tag="rondes")
        },
        "/api/v1/rondes/{slug}": {
            "get": _een_operatie(
                "ronde", "Eén ronde", "De ronde.", "Ronde", ("slug", "Korte naam van de ronde."), tag="rondes",
            )
        },
        "/api/v1/rondes/{slug}/verhalen": {
            "post": _operatie(
                "verhaalInsturen", "Een verhaal insturen bij een open ronde (openbaar, zonder inloggen)",
                {"200": _ok("Dit verhaal (zelfde inzend_sleutel) was al opgeslagen; een nieuwe intrekcode.", "Inzending"),
                 "201": _ok("Opgeslagen.", "Inzending"),
                 **_fouten("400", "401", "404", "410", "415", "422", "429")},
                tag="verhalen", publiek=True,
                parameters=[_path_param("slug", "string", "Korte naam van de ronde.")],
                requestBody={"required": True, "content": _json("NieuwVerhaal")},
            )
        },
        "/api/v1/verhalen": {
            "get": _operatie(
                "verhalenLijst", "Verhalen (zonder namen), met filters en pagina's",
                {"200": _ok("Eén pagina verhalen, nieuwste eerst.", "VerhalenPagina"), **_fouten(*_LEZEN, "422")},
                tag="verhalen",
                parameters=[
                    _query("q", {"type": "string", "maxLength": 500},
                           "Zoektekst: dezelfde zoekopdracht als op de zoekpagina (in de tekst zonder namen)."),
                    _query("ronde", STRING, "Alleen verhalen van deze ronde (slug)."),
                    _query("bron", {"enum": list(BRONNEN)}, "Alleen verhalen van deze bron."),
                    _query("wijk", STRING, "Alleen verhalen uit deze wijk."),
                    _query("subdoel", STRING, "Alleen verhalen met een (niet afgewezen) label voor dit subdoel (code)."),
                    _query("doelenboom", STRING, "Alleen verhalen met een label in deze doelenboom (code)."),
                    _query("indicator", STRING, "Alleen verhalen met een (niet afgewezen) label voor deze indicator (code)."),
                    _query("aanbieder", STRING, "Alleen verhalen van deze aanbieder (korte naam van de organisatie)."),
                    _query("tags", {"enum": list(TAG_STATUSES), "default": "alle"},
                           "Welke labels de filters subdoel, doelenboom en indicator bekijken: alle, alleen door een mens "
                           "bevestigde, of alleen voorstellen van de computer. Zonder die filters: verhalen met minstens "
                           "één zo'n label."),
                    _query("van", {"type": "string", "format": "date"}, "Alleen verhalen van deze datum of later."),
                    _query("tot", {"type": "string", "format": "date"}, "Alleen verhalen van deze datum of eerder."),
                    _query("pagina", {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1}, "Paginanummer."),
                    _query("per_pagina", {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}, "Verhalen per pagina."),
                ],
            )
        },
        "/api/v1/verhalen/{verhaal_id}": {
            "get": _een_operatie(
                "verhaal", "Eén verhaal (zonder namen); de originele tekst alleen met recht en reden",
                "Het verhaal.", "Verhaal", ("verhaal_id", "Nummer van het verhaal."),
                tag="verhalen", soort="integer", fouten=(*_LEZEN, "404", "422"),
                query=(
                    _query("origineel", {"enum": ["0", "1"], "default": "0"},
                           "1: ook de originele tekst (alleen beheerder en beleidsadviseur; wordt vastgelegd in het logboek)."),
                    _query("reden", {"type": "string", "minLength": 5, "maxLength": 500},
                           "Verplicht bij origineel=1: waarom u de originele tekst wilt zien."),
                ),
            )
        },
        "/api/v1/verhalen/{verhaal_id}/tags": {
            "post": _operatie(
                "tagToevoegen", "Een label (subdoel) aan een verhaal toevoegen; bevestigd door u",
                {"200": _ok("Het label bestond al en is nu bevestigd.", "Tag"), "201": _ok("Nieuw label.", "Tag"),
                 **_fouten(*_SCHRIJVEN, "404", "415", "422")},
                tag="labels",
                parameters=[_path_param("verhaal_id", "integer", "Nummer van het verhaal.")],
                requestBody={"required": True, "content": _json("NieuweTag")},
            )
        },
        "/api/v1/tags/{tag_id}/bevestigen": {
            "post": _een_operatie(
                "tagBevestigen", "Een label bevestigen", "Het label.", "Tag", ("tag_id", "Nummer van het label."),
                tag="labels", soort="integer", fouten=(*_SCHRIJVEN, "404"),
            )
        },
        "/api/v1/tags/{tag_id}/afwijzen": {
            "post": _een_operatie(
                "tagAfwijzen", "Een label afwijzen", "Het label.", "Tag", ("tag_id", "Nummer van het label."),
                tag="labels", soort="integer", fouten=(*_SCHRIJVEN, "404"),
            )
        },
    }


def build_openapi() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Verhalenbank API",
            "version": API_VERSIE,
            "description": (
                "Doelenbomen, rondes, verhalen en labels. Maak een persoonlijk API-token op /profiel en stuur het mee "
                "als `Authorization: Bearer <token>`. Fouten zijn JSON: `{\"fout\": \"...\"}`. Verhalen komen altijd "
                "zonder namen en contactgegevens, tenzij u de originele tekst mag zien en een reden opgeeft."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"token": []}],
        "tags": [
            {"name": "algemeen"}, {"name": "doelenbomen"}, {"name": "rondes"}, {"name": "verhalen"}, {"name": "labels"},
        ],
        "paths": _paths(),
        "components": {
            "schemas": deepcopy(SCHEMAS),
            "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer", "description": "Persoonlijk API-token (maak er een op /profiel)."}
            },
        },
    }
