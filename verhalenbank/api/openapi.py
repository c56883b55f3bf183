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
            "indicatoren": {"type": "array", "items": {"$ref": "#/components/schemas/Indicator"}},
        },
        "additionalProperties": False,
    },
    "DoelenboomKort": {
        "type": "object",
        "required": ["code", "titel", "gemeente", "thema", "hoofddoel", "aantal_subdoelen"],
        "properties": {
            "code": STRING,
            "titel": STRING,
            "gemeente": NSTRING,
            "thema": NSTRING,
            "hoofddoel": STRING,
            "aantal_subdoelen": {"type": "integer", "minimum": 0},
        },
        "additionalProperties": False,
    },
    "Doelenboom": {
        "type": "object",
        "required": ["code", "titel", "gemeente", "thema", "hoofddoel", "bron", "subdoelen"],
        "properties": {
            "code": STRING,
            "titel": STRING,
            "gemeente": NSTRING,
            "thema": NSTRING,
            "hoofddoel": STRING,
            "bron": NSTRING,
            "subdoelen": {"type": "array", "items": {"$ref": "#/components/schemas/Subdoel"}},
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
            "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
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
            "subdoelen": {"type": "array", "items": {"$ref": "#/components/schemas/TellingRij"}},
            "indicatoren": {"type": "array", "items": {"$ref": "#/components/schemas/TellingRij"}},
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
            "verhalen": {"type": "array", "items": {"$ref": "#/components/schemas/Verhaal"}},
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


def _paths() -> dict:
    lezen = ("401", "403")
    schrijven = ("400", "401", "403")
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
            "get": _operatie(
                "doelenbomenLijst", "Alle doelenbomen",
                {"200": _ok("De doelenbomen.", {
                    "type": "object", "required": ["doelenbomen"], "additionalProperties": False,
                    "properties": {"doelenbomen": {"type": "array", "items": {"$ref": "#/components/schemas/DoelenboomKort"}}},
                }), **_fouten(*lezen)},
                tag="doelenbomen",
            ),
            "post": _operatie(
                "doelenboomImporteren", "Een doelenboom importeren of bijwerken (YAML-uitwisselformaat)",
                {"200": _ok("Bestaande doelenboom bijgewerkt.", "Doelenboom"),
                 "201": _ok("Nieuwe doelenboom opgeslagen.", "Doelenboom"),
                 **_fouten(*schrijven, "413", "415", "422")},
                tag="doelenbomen",
                requestBody={
                    "required": True,
                    "description": "Het YAML-uitwisselformaat van één doelenboom (zie INTERFACES §2).",
                    "content": {"application/yaml": {"schema": {"type": "string"}}},
                },
            ),
        },
        "/api/v1/doelenbomen/{code}": {
            "get": _operatie(
                "doelenboom", "Eén doelenboom met subdoelen en indicatoren",
                {"200": _ok("De doelenboom.", "Doelenboom"), **_fouten(*lezen, "404")},
                tag="doelenbomen", parameters=[_path_param("code", "string", "Code van de doelenboom.")],
            )
        },
        "/api/v1/doelenbomen/{code}/tellen": {
            "get": _operatie(
                "doelenboomTellen", "Aantallen per subdoel en indicator; bevestigd en voorgesteld apart",
                {"200": _ok("De aantallen, zoals op de pagina Tellen.", "Telling"), **_fouten(*lezen, "404", "422")},
                tag="doelenbomen",
                parameters=[
                    _path_param("code", "string", "Code van de doelenboom."),
                    _query("tags", {"enum": ["alle", "bevestigd"], "default": "alle"},
                           "bevestigd: tel alleen verhalen met een door een mens bevestigd label in deze doelenboom."),
                ],
            )
        },
        "/api/v1/rondes": {
            "get": _operatie(
                "rondesLijst", "Alle rondes",
                {"200": _ok("De rondes.", {
                    "type": "object", "required": ["rondes"], "additionalProperties": False,
                    "properties": {"rondes": {"type": "array", "items": {"$ref": "#/components/schemas/Ronde"}}},
                }), **_fouten(*lezen)},
                tag="rondes",
            )
        },
        "/api/v1/rondes/{slug}": {
            "get": _operatie(
                "ronde", "Eén ronde",
                {"200": _ok("De ronde.", "Ronde"), **_fouten(*lezen, "404")},
                tag="rondes", parameters=[_path_param("slug", "string", "Korte naam van de ronde.")],
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
                {"200": _ok("Eén pagina verhalen, nieuwste eerst.", "VerhalenPagina"), **_fouten(*lezen, "422")},
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
            "get": _operatie(
                "verhaal", "Eén verhaal (zonder namen); de originele tekst alleen met recht en reden",
                {"200": _ok("Het verhaal.", "Verhaal"), **_fouten(*lezen, "404", "422")},
                tag="verhalen",
                parameters=[
                    _path_param("verhaal_id", "integer", "Nummer van het verhaal."),
                    _query("origineel", {"enum": ["0", "1"], "default": "0"},
                           "1: ook de originele tekst (alleen beheerder en beleidsadviseur; wordt vastgelegd in het logboek)."),
                    _query("reden", {"type": "string", "minLength": 5, "maxLength": 500},
                           "Verplicht bij origineel=1: waarom u de originele tekst wilt zien."),
                ],
            )
        },
        "/api/v1/verhalen/{verhaal_id}/tags": {
            "post": _operatie(
                "tagToevoegen", "Een label (subdoel) aan een verhaal toevoegen; bevestigd door u",
                {"200": _ok("Het label bestond al en is nu bevestigd.", "Tag"), "201": _ok("Nieuw label.", "Tag"),
                 **_fouten(*schrijven, "404", "415", "422")},
                tag="labels",
                parameters=[_path_param("verhaal_id", "integer", "Nummer van het verhaal.")],
                requestBody={"required": True, "content": _json("NieuweTag")},
            )
        },
        "/api/v1/tags/{tag_id}/bevestigen": {
            "post": _operatie(
                "tagBevestigen", "Een label bevestigen",
                {"200": _ok("Het label.", "Tag"), **_fouten(*schrijven, "404")},
                tag="labels", parameters=[_path_param("tag_id", "integer", "Nummer van het label.")],
            )
        },
        "/api/v1/tags/{tag_id}/afwijzen": {
            "post": _operatie(
                "tagAfwijzen", "Een label afwijzen",
                {"200": _ok("Het label.", "Tag"), **_fouten(*schrijven, "404")},
                tag="labels", parameters=[_path_param("tag_id", "integer", "Nummer van het label.")],
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
