"""How fast piiscan reads a large database table, and in how much memory.

Creates a throwaway database on the local PostgreSQL and MariaDB servers
(127.0.0.1, as in the tests), fills a table `big` with --rows rows of three
64-character texts, then measures, each in a fresh process:

- sample:      the default read, --sample-rows rows spread over the table
- full:        every row through a server-side cursor / keyset pages
- full+detect: every row through the engine with the SIN, email and card detectors
- naive:       for comparison, every row fetched at once (what --full avoids)

and prints rows/s (wall clock, and per CPU second of the scanning process,
steadier on a shared machine) and the growth of the process's peak RSS. Run:

    python benchmarks/databases.py [--rows 1000000] [--backends postgres,mariadb]
"""

from __future__ import annotations

import argparse
import json
import secrets
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from typing import Iterator

MEASURE = r"""
import json, resource, sys, time
from piiscan.engine import ReadContext, Scanner, ScanOptions
from piiscan.redact import Redactor
from piiscan.registry import Registry
from piiscan.sources.database import DatabaseSource, TableReader, make_engine, normalize_url
import sqlalchemy as sa

url, mode, sample_rows, tmp = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
options = ScanOptions(full=mode != "sample", sample_rows=sample_rows)
(item,) = DatabaseSource().items(url, ScanOptions(tables=("*.big",)))
rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
cpu = lambda: sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
reg = Registry.from_entry_points(only=["dbtable", "ca_sin", "email", "credit_card"])
before, start, cpu0 = rss(), time.perf_counter(), cpu()
if mode == "naive":
    engine = make_engine(normalize_url(url))
    with engine.connect() as conn:
        rows = len(conn.execute(sa.text("SELECT * FROM big")).all())
    units = rows
elif mode == "full+detect":
    with Scanner(reg, Redactor(b"k" * 32), options) as sc:
        units = sum(1 for _ in sc.scan_item(item))
        rows = sc.ctx.counters["db_rows"]
else:
    ctx = ReadContext(options, tmp)
    units = sum(1 for _ in TableReader().read(item, ctx))
    rows = ctx.counters["db_rows"]
seconds = time.perf_counter() - start
print(json.dumps({"rows": rows, "seconds": seconds, "cpu": cpu() - cpu0, "grew_mb": rss() - before,
                  "peak_mb": rss()}))
"""


@contextmanager
def postgres(rows: int) -> Iterator[str]:
    import psycopg
    admin = psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True)
    name = f"piiscan_bench_{secrets.token_hex(3)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={name}", autocommit=True) as con:
            con.execute("CREATE TABLE big (id integer PRIMARY KEY, a text, b text, c text)")
            con.execute(f"INSERT INTO big SELECT g, md5(g::text) || md5((g+1)::text), "
                        f"md5((g+2)::text) || md5((g+3)::text), md5((g+4)::text) || md5((g+5)::text) "
                        f"FROM generate_series(1, {rows}) g")
            con.execute("ANALYZE big")
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@contextmanager
def mariadb(rows: int) -> Iterator[str]:
    import pymysql
    admin = pymysql.connect(host="127.0.0.1", user="root", password="", autocommit=True)
    name = f"piiscan_bench_{secrets.token_hex(3)}"
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}`")
    try:
        with pymysql.connect(host="127.0.0.1", user="root", password="", database=name,
                             autocommit=True) as con, con.cursor() as cur:
            cur.execute("CREATE TABLE big (id INT PRIMARY KEY, a CHAR(64), b CHAR(64), c CHAR(64))")
            # seq_1_to_N: MariaDB's sequence engine, resolved in the current database
            cur.execute(f"INSERT INTO big SELECT seq, CONCAT(MD5(seq), MD5(seq+1)), "
                        f"CONCAT(MD5(seq+2), MD5(seq+3)), CONCAT(MD5(seq+4), MD5(seq+5)) "
                        f"FROM seq_1_to_{rows}")
            cur.execute("ANALYZE TABLE big")
            cur.fetchall()
        yield f"mysql://root@127.0.0.1:3306/{name}"
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()


def measure(url: str, mode: str, sample_rows: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([sys.executable, "-c", MEASURE, url, mode, str(sample_rows), tmp],
                              capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--sample-rows", type=int, default=1000)
    ap.add_argument("--backends", default="postgres,mariadb")
    ap.add_argument("--modes", default="sample,full,full+detect,naive")
    args = ap.parse_args()
    makers = {"postgres": postgres, "mariadb": mariadb}
    # rows per CPU second of the scanner's process: steadier than wall time on a shared machine
    print(f"{'backend':9} {'mode':12} {'rows':>9} {'seconds':>8} {'rows/s':>9} {'rows/cpu-s':>10} "
          f"{'RSS +MB':>8}")
    for backend in args.backends.split(","):
        t0 = time.perf_counter()
        with makers[backend](args.rows) as url:
            print(f"# {backend}: {args.rows} rows loaded in {time.perf_counter() - t0:.0f} s", flush=True)
            for mode in args.modes.split(","):
                r = measure(url, mode, args.sample_rows)
                print(f"{backend:9} {mode:12} {r['rows']:>9} {r['seconds']:>8.2f} "
                      f"{r['rows'] / r['seconds']:>9,.0f} {r['rows'] / max(r['cpu'], 1e-3):>10,.0f} "
                      f"{r['grew_mb']:>8.0f}", flush=True)


if __name__ == "__main__":
    main()
