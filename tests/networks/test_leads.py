"""Leads: the ring comes first, with its evidence; keyed hashes give the same leads."""

from __future__ import annotations

import json
from pathlib import Path

from corridor.networks.leads import MAX_RECORDS
from corridor.networks.run import Options, analyse


def test_the_ring_is_the_lead_with_its_evidence(ring: Path) -> None:
    a = analyse(ring, Options(top=10))
    try:
        assert len(a.leads) == 1  # the household and the lone travellers are not flagged
        lead = a.leads[0]
        assert lead.rank == 1 and lead.guides == 1 and lead.shared_values == 1
        assert lead.countries == ["MEX", "PAN"]
        # the guide, with each crossing (record id, checkpoint, day, place)
        (suspect,) = lead.suspects
        assert suspect.entity == "P900" and suspect.repeat_visits == 14
        assert suspect.records == 16 and len(suspect.crossings) == MAX_RECORDS  # first 12
        assert [c.agency for c in suspect.crossings] == ["SNM", "UPM"] * 6
        assert {c.place for c in suspect.crossings} == {"P1", "Tapachula"}
        truth = {r["record_id"] for r in _truth(ring) if r["person_id"] == 900}
        assert {c.record_id for c in suspect.crossings} <= truth
        # the shared phone, with the records that gave it
        (value,) = lead.shared
        assert (value.kind, value.value, value.holders, value.trips) == ("phone", "+57 111", 16, 8)
        assert len(value.records) == MAX_RECORDS and all(r.agency == "UPM" for r in value.records)
        # every reason is a sentence naming what was seen
        text = " ".join(lead.reasons)
        assert "P900 crossed again 14 times at 2 checkpoints, with 16 different people" in text
        assert "phone +57 111 given by 16 people who arrived on 8 different days" in text
        assert "MEX, PAN" in text
        assert lead.score > 0 and lead.to_dict()["suspects"][0]["entity"] == "P900"
    finally:
        a.close()


def test_keyed_hashes_give_the_same_leads_without_plaintext(ring: Path, tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_bytes(b"0123456789abcdef0123456789abcdef")
    plain = analyse(ring, Options(top=10))
    hashed = analyse(ring, Options(top=10, key_file=key))
    try:
        p, h = plain.leads[0], hashed.leads[0]
        assert [s.entity for s in p.suspects] == [s.entity for s in h.suspects]
        assert {r.record_id for r in p.shared[0].records} == {
            r.record_id for r in h.shared[0].records
        }
        assert h.shared[0].value.startswith("k:") and len(h.shared[0].value) == 34
        dumped = json.dumps([ld.to_dict() for ld in hashed.leads], default=str)
        assert "+57 111" not in dumped and "57111" not in dumped
        # nor anywhere in the graph's attribute tables
        assert (
            hashed.con.execute("SELECT count(*) FROM attr WHERE value NOT LIKE 'k:%'").fetchall()[
                0
            ][0]
            == 0
        )
    finally:
        plain.close()
        hashed.close()


def test_keyed_hash_normalises_and_depends_on_the_key() -> None:
    from corridor.networks.keyed import keyed

    k1, k2 = b"k" * 16, b"j" * 16
    assert keyed(k1, "phone", "+57 111") == keyed(k1, "phone", "57-111")
    assert keyed(k1, "address", "1 Main St, Houston") == keyed(k1, "address", "1 MAIN ST  HOUSTON")
    assert keyed(k1, "phone", "+57 111") != keyed(k2, "phone", "+57 111")
    assert keyed(k1, "phone", "111") != keyed(k1, "sponsor", "111")


def test_split_entities_lose_the_guide(ring: Path) -> None:
    from corridor.networks.inputs import Degrade

    a = analyse(ring, Options(top=10, degrade=Degrade(split=1.0)))
    try:  # every record alone: no repeat crossings; the shared phone alone is below the flag
        assert a.leads == []
        assert a.con.execute("SELECT max(guide_score) FROM ent_sig").fetchall()[0][0] == 0
        trips = a.con.execute("SELECT trips FROM attr_stats WHERE value = '+57 111'").fetchall()
        assert trips == [(8,)]
    finally:
        a.close()


def _truth(root: Path) -> list[dict[str, object]]:
    import pyarrow.parquet as pq

    return pq.read_table(root / "truth" / "records.parquet").to_pylist()
