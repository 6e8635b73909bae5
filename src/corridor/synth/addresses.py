"""Addresses from integer codes: a US address for the border, a local one for SMOs.

A code picks a house number, a street and a city, so an address shared by a
ring (a stash house, a sponsor's home) is one code used by many records.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

US_STREETS = (
    "Main St", "Oak Ave", "Maple St", "Elm St", "Washington Ave", "Park Ave", "Cedar Ln",
    "Pine St", "Lake Dr", "Hill Rd", "Sunset Blvd", "Broadway", "2nd St", "3rd St",
    "Church St", "Mill Rd", "Jefferson St", "Lincoln Ave", "Walnut St", "Cypress Dr",
)  # fmt: skip
US_CITIES = (
    "Houston, TX", "New York, NY", "Miami, FL", "Chicago, IL", "Los Angeles, CA",
    "Dallas, TX", "San Antonio, TX", "Denver, CO", "Orlando, FL", "Atlanta, GA",
    "Phoenix, AZ", "Newark, NJ", "Charlotte, NC", "Salt Lake City, UT", "Boston, MA",
)  # fmt: skip
LOCAL_STREETS = (
    "Calle 10", "Carrera 7", "Avenida Central", "Calle Real", "Avenida Bolívar",
    "Calle Sucre", "Avenida 6 de Diciembre", "Calle 13", "Diagonal 45", "Avenida Las Américas",
)  # fmt: skip
LOCAL_CITIES = {
    "COL": ("Bogotá", "Cali", "Medellín", "Barranquilla", "Cúcuta"),
    "ECU": ("Quito", "Guayaquil", "Cuenca"),
    "CRI": ("San José", "Heredia", "Alajuela"),
    "GTM": ("Ciudad de Guatemala", "Mixco", "Quetzaltenango"),
}
_N_NUMBERS = 9000


def us_addresses(code: np.ndarray) -> pa.Array:
    """US addresses for codes (-1: null)."""
    return _format(code, US_STREETS, US_CITIES)


def local_addresses(code: np.ndarray, geo: str) -> pa.Array:
    """Addresses in an SMO host country for codes (-1: null)."""
    return _format(code, LOCAL_STREETS, LOCAL_CITIES.get(geo, LOCAL_CITIES["COL"]))


def _format(code: np.ndarray, streets: tuple[str, ...], cities: tuple[str, ...]) -> pa.Array:
    missing = code < 0
    c = np.where(missing, 0, code)
    number = pa.array(c % _N_NUMBERS + 100).cast(pa.string())
    street = pa.array(streets).take(pa.array((c // _N_NUMBERS) % len(streets)))
    city = pa.array(cities).take(pa.array((c // _N_NUMBERS // len(streets)) % len(cities)))
    text = pc.binary_join_element_wise(pc.binary_join_element_wise(number, street, " "), city, ", ")
    return pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), text)
