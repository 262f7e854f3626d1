"""How piiscan fares on a hostile share: one row per format, no crash, no hang.

    python benchmarks/hostile.py [--work DIR] [--json OUT]

Builds the adversarial corpus of the hostile tests (tests/hostile/corpus.py:
every supported format valid, truncated at five points and with random
bytes flipped three ways; encrypted documents and archives; zip bombs; FIFOs,
devices and symbolic-link loops; unreadable files; odd encodings and names)
in DIR (a temp dir by default), runs the real `piiscan scan` on it with a time
limit, and prints how many inputs of each kind ended as a recorded error, as a
clean result, and as a crash or not at all. As root the scan runs without the
capabilities that bypass file modes, so mode-000 files are really unreadable.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.hostile.corpus import build, can_drop_dac, drop_dac_capabilities, is_root  # noqa: E402
from tests.hostile.scanning import env_for, outcome, run, stored, table  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, help="keep the corpus and outputs here")
    parser.add_argument("--json", type=Path, help="also write the table as JSON")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds before it counts as a hang")
    args = parser.parse_args()
    base = args.work or Path(tempfile.mkdtemp(prefix="piiscan-hostile-"))
    base.mkdir(parents=True, exist_ok=True)
    root, out = base / "share", base / "out"
    root.mkdir()
    out.mkdir()
    dropped = is_root() and can_drop_dac(base)
    began = time.monotonic()
    entries = build(root, enforce_permissions=dropped or not is_root())
    built = time.monotonic() - began
    try:
        cli = run(["scan", str(root), "--format", "jsonl", "--db", str(out / "piiscan.db"),
                   "--max-file-size", "64M"], env_for(base / "home", base / "tmp"),
                  out / "scan", timeout=args.timeout,
                  preexec=drop_dac_capabilities if dropped else None)
    except AssertionError as exc:  # the time limit: a hang
        print(f"HANG: {exc}", file=sys.stderr)
        return 1
    outcomes = [outcome(e, stored(out / "piiscan.db")) for e in entries]
    rows = table(outcomes)
    print(f"{len(entries)} inputs written in {built:.1f} s; scan: exit {cli.returncode} in "
          f"{cli.seconds:.0f} s, peak memory {cli.maxrss_kb / 1024:.0f} MB; "
          f"unreadable files {'enforced' if dropped or not is_root() else 'NOT enforced (root)'}")
    print(f"\n{'input':<10} {'tried':>6} {'errors':>7} {'results':>8} {'crash/hang':>11}")
    for fmt, tried, errors, results, bad in rows:
        print(f"{fmt:<10} {tried:>6} {errors:>7} {results:>8} {bad:>11}")
    totals = [sum(r[i] for r in rows) for i in range(1, 5)]
    note = ("(errors: the input itself ended with a recorded reason; results: read to the end,\n"
            " perhaps with some members recorded as errors; crash/hang: a worker died, or no row)")
    print(f"{'total':<10} {totals[0]:>6} {totals[1]:>7} {totals[2]:>8} {totals[3]:>11}")
    print(note)
    problems = {f"{o.entry.location}": o.problems() for o in outcomes if o.problems()}
    for where, what in problems.items():
        print(f"  ! {where}: {'; '.join(what)}")
    if args.json:
        args.json.write_text(json.dumps({"rows": [dict(zip(("input", "tried", "errors", "results",
                                                            "crash_or_missing"), r)) for r in rows],
                                         "exit": cli.returncode, "seconds": round(cli.seconds, 1)},
                                        indent=1))
    return 0 if cli.returncode == 0 and not totals[3] else 1


if __name__ == "__main__":
    sys.exit(main())
