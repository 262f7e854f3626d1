"""An audit rescan with nothing to read does not import the readers and detectors: it takes
what loaded from the store's plugin census for this environment. The reuse fingerprint must
still change, through the real command line, when a plugin is installed, becomes available or
unavailable (its dependency installed or removed), is upgraded in place or removed.

The plugin is a test-local package on PYTHONPATH: a .dist-info folder with entry points, and a
module that imports a dependency which comes and goes. The census is checked against the real
registry whenever the run loads one, so a stale census cannot outlive one run.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from piiscan.audit import check_census, load_config, plugin_census, run_audit
from piiscan.registry import DeferredRegistry, Registry, plugin_environment
from piiscan.runner import Placement
from piiscan.store import Store
from tests.auditkit import KEY

PLUGINS = "filesystem,text,email,fake_code"  # no language model: every run reads in seconds

PROBE = """
import atexit, json, os, runpy, sys

def report():
    with open(os.environ["PROBE_OUT"], "w") as fh:
        json.dump(sorted(sys.modules), fh)

atexit.register(report)
sys.argv = ["piiscan", *sys.argv[1:]]
runpy.run_module("piiscan", run_name="__main__", alter_sys=True)
"""

PLUGIN = '''
import re
import fakedep  # the optional dependency: without it the plugin is unavailable
from piiscan.detectors.base import RegexDetector
from piiscan.model import EntityType

class FakeCodeDetector(RegexDetector):
    """Test codes FAKE-1234 (not personal; a stand-in for a third-party detector)."""
    name = "fake_code"
    entity = EntityType.CA_SIN
    pattern = re.compile(r"FAKE-\\d{4}")
    keywords = ("fake-",)
    examples = {"FAKE-1234": True, "FAKE-12": False}
'''


def _install(plugins: Path, version: str) -> Path:
    info = plugins / "fakeplug-1.0.dist-info"  # the folder keeps its name when upgraded in place
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: fakeplug\nVersion: {version}\n")
    (info / "entry_points.txt").write_text("[piiscan.detectors]\nfake_code = fakeplug:FakeCodeDetector\n")
    (plugins / "fakeplug.py").write_text(PLUGIN)
    return info


class Audits:
    def __init__(self, tmp: Path) -> None:
        self.tmp, self.plugins, self.n = tmp, tmp / "plugins", 0
        self.plugins.mkdir()
        self.cwd = tmp / "cwd"
        self.cwd.mkdir()
        share = tmp / "share"
        share.mkdir()
        (share / "a.txt").write_text("Contact: cat@example.org, code FAKE-1234\n")
        (share / "b.txt").write_text("Nothing here\n")
        (tmp / "audit.yaml").write_text("name: weekly\nsources: [share]\nhistory: history.db\n"
                                        "reports: reports\nformats: [jsonl]\n")

    def run(self) -> tuple[dict, set[str]]:
        """One `piiscan audit`; the run's params and the modules it imported."""
        self.n += 1
        out = self.tmp / f"modules{self.n}.json"
        env = {**os.environ, "PIISCAN_HOME": str(self.tmp / "home"), "PROBE_OUT": str(out),
               "PIISCAN_PLUGINS": PLUGINS, "PYTHONPATH": str(self.plugins)}
        # from a folder of its own: `-c` puts the working directory on the import path
        proc = subprocess.run([sys.executable, "-c", PROBE, "audit", "--config", "../audit.yaml"],
                              capture_output=True, text=True, env=env, timeout=600, cwd=self.cwd)
        assert proc.returncode == 0, proc.stderr
        with Store(self.tmp / "history.db") as store:
            params = store.runs("audit")[-1].params
        return params, set(json.loads(out.read_text()))


def _plugin_modules(modules: set[str]) -> set[str]:
    """The modules of the readers and detectors of PLUGINS (the sources load in any case)."""
    return modules & {"fakeplug", "piiscan.detectors.email", "piiscan.sources.formats.text"}


@pytest.mark.slow
def test_the_fingerprint_follows_the_plugins_without_loading_them_when_nothing_changed(tmp_path):
    audits = Audits(tmp_path)
    info = _install(audits.plugins, "1.0")

    first, modules = audits.run()  # no census yet: everything loads; fake_code is unavailable
    assert first["incremental"] == "no (first run)"
    assert "fake_code=1.0" not in first["reuse"]["detectors"] and _plugin_modules(modules)
    again, modules = audits.run()
    assert again["incremental"] == "yes" and again["reuse"] == first["reuse"]
    assert _plugin_modules(modules) == set(), "an unchanged rescan imports no reader or detector"

    (audits.plugins / "fakedep.py").write_text("")  # the dependency is installed
    available, _ = audits.run()
    assert available["incremental"].startswith("no (options, plugins")
    assert "fake_code=1.0" in available["reuse"]["detectors"]
    again, modules = audits.run()
    assert again["incremental"] == "yes" and _plugin_modules(modules) == set()

    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fakeplug\nVersion: 1.1\n")
    upgraded, _ = audits.run()
    assert upgraded["incremental"].startswith("no (options, plugins")
    assert "fake_code=1.1" in upgraded["reuse"]["detectors"]

    (audits.plugins / "fakedep.py").unlink()  # the dependency is removed
    unavailable, _ = audits.run()
    assert unavailable["incremental"].startswith("no (options, plugins")
    assert not any(d.startswith("fake_code=") for d in unavailable["reuse"]["detectors"])

    (audits.plugins / "fakedep.py").write_text("")
    audits.run()
    for f in info.iterdir():
        f.unlink()
    info.rmdir()  # the plugin is uninstalled
    removed, _ = audits.run()
    assert removed["incremental"].startswith("no (options, plugins")
    assert not any(d.startswith("fake_code=") for d in removed["reuse"]["detectors"])
    assert removed["reuse"]["detectors"] == unavailable["reuse"]["detectors"]


def test_the_environment_digest_ignores_what_cannot_be_imported(tmp_path, monkeypatch):
    folder = tmp_path / "path"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    before = plugin_environment()
    (folder / "history.db").write_text("")  # a store, reports, a run's temporary folder
    (folder / "reports").with_suffix(".jsonl").write_text("")
    (folder / "piiscan-run-1-x").mkdir()
    assert plugin_environment() == before
    (folder / "somedep.py").write_text("")  # a module a plugin may import
    with_module = plugin_environment()
    assert with_module != before
    (folder / "somedep.py").unlink()
    (folder / "somepkg").mkdir()  # a package (or namespace package)
    assert plugin_environment() not in (before, with_module)
    monkeypatch.setenv("PIISCAN_PLUGINS", "filesystem")
    assert plugin_environment() != plugin_environment(only=["filesystem", "text"])


ONLY = ["filesystem", "text", "csv", "email", "ca_sin"]


def test_a_deferred_registry_loads_the_same_plugins_at_first_use():
    deferred, eager = DeferredRegistry(only=ONLY), Registry.from_entry_points(only=ONLY)
    assert set(deferred.sources) == set(eager.sources) and not deferred.loaded
    assert deferred.plugins == eager.plugins and deferred.loaded
    assert set(deferred.detectors) == set(eager.detectors) == {"email", "ca_sin"}
    assert set(deferred.readers) == set(eager.readers) == {"text", "csv"}
    assert plugin_census(deferred) == plugin_census(eager)


def test_a_stale_census_is_corrected_by_the_first_run_that_loads_the_plugins(tmp_path, caplog):
    share = tmp_path / "share"
    share.mkdir()
    (share / "a.txt").write_text("Contact: cat@example.org\n")
    (tmp_path / "audit.yaml").write_text("name: w\nsources: [share]\nhistory: h.db\nreports: r\n"
                                         "formats: [jsonl]\nexecutor: inline\n")
    cfg = load_config(tmp_path / "audit.yaml")

    def audit() -> dict:
        run_audit(cfg, registry=DeferredRegistry(only=ONLY), key=KEY, guess_language=False,
                  placement=Placement("inline"))
        with Store(cfg.history) as store:
            return store.runs("audit")[-1].params

    first = audit()
    environment = DeferredRegistry(only=ONLY).environment
    with Store(cfg.history) as store:
        assert store.plugin_census(environment) == {k: first["reuse"][k] for k in ("detectors", "readers")}
        # what a change the digest cannot see would leave: a census that no longer holds
        store.set_plugin_census(environment, {"detectors": ["email=0"], "readers": ["text=0"]})
    (share / "b.txt").write_text("Another: dan@example.org\n")  # something to read: plugins load
    with caplog.at_level(logging.WARNING, logger="piiscan"):
        stale = audit()
    assert "plugins changed" in caplog.text
    assert stale["reuse"]["detectors"] == ["email=0"]  # this run went by the stale census
    with Store(cfg.history) as store:
        assert store.plugin_census(environment) == {k: first["reuse"][k] for k in ("detectors", "readers")}
    assert audit()["incremental"].startswith("no (options, plugins")  # so the next one reads all


def test_a_census_that_holds_is_left_alone(tmp_path):
    with Store(tmp_path / "h.db") as store:
        registry = DeferredRegistry(only=ONLY)
        census = plugin_census(registry)
        store.set_plugin_census(registry.environment, census)
        check_census(store, registry, census)
        assert store.plugin_census(registry.environment) == census
