"""What each UNHCR population figure is in the canonical table.

UNHCR publishes year-end STOCKS (people in a situation on 31 December) and, for
returns, the people who returned DURING the year. The contract's events so far
are all flows, so these connectors write the names below; they must be added
to ``corridor.canonical.schema.EVENTS`` (``PROPOSED_EVENTS``) before a store
accepts them. Stocks of different years must never be added together.
"""

from __future__ import annotations

REFUGEE_STOCK = "refugee_stock"
ASYLUM_SEEKER_STOCK = "asylum_seeker_stock"
OIP_STOCK = "oip_stock"
IDP_STOCK = "idp_stock"
STATELESS_STOCK = "stateless_stock"
OTHER_OF_CONCERN_STOCK = "other_of_concern_stock"
REFUGEE_RETURN = "refugee_return"
IDP_RETURN = "idp_return"

#: API field -> event. ``hst`` (host community) is not a count of migrants: not stored.
FIELD_EVENTS: dict[str, str] = {
    "refugees": REFUGEE_STOCK,
    "asylum_seekers": ASYLUM_SEEKER_STOCK,
    "returned_refugees": REFUGEE_RETURN,
    "idps": IDP_STOCK,
    "returned_idps": IDP_RETURN,
    "stateless": STATELESS_STOCK,
    "ooc": OTHER_OF_CONCERN_STOCK,
    "oip": OIP_STOCK,
}
HOST_COMMUNITY = "hst"
COUNT_FIELDS: tuple[str, ...] = (*FIELD_EVENTS, HOST_COMMUNITY)

#: the events to add to ``schema.EVENTS`` (see the module docstring)
PROPOSED_EVENTS: frozenset[str] = frozenset(FIELD_EVENTS.values())

__all__ = [
    "ASYLUM_SEEKER_STOCK",
    "COUNT_FIELDS",
    "FIELD_EVENTS",
    "HOST_COMMUNITY",
    "IDP_RETURN",
    "IDP_STOCK",
    "OIP_STOCK",
    "OTHER_OF_CONCERN_STOCK",
    "PROPOSED_EVENTS",
    "REFUGEE_RETURN",
    "REFUGEE_STOCK",
    "STATELESS_STOCK",
]
