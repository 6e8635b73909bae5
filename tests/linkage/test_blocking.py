"""Blocking: the default rules meet each kind of error, broad rules only fit small files."""

from corridor.linkage.backend import open_backend
from corridor.linkage.config import LinkOptions
from corridor.linkage.engine import _build_gammas
from corridor.linkage.link import plan_for
from corridor.records.reading import load_records
from tests.linkage.people import write_csv

BASE = {"given_name": "José Luis", "surname": "García", "surname2": "López", "sex": "M"}


def _person(i: int, **fields: str) -> dict[str, str]:
    return {"id": f"{i}", **BASE, "dob": "1990-03-12", "nationality": "VEN", **fields}


# (left record, right record): the same person written with one kind of error
ERRORS = {
    "exact": ({}, {}),
    "day and month swapped (both at most 12)": ({}, {"dob": "1990-12-03"}),
    "given name and surname swapped": (
        {},
        {"given_name": "García", "surname": "José Luis", "surname2": ""},
    ),
    "no date of birth on one side, second surname left out": ({}, {"dob": "", "surname2": ""}),
    "typo in the given name": ({}, {"given_name": "Jsoe Luis"}),
    "transliterated surname": ({"surname": "Vásquez"}, {"surname": "Vázquez"}),
}


def test_core_rules_meet_every_kind_of_error_without_broad_rules(tmp_path):
    left, right, expected = [], [], {}
    for k, (name, (a, b)) in enumerate(ERRORS.items()):
        left.append(_person(k, **a))
        right.append(_person(100 + k, **b))
        expected[name] = (str(k), str(100 + k))
    # others sharing names or the date of birth, so blocks are not trivially everything
    for k in range(20):
        left.append(_person(200 + k, given_name="Ana", sex="F", dob=f"19{60 + k}-05-0{1 + k % 9}"))
        right.append(_person(300 + k, surname="Pérez", dob="1990-03-12"))
    a = write_csv(tmp_path / "a.csv", left)
    b = write_csv(tmp_path / "b.csv", right)
    with open_backend() as be:
        load_records(be, [a, b], "id")
        plan = plan_for(be, LinkOptions("id", tf=False), 2)
        plan.rules = [r for r in plan.rules if not r.broad]
        _build_gammas(be, plan, 2 * len(left))
        got = be.fetch(
            "SELECT a.record_id AS l, b.record_id AS r FROM gammas g "
            "JOIN recs a ON a._i = g.li JOIN recs b ON b._i = g.ri"
        ).to_pylist()
    pairs = {(p["l"], p["r"]) for p in got}
    missed = [name for name, pair in expected.items() if pair not in pairs]
    assert not missed
    assert len(pairs) < len(left) * len(right) / 4  # blocking, not everything


def test_broad_rules_run_on_small_files_and_are_skipped_past_the_budget(tmp_path):
    rows = [_person(k, dob=f"19{60 + k % 30}-0{1 + k % 9}-1{k % 10}") for k in range(40)]
    a = write_csv(tmp_path / "a.csv", rows)
    b = write_csv(tmp_path / "b.csv", [{**r, "id": f"b{r['id']}"} for r in rows])
    with open_backend() as be:
        load_records(be, [a, b], "id")
        small = _build_gammas(be, plan_for(be, LinkOptions("id", tf=False), 2), 80)
        # a budget the core rules already fill: every broad rule is skipped, and reported
        tight = plan_for(be, LinkOptions("id", tf=False, pair_budget=100), 2)
        broad = {r.name for r in tight.rules if r.broad}
        reports = _build_gammas(be, tight, 80)
    assert all(not r.skipped for r in small)  # a small file: every rule runs
    skipped = {r.name for r in reports if r.skipped}
    assert broad <= skipped
    assert any(not r.skipped and r.new_pairs > 0 for r in reports)
