import subprocess
import sys

import pandas as pd

from corridor.linkage.config import LinkOptions
from corridor.linkage.journeys import journeys
from corridor.linkage.link import link_files
from tests.linkage.people import people, write_csv

# per agency: (geo, event, day offset) of every person's record
AGENCIES = {
    "snm": ("PAN", "irregular_transit", 0),
    "dgme": ("CRI", "irregular_transit", 4),
    "upm": ("MEX", "irregular_presence", 20),
}


def _agency_files(tmp_path):
    base = people(60, seed=21)
    files = []
    for name, (geo, event, offset) in AGENCIES.items():
        rows = []
        for i, p in enumerate(base):
            day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=offset + i % 5)
            rows.append(
                {
                    **p,
                    "id": f"{name}-{i}",
                    "geo": geo,
                    "event": event,
                    "event_date": day.date().isoformat(),
                }
            )
        if name == "upm":
            # person 0 then turns up in Panama again with no return: impossible
            rows.append(
                {
                    **base[0],
                    "id": "snm-late",
                    "geo": "PAN",
                    "event": "irregular_transit",
                    "event_date": "2024-03-01",
                }
            )
            # person 1 reaches Mexico the day after Panama: too fast across three countries
            rows[1]["event_date"] = "2024-01-02"
        files.append(write_csv(tmp_path / f"{name}.csv", rows))
    return files


def test_journeys_order_events_and_flag_impossible_steps(tmp_path):
    files = _agency_files(tmp_path)
    link_files(files, tmp_path / "linked", LinkOptions("id"))
    result = journeys(tmp_path / "linked")
    first = result.steps[result.steps.record_id == "snm-0"].entity_id.iloc[0]
    path = result.steps[result.steps.entity_id == first]
    assert path.geo.tolist() == ["PAN", "CRI", "MEX", "PAN"]
    transit = result.transit.set_index(["from_geo", "to_geo"])
    assert transit.loc[("PAN", "CRI"), "entities"].sum() == 60
    assert transit.loc[("PAN", "CRI"), "median_days"].iloc[0] == 4
    flags = dict(zip(result.flags.record_id, result.flags.flag, strict=True))
    assert flags["upm-0"] == "moved back down the corridor without a return"
    assert flags["snm-1"] == "crossed several countries too fast"  # PAN -> MEX in a day


def test_journeys_cli_writes_three_tables(tmp_path):
    files = _agency_files(tmp_path)
    link_files(files, tmp_path / "linked", LinkOptions("id"))
    done = subprocess.run(
        [sys.executable, "-m", "corridor.cli", "journeys", str(tmp_path / "linked"), "-f", "csv"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("from_geo,to_geo,nat,entities")
    for name in ("journey_steps", "journey_transit", "journey_flags"):
        assert (tmp_path / "linked" / f"{name}.parquet").exists()
