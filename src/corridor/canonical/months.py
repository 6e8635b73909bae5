"""Month names as the agencies and our sentences write them (one list, used everywhere)."""

from __future__ import annotations

MONTHS_EN: tuple[str, ...] = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
MONTHS_ES: tuple[str, ...] = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
    "octubre", "noviembre", "diciembre",
)  # fmt: skip
#: lower-case Spanish name -> month number; Central America also writes "setiembre"
MONTH_NUMBERS_ES: dict[str, int] = {
    **{name: i for i, name in enumerate(MONTHS_ES, start=1)},
    "setiembre": 9,
}

__all__ = ["MONTHS_EN", "MONTHS_ES", "MONTH_NUMBERS_ES"]
