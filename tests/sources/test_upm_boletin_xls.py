"""UPM published older boletín tables as legacy .xls workbooks: read through xlrd."""

from __future__ import annotations

from pathlib import Path

from corridor.sources.registry import SOURCES
from corridor.store import Store, ingest
from tests.conftest import FIXTURES

UPM = FIXTURES / "upm_boletin"


def test_xls_reads_like_the_xlsx(tmp_path: Path) -> None:
    src = SOURCES["upm.boletin_3_1_1"]
    xls = src.parse(UPM / "nat_2019_legacy_xls_format.xls")  # type: ignore[attr-defined]
    xlsx = src.parse(UPM / "nat_2019_presentados_canalizados_abbreviated.xlsx")  # type: ignore[attr-defined]
    order = list(xls.rows.columns)
    assert (
        xls.rows.sort_values(order)
        .reset_index(drop=True)
        .equals(xlsx.rows.sort_values(order).reset_index(drop=True))
    )
    assert [t.agrees for t in xls.totals] == [t.agrees for t in xlsx.totals]
    db = tmp_path / "s.duckdb"
    (res,) = ingest(db, [UPM / "nat_2019_legacy_xls_format.xls"])
    assert (res.source, res.total) == ("upm.boletin_3_1_1", 182_940)
    assert int(Store(db).flows(geo="MEX", by=[], freq="M")["n"].sum()) == 182_940
