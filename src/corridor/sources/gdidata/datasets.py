"""Each gdidata series: its header, its place in the canonical table, its overlaps.

Overlap groups (see ``SourceInfo``): the Darién, Honduras and Mexico series are
published twice, by nationality and by sex/age, and Honduras a third time as a
plain total. Each pair counts the same people, so they share a group and a
query takes one of them per period. The agencies' own publications share these
groups with better (lower) priorities, so the numbers below come after theirs
and no two sources of a group tie.
"""

from __future__ import annotations

from corridor.sources.base import SourceInfo
from corridor.sources.cbp_encounters import mapping as cbp
from corridor.sources.gdidata.series import Context, HarmonisedSeries, mapped

PUBLISHER = "IOM Global Data Institute (gdidata), from {agency}"
GDI_URL = "https://github.com/IOM-GDI/gdidata"


# The `agency` codes and events each series writes (shown by `corridor sources`).
_WRITES: dict[str, tuple[str, tuple[str, ...]]] = {
    "irreg_usa": ("USBP, OFO", ("apprehension", "inadmissible", "expulsion")),
    "irreg_darien_nat": ("SNM", ("irregular_transit",)),
    "irreg_darien_dmg": ("SNM", ("irregular_transit",)),
    "irreg_honduras": ("INM-HN", ("irregular_transit",)),
    "irreg_honduras_nat": ("INM-HN", ("irregular_transit",)),
    "irreg_honduras_dmg": ("INM-HN", ("irregular_transit",)),
    "irreg_guatemala": ("IGM", ("return_received",)),
    "irreg_mexico_nat": ("UPM", ("irregular_presence",)),
    "irreg_mexico_dmg": ("UPM", ("irregular_presence",)),
    "irreg_mexico_exp": ("UPM", ("deportation", "assisted_return")),
    "iom_mmp": ("IOM-MMP", ("death_missing",)),
}


def _info(
    name: str, title: str, agency: str, geo: str, group: str, dims: set[str], priority: int = 1
) -> SourceInfo:
    code, events = _WRITES[name]
    return SourceInfo(
        id=f"gdidata.{name}",
        title=title,
        publisher=PUBLISHER.format(agency=agency),
        geo=geo,
        group=group,
        dims=frozenset(dims),
        priority=priority,
        url=GDI_URL,
        agency=code,
        events=frozenset(events),
    )


BLANK = {
    "geo": "''", "agency": "''", "area": "''", "place": "''", "event": "''", "nat": "'UNK'",
    "sex": "''", "age": "''", "family": "''", "authority": "''", "partner": "''",
}  # fmt: skip

CBP_COMPONENT = {"u.s. border patrol": "USBP", "office of field operations": "OFO"}
# The gdidata export has a "UAC" label where CBP's files say "UC / Single Minors".
USA_DEMOG = cbp.DEMOGRAPHIC
DEMOG_SEX = {"men": "M", "women": "F", "boys": "M", "girls": "F"}
DEMOG_AGE = {"men": "adult", "women": "adult", "boys": "minor", "girls": "minor"}
SEX = {"male": "M", "female": "F"}


def _row(**cols: str) -> dict[str, str]:
    return {**BLANK, **cols}


def _usa(ctx: Context) -> dict[str, str]:
    ctx.values("component", CBP_COMPONENT)
    ctx.values("authority", cbp.AUTHORITY)
    ctx.values("type", cbp.ENCOUNTER_TYPE)
    ctx.values("demog", USA_DEMOG)
    nat = ctx.countries("nat", "cn", blank="UNK")
    return _row(
        geo="'USA'",
        agency=mapped("component", CBP_COMPONENT),
        area="'southwest_land_border'",
        place="coalesce(trim(r.area), '')",
        event=mapped("type", cbp.ENCOUNTER_TYPE),
        nat=nat,
        age=mapped("demog", {k: v[1] for k, v in USA_DEMOG.items()}),
        family=mapped("demog", {k: v[0] for k, v in USA_DEMOG.items()}),
        authority=mapped("authority", cbp.AUTHORITY),
    )


def _darien_nat(ctx: Context) -> dict[str, str]:
    nat = ctx.countries("nat", "cn")
    return _row(geo="'PAN'", agency="'SNM'", area="'darien'", event="'irregular_transit'", nat=nat)


def _darien_dmg(ctx: Context) -> dict[str, str]:
    ctx.values("demog", DEMOG_SEX)
    # Before 2023 the SNM split only men/women, children included: no age then.
    has_minors = "bool_or(lower(trim(r.demog)) IN ('boys', 'girls')) OVER (PARTITION BY r.t)"
    age = f"CASE WHEN {has_minors} THEN {mapped('demog', DEMOG_AGE)} ELSE '' END"
    return _row(
        geo="'PAN'", agency="'SNM'", area="'darien'", event="'irregular_transit'",
        sex=mapped("demog", DEMOG_SEX), age=age,
    )  # fmt: skip


def _honduras(ctx: Context) -> dict[str, str]:
    return _row(geo="'HND'", agency="'INM-HN'", event="'irregular_transit'")


def _honduras_nat(ctx: Context) -> dict[str, str]:
    nat = ctx.countries("nat", "cn")
    return _row(geo="'HND'", agency="'INM-HN'", event="'irregular_transit'", nat=nat)


def _honduras_dmg(ctx: Context) -> dict[str, str]:
    ctx.values("demog", DEMOG_SEX)
    return _row(
        geo="'HND'", agency="'INM-HN'", event="'irregular_transit'",
        sex=mapped("demog", DEMOG_SEX), age=mapped("demog", DEMOG_AGE),
    )  # fmt: skip


GTM_AGE = {"adult": "adult", "accompanied child": "minor", "unaccompanied child": "minor"}
GTM_FAMILY = {"adult": "", "accompanied child": "accompanied_minor",
              "unaccompanied child": "unaccompanied_minor"}  # fmt: skip


def _guatemala(ctx: Context) -> dict[str, str]:
    ctx.values("sex", SEX)
    ctx.values("age", GTM_AGE)
    # A blank origin (2024 onwards in the export) is a return whose counterpart
    # the series does not name; it stays blank rather than being guessed.
    partner = ctx.countries("origin", "co", blank="")
    return _row(
        geo="'GTM'", agency="'IGM'", event="'return_received'", nat="'GTM'",
        sex=mapped("sex", SEX), age=mapped("age", GTM_AGE), family=mapped("age", GTM_FAMILY),
        partner=partner,
    )  # fmt: skip


MEX_AGE = {"18+": "adult", "12-17": "minor", "under 12, accompanied": "minor",
           "under 12, unaccompanied": "minor"}  # fmt: skip
MEX_FAMILY = {"18+": "", "12-17": "", "under 12, accompanied": "accompanied_minor",
              "under 12, unaccompanied": "unaccompanied_minor"}  # fmt: skip
MEX_EXP_EVENT = {"deportation": "deportation", "assisted return": "assisted_return",
                 "assisted return of children": "assisted_return"}  # fmt: skip
MEX_EXP_AGE = {"deportation": "", "assisted return": "",
               "assisted return of children": "minor"}  # fmt: skip


def _mexico_nat(ctx: Context) -> dict[str, str]:
    nat = ctx.countries("nat", "cn")
    return _row(geo="'MEX'", agency="'UPM'", event="'irregular_presence'", nat=nat)


def _mexico_dmg(ctx: Context) -> dict[str, str]:
    ctx.values("sex", SEX)
    ctx.values("age", MEX_AGE)
    return _row(
        geo="'MEX'", agency="'UPM'", event="'irregular_presence'", sex=mapped("sex", SEX),
        age=mapped("age", MEX_AGE), family=mapped("age", MEX_FAMILY),
    )  # fmt: skip


def _mexico_exp(ctx: Context) -> dict[str, str]:
    ctx.values("type", MEX_EXP_EVENT)
    nat = ctx.countries("nat", "cn")
    return _row(
        geo="'MEX'", agency="'UPM'", event=mapped("type", MEX_EXP_EVENT), nat=nat,
        age=mapped("type", MEX_EXP_AGE),
    )  # fmt: skip


def _iom_mmp(ctx: Context) -> dict[str, str]:
    geo = ctx.countries("geo", "cg")
    # An incident with victims of several nationalities is not split: OTH.
    nat = ctx.countries("nat", "cn", blank="UNK", split=",")
    return _row(
        geo=geo, agency="'IOM-MMP'", event="'death_missing'", nat=nat,
        place="coalesce(trim(r.route), '')",
    )  # fmt: skip


DATASETS: tuple[HarmonisedSeries, ...] = (
    HarmonisedSeries(
        _info("irreg_usa", "US southwest land border encounters", "CBP", "USA",
              "USA.cbp_encounters", {"area", "place", "nat", "age", "family", "authority"}, 2),
        ("t", "t_fy", "component", "area", "authority", "type", "demog", "nat", "n"),
        _usa, unit="events",
    ),
    HarmonisedSeries(
        _info("irreg_darien_nat", "Darién irregular transits by nationality", "Panama SNM",
              "PAN", "PAN.darien", {"area", "nat"}, 2),
        ("t", "q", "nat", "n"), _darien_nat, unit="persons", annual_rule=True,
        file_hint="darien",
    ),
    HarmonisedSeries(
        _info("irreg_darien_dmg", "Darién irregular transits by sex and age", "Panama SNM",
              "PAN", "PAN.darien", {"area", "sex", "age"}, 3),
        ("t", "q", "demog", "n"), _darien_dmg, unit="persons", file_hint="darien",
    ),
    HarmonisedSeries(
        _info("irreg_honduras", "Irregular migrant arrivals to Honduras", "Honduras INM",
              "HND", "HND.irregular", set(), 3),
        ("t", "n"), _honduras, unit="persons", file_hint="honduras",
    ),
    HarmonisedSeries(
        _info("irreg_honduras_nat", "Irregular arrivals to Honduras by nationality",
              "Honduras INM", "HND", "HND.irregular", {"nat"}, 4),
        ("t", "nat", "n"), _honduras_nat, unit="persons", file_hint="honduras",
    ),
    HarmonisedSeries(
        _info("irreg_honduras_dmg", "Irregular arrivals to Honduras by sex and age",
              "Honduras INM", "HND", "HND.irregular", {"sex", "age"}, 5),
        ("t", "demog", "n"), _honduras_dmg, unit="persons", file_hint="honduras",
    ),
    HarmonisedSeries(
        _info("irreg_guatemala", "Guatemalans returned from Mexico and the US", "Guatemala IGM",
              "GTM", "GTM.returns", {"nat", "sex", "age", "family", "partner"}, 1),
        ("t", "sex", "age", "origin", "n"), _guatemala, unit="persons",
    ),
    HarmonisedSeries(
        _info("irreg_mexico_nat", "Foreigners in an irregular situation in Mexico (3.1.1)",
              "Mexico UPM", "MEX", "MEX.pam", {"nat"}, 2),
        ("t", "nat", "n"), _mexico_nat, unit="events", file_hint="mexico",
    ),
    HarmonisedSeries(
        _info("irreg_mexico_dmg", "Irregular situation in Mexico by sex and age (3.1.3)",
              "Mexico UPM", "MEX", "MEX.pam", {"sex", "age", "family"}, 3),
        ("t", "sex", "age", "n"), _mexico_dmg, unit="events", file_hint="mexico",
    ),
    HarmonisedSeries(
        _info("irreg_mexico_exp", "Deportations and assisted returns from Mexico (3.2.4)",
              "Mexico UPM", "MEX", "MEX.expulsions", {"nat", "age"}, 1),
        ("t", "nat", "type", "n"), _mexico_exp, unit="events",
    ),
    HarmonisedSeries(
        _info("iom_mmp", "IOM Missing Migrants: dead and missing by month", "IOM",
              "", "IOM.mmp", {"place", "nat"}, 1),
        ("t", "m", "type", "route", "geo", "dead", "cause", "surv", "nat", "location",
         "lon", "lat"),
        _iom_mmp, unit="persons", raw_key=(), date_column="m", count_column="dead",
    ),
)  # fmt: skip
