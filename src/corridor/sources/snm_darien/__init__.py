"""Panama SNM: irregular transits through the Darién, from the SNM's own tables.

Two connectors read the yearly workbooks and PDF tables (or their text as
``pdftotext -layout`` prints it) titled ``TRÁNSITO IRREGULAR DE EXTRANJEROS
POR LA FRONTERA CON COLOMBIA``: by region and country (``snm.darien_nat``)
and by sex and condition (``snm.darien_dmg``). Both are in the overlap group
of ``gdidata.irreg_darien_*``, which IOM harmonised from the same tables.
"""

from corridor.sources.snm_darien.condition import DarienCondition
from corridor.sources.snm_darien.nationality import FLAGS_TABLE, DarienNationality

CONNECTORS = (DarienNationality(), DarienCondition())

__all__ = ["CONNECTORS", "FLAGS_TABLE", "DarienCondition", "DarienNationality"]
