"""CBP's published labels and the canonical values they stand for."""

from __future__ import annotations

MONTHS: dict[str, int] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip

COMPONENT: dict[str, str] = {
    "u.s. border patrol": "USBP",
    "us border patrol": "USBP",
    "usbp": "USBP",
    "office of field operations": "OFO",
    "ofo": "OFO",
}

REGION: dict[str, str] = {
    "southwest land border": "southwest_land_border",
    "northern land border": "northern_land_border",
    "other": "other",
}

ENCOUNTER_TYPE: dict[str, str] = {
    "apprehensions": "apprehension",
    "inadmissibles": "inadmissible",
    "expulsions": "expulsion",
}

AUTHORITY: dict[str, str] = {"title 8": "T8", "title 42": "T42"}

# demographic -> (family, age). FMUA mixes adults and children, so no age.
DEMOGRAPHIC: dict[str, tuple[str, str]] = {
    "single adults": ("single", "adult"),
    "fmua": ("family_unit", ""),
    "individuals in a family unit": ("family_unit", ""),
    "accompanied minors": ("accompanied_minor", "minor"),
    "uc / single minors": ("unaccompanied_minor", "minor"),
    "uac / single minors": ("unaccompanied_minor", "minor"),
    "uac": ("unaccompanied_minor", "minor"),
    "unaccompanied children": ("unaccompanied_minor", "minor"),
}
