"""An unchanged rescan, through the real command line: nothing is read, so no worker process
is started and no language model is loaded; the reports are those of the run before.

The command runs in a child interpreter with an audit hook that counts the
processes it forks or spawns and, at exit, writes down what it imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.share import make_share

PROBE = """
import atexit, json, os, runpy, sys
parent, started = os.getpid(), []
sys.addaudithook(lambda event, args: started.append(event) if event in (
    "os.fork", "os.forkpty", "os.posix_spawn", "os.spawn", "subprocess.Popen") else None)

def report():
    if os.getpid() == parent:  # forked workers leave through os._exit, but be sure
        with open(os.environ["PROBE_OUT"], "w") as fh:
            json.dump({"started": started, "modules": sorted(sys.modules)}, fh)

atexit.register(report)
sys.argv = ["piiscan", *sys.argv[1:]]
runpy.run_module("piiscan", run_name="__main__", alter_sys=True)
"""


def _audit(tmp_path: Path, n: int) -> tuple[subprocess.CompletedProcess[str], dict]:
    out = tmp_path / f"probe{n}.json"
    env = {**os.environ, "PIISCAN_HOME": str(tmp_path / "home"), "PROBE_OUT": str(out)}
    env.pop("PIISCAN_PLUGINS", None)  # every installed plugin, as on a real install
    proc = subprocess.run([sys.executable, "-c", PROBE, "audit", "--config", str(tmp_path / "audit.yaml")],
                          capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path)
    return proc, json.loads(out.read_text())


@pytest.mark.slow
def test_an_unchanged_rescan_starts_no_worker_and_loads_no_model(tmp_path):
    make_share(tmp_path / "share")
    (tmp_path / "audit.yaml").write_text(
        "name: weekly\nsources: [share]\nhistory: history.db\nreports: reports\n"
        "formats: [jsonl]\nexecutor: local\nworkers: 2\n", encoding="utf-8")
    first, probe = _audit(tmp_path, 1)
    assert first.returncode == 0, first.stderr
    assert probe["started"], "the first run reads with worker processes (the probe sees them)"
    written = sorted((tmp_path / "reports").glob("weekly-run1-*.jsonl"))[0].read_text(encoding="utf-8")
    assert written.count('"kind": "finding"') > 5

    again, probe = _audit(tmp_path, 2)
    assert again.returncode == 0, again.stderr
    assert "(5 unchanged, 0 duplicate copies, 0 read)" in again.stdout
    assert "0 new, 0 resolved" in again.stdout
    assert probe["started"] == []
    loaded = {m.partition(".")[0] for m in probe["modules"]}
    assert not loaded & {"spacy", "presidio_analyzer", "thinc", "torch"}
    # the findings listed are the first run's, line for line
    second = sorted((tmp_path / "reports").glob("weekly-run2-*.jsonl"))[0].read_text(encoding="utf-8")
    assert second == written
