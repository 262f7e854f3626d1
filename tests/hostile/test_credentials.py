"""Database passwords never appear anywhere: outputs, logs, the store, temp files.

A throwaway MariaDB user with a password full of URL-special characters
owns a table of planted values. The real command scans it by URL (-vv, a
log file, JSONL on stdout, an HTML report), then the same URL with a wrong
password and with a port nobody listens on, the error paths where a driver
is most tempted to quote what it was given. Without a server the test skips
(under CI it fails: CI must run it).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote

import pytest

from tests.hostile.corpus import EMAIL, SIN
from tests.hostile.scanning import env_for, files_under, leaks, run, stored

PLUGINS = "database,dbtable,ca_sin,email"


def _admin() -> Any:
    import pymysql
    return pymysql.connect(host="127.0.0.1", port=3306, user="root", password="",
                           connect_timeout=3, autocommit=True)


@pytest.fixture(scope="module")
def account() -> Iterator[tuple[str, str, str]]:
    """(user, password, database) on the local MariaDB, dropped afterwards."""
    try:
        admin = _admin()
    except Exception as exc:  # no server, no driver
        msg = f"MariaDB on 127.0.0.1:3306 is not available ({type(exc).__name__})"
        if os.environ.get("CI"):
            pytest.fail(msg + "; CI must run this test")
        pytest.skip(msg + "; start it with scripts/setup.sh --test")
    tag = secrets.token_hex(4)
    user, db = f"piiscan_h_{tag}", f"piiscan_h_{tag}"
    password = f"Pw-{secrets.token_hex(6)}:@/%?#&="  # every character a URL parser trips on
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{db}` CHARACTER SET utf8mb4")
        cur.execute(f"CREATE USER '{user}'@'127.0.0.1' IDENTIFIED BY %s", (password,))
        cur.execute(f"CREATE USER '{user}'@'localhost' IDENTIFIED BY %s", (password,))
        for host in ("127.0.0.1", "localhost"):
            cur.execute(f"GRANT SELECT ON `{db}`.* TO '{user}'@'{host}'")
        cur.execute(f"CREATE TABLE `{db}`.participants (id INT PRIMARY KEY, nas VARCHAR(11),"
                    " courriel VARCHAR(80))")
        cur.execute(f"INSERT INTO `{db}`.participants VALUES (1, %s, %s)", (SIN, EMAIL))
    try:
        yield user, password, db
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{db}`")
            for host in ("127.0.0.1", "localhost"):
                cur.execute(f"DROP USER IF EXISTS '{user}'@'{host}'")
        admin.close()


def url(user: str, password: str, db: str, port: int = 3306) -> str:
    return f"mysql+pymysql://{user}:{quote(password, safe='')}@127.0.0.1:{port}/{db}"


def test_no_password_anywhere(account: tuple[str, str, str], tmp_path: Path) -> None:
    user, password, db = account
    home, tmp, out = tmp_path / "home", tmp_path / "tmp", tmp_path / "out"
    out.mkdir()
    env = env_for(home, tmp, {"PIISCAN_PLUGINS": PLUGINS})
    log = ["-vv", "--log-file", str(out / "piiscan.log")]
    store = ["--db", str(out / "piiscan.db")]

    good = run([*log, "scan", url(user, password, db), "--format", "jsonl", *store], env,
               out / "good", timeout=300)
    assert good.returncode == 0, good.text()
    s = stored(out / "piiscan.db")
    # the location names the table, never the account
    assert {f[0] for f in s.findings} == {f"mysql://127.0.0.1:3306/{db}#{db}.participants"}
    assert len(s.findings) == 2
    html = run(["report", "--format", "html", "--output", str(out / "report.html"), *store], env,
               out / "report", timeout=300)
    assert html.returncode == 0, html.text()

    wrong = run([*log, "scan", url(user, password + "x", db), "--format", "jsonl", *store], env,
                out / "wrong", timeout=300)
    closed = run([*log, "scan", url(user, password, db, port=1), "--format", "jsonl", *store], env,
                 out / "closed", timeout=300)
    for failed in (wrong, closed):
        assert failed.returncode == 3, failed.text()
        assert b"Traceback" not in failed.stderr

    forms = {password, quote(password, safe=""), quote(password)}
    control = tmp_path / "control.txt"  # the search itself would see a password
    control.write_text(url(user, password, db))
    assert leaks([control], forms) != []
    everything = files_under(out, home, tmp)
    assert {"piiscan.db", "piiscan.log", "report.html", "good.stdout", "wrong.stderr"} <= {
        p.name for p in everything}
    assert leaks(everything, forms) == []
    assert leaks(everything, [SIN, EMAIL]) == []  # and no raw value either
    assert list(tmp.iterdir()) == []
