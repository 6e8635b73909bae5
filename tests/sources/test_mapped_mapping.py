"""Mapping files: every check of the format, discovery from $CORRIDOR_MAPPINGS, registration."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from corridor.errors import ConfigError
from corridor.sources import registry
from corridor.sources.document import Probe
from corridor.sources.mapped import (
    EXAMPLES,
    BrokenMapping,
    MappedSource,
    MappingError,
    discover,
    load_mapping,
    register_mapping,
)
from corridor.sources.mapped import load as loader
from corridor.store import Store, ingest
from tests.cli.test_cli import corridor_command
from tests.conftest import FIXTURES, digest

README = Path(loader.__file__).with_name("README.md")

BASE = """\
[source]
id = "test.long"
title = "Test arrivals"
publisher = "Tests"
agency = "TST"
geo = "PAN"
group = "PAN.test"

[file]
format = "csv"

[period]
year = "Year"
month = "Month"

[columns]
nat = "Country"
n = "Count"

[fixed]
event = "irregular_transit"
unit = "persons"
"""


def mapping(tmp_path: Path, text: str, name: str = "map.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_base_mapping_loads(tmp_path: Path) -> None:
    src = load_mapping(mapping(tmp_path, BASE))
    assert src.info.id == "test.long" and src.info.dims == frozenset({"nat"})
    assert src.spec.period.freq == "M" and src.required == {"Year", "Month", "Country", "Count"}


# (replace this, with this) in BASE -> the key and the words the error must hold
CASES = [
    ("[columns]", "[colums]", "[colums]: unknown table (did you mean [columns]?"),
    (
        'format = "csv"',
        'format = "csv"\ndelimeter = ";"',
        "[file].delimeter: unknown key (did you mean `delimiter`?",
    ),
    (
        'nat = "Country"',
        'nationality = "Country"',
        "[columns].nationality: unknown key (did you mean `nat`?",
    ),
    (
        'nat = "Country"',
        'period = "Date"',
        "[columns].period: unknown key (the period is read by the [period] table)",
    ),
    ('unit = "persons"', 'unit = "persons"\nfreq = "M"', "[fixed].freq: unknown key (freq follows"),
    (
        'unit = "persons"',
        'unit = "persons"\ngeo = "PAN"',
        "[fixed].geo: unknown key (set [source].geo)",
    ),
    (
        'event = "irregular_transit"',
        'event = "transit"',
        "[fixed].event: `transit` is not a canonical event (one of: `apprehension`",
    ),
    ('unit = "persons"', 'unit = "people"', "[fixed].unit: `people` is not a canonical unit"),
    (
        'unit = "persons"',
        'unit = "persons"\nsex = "male"',
        "[fixed].sex: `male` is not a canonical sex",
    ),
    (
        'unit = "persons"',
        'unit = "persons"\npartner = "Atlantis"',
        "[fixed].partner: `Atlantis` is not a canonical partner (an ISO3 code",
    ),
    ('unit = "persons"\n', "", "[fixed].unit: missing (every count needs an unit"),
    (
        'unit = "persons"',
        'unit = "persons"\nnat = "VEN"',
        "[fixed].nat: also read from column `Country`",
    ),
    ('n = "Count"\n', "", "[columns].n: missing"),
    (
        "[columns]",
        '[values.sex]\nHombre = "male"\n\n[columns]\nsex = "Sex"',
        "[values.sex].Hombre: `male` is not a canonical sex (one of: ``, `F`, `M`)",
    ),
    (
        'unit = "persons"',
        'unit = "persons"\n[values.sex]\nHombre = "M"',
        "[values.sex]: `sex` is not read from a column (add [columns].sex",
    ),
    (
        'unit = "persons"',
        'unit = "persons"\n[values.nat]\n"Haití" = "HTI"\nHAITI = "HTI"',
        "[values.nat].HAITI: same as `Haití` once case, accents and punctuation are ignored",
    ),
    (
        'id = "test.long"',
        'id = "Test Long"',
        "[source].id: `Test Long` is not a namespaced connector id",
    ),
    ('id = "test.long"', 'id = "long"', "[source].id: `long` is not a namespaced"),
    ('geo = "PAN"', 'geo = "Panama"', "[source].geo: `Panama` is not an ISO3 country code"),
    ('geo = "PAN"', 'geo = "UNK"', "[source].geo: `UNK` is not an ISO3 country code"),
    ('group = "PAN.test"\n', "", "[source].group: missing"),
    (
        'group = "PAN.test"',
        'group = "PAN.test"\npriority = "high"',
        "[source].priority: must be a whole number",
    ),
    (
        'group = "PAN.test"',
        'group = "PAN.test"\n[source.publication]\nlinks = "x"',
        "[source.publication].page: missing",
    ),
    ('format = "csv"', 'format = "pdf"', "[file].format: `pdf` is not a format corridor reads"),
    (
        'format = "csv"',
        'format = "csv"\nencoding = "klingon"',
        "[file].encoding: unknown encoding `klingon`",
    ),
    (
        'format = "csv"',
        'format = "csv"\ndelimiter = ";;"',
        "[file].delimiter: must be one character",
    ),
    (
        'format = "csv"',
        'format = "csv"\nthousands = "_"',
        "[file].thousands: `_` is not a thousands separator",
    ),
    ('format = "csv"', 'format = "csv"\nsheet = "A"', "[file].sheet: only for workbooks"),
    ('format = "csv"', 'format = "xlsx"\ndelimiter = ";"', "[file].delimiter: only for CSV files"),
    ('format = "csv"', 'format = "csv"\ntitle = "x"', "[file].title: only for workbooks"),
    (
        'format = "csv"',
        'format = "csv"\nskip_rows = ["(unclosed"]',
        "[file].skip_rows[0]: not a valid regular expression",
    ),
    (
        'format = "csv"',
        'format = "csv"\nskip_rows = "^Total"',
        "[file].skip_rows: must be a list of strings",
    ),
    (
        'format = "csv"',
        'format = "csv"\nheader_row = 0',
        "[file].header_row: must be between 1 and",
    ),
    ('year = "Year"\n', "", "[period]: no year (set exactly one of `column`"),
    ('year = "Year"', 'year = "Year"\nyear_value = 2024', "[period]: several year sources"),
    ('year = "Year"', 'year = "Year"\ncolumn = "Date"', "[period].year: not with [period].column"),
    ('year = "Year"', 'year = "Year"\nformat = "%Y"', "[period].format: only with [period].column"),
    (
        'month = "Month"',
        'month_columns = "romans"',
        "[period].month_columns: `romans` is not a month-column style",
    ),
    (
        'month = "Month"',
        'month = "Month"\nmonth_columns = "names"',
        "[period].month_columns: not with [period].month",
    ),
    (
        'month = "Month"',
        "month_columns = { Jan = 1, Janvier = 1 }",
        "[period.month_columns]: two columns have the same month",
    ),
    ('month = "Month"', 'month_columns = "names"', "[columns].n: not in a wide layout"),
    ('year = "Year"', "year_value = 1492", "[period].year_value: must be between 1900 and 2100"),
    ('nat = "Country"', 'nat = "Year"', "[columns]: column `Year` is also read by [period]"),
    (
        'unit = "persons"',
        'unit = "persons"\n[totals]\ncolumn = "Total"',
        "[totals].column: only in wide layouts",
    ),
    (
        'unit = "persons"',
        'unit = "persons"\n[totals]\nlabel = "^Total"\nlabel_column = "Nope"',
        "[totals].label_column: `Nope` is not a column read by [columns] or [period]",
    ),
    (
        'unit = "persons"',
        'unit = "persons"\n[totals]\nlabel = "(("',
        "[totals].label: not a valid regular expression",
    ),
    ("[fixed]", "[fixed", "not valid TOML"),
    ('nat = "Country"', "nat = 3", "[columns].nat: must be a string, not a number"),
]


@pytest.mark.parametrize(("old", "new", "message"), CASES)
def test_bad_mapping_names_file_and_key(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in BASE
    path = mapping(tmp_path, BASE.replace(old, new, 1))
    with pytest.raises(MappingError) as err:
        load_mapping(path)
    text = str(err.value)
    assert text.startswith(f"mapping {path}: "), text
    assert message in text, text
    assert isinstance(err.value, ConfigError) and err.value.exit_code == 2


def test_missing_mapping_file(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match=r"nope\.toml: file not found"):
        load_mapping(tmp_path / "nope.toml")


def test_readme_documents_every_key() -> None:
    text = README.read_text(encoding="utf-8")
    keys = [*loader.SOURCE_KEYS, *loader.PUBLICATION_KEYS, *loader.FILE_KEYS,
            *loader.PERIOD_KEYS, *loader.TOTALS_KEYS]  # fmt: skip
    for key in keys:
        assert re.search(rf"`{key}`", text), key
    for section in loader.SECTIONS:
        assert f"[{section}" in text, section
    for style in loader.MONTH_COLUMN_STYLES:
        assert f'"{style}"' in text, style


def test_readme_worked_example_is_a_shipped_mapping() -> None:
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", text, flags=re.S)
    shipped = {p.read_text(encoding="utf-8") for p in EXAMPLES.glob("*.toml")}
    assert any(block in shipped for block in blocks)


# -- discovery -------------------------------------------------------------------------------


def test_discover_turns_bad_files_into_broken_stand_ins(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text(BASE, encoding="utf-8")
    (tmp_path / "typo.toml").write_text(BASE.replace("[columns]", "[colums]"), encoding="utf-8")
    (tmp_path / "twin.toml").write_text(BASE, encoding="utf-8")
    (tmp_path / "builtin.toml").write_text(
        BASE.replace('id = "test.long"', 'id = "cbp.encounters"'), encoding="utf-8"
    )
    found = {c.info.id: c for c in discover([tmp_path, tmp_path / "missing"])}
    assert isinstance(found["test.long"], MappedSource)
    broken = {k: v for k, v in found.items() if isinstance(v, BrokenMapping)}
    assert set(broken) == {
        "mapping_error.builtin", "mapping_error.twin", "mapping_error.typo",
        "mapping_error.missing",
    }  # fmt: skip
    assert "is already the id of a built-in connector" in str(broken["mapping_error.builtin"].error)
    assert "good.toml" in str(broken["mapping_error.twin"].error)
    probe = Probe.read(FIXTURES / "mapped" / "months_as_columns.xlsx")
    with pytest.raises(MappingError, match=r"typo\.toml: \[colums\]: unknown table"):
        broken["mapping_error.typo"].sniff(probe)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CORRIDOR_DEBUG", "CORRIDOR_MAPPINGS")}
    return {**env, **extra}


def test_mapping_folder_from_environment_is_a_connector(tmp_path: Path) -> None:
    folder = tmp_path / "maps"
    folder.mkdir()
    (folder / "test.toml").write_text(BASE, encoding="utf-8")
    data = tmp_path / "arrivals.csv"
    data.write_text("Year,Month,Country,Count\n2024,1,Venezuela,10\n2024,2,Haiti,5\n")
    db = tmp_path / "s.duckdb"
    cmd = corridor_command()
    env = _env(CORRIDOR_MAPPINGS=str(folder))
    proc = subprocess.run([*cmd, "ingest", str(data), "--db", str(db)], capture_output=True,
                          text=True, env=env, check=False, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "arrivals.csv: test.long release" in proc.stdout and "total 15" in proc.stdout


def test_broken_mapping_folder_keeps_corridor_usable(tmp_path: Path) -> None:
    folder = tmp_path / "maps"
    folder.mkdir()
    (folder / "typo.toml").write_text(BASE.replace('nat = "Country"', 'nation = "Country"'))
    env = _env(CORRIDOR_MAPPINGS=str(folder))
    db = tmp_path / "s.duckdb"
    imported = subprocess.run(
        [sys.executable, "-c", "import corridor; print('ok')"],
        capture_output=True, text=True, env=env, check=False, timeout=300,
    )  # fmt: skip
    assert imported.returncode == 0 and imported.stdout == "ok\n", imported.stderr
    cmd = corridor_command()
    listed = subprocess.run([*cmd, "sources", "--db", str(db), "-f", "csv"], capture_output=True,
                            text=True, env=env, check=False, timeout=300)  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert "mapping_error.typo" in listed.stdout
    ingested = subprocess.run(
        [*cmd, "ingest", str(FIXTURES / "mapped" / "months_as_columns.xlsx"), "--db", str(db)],
        capture_output=True, text=True, env=env, check=False, timeout=300,
    )  # fmt: skip
    assert ingested.returncode == 2
    assert ingested.stderr.startswith(f"error: mapping {folder / 'typo.toml'}: [columns].nation: "
                                      "unknown key (did you mean `nat`?")  # fmt: skip
    assert "Traceback" not in ingested.stderr and ingested.stderr.count("\n") == 1
    assert digest(db) is None


# -- --mapping: register_mapping --------------------------------------------------------------


def test_register_mapping_then_ingest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "SOURCES", dict(registry.SOURCES))
    path = mapping(tmp_path, BASE.replace('id = "test.long"', 'id = "test.registered"'))
    src = register_mapping(path)
    assert registry.get("test.registered") is src
    data = tmp_path / "some name.csv"
    data.write_text("Year,Month,Country,Count\n2024,3,Cuba,7\n")
    db = tmp_path / "s.duckdb"
    (res,) = ingest(db, [data], source=src.info.id)
    assert (res.source, res.total) == ("test.registered", 7)
    assert Store(db).sql("SELECT nat, agency, geo FROM flows").values.tolist() == [
        ["CUB", "TST", "PAN"]
    ]
    again = register_mapping(path)  # the same file twice (e.g. also in $CORRIDOR_MAPPINGS)
    assert registry.get("test.registered") is again


def test_register_mapping_refuses_a_builtin_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry, "SOURCES", dict(registry.SOURCES))
    path = mapping(tmp_path, BASE.replace('id = "test.long"', 'id = "cbp.encounters"'))
    with pytest.raises(
        MappingError, match=r"\[source\].id: `cbp.encounters` is the id of a built-in"
    ):
        register_mapping(path)
    assert not isinstance(registry.get("cbp.encounters"), MappedSource)
