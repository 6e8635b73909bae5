"""Pathway effects on a hand-made store where the truth is known, and on the real US series."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from corridor.analysis.policy.pathway_stats import changes, difference, twfe
from corridor.analysis.policy.pathways import (
    Pathway,
    PathwayEffect,
    load_pathway,
    pathway_effect,
    pathways,
)
from corridor.errors import ConfigError, QueryError
from corridor.store import Store, ingest
from tests.conftest import SHARED

MONTHS = pd.date_range("2020-01", "2023-12", freq="MS")
START = pd.Timestamp("2023-01-01")
#: covered nationalities fall 40% from January 2023
EFFECT = ("CUB", "HTI", "NIC", "VEN")
#: comparison nationalities: flat apart from the common shocks
CONTROLS = ("COL", "ECU", "PER", "BRA", "GTM")
#: no effect at all: only the common shocks
NULL = ("CHN", "IND", "SEN")
#: no effect at the start, but a steady fall of 4% a month all along (a pre-trend)
TRENDING = ("NPL", "AGO", "CMR")
TRUE_EFFECT_PCT = -40.0


def _counts() -> dict[str, np.ndarray]:
    """Monthly counts: base level x common shocks x noise (x the effect or trend)."""
    # one draw: 1 in 20 would put 0 outside the null group's 95% interval; the coverage
    # test below checks that rate on 400 simulated panels
    rng = np.random.default_rng(13)
    common = np.cumsum(rng.normal(0, 0.15, len(MONTHS)))  # shared by every nationality
    common[pd.Timestamp("2023-05-01") <= MONTHS] -= 0.5  # a shock to all (e.g. a rule change)
    after = (MONTHS >= START).astype(float)
    out = {}
    for i, nat in enumerate(EFFECT + CONTROLS + NULL + TRENDING):
        log = math.log(3000 + 700 * i) + common + rng.normal(0, 0.06, len(MONTHS))
        if nat in EFFECT:
            log += math.log(1 + TRUE_EFFECT_PCT / 100) * after
        if nat in TRENDING:
            log += math.log(0.96) * np.arange(len(MONTHS))
        out[nat] = np.round(np.exp(log))
    # a nationality the source breaks out only from June 2022, with a gap in March 2023
    late = np.full(len(MONTHS), np.nan)
    late[pd.Timestamp("2022-06-01") <= MONTHS] = 500.0
    late[pd.Timestamp("2023-03-01") == MONTHS] = np.nan
    out["MMR"] = late
    return out


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    tmp = tmp_path_factory.mktemp("pathways")
    path = tmp / "irreg_honduras_nat.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["t", "nat", "n"])
        for nat, values in _counts().items():
            writer.writerows(
                [f"{t:%Y-%m-%d}", nat, int(v)]
                for t, v in zip(MONTHS, values, strict=True)
                if v == v  # NaN: no row that month
            )
    db = tmp / "c.duckdb"
    ingest(db, [path])
    return Store(db)


def write_pathway(tmp: Path, treated: tuple[str, ...], name: str = "test", **over: str) -> Path:
    """A pathway file on the hand-made Honduras series; ``over`` replaces whole lines."""
    lines = {
        "id": f'id = "{name}"',
        "title": 'title = "Test pathway"',
        "source": 'source = "hand-made"',
        "source_date": "source_date = 2022-12-15",
        "start": 'start = "2023-01"',
        "nationalities": f"nationalities = {json.dumps(list(treated))}",
        "caveats": 'caveats = ["A caveat."]',
        "caveats_es": 'caveats_es = ["Una advertencia."]',
        "series": '[series]\ncheckpoint = "honduras"',
        "comparison": f'[comparison]\nnationalities = {json.dumps(list(CONTROLS))}\nwhy = "flat"',
        "windows": '[windows]\npre = ["2022-01", "2022-12"]\npost = ["2023-01", "2023-12"]',
    }
    lines.update(over)
    path = tmp / f"{name}.toml"
    path.write_text("\n".join(v for v in lines.values() if v) + "\n", encoding="utf-8")
    return path


def effect_of(store: Store, tmp: Path, treated: tuple[str, ...], **kw: object) -> PathwayEffect:
    return pathway_effect(store, load_pathway(str(write_pathway(tmp, treated))), **kw)  # type: ignore[arg-type]


def test_recovers_a_known_40pct_fall_within_its_interval(store: Store, tmp_path: Path) -> None:
    e = effect_of(store, tmp_path, EFFECT)
    assert e.did.pct == pytest.approx(TRUE_EFFECT_PCT, abs=5)
    assert e.did.pct_low is not None and e.did.pct_high is not None
    assert e.did.pct_low < TRUE_EFFECT_PCT < e.did.pct_high
    assert e.did.pct_high < 0  # clearly an effect
    assert e.did.df == len(EFFECT) + len(CONTROLS) - 2
    assert e.totals_pct == pytest.approx(TRUE_EFFECT_PCT, abs=5)
    assert e.permutation_p == pytest.approx(1 / math.comb(9, 4))  # the most extreme assignment
    assert e.placebo is not None and not e.placebo.flagged and e.placebo.method == "shifted"
    assert e.pretrend is not None and not e.pretrend.flagged
    # the common shock (May 2023) moves both groups; the before/after tables show it, the DiD not
    groups = e.group
    assert groups["control"].change_pct < -10
    assert groups["treated"].change_pct < groups["control"].change_pct - 20


def test_no_effect_interval_covers_zero(store: Store, tmp_path: Path) -> None:
    e = effect_of(store, tmp_path, NULL)
    assert e.did.pct_low is not None and e.did.pct_high is not None
    assert e.did.pct_low < 0 < e.did.pct_high
    assert abs(e.did.pct) < 10


def test_placebo_and_pretrend_flag_a_built_in_pretrend(store: Store, tmp_path: Path) -> None:
    e = effect_of(store, tmp_path, TRENDING)
    assert e.placebo is not None and e.placebo.flagged
    # 12 months of a 4% monthly fall: about -39% on the placebo
    assert e.placebo.estimate.pct == pytest.approx(100 * (0.96**12 - 1), abs=8)
    assert e.pretrend is not None and e.pretrend.flagged
    assert e.pretrend.estimate.pct == pytest.approx(-4, abs=1)
    assert any("placebo" in c for c in e.caveats)
    assert any("tendencia previa" in c for c in e.caveats_in("es"))


def test_placebo_falls_back_to_halves_of_the_pre_window(store: Store, tmp_path: Path) -> None:
    e = effect_of(store, tmp_path, EFFECT, pre=("2020-01", "2020-12"), post=("2021-01", "2021-06"))
    assert e.placebo is not None and e.placebo.method == "split_pre"
    assert e.placebo.pre == (pd.Timestamp("2020-01-01"), pd.Timestamp("2020-06-01"))


def test_interval_covers_at_its_level_on_simulated_panels() -> None:
    """95% intervals cover the true effect about 95% of the time (heterogeneous effects too)."""
    rng = np.random.default_rng(5)
    months = pd.date_range("2021-01", periods=24, freq="MS")
    pre, post = months[:12], months[12:]
    nats = [f"N{i}" for i in range(8)]
    treated, control = nats[:3], nats[3:]
    covered = 0
    reps = 400
    for _ in range(reps):
        common = np.cumsum(rng.normal(0, 0.2, len(months)))[:, None]
        own = rng.normal(0, 0.3, (1, len(nats))) * (np.arange(len(months))[:, None] >= 12)
        logs = 8 + common + own + rng.normal(0, 0.1, (len(months), len(nats)))
        logs[12:, :3] += -0.5
        df = pd.DataFrame(logs, index=months, columns=nats)
        d = changes(df, pre, post)
        est = difference(d[treated], d[control], 0.95)
        assert est.low is not None and est.high is not None
        covered += est.low < -0.5 < est.high
    assert 0.91 <= covered / reps <= 0.99


def test_did_equals_the_two_way_fixed_effects_coefficient() -> None:
    rng = np.random.default_rng(2)
    months = pd.date_range("2022-01", periods=10, freq="MS")
    df = pd.DataFrame(rng.normal(5, 1, (10, 5)), index=months, columns=list("ABCDE"))
    d = changes(df, months[:6], months[6:])
    beta = difference(d[["A", "B"]], d[["C", "D", "E"]], 0.95).log
    assert twfe(df, ["A", "B"], months[6:]) == pytest.approx(beta, abs=1e-10)


def test_t_quantiles_match_scipy() -> None:
    stats = pytest.importorskip("scipy.stats")
    from corridor.analysis.policy.pathway_stats import t_quantile, t_sf

    for df in (1, 2, 5, 7, 30):
        for p in (0.9, 0.95, 0.975, 0.995):
            assert t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-8)
        assert t_sf(2.0, df) == pytest.approx(stats.t.sf(2.0, df), rel=1e-10)


def test_outputs_frame_dict_and_statements_in_both_languages(store: Store, tmp_path: Path) -> None:
    e = effect_of(store, tmp_path, EFFECT, level=0.9, lang="es")
    frame = e.frame()
    assert list(frame.columns) == ["period", "treated", "control", "treated_index",
                                   "control_index", "gap_pct", "gap_low_pct", "gap_high_pct",
                                   "window"]  # fmt: skip
    post = frame[frame["window"] == "post"]
    assert (post["gap_high_pct"] < 0).all() and (post["gap_low_pct"] < post["gap_pct"]).all()
    # the mean of the monthly path over the post window is the estimate itself
    gap_log = np.log1p(post["gap_pct"] / 100).mean()
    assert gap_log == pytest.approx(math.log1p(e.did.pct / 100), abs=1e-9)
    assert frame.loc[frame["window"] == "pre", "treated_index"].mean() == pytest.approx(100)
    assert frame.loc[frame["window"] == "post", "gap_pct"].mean() == pytest.approx(-40, abs=6)
    assert frame["period"].min() == pd.Timestamp("2021-01-01")  # from the placebo's pre window
    data = json.loads(json.dumps(e.to_dict()))
    assert data["did"]["level"] == 0.9 and data["pre"] == ["2022-01", "2022-12"]
    assert data["treated"] == list(EFFECT) and data["controls"] == list(CONTROLS)
    assert e.caveats[0] == "Una advertencia."
    es = e.statements()
    assert any("IC del 90 %" in s and "Diferencia en diferencias" in s for s in es)
    en = e.statements("en")
    assert any("90% CI" in s and "Difference-in-differences" in s for s in en)
    assert "Donald y Lang" in e.method() and "Donald and Lang" in e.method("en")
    assert data["method"] == e.method()
    table = e.table()
    assert list(table["group"]) == ["treated", "control"]


def test_controls_and_windows_can_be_given(store: Store, tmp_path: Path) -> None:
    e = effect_of(store, tmp_path, EFFECT, controls=["col", "ECU"], pre=("2022-06", "2022-11"),
                  post=("2023-02", "2023-03"))  # fmt: skip
    assert e.controls == ("COL", "ECU")
    assert effect_of(store, tmp_path, EFFECT, controls="COL, ecu").controls == ("COL", "ECU")
    assert e.pre == (pd.Timestamp("2022-06-01"), pd.Timestamp("2022-11-01"))
    assert "Comparison chosen by the user." in e.to_dict()["controls_why"]
    assert e.did.pct == pytest.approx(TRUE_EFFECT_PCT, abs=8)


def test_query_errors(store: Store, tmp_path: Path) -> None:
    path = write_pathway(tmp_path, EFFECT)
    p = load_pathway(str(path))
    with pytest.raises(QueryError, match=r"no encounters of XKX.*nationalities with data: .*CUB"):
        pathway_effect(store, p, controls=["XKX"])
    with pytest.raises(QueryError, match=r"pre window 2019-01..2019-12 is outside the data"):
        pathway_effect(store, p, pre=("2019-01", "2019-12"))
    with pytest.raises(
        QueryError, match=r"post window 2023-01..2024-06 is outside .*2020-01..2023-12"
    ):
        pathway_effect(store, p, post=("2023-01", "2024-06"))
    with pytest.raises(QueryError, match="must end before the post window"):
        pathway_effect(store, p, pre=("2022-01", "2023-03"))
    with pytest.raises(QueryError, match="covered by `test` and cannot be a comparison"):
        pathway_effect(store, p, controls=["CUB", "COL"])
    with pytest.raises(
        QueryError, match=r"for CUB, HTI, NIC, VEN, MMR: 2022-06..2023-12 \(from MMR"
    ):
        pathway_effect(store, p, controls=["MMR"])
    late = pathway_effect(store, p, controls=["MMR", "COL"], pre=("2022-06", "2022-12"))
    assert late.notes == ["MMR: 1 month(s) in the windows without rows, counted as 0"]
    assert late.caveats[-1] == "Note: MMR: 1 month(s) in the windows without rows, counted as 0"
    usa = write_pathway(
        tmp_path, EFFECT, name="usa", series='[series]\ncheckpoint = "us_southwest"'
    )
    with pytest.raises(QueryError, match="no data by nationality for `us_southwest`"):
        pathway_effect(store, load_pathway(str(usa)))
    with pytest.raises(ConfigError, match="unknown language"):
        pathway_effect(store, p, lang="fr")
    with pytest.raises(ConfigError, match="level"):
        pathway_effect(store, p, level=1.5)
    with pytest.raises(ConfigError, match="not a month"):
        pathway_effect(store, p, pre=("2022-13", "2022-12"))


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"title": 'titel = "x"'}, r"bad\.toml: unknown key `titel` \(did you mean `title`\?\)"),
        ({"start": 'start = "2023/01"'},
         r"bad\.toml: pathway `bad`: `start`: `2023/01` is not a month"),
        ({"nationalities": 'nationalities = ["CUBA"]'}, r"`nationalities`: `CUBA` is not an ISO3"),
        ({"comparison": '[comparison]\nnationalities = ["CUB"]\nwhy = "x"'},
         r"CUB cannot be both covered and a comparison"),
        ({"windows": '[windows]\npre = ["2023-01", "2023-06"]\npost = ["2023-03", "2023-12"]'},
         r"\[windows\]: the pre window \(2023-01..2023-06\) must end before"),
        ({"windows": '[windows]\npre = ["2022-01", "2022-06"]\npost = ["2022-09", "2022-12"]'},
         r"`post` starts \(2022-09\) before the pathway's `start`"),
        ({"series": '[series]\ncheckpoint = "narnia"'},
         r"\[series\] `checkpoint`: unknown checkpoint `narnia`"),
        ({"caveats_es": 'caveats_es = ["a", "b"]'}, r"`caveats_es` has 2 entries and `caveats` 1"),
        ({"source_date": 'source_date = "soon"'}, r"`source_date` is required"),
        ({"windows": '[windows]\npre = ["2022-01"]\npost = ["2023-01", "2023-12"]'},
         r"\[windows\] `pre`: a window is two months"),
        ({"variants": '[[variants]]\nid = "v"\nlabel = "V"'},
         r"variants.*`v`: change at least one"),
    ],
)  # fmt: skip
def test_config_errors_name_file_and_key(
    tmp_path: Path, over: dict[str, str], message: str
) -> None:
    path = write_pathway(tmp_path, EFFECT, name="bad", **over)
    with pytest.raises(ConfigError, match=message):
        load_pathway(str(path))


def test_shipped_and_user_pathways(tmp_path: Path) -> None:
    shipped = pathways()
    assert [p.id for p in shipped] == ["chnv", "venezuela-2022"]
    chnv = load_pathway("chnv")
    assert isinstance(chnv, Pathway)
    assert chnv.nationalities == ("CUB", "HTI", "NIC", "VEN") and chnv.cap == 30000
    assert chnv.start == pd.Timestamp("2023-01-01") and chnv.series == "us_southwest"
    assert chnv.end == pd.Timestamp("2025-01-01") and chnv.source_date.isoformat() == "2023-01-09"
    assert len(chnv.caveats) == len(chnv.caveats_es) >= 4
    assert {v.id for v in chnv.variants} >= {"usbp_only", "before_title42_end", "without_venezuela"}
    mine = write_pathway(tmp_path, EFFECT, name="mine")
    assert [p.id for p in pathways(mine)][-1] == "mine"
    assert [p.id for p in pathways(tmp_path)][-1] == "mine"
    write_pathway(tmp_path, EFFECT, name="chnv")
    with pytest.raises(ConfigError, match=r"chnv\.toml: pathway id `chnv` is already used"):
        pathways(tmp_path)
    with pytest.raises(ConfigError, match=r"unknown pathway `chvn` \(did you mean `chnv`\?\)"):
        load_pathway("chvn")
    with pytest.raises(ConfigError, match="no such pathway file"):
        load_pathway(str(tmp_path / "absent.toml"))


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path = SHARED / "real" / "irreg_usa.csv"
    if not path.exists():
        pytest.skip(f"real agency data not found at {SHARED} (../shared is absent)")
    db = tmp_path_factory.mktemp("real") / "c.duckdb"
    ingest(db, [path])
    return Store(db)


def test_chnv_on_the_real_us_southwest_series(real: Store) -> None:
    e = pathway_effect(real, load_pathway("chnv"))
    assert e.series_id == "us_southwest" and e.post[0] == pd.Timestamp("2023-01-01")
    assert math.isfinite(e.did.pct) and e.did.pct_low is not None and e.did.pct_high is not None
    # Measured on irreg_usa.csv (FY2020-May 2025), see docs/policy_pathways.md.
    assert e.did.pct == pytest.approx(-68.1, abs=0.1)
    assert e.totals_pct == pytest.approx(-37.0, abs=0.1)
    assert (e.did.pct_low, e.did.pct_high) == pytest.approx((-97.8, 361.5), abs=0.1)
    variants = {v.id: v for v in e.variants}
    usbp = variants["usbp_only"].estimate
    assert usbp is not None and usbp.pct == pytest.approx(-91.8, abs=0.1)
    assert all(v.error is None for v in e.variants)
    assert any("Title 42" in c for c in e.caveats) and any("CBP One" in c for c in e.caveats)
    assert any("events, not people" in c for c in e.caveats)
    assert any("October 2022" in c for c in e.caveats)
    es = pathway_effect(real, load_pathway("chnv"), lang="es")
    assert any("Título 42" in c for c in es.caveats)
    json.dumps(e.to_dict())
    # nationalities are broken out from October 2019 (FY2020) only: earlier is unknown, not 0
    with pytest.raises(QueryError, match=r"2019-10\.\.2025-05"):
        pathway_effect(real, load_pathway("chnv"), pre=("2018-01", "2018-12"))
    venezuela = pathway_effect(real, load_pathway("venezuela-2022"))
    assert math.isfinite(venezuela.did.pct)
