"""Mexico's Unidad de Política Migratoria (UPM, SEGOB): the monthly statistics bulletin.

The *Boletín Mensual de Estadísticas Migratorias* publishes each table as a
yearly file (workbook and PDF) that is overwritten every month with the months
so far: every fetched version is a release. Three tables are read:

- 3.1.1 persons in an irregular situation (PAM events) by continent and nationality;
- 3.1.3 the same events by sex, age group and travel condition;
- 3.2.4 returns (deportation, assisted return) by nationality and type.
"""

from corridor.sources.upm_boletin.connector import ByNationality, BySexAge, Returns, classify

BY_NATIONALITY = ByNationality()
BY_SEX_AGE = BySexAge()
RETURNS = Returns()
#: found by ``registry`` (every connector package exports this tuple)
CONNECTORS = (BY_NATIONALITY, BY_SEX_AGE, RETURNS)

__all__ = [
    "BY_NATIONALITY",
    "BY_SEX_AGE",
    "CONNECTORS",
    "RETURNS",
    "ByNationality",
    "BySexAge",
    "Returns",
    "classify",
]
