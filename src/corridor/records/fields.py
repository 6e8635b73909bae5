"""Field kinds of a person record, and inferring them from column names.

Agencies name the same field differently (``nombre``, ``first_name``,
``given_names``); the linker only needs to know what each column *is*. The
inference is exact on a folded column name (no fuzzy guessing): an unknown
column is kept but not compared, and a config file can name any column.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from enum import StrEnum

__all__ = ["COMPARED_KINDS", "FieldKind", "fold_column", "infer_fields"]


class FieldKind(StrEnum):
    """What a column of a person record holds."""

    GIVEN_NAME = "given_name"
    SURNAME = "surname"  # first (paternal) surname, or both surnames in one column
    SURNAME2 = "surname2"  # second (maternal) surname
    DOB = "dob"
    SEX = "sex"
    NATIONALITY = "nationality"
    DOC_NUMBER = "doc_number"
    PHONE = "phone"
    POSTCODE = "postcode"
    CITY = "city"
    STREET = "street"
    STREET_NUMBER = "street_number"
    ADDRESS2 = "address2"
    STATE = "state"
    # journey fields: kept with the record, never compared
    AGENCY = "agency"
    GEO = "geo"
    EVENT = "event"
    EVENT_DATE = "event_date"
    PLACE = "place"
    GROUP_REF = "group_ref"


# The kinds the linker compares (journey fields only travel with the record).
COMPARED_KINDS: tuple[FieldKind, ...] = (
    FieldKind.GIVEN_NAME,
    FieldKind.SURNAME,
    FieldKind.SURNAME2,
    FieldKind.DOB,
    FieldKind.SEX,
    FieldKind.NATIONALITY,
    FieldKind.DOC_NUMBER,
    FieldKind.PHONE,
    FieldKind.POSTCODE,
    FieldKind.CITY,
    FieldKind.STREET,
    FieldKind.STREET_NUMBER,
    FieldKind.ADDRESS2,
    FieldKind.STATE,
)

_ALIASES: dict[FieldKind, tuple[str, ...]] = {
    FieldKind.GIVEN_NAME: (
        "given_name",
        "given_names",
        "first_name",
        "first_names",
        "forename",
        "forenames",
        "firstname",
        "givenname",
        "nombre",
        "nombres",
        "primer_nombre",
        "prenom",
        "prenoms",
    ),
    FieldKind.SURNAME: (
        "surname",
        "surname1",
        "last_name",
        "lastname",
        "family_name",
        "apellido",
        "apellidos",
        "primer_apellido",
        "apellido1",
        "apellido_paterno",
        "nom",
    ),
    FieldKind.SURNAME2: (
        "surname2",
        "second_surname",
        "segundo_apellido",
        "apellido2",
        "apellido_materno",
    ),
    FieldKind.DOB: (
        "dob",
        "date_of_birth",
        "birth_date",
        "birthdate",
        "fecha_nacimiento",
        "fecha_de_nacimiento",
        "nacimiento",
        "fec_nac",
        "date_naissance",
    ),
    FieldKind.SEX: ("sex", "gender", "sexo", "genero", "sexe"),
    FieldKind.NATIONALITY: (
        "nationality",
        "nat",
        "citizenship",
        "nacionalidad",
        "pais_nacionalidad",
        "nationalite",
    ),
    FieldKind.DOC_NUMBER: (
        "doc_number",
        "document_number",
        "passport",
        "passport_number",
        "passport_no",
        "pasaporte",
        "numero_pasaporte",
        "documento",
        "numero_documento",
        "num_documento",
        "id_document",
        "cedula",
    ),
    FieldKind.PHONE: ("phone", "phone_number", "telephone", "mobile", "telefono", "celular"),
    FieldKind.POSTCODE: ("postcode", "postal_code", "zip", "zipcode", "zip_code", "codigo_postal"),
    FieldKind.CITY: (
        "city",
        "town",
        "suburb",
        "locality",
        "ciudad",
        "municipio",
        "localidad",
        "ville",
    ),
    FieldKind.STREET: (
        "street",
        "street_name",
        "address",
        "address_1",
        "address1",
        "direccion",
        "calle",
        "domicilio",
    ),
    FieldKind.STREET_NUMBER: ("street_number", "house_number", "numero_casa", "numero_calle"),
    FieldKind.ADDRESS2: ("address_2", "address2", "direccion2", "complemento"),
    FieldKind.STATE: ("state", "province", "region", "estado", "provincia", "departamento"),
    FieldKind.AGENCY: ("agency", "agencia"),
    FieldKind.GEO: ("geo", "country", "pais"),
    FieldKind.EVENT: ("event", "evento"),
    FieldKind.EVENT_DATE: ("event_date", "fecha_evento", "fecha"),
    FieldKind.PLACE: ("place", "lugar", "station", "estacion"),
    FieldKind.GROUP_REF: ("group_ref", "grupo", "group_id"),
}

_BY_NAME: dict[str, FieldKind] = {
    alias: kind for kind, aliases in _ALIASES.items() for alias in aliases
}
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def fold_column(name: str) -> str:
    """A column name as a lookup key: accents, case and punctuation removed."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _NON_ALNUM.sub("_", text).strip("_")


def infer_fields(
    columns: Iterable[str], given: Mapping[str, str] | None = None
) -> dict[FieldKind, str]:
    """Map field kinds to the columns holding them.

    Args:
        columns: The column names of a file.
        given: ``kind -> column`` from a config file; these win over inference.

    Returns:
        ``kind -> column`` for every kind found (the first column wins when two
        columns fold to the same kind).
    """
    found: dict[FieldKind, str] = {}
    for column in columns:
        kind = _BY_NAME.get(fold_column(column))
        if kind is not None and kind not in found:
            found[kind] = column
    for kind_name, column in (given or {}).items():
        found[FieldKind(kind_name)] = column
    return found
