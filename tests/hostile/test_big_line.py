"""A single 500 MB line: read to its end in bounded memory.

The file is one line with a SIN at its start and another at its very end,
500 MiB of letters between them and no line break anywhere. The real
command (default local pool) must find both, and its peak resident memory,
workers included, must stay far below the size of the line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.corpus import SIN, SIN2
from tests.hostile.scanning import env_for, run, stored

LINE = 500 << 20
MEMORY_CEILING_KB = 640 << 10  # reading the line whole needs over 1 GB (bytes + str)


@pytest.mark.slow
def test_one_500_mb_line(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    with open(share / "one-line.log", "wb") as fh:
        fh.write(f"NAS {SIN} ".encode())
        block = b"a" * (1 << 20)
        for _ in range(LINE >> 20):
            fh.write(block)
        fh.write(f" NAS {SIN2}".encode())
    env = env_for(tmp_path / "home", tmp_path / "tmp", {"PIISCAN_PLUGINS": "filesystem,text,ca_sin"})
    cli = run(["scan", str(share), "--format", "jsonl", "--db", str(tmp_path / "s.db")], env,
              tmp_path / "scan", timeout=900)
    assert cli.returncode == 0, cli.text()
    s = stored(tmp_path / "s.db")
    assert s.errors == []
    assert len(s.findings) == 2  # the first and the last, 500 MB apart
    offsets = sorted('"offset"' in f[3] for f in s.findings)
    assert offsets == [False, True]
    assert cli.maxrss_kb < MEMORY_CEILING_KB, f"peak {cli.maxrss_kb // 1024} MB"
