"""Building the registry loads every plugin but none of the heavy libraries behind them; a
plugin whose library is missing is still listed unavailable, with the reason `import` gives.

Each check runs in a fresh interpreter: what this test process already imported says nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata

HEAVY = ["sqlalchemy", "openpyxl", "numpy", "pypdfium2", "PIL", "olefile", "jinja2", "spacy",
         "presidio_analyzer"]

PROBE = """
import json, sys
from importlib.abc import MetaPathFinder
BLOCKED = set(sys.argv[1].split(",")) - {""}

class NotInstalled(MetaPathFinder):
    # what an environment without these packages does: the import machinery finds nothing
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name.partition('.')[0]!r}", name=name)
        return None

sys.meta_path.insert(0, NotInstalled())
from piiscan.registry import Registry
reg = Registry.from_entry_points()
print(json.dumps({
    "plugins": [[p.group, p.name, p.version, p.error] for p in reg.plugins],
    "loaded": sorted(m for m in sys.modules if m.partition(".")[0] in %r),
}))
""" % (HEAVY,)


def _registry(blocked: tuple[str, ...] = ()) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE, ",".join(blocked)], capture_output=True,
                         text=True, timeout=120, check=True)
    return json.loads(out.stdout)


def _ours() -> set[tuple[str, str]]:
    dist = metadata.distribution("piiscan")
    return {(ep.group, ep.name) for ep in dist.entry_points if ep.group.startswith("piiscan.")}


def test_every_plugin_loads_and_no_heavy_library_is_imported():
    got = _registry()
    plugins = {(g, n): (v, err) for g, n, v, err in got["plugins"]}
    version = metadata.version("piiscan")
    assert {key: plugins.get(key) for key in _ours()} == {key: (version, None) for key in _ours()}
    assert got["loaded"] == []


def test_a_missing_library_makes_its_plugins_unavailable_with_the_import_reason():
    reason = "ModuleNotFoundError: No module named {!r}".format
    got = _registry(("sqlalchemy", "openpyxl", "pypdfium2", "olefile"))
    assert {n: err for _, n, _, err in got["plugins"] if err} == {
        "database": reason("sqlalchemy"), "dbtable": reason("sqlalchemy"),
        "sqlite": reason("sqlalchemy"),  # SQLite files are read as database tables
        "pdf": reason("pypdfium2"),
        "spreadsheet": reason("openpyxl"),
        "word": reason("olefile"), "presentation": reason("olefile"),  # legacy .doc and .ppt
    }
    got = _registry(("PIL", "pypdfium2"))
    assert {n: err for _, n, _, err in got["plugins"] if err} == {
        "image": reason("PIL"), "pdf": reason("pypdfium2")}
    got = _registry(("PIL",))
    assert {n: err for _, n, _, err in got["plugins"] if err} == {
        "image": reason("PIL"), "pdf": reason("PIL")}  # scanned pages go through OCR
