"""Events cross process boundaries (pool, Dask) by pickle: they must come back equal."""

from __future__ import annotations

import dataclasses
import pickle

from piiscan.engine import ItemDone
from piiscan.model import EntityType, Finding, ItemInfo, Pointer, ScanError


def test_every_pointer_field_survives_pickle_and_dict() -> None:
    names = [f.name for f in dataclasses.fields(Pointer)]
    values = {n: (7 if n in ("page", "line", "row", "slide", "offset") else f"v-{n}") for n in names}
    full = Pointer(**values)
    for p in (full, Pointer(), Pointer(row=2, column="NAS")):
        assert pickle.loads(pickle.dumps(p)) == p
        assert Pointer.from_dict(p.as_dict()) == p
    assert Pointer(row=2, column="NAS").as_dict() == {"row": 2, "column": "NAS"}
    assert Pointer.from_dict({"row": 2, "unknown": 1}) == Pointer(row=2)


def test_findings_and_other_events_survive_pickle() -> None:
    finding = Finding(EntityType.CA_SIN, "hr/payroll.csv", Pointer(row=12, column="NAS"),
                      "*** *** 233", "hmac-sha256:00", 0.97, "ca_sin", "fr", "463 212 233",
                      "row:12", "NAS", {"issued": "regular"})
    bare = Finding(EntityType.EMAIL_ADDRESS, "a.txt", Pointer(line=1), "m", "h", 0.5, "email")
    for ev in (finding, bare, ScanError("x.zip", "encrypted", "needs a password"),
               ItemDone("x.zip", ItemInfo(10, 1.5, 3, 0o600), "application/zip", "zip", 2, None)):
        back = pickle.loads(pickle.dumps(ev, protocol=pickle.HIGHEST_PROTOCOL))
        assert back == ev and type(back) is type(ev)
    assert pickle.loads(pickle.dumps(finding)).as_dict() == finding.as_dict()
