"""A scan on a Dask cluster (a scheduler and two workers on 127.0.0.1) finds what a local run finds."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from piiscan.engine import ScanOptions
from piiscan.registry import Registry
from piiscan.runner import Placement, run_scan
from piiscan.store import Store
from tests.share import make_share

PLUGINS = ("filesystem", "text", "csv", "json", "markup", "ca_sin", "email", "credit_card", "phone")
KEY = b"d" * 32


def rows(db: Path, run: int) -> list[tuple]:
    con = sqlite3.connect(db)
    return sorted(con.execute(
        "SELECT location, entity_type, value_hash, pointer, score FROM findings WHERE run_id=?",
        (run,)).fetchall())


@pytest.mark.slow
def test_dask_run_equals_local_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    distributed = pytest.importorskip("distributed")
    monkeypatch.setenv("PIISCAN_PLUGINS", ",".join(PLUGINS))
    share = make_share(tmp_path / "share")
    for i in range(20):  # enough items for both workers to take some
        (share / f"extra{i}.csv").write_text(f"nas,email\n463 212 233,p{i}@example.org\n")
    registry = Registry.from_entry_points(only=PLUGINS)
    db = tmp_path / "s.db"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        with Store(db) as store:
            local = run_scan(store, registry, KEY, ScanOptions(), [str(share)],
                             placement=Placement("local", workers=2), guess_language=False)
            dask = run_scan(store, registry, KEY, ScanOptions(), [str(share)],
                            placement=Placement("dask", scheduler=cluster.scheduler_address),
                            guess_language=False)
            # both workers took part
            with distributed.Client(cluster.scheduler_address) as client:
                assert len(client.scheduler_info()["workers"]) == 2
    assert len(rows(db, local)) >= 40
    assert rows(db, local) == rows(db, dask)
