"""The journey model's fixed parameters: the route, delays, shares and their sources.

Volumes and nationality mixes come from the targets (``targets.py``); what is
here describes how people move between checkpoints. Figures are rounded from
public reports (cited inline) and can be changed by editing this module; every
value is written to ``manifest.json`` so a run documents what it assumed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date


@dataclass(frozen=True)
class Stage:
    """One checkpoint on the northbound route, in corridor order."""

    geo: str
    agency: str
    #: checkpoint of ``analysis.series`` it is calibrated to ("" for none)
    target: str
    #: share of the people counted here who go on to the next stage
    go_on: float
    #: days to the next stage (uniform, inclusive)
    delay: tuple[int, int]
    #: share of passers this agency writes a record for
    recorded: float = 1.0
    event: str = "irregular_transit"
    #: places (as the agency names them) with their weights
    places: tuple[tuple[str, float], ...] = ()


# Delays: IOM DTM Panama and MSF report 2-4 days from the Darién reception
# stations to Costa Rica's southern border by bus; Costa Rica to Honduras via
# Nicaragua is about a week; Honduras to Guatemala 2-4 days; waits in Mexico
# before reaching the US border are weeks to months (IOM DTM Mexico, 2023-24).
STAGES: tuple[Stage, ...] = (
    Stage("PAN", "SNM", "darien", 0.97, (1, 4),
          places=(("ETM Lajas Blancas", 0.7), ("ETM San Vicente", 0.25),
                  ("ETM Bajo Chiquito", 0.05))),
    Stage("CRI", "DGME-CR", "", 0.95, (4, 9),
          places=(("CATEM Sur, Paso Canoas", 0.85), ("Los Chiles", 0.15))),
    Stage("HND", "INM-HN", "honduras", 0.96, (2, 5),
          places=(("CAMI Danlí", 0.55), ("CAMI Trojes", 0.3), ("CAMI Choluteca", 0.15))),
    # IGM registers only some of the people crossing Guatemala.
    Stage("GTM", "IGM", "", 0.98, (2, 6), recorded=0.3,
          places=(("Agua Caliente", 0.6), ("El Florido", 0.25), ("Tecún Umán", 0.15))),
    Stage("MEX", "UPM", "mexico", 0.9, (10, 60), event="irregular_presence",
          places=(("Chiapas", 0.45), ("Tabasco", 0.08), ("Oaxaca", 0.1), ("Veracruz", 0.07),
                  ("Ciudad de México", 0.06), ("Chihuahua", 0.07), ("Sonora", 0.05),
                  ("Baja California", 0.05), ("Coahuila", 0.03), ("Tamaulipas", 0.04))),
    Stage("USA", "USBP", "us_southwest", 0.0, (0, 0), event="apprehension",
          places=(("Rio Grande Valley Sector", 0.22), ("Del Rio Sector", 0.15),
                  ("El Paso Sector", 0.15), ("Tucson Sector", 0.18), ("San Diego Sector", 0.12),
                  ("Yuma Sector", 0.07), ("Laredo Sector", 0.04), ("El Centro Sector", 0.05),
                  ("Big Bend Sector", 0.02))),
)  # fmt: skip

OFO_PLACES: tuple[tuple[str, float], ...] = (
    ("San Diego Field Office", 0.3), ("Laredo Field Office", 0.3),
    ("El Paso Field Office", 0.2), ("Tucson Field Office", 0.2),
)  # fmt: skip
RETURN_PLACES: tuple[tuple[str, float], ...] = (
    ("Centro de Recepción de Retornados, Fuerza Aérea Guatemalteca", 0.7),
    ("Centro de Atención a Personas Retornadas, Tecún Umán", 0.3),
)
SMO_PLACES: dict[str, tuple[tuple[str, float], ...]] = {
    "COL": (("Oficina de Movilidad Segura, Bogotá", 0.5),
            ("Oficina de Movilidad Segura, Cali", 0.25),
            ("Oficina de Movilidad Segura, Medellín", 0.25)),
    "ECU": (("Oficina de Movilidad Segura, Quito", 0.7),
            ("Oficina de Movilidad Segura, Guayaquil", 0.3)),
    "CRI": (("Oficina de Movilidad Segura, San José", 1.0),),
    "GTM": (("Oficina de Movilidad Segura, Ciudad de Guatemala", 1.0),),
}  # fmt: skip


@dataclass(frozen=True)
class Model:
    """Shares and delays of the journey model (see the module docstring)."""

    # CBP reported a one-year re-encounter rate of 27% in FY2021 under Title 42
    # and about 16% in FY2023; 0.2 is a middle value.
    us_repeat_rate: float = 0.2
    us_repeat_delay: tuple[int, int] = (3, 30)
    # Title 42 expulsions ended on 11 May 2023; before, about half of USBP's
    # southwest encounters were expulsions (CBP monthly updates, FY2022-23).
    title42_end: date = date(2023, 5, 12)
    title42_share: float = 0.5
    # Share of southwest encounters that are OFO inadmissibles at ports (CBP One
    # appointments): roughly 15-25% in 2023-24.
    ofo_share: float = 0.2
    # Share of people counted in Mexico who are deported or returned from there
    # (UPM Boletín 3.2.4 vs 3.1.1: roughly one event in ten, 2023-24).
    mexico_return_share: float = 0.08
    mexico_return_delay: tuple[int, int] = (2, 10)
    us_removal_delay: tuple[int, int] = (2, 12)
    # Groups: households crossing together (Darién groups are larger: IOM DTM).
    households_per_group_darien: float = 4.0
    households_per_group_later: float = 1.5
    # Household kinds: single adult, couple, adult(s) with children. UNICEF put
    # children at about one in five Darién crossers in 2023 (these give ~25%).
    household_kinds: tuple[float, float, float] = (0.70, 0.10, 0.20)
    max_children: int = 3
    # Smuggling rings: share of groups of two or more households moved by a ring
    # (a guide goes with those of three or more); people per ring.
    ring_group_share: float = 0.3
    people_per_ring: int = 10_000
    guides_per_ring: tuple[int, int] = (5, 15)
    shared_phones_per_ring: tuple[int, int] = (1, 3)
    shared_addresses_per_ring: tuple[int, int] = (1, 3)
    sponsors_per_ring: tuple[int, int] = (1, 4)
    #: chance a ring group's member gives the ring's phone/address/sponsor instead of their own
    ring_contact_share: float = 0.5
    # Safe Mobility Offices opened in June 2023 (US State Dept., 2023-06).
    smo_start: date = date(2023, 6, 1)
    smo_nationalities: tuple[str, ...] = ("VEN", "CUB", "HTI", "NIC", "COL")
    smo_offices: tuple[tuple[str, float], ...] = (
        ("COL", 0.55), ("ECU", 0.15), ("CRI", 0.2), ("GTM", 0.1),
    )  # fmt: skip
    #: people (beyond --people's travellers) who register and do not travel, as a share
    smo_only_share: float = 0.04
    #: travellers of an SMO nationality who register before setting off
    smo_before_share: float = 0.06
    # Documents: share of people with a passport, else a national ID (by culture
    # of travel documents seen at the Darién: SNM, IOM DTM surveys).
    passport_share: dict[str, float] = field(
        default_factory=lambda: {
            "CHN": 0.95, "TWN": 0.95, "IND": 0.9, "NPL": 0.85, "VNM": 0.9, "AFG": 0.6,
            "HTI": 0.45, "VEN": 0.3, "ECU": 0.4, "COL": 0.5, "CUB": 0.6, "*": 0.5,
        }
    )  # fmt: skip
    national_id_share: float = 0.6
    phone_share: float = 0.75
    us_address_share: float = 0.8

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in out.items()}


DEFAULT_MODEL = Model()
