"""Trends on the agencies' real data: facts checked against the published figures."""

from __future__ import annotations

import pytest

from corridor.analysis.series import checkpoint, monthly
from corridor.analysis.trends import USBP_SOUTHWEST, change, trends
from corridor.store import Store, ingest
from tests.conftest import SHARED


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Store:
    files = sorted((SHARED / "real").glob("irreg_*.csv"))
    if not files:
        pytest.skip(f"real agency data not found at {SHARED} (../shared is absent)")
    db = tmp_path_factory.mktemp("real") / "corridor.duckdb"
    ingest(db, files)
    return Store(db)


def test_usbp_southwest_fell_by_half_in_january_2024(real: Store) -> None:
    direct = real.flows(agency="USBP", event="encounters", area="southwest_land_border",
                        start="2023-12", end="2024-01")  # fmt: skip
    assert direct["n"].tolist() == [249_740, 124_215]
    series = monthly(real, USBP_SOUTHWEST)
    c = change(series, "2023-12", "2024-01", label=USBP_SOUTHWEST.label)
    assert (c.start_value, c.end_value) == (249_740, 124_215)
    assert c.sentence == (
        "US southwest border (Border Patrol encounters) fell 50.3% from December 2023 to "
        "January 2024 (249,740 to 124,215)."
    )
    report = trends(real, "usbp_southwest", start="2023-01", end="2024-12")
    assert any((h.start_value, h.end_value, h.months) == (249_740, 124_215, 1)
               for h in report.halvings)  # fmt: skip


def test_cbp_southwest_peak_is_december_2023(real: Store) -> None:
    report = trends(real, "us_southwest")
    high = next(r for r in report.records if (r.kind, r.period) == ("high", "month"))
    assert (f"{high.when:%Y-%m}", high.value) == ("2023-12", 301_981)
    assert high.sentence.startswith(
        "US southwest border (CBP encounters): 301,981 in December 2023, the highest month "
        "between October 2017 and "
    )
    es = trends(real, "us_southwest", lang="es")
    assert es.records[0].sentence.startswith(
        "Frontera suroeste de EE. UU. (encuentros CBP): 301 981 en diciembre de 2023, "
        "el mes más alto entre octubre de 2017 y "
    )


def test_darien_2023_is_the_record_year(real: Store) -> None:
    report = trends(real, "darien")
    year_high = next(r for r in report.records if (r.kind, r.period) == ("high", "year"))
    assert (year_high.when.year, year_high.value) == (2023, 520_085)
    assert year_high.sentence == (
        "Darién, Panama (irregular transits): 520,085 in 2023, the highest of the complete "
        "calendar years 2021 to 2024."
    )
    assert monthly(real, checkpoint("darien")).loc["2024"].sum() == 302_203


def test_darien_venezuelans_2023(real: Store) -> None:
    report = trends(real, "darien", nat="VEN", lang="es")
    year_high = next(r for r in report.records if (r.kind, r.period) == ("high", "year"))
    assert (year_high.when.year, year_high.value) == (2023, 328_650)
    assert year_high.sentence.startswith(
        "Darién, Panamá (tránsitos irregulares), nacionales de Venezuela: 328 650 en 2023"
    )


def test_darien_breaks_include_the_2024_collapse(real: Store) -> None:
    # The crossings fell from ~35,000 a month to a few thousand in late 2024, then to
    # hundreds in 2025: the method must place a break there, not months away.
    months = [f"{b.month:%Y-%m}" for b in trends(real, "darien").breaks]
    assert any(m in ("2024-10", "2024-11", "2024-12") for m in months), months


def test_usbp_break_in_january_2024(real: Store) -> None:
    # Border Patrol's flat plateau (Feb 2021-Dec 2023, ~179,000 a month) ends with the
    # January 2024 drop; the method places the break exactly there.
    found = {f"{b.month:%Y-%m}": b for b in trends(real, "usbp_southwest").breaks}
    assert "2024-01" in found, sorted(found)
    b = found["2024-01"]
    assert b.before_mean == pytest.approx(178_755, abs=1) and b.after_growth_pct < -5
