"""Archive reader: ZIP, TAR, gzip/bzip2/xz as containers, with zip-bomb limits."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import random
import tarfile
import tracemalloc
import zipfile
from pathlib import Path
from typing import Callable

import pytest

from piiscan.model import TooLargeError
from piiscan.sources.formats.containers import (
    Budget,
    Reopener,
    Spool,
    UniqueNames,
    clean_name,
    metered,
)
from tests.sources.formats.container_helpers import DONORS_CSV, SIN, scan

NOTES = f"Suivi du dossier.\nNAS : {SIN}\n".encode()


def zip_bytes(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def tar_bytes(members: dict[str, bytes], mode: str = "w") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tf:  # type: ignore[call-overload]
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1_600_000_000
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def noise(size: int, seed: int = 1) -> bytes:
    """Text that does not compress (so it is no bomb), with no SIN-shaped run in it."""
    alphabet = b"abcdefghij \n"
    table = bytes(alphabet[i % len(alphabet)] for i in range(256))
    return random.Random(seed).randbytes(size).translate(table)


def test_nested_zips_are_read_to_the_csv(tmp_path: Path) -> None:
    (tmp_path / "a.zip").write_bytes(zip_bytes({"b.zip": zip_bytes({"c.csv": DONORS_CSV})}))
    result = scan(tmp_path / "a.zip", location="exports/a.zip")
    assert result.errors == []
    assert result.locations() == {"exports/a.zip!b.zip!c.csv"}
    assert result.findings[0].pointer.row == 2


@pytest.mark.parametrize("name,mode", [
    ("backup.tar", "w"),
    ("backup.tar.gz", "w:gz"),
    ("backup.tgz", "w:gz"),
    ("backup.tar.bz2", "w:bz2"),
    ("backup.tar.xz", "w:xz"),
])
def test_tar_members_sit_right_under_the_archive(tmp_path: Path, name: str, mode: str) -> None:
    data = tar_bytes({"rh/donors.csv": DONORS_CSV, "notes/suivi.txt": NOTES,
                      "rh/inner.zip": zip_bytes({"c.csv": DONORS_CSV})}, mode)
    (tmp_path / name).write_bytes(data)
    result = scan(tmp_path / name)
    assert result.errors == []
    assert result.locations() == {f"{name}!rh/donors.csv", f"{name}!notes/suivi.txt",
                                  f"{name}!rh/inner.zip!c.csv"}
    mtimes = {d.location: d.info.mtime for d in result.done}
    assert mtimes[f"{name}!rh/donors.csv"] == 1_600_000_000


def test_tar_inside_a_zip_is_streamed(tmp_path: Path) -> None:
    (tmp_path / "a.zip").write_bytes(zip_bytes({"b.tar": tar_bytes({"x/donors.csv": DONORS_CSV})}))
    assert scan(tmp_path / "a.zip").locations() == {"a.zip!b.tar!x/donors.csv"}


@pytest.mark.parametrize("name,compress,child", [
    ("dump.csv.gz", gzip.compress, "dump.csv"),
    ("dump.csv.bz2", bz2.compress, "dump.csv"),
    ("dump.csv.xz", lzma.compress, "dump.csv"),
    ("notes.gz", gzip.compress, "notes"),
    ("export.zip.gz", gzip.compress, "export.zip"),
])
def test_single_file_compression_has_one_child(tmp_path: Path, name: str,
                                               compress: Callable[[bytes], bytes], child: str) -> None:
    data = zip_bytes({"donors.csv": DONORS_CSV}) if child.endswith(".zip") else DONORS_CSV
    (tmp_path / name).write_bytes(compress(data))
    expected = f"{name}!{child}!donors.csv" if child.endswith(".zip") else f"{name}!{child}"
    assert scan(tmp_path / name).locations() == {expected}


def write_zip_bomb(path: Path, size: int = 200 << 20) -> None:
    """`size` bytes of newlines (text, so a reader really reads them), plus a legitimate member."""
    block = b"\n" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("zeros.txt", "w", force_zip64=True) as fh:
            for _ in range(size // len(block)):
                fh.write(block)
        zf.writestr("donors.csv", DONORS_CSV)


def test_zip_bomb_is_refused_and_the_rest_is_scanned(tmp_path: Path) -> None:
    write_zip_bomb(tmp_path / "bomb.zip")
    tracemalloc.start()
    try:
        result = scan(tmp_path / "bomb.zip")
        assert tracemalloc.get_traced_memory()[1] < 16 << 20
    finally:
        tracemalloc.stop()
    assert result.error_reasons() == {"bomb.zip!zeros.txt": "too large"}
    assert result.error_details()["bomb.zip!zeros.txt"].startswith("zip bomb: ratio ")
    assert result.error_details()["bomb.zip!zeros.txt"].endswith(" over 200")
    assert result.locations() == {"bomb.zip!donors.csv"}


@pytest.mark.parametrize("name,compress", [("zeros.txt.gz", gzip.compress),
                                           ("zeros.txt.xz", lzma.compress)])
def test_compressed_bomb_stops_on_bytes_actually_read(tmp_path: Path, name: str,
                                                      compress: Callable[[bytes], bytes]) -> None:
    # no declared size to check: only counting the output can stop it
    (tmp_path / name).write_bytes(compress(b"\n" * (16 << 20)))
    tracemalloc.start()
    try:
        result = scan(tmp_path / name)
        assert tracemalloc.get_traced_memory()[1] < 16 << 20
    finally:
        tracemalloc.stop()
    child = name.rsplit(".", 1)[0]
    assert result.error_reasons() == {f"{name}!{child}": "too large"}
    assert result.error_details()[f"{name}!{child}"].startswith("zip bomb: ratio ")


def test_tar_gz_bomb_is_recorded(tmp_path: Path) -> None:
    path = tmp_path / "bomb.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        info = tarfile.TarInfo("zeros.txt")
        info.size = 16 << 20
        tf.addfile(info, io.BytesIO(b"\n" * info.size))
    result = scan(path)
    assert set(result.error_reasons().values()) == {"too large"}
    assert any(d.startswith("zip bomb: ratio") for d in result.error_details().values())


def test_archive_budget_stops_expansion(tmp_path: Path) -> None:
    members = {f"part{n}.txt": noise(400_000, n) for n in range(3)} | {"z.csv": DONORS_CSV}
    (tmp_path / "big.zip").write_bytes(zip_bytes(members))
    result = scan(tmp_path / "big.zip", max_archive_bytes=1_000_000)
    assert result.error_reasons() == {"big.zip!part2.txt": "too large"}
    assert result.error_details()["big.zip!part2.txt"] == "archive expands past 1000000 bytes"
    assert result.locations() == {"big.zip!z.csv"}


def test_nesting_beyond_max_depth_is_an_error(tmp_path: Path) -> None:
    data = zip_bytes({"c.csv": DONORS_CSV})
    for level in "dcb":
        data = zip_bytes({f"{level}.zip": data})
    (tmp_path / "a.zip").write_bytes(data)
    result = scan(tmp_path / "a.zip", max_depth=2)
    assert result.error_reasons() == {"a.zip!b.zip!c.zip!d.zip": "too deep"}
    assert result.findings == []


def set_encrypted_flag(data: bytes, member: str) -> bytes:
    """Mark `member` encrypted in its local header and central directory entry."""
    out = bytearray(data)
    name = member.encode()
    for sig, flag_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        pos = out.find(sig)
        while pos >= 0:
            if out[pos + name_at:pos + name_at + len(name)] == name:
                out[pos + flag_at] |= 0x1
            pos = out.find(sig, pos + 4)
    return bytes(out)


def test_encrypted_member_is_recorded_and_the_rest_scanned(tmp_path: Path) -> None:
    data = zip_bytes({"secret.csv": DONORS_CSV, "open.csv": DONORS_CSV})
    (tmp_path / "e.zip").write_bytes(set_encrypted_flag(data, "secret.csv"))
    result = scan(tmp_path / "e.zip")
    assert result.error_reasons() == {"e.zip!secret.csv": "encrypted"}
    assert result.locations() == {"e.zip!open.csv"}


def test_truncated_zip_is_corrupt(tmp_path: Path) -> None:
    data = zip_bytes({"donors.csv": DONORS_CSV, "more.txt": noise(50_000)})
    (tmp_path / "t.zip").write_bytes(data[: len(data) * 2 // 3])
    result = scan(tmp_path / "t.zip")
    assert result.error_reasons() == {"t.zip": "corrupt"}


@pytest.mark.parametrize("name,mode", [("t.tar", "w"), ("t.tar.gz", "w:gz")])
def test_truncated_tar_keeps_what_came_before_the_damage(tmp_path: Path, name: str, mode: str) -> None:
    data = tar_bytes({"donors.csv": DONORS_CSV, "more.txt": noise(300_000)}, mode)
    (tmp_path / name).write_bytes(data[: len(data) // 2])
    result = scan(tmp_path / name)
    assert result.locations() == {f"{name}!donors.csv"}
    assert result.error_reasons() == {name: "corrupt", f"{name}!more.txt": "corrupt"}
    assert result.error_details()[name] == "truncated or damaged after 2 members"


def test_not_really_gzip_is_corrupt(tmp_path: Path) -> None:
    (tmp_path / "x.gz").write_bytes(b"\x1f\x8b" + os.urandom(200))
    assert scan(tmp_path / "x.gz").error_reasons() == {"x.gz": "corrupt"}


def test_damaged_member_does_not_stop_the_others(tmp_path: Path) -> None:
    data = bytearray(zip_bytes({"bad.txt": noise(20_000), "donors.csv": DONORS_CSV}))
    start = data.find(b"bad.txt") + len("bad.txt") + 100
    data[start:start + 50] = b"\xff" * 50  # inside bad.txt's deflate stream
    (tmp_path / "d.zip").write_bytes(bytes(data))
    result = scan(tmp_path / "d.zip")
    assert result.error_reasons() == {"d.zip!bad.txt": "corrupt"}
    assert result.locations() == {"d.zip!donors.csv"}


@pytest.mark.parametrize("magic,label", [(b"7z\xbc\xaf\x27\x1c", "7-Zip"), (b"Rar!\x1a\x07\x00", "RAR")])
def test_7z_and_rar_are_unsupported_by_name(tmp_path: Path, magic: bytes, label: str) -> None:
    (tmp_path / "x.bin").write_bytes(magic + os.urandom(100))
    result = scan(tmp_path / "x.bin")
    assert result.error_reasons() == {"x.bin": "unsupported format"}
    assert result.error_details()["x.bin"] == f"{label} archives are not supported"


def test_member_names_are_only_labels(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    (share / "evil.zip").write_bytes(zip_bytes({"../../escaped.csv": DONORS_CSV,
                                                "bad\nname\x07.csv": DONORS_CSV,
                                                "dir/": b""}))
    before = set(tmp_path.rglob("*"))
    result = scan(share / "evil.zip")
    assert result.locations() == {"evil.zip!../../escaped.csv", "evil.zip!bad?name?.csv"}
    assert set(tmp_path.rglob("*")) == before


def test_non_utf8_tar_names_become_valid_text(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT, encoding="latin-1") as tf:
        info = tarfile.TarInfo("donn\xe9es.csv")
        info.size = len(DONORS_CSV)
        tf.addfile(info, io.BytesIO(DONORS_CSV))
    (tmp_path / "n.tar").write_bytes(buf.getvalue())
    assert scan(tmp_path / "n.tar").locations() == {"n.tar!donn\ufffdes.csv"}


# -- the building blocks ---------------------------------------------------------

def test_budget_counts_bytes_actually_read() -> None:
    budget = Budget(limit=200_000, ratio=200, floor=1000)
    meter = budget.member()
    with metered(io.BytesIO(b"x" * 400_000), meter) as fh:
        fh.read(100_000)
        fh.seek(0)  # the sniffer rewinds: the same bytes are not charged twice
        fh.read(100_000)
        with pytest.raises(TooLargeError, match="archive expands past 200000 bytes"):
            fh.read(200_000)


def test_ratio_is_checked_while_reading() -> None:
    meter = Budget(limit=1 << 30, ratio=100, floor=1000).member()
    with metered(io.BytesIO(b"\n" * 50_000), meter, compressed=100) as fh:
        with pytest.raises(TooLargeError, match="zip bomb: ratio 1.. over 100"):
            fh.read()


def test_spool_moves_to_a_private_file_and_cleans_up(tmp_path: Path) -> None:
    with Spool(str(tmp_path), memory=1000) as spool:
        spool.fill(io.BytesIO(b"a" * 5000))
        assert len(list(tmp_path.iterdir())) == 1
        with spool.open() as one, spool.open() as two:
            assert one.read(10) == two.read(10) == b"a" * 10
    assert list(tmp_path.iterdir()) == []


def test_reopener_reads_a_one_shot_stream_once(tmp_path: Path) -> None:
    calls = []

    def fresh() -> io.BytesIO:
        calls.append(1)
        return io.BytesIO(DONORS_CSV)

    with Reopener(fresh, "donors.csv", str(tmp_path), once=True) as opener:
        assert opener().read() == opener().read() == DONORS_CSV
    assert len(calls) == 1


def test_reopener_streams_text_and_spools_zip(tmp_path: Path) -> None:
    zipped = zip_bytes({"c.csv": DONORS_CSV})
    text = Reopener(lambda: io.BytesIO(DONORS_CSV), "donors.csv", str(tmp_path))
    assert text().read() == DONORS_CSV and text.spool is None
    inner = Reopener(lambda: io.BytesIO(zipped), "b.zip", str(tmp_path))
    assert inner().read() == zipped and inner.spool is not None


@pytest.mark.parametrize("names,expected", [
    (["a.csv", "a.csv", "a.csv"], ["a.csv", "a-2.csv", "a-3.csv"]),
    (["README", "README"], ["README", "README-2"]),
    (["x/y.d/z", "x/y.d/z"], ["x/y.d/z", "x/y.d/z-2"]),
])
def test_unique_names(names: list[str], expected: list[str]) -> None:
    unique = UniqueNames()
    assert [unique(n) for n in names] == expected


def test_clean_name() -> None:
    assert clean_name("a\tb\x00c.csv") == "a?b?c.csv"
    assert clean_name("donn\udce9es.csv") == "donn\ufffdes.csv"
