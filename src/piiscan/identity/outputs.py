"""The affected-individuals files: JSONL and CSV, owner-only.

These files hold raw identifiers (they exist to notify people), so every
directory is created 0700 and every file 0600 before a byte is written.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
from pathlib import Path
from typing import Iterable, Iterator, Sequence, TextIO

from ..model import EntityType
from .link import AffectedPerson

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def private_dir(path: Path) -> Path:
    """Create (or tighten) a directory to owner-only."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


@contextlib.contextmanager
def private_file(path: Path, mode: str = "w") -> Iterator[TextIO]:
    """A text file created 0600 (also when it existed with wider rights)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, mode, encoding="utf-8", newline="") as fh:
        yield fh


def write_text(path: Path, text: str) -> None:
    with private_file(path) as fh:
        fh.write(text)


def write_jsonl(persons: Iterable[AffectedPerson], path: Path) -> None:
    with private_file(path) as fh:
        for p in persons:
            fh.write(json.dumps(p.as_dict(), ensure_ascii=False) + "\n")


def safe_cell(value: object) -> str:
    """A spreadsheet must not run a cell as a formula ('=HYPERLINK(…)' in a name)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _join(values: Sequence[str]) -> str:
    return " | ".join(values)


def write_csv(persons: Sequence[AffectedPerson], path: Path) -> None:
    order = {str(e): i for i, e in enumerate(EntityType)}
    id_types = sorted({k for p in persons for k in p.individual.identifiers}, key=order.__getitem__)
    contact_types = sorted({k for p in persons for k in p.individual.contacts}, key=order.__getitem__)
    header = (["individual_id", "names", "sensitivity", "categories", "data_elements"]
              + id_types + [f"contact_{t}" for t in contact_types]
              + ["shared_identifiers", "matched_people_list", "minor", "linked_by", "locations",
                 "findings"])
    with private_file(path) as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for p in persons:
            d = p.as_dict()
            shared = "; ".join(f"{k}: {_join(v)}" for k, v in d["shared_identifiers"].items())
            minor = "" if d["minor"] is None else ("yes" if d["minor"] else "no")
            row = ([d["individual_id"], _join(d["names"]), d["sensitivity"],
                    _join(d["categories"]), _join(d["data_elements"])]
                   + [_join(d["identifiers"].get(t, [])) for t in id_types]
                   + [_join(d["contacts"].get(t, [])) for t in contact_types]
                   + [shared, "yes" if d["matched_people_list"] else "no", minor,
                      _join(d["linked_by"]), _join(d["locations"]), d["findings"]])
            w.writerow([safe_cell(c) for c in row])
