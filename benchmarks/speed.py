"""Throughput of piiscan against Presidio's defaults, on one machine, in one run.

    python benchmarks/speed.py [--scale 10] [--csv-gb 2] [--csv-minutes 10]
                               [--skip presidio,dask,audit,csv] [--out benchmarks/out/speed.json]

Each measurement runs in a fresh child process (this script with --child),
and this parent samples the resident memory of the child's whole process
tree (the child, its pool or Dask workers): the sum of RSS every 0.1 s, an
upper bound (pages shared between processes count once per process), and
the sum of PSS (shared pages divided among their users) every second. The
sampling runs on a thread of its own while the main thread waits for the
child, so a run's wall time ends when the child does (a polling loop made a
0.5 s run up to 0.1 s late); its CPU time (user + system, the child's tree)
is recorded too. Wall times include starting the worker pool and loading
the spaCy pipelines in each worker, as a user waits for them; the
"startup" row is that cost alone (the same run over a one-file tree), and
"net" throughput subtracts it. Presidio is timed as `run.py` does it: the
same extracted text (read time included), analyzers loaded off the clock,
one process, `BatchAnalyzerEngine` by language.

Rows:
- the labelled corpus (benchmarks/corpus.py) at `--scale`: piiscan with the
  default local pool, with one worker (in-process), on Dask with 1 and 2
  workers (a `distributed.LocalCluster` on 127.0.0.1, its workers' models
  loaded before the clock starts, as a standing cluster's are; findings
  compared with the local run's), and Presidio; F1 from benchmarks/score.py
  beside;
- `piiscan audit` (the real CLI) over the corpus, then 3 unchanged rescans:
  each reuses the one before and should take a few percent of the first
  run's time; the row gives their median, and each run's figures;
- a generated CSV of `--csv-gb` GB (donor-export columns): time and peak
  RSS; after `--csv-minutes` the scan is stopped and its rate extrapolated.
The load average is recorded before and after every row: on a shared
machine, compare ratios from one run, not seconds across runs.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import corpus  # noqa: E402
from benchmarks.score import Prediction, score  # noqa: E402

HERE = Path(__file__).resolve()
READER_FOR = {"txt": "text", "csv": "csv", "json": "json", "html": "markup", "docx": "word",
              "xlsx": "spreadsheet", "pdf": "pdf"}
KEY = b"speed-benchmark-key-not-secret!!"
BIG_TIMEOUT = 7 * 24 * 3600.0  # the benchmark stops the CSV scan itself
RESCANS = 3  # unchanged audit rescans timed; the median is reported


# -- the child side: one measured run, results to a JSON file ----------------------

def _child_piiscan(args: argparse.Namespace) -> dict[str, Any]:
    from piiscan.engine import ScanOptions
    from piiscan.model import Finding
    from piiscan.registry import Registry
    from piiscan.runner import Placement, run_scan
    from piiscan.store import Store

    registry = Registry.from_entry_points()
    options = ScanOptions(reveal=True, item_timeout_s=BIG_TIMEOUT)
    cluster = None
    placement = Placement(args.executor, args.workers or None)
    if args.executor == "dask":
        from distributed import LocalCluster
        from distributed import Client

        from piiscan.executors import WorkerSpec, warm_up
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None)
        placement = Placement("dask", scheduler=cluster.scheduler_address)
        # A standing cluster's workers keep their models between runs: load them off the clock.
        with Client(cluster.scheduler_address) as client:
            client.run(warm_up, WorkerSpec(options, KEY))
    progress_path = Path(args.result + ".progress")
    rows = {"max": 0}
    last = [time.monotonic()]

    def on_event(_run: int, ev: Any) -> None:  # how far a long CSV got, for the parent
        if isinstance(ev, Finding) and ev.pointer.row:
            rows["max"] = max(rows["max"], ev.pointer.row)
            if time.monotonic() - last[0] > 5:
                last[0] = time.monotonic()
                progress_path.write_text(json.dumps({"rows": rows["max"],
                                                     "seconds": time.monotonic() - t0}))

    # The store holds revealed (synthetic) values: it lives in the parent's scratch folder,
    # which the parent deletes even when it had to kill this process.
    with Store(Path(args.result).parent / "s.db") as store:
        t0 = time.monotonic()
        run_id = run_scan(store, registry, KEY, options, [args.target], placement=placement,
                          on_event=on_event)
        seconds = time.monotonic() - t0
        findings = [(f.location, str(f.entity_type), f.value or "", f.value_hash,
                     json.dumps(f.pointer.as_dict(), sort_keys=True), round(f.score, 4))
                    for f in store.findings(run_id)]
        run = store.run(run_id)
        counters = run.counters if run else {}
    if cluster is not None:
        cluster.close()
    return {"seconds": seconds, "findings": sorted(findings), "counters": counters}


def _child_presidio(args: argparse.Namespace) -> dict[str, Any]:
    import logging

    from benchmarks.run import extract, run_presidio
    from piiscan.presidio_bridge import offline_analyzer
    from piiscan.registry import Registry

    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    t0 = time.monotonic()
    analyzer = offline_analyzer(("en", "fr"))  # off the clock, as in run.py
    load_s = time.monotonic() - t0
    from piiscan.language import guess_language
    guess_language("load the language model off the clock too")
    registry = Registry.from_entry_points()
    segments, read_s = extract(registry, Path(args.target))
    preds, analyze_s = run_presidio(analyzer, segments)
    return {"seconds": read_s + analyze_s, "read_seconds": read_s, "analyze_seconds": analyze_s,
            "load_seconds": load_s,
            "chars": sum(len(s.text) for s in segments), "segments": len(segments),
            "findings": [(p.location, p.entity_type, p.value, "", "", 0.0) for p in preds]}


def child_main(args: argparse.Namespace) -> int:
    result = _child_presidio(args) if args.child == "presidio" else _child_piiscan(args)
    Path(args.result).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return 0


# -- the parent side: run children, watch their memory -----------------------------

def tree_memory(proc: Any, pss_too: bool = True) -> tuple[int, int]:
    """(RSS, PSS) summed over a process and its descendants (PSS 0 unless asked).

    RSS counts a page shared by several processes (the spaCy models a pool's
    workers inherit from their parent) once per process; PSS divides it
    among them, so its sum is what the tree really holds. PSS costs a read
    of /proc/PID/smaps_rollup per process: sampled less often.
    """
    import psutil

    rss = pss = 0
    try:
        procs = [proc] + proc.children(recursive=True)
    except psutil.Error:
        return 0, 0
    for p in procs:
        try:
            if pss_too:
                info = p.memory_full_info()
                rss += info.rss
                pss += getattr(info, "pss", info.rss)
            else:
                rss += p.memory_info().rss
        except psutil.Error:
            pass
    return rss, pss


def child_env(**extra: str) -> dict[str, str]:
    """The environment of measured runs: bytecode cached, as an installed package runs.

    A machine that sets PYTHONDONTWRITEBYTECODE makes every start compile
    every module again (~0.3 s for piiscan alone), which no real install pays.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra)
    return env


def compile_sources() -> None:
    import compileall

    compileall.compile_dir(str(HERE.parent.parent / "src"), quiet=1)


class TreeMemoryWatch:
    """Peak memory of a process tree, sampled on a thread while the caller waits for it.

    RSS every `interval`, PSS every `pss_every` samples (see `tree_memory`).
    The caller times the run with `Popen.wait()`: sampling in the waiting
    loop would end the clock up to one interval late and bill psutil's reads
    to the run.
    """

    def __init__(self, pid: int, interval: float = 0.1, pss_every: int = 10) -> None:
        import psutil

        self.process = psutil.Process(pid)
        self.interval, self.pss_every = interval, pss_every
        self.peak_rss = self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> "TreeMemoryWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        tick = 0
        while True:
            rss, pss = tree_memory(self.process, pss_too=tick % self.pss_every == 0)
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            tick += 1
            if self._stop.wait(self.interval):
                return

    def kill_tree(self) -> None:
        import psutil

        try:
            procs = [self.process] + self.process.children(recursive=True)
        except psutil.Error:
            procs = [self.process]
        for p in procs:
            try:
                p.kill()
            except psutil.Error:
                pass


def children_cpu() -> float:
    """User + system seconds of this process's waited-for children (and theirs) so far."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_wait(proc: subprocess.Popen[Any], watch: TreeMemoryWatch, started: float, cpu_before: float,
               limit_s: float | None = None) -> dict[str, Any]:
    """Wait for `proc` (killing its tree after `limit_s`); its wall and CPU time, peak memory."""
    stopped = False
    try:
        proc.wait(timeout=limit_s)
    except subprocess.TimeoutExpired:
        stopped = True
        watch.kill_tree()
        proc.wait()
    wall = time.monotonic() - started
    return {"wall_seconds": wall, "cpu_seconds": children_cpu() - cpu_before, "stopped": stopped}


def measure(child_args: list[str], limit_s: float | None = None) -> dict[str, Any]:
    """Run this script as a child; return its result with wall and CPU time, peak RSS and load."""
    scratch = tempfile.mkdtemp(prefix="piiscan-speed-")  # the child's result and store; removed below
    result = os.path.join(scratch, "result.json")
    cmd = [sys.executable, str(HERE), "--child", *child_args, "--result", result]
    load_before = os.getloadavg()
    cpu_before = children_cpu()
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True, env=child_env())
    stderr_chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: stderr_chunks.append(proc.stderr.read()), daemon=True)
    reader.start()
    with TreeMemoryWatch(proc.pid) as watch:
        timing = timed_wait(proc, watch, started, cpu_before, limit_s)
    stopped = timing["stopped"]
    reader.join(timeout=5)
    out: dict[str, Any] = {**timing, "peak_rss": watch.peak_rss, "peak_pss": watch.peak_pss,
                           "load_before": load_before, "load_after": os.getloadavg()}
    try:
        if not stopped:
            text = Path(result).read_text(encoding="utf-8")
            if not text:
                raise ValueError("no result")
            out.update(json.loads(text))
        progress = Path(result + ".progress")
        if progress.exists():
            out["progress"] = json.loads(progress.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        tail = b"".join(stderr_chunks).decode(errors="replace")[-2000:]
        raise RuntimeError(f"child {child_args} failed: {exc}\n{tail}") from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return out


def run_cli(argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Time `python -m piiscan ARGV` (the real CLI): wall and CPU time, peak memory of its tree."""
    load_before = os.getloadavg()
    with tempfile.TemporaryFile() as errors:
        cpu_before = children_cpu()
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "piiscan", *argv], env=env,
                                stdout=subprocess.DEVNULL, stderr=errors)
        with TreeMemoryWatch(proc.pid) as watch:
            timing = timed_wait(proc, watch, started, cpu_before)
        errors.seek(0)
        err = errors.read().decode(errors="replace")
    return {"wall_seconds": timing["wall_seconds"], "cpu_seconds": timing["cpu_seconds"],
            "peak_rss": watch.peak_rss, "peak_pss": watch.peak_pss, "exit_code": proc.returncode,
            "load_before": load_before, "load_after": os.getloadavg(), "stderr_tail": err[-500:]}


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One row for repeated runs: median wall and CPU time, the highest peaks, each run kept."""
    def median(key: str) -> float:
        values = sorted(r[key] for r in runs)
        mid = len(values) // 2
        return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2

    return {"wall_seconds": median("wall_seconds"), "cpu_seconds": median("cpu_seconds"),
            "peak_rss": max(r["peak_rss"] for r in runs), "peak_pss": max(r["peak_pss"] for r in runs),
            "exit_code": next((r["exit_code"] for r in runs if r["exit_code"]), 0),
            "load_before": runs[0]["load_before"], "load_after": runs[-1]["load_after"],
            "stderr_tail": next((r["stderr_tail"] for r in reversed(runs) if r["stderr_tail"]), ""),
            "median_of": len(runs), "runs": runs}


# -- inputs ------------------------------------------------------------------------

def share_size(share: Path) -> tuple[int, int]:
    files = [p for p in share.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def write_big_csv(path: Path, gigabytes: float, seed: int = 7) -> int:
    """A donor export of `gigabytes` GB: 5,000 generated rows repeated with new ids. Fast."""
    rng = random.Random(seed)
    doc = corpus.donors_table(rng, 5000)
    table, _ = corpus._clean_table(doc)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for row in table:
        writer.writerow(row[1:])
    lines = buf.getvalue().splitlines(keepends=True)
    target = int(gigabytes * 1e9)
    written = rows = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        head = ",".join(doc.header) + "\n"
        fh.write(head)
        written = len(head.encode())
        while written < target:
            out = []
            for line in lines:
                rows += 1
                out.append(f"{rows},{line}")
            block = "".join(out)
            fh.write(block)
            written += len(block.encode())
    return rows


# -- the report ---------------------------------------------------------------------

def mb(n: float) -> str:
    return f"{n / 1e6:,.1f}"


def f1_of(gold: list[Any], findings: list[Any]) -> dict[str, float]:
    preds = [Prediction(loc, etype, value) for loc, etype, value, *_ in findings]
    s = score(gold, preds)
    return {k: round(v.f1, 4) for k, v in sorted(s.per_type.items())}


def parent_main(args: argparse.Namespace) -> int:
    from piiscan.registry import Registry

    skip = set(filter(None, (args.skip or "").split(",")))
    compile_sources()
    registry = Registry.from_entry_points()
    formats = [f for f, reader in READER_FOR.items() if reader in registry.readers]
    work_tmp = None
    if args.work:
        work = args.work
    else:
        work_tmp = tempfile.mkdtemp(prefix="piiscan-speed-")
        work = Path(work_tmp)
    result: dict[str, Any] = {
        "command": "python benchmarks/speed.py " + " ".join(args.argv),
        "machine": {"cpus": os.cpu_count(), "load_at_start": os.getloadavg()},
        "rows": {}}
    rows = result["rows"]
    try:
        share = work / "share"
        if not (work / "gold.jsonl").exists():
            corpus.generate(work, args.scale, args.seed, formats)
        gold = corpus.load_gold(work / "gold.jsonl")
        files, size = share_size(share)
        tiny = work / "tiny"
        tiny.mkdir(exist_ok=True)
        # one text per language, so that startup loads both pipelines, as the corpus does
        (tiny / "en.txt").write_text("Yesterday Marie Tremblay called about her file.\n",
                                     encoding="utf-8")
        (tiny / "fr.txt").write_text("Hier, Marie Tremblay a appelé au sujet de son dossier.\n",
                                     encoding="utf-8")
        result["corpus"] = {"scale": args.scale, "seed": args.seed, "files": files, "bytes": size,
                            "formats": formats}
        print(f"corpus: {files} files, {mb(size)} MB, scale {args.scale:g}, "
              f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}", flush=True)

        def piiscan_row(name: str, target: Path, executor: str, workers: int) -> None:
            print(f"  {name} …", end="", flush=True)
            child = ["piiscan", "--target", str(target), "--executor", executor,
                     "--workers", str(workers)]
            r = measure(child)
            r["startup"] = measure(["piiscan", "--target", str(tiny), "--executor", executor,
                                    "--workers", str(workers)])["seconds"]
            rows[name] = r
            print(f" {r['seconds']:.1f} s", flush=True)

        workers = os.cpu_count() or 1
        piiscan_row(f"piiscan local pool ({workers} workers)", share, "local", workers)
        piiscan_row("piiscan 1 worker (in-process)", share, "local", 1)
        if "presidio" not in skip:
            print("  Presidio …", end="", flush=True)
            rows["Presidio AnalyzerEngine"] = measure(["presidio", "--target", str(share)])
            print(f" {rows['Presidio AnalyzerEngine']['seconds']:.1f} s", flush=True)
        if "dask" not in skip:
            for n in (1, 2):
                piiscan_row(f"piiscan Dask, {n} worker{'s' if n > 1 else ''}", share, "dask", n)
        if "audit" not in skip:
            rows.update(audit_rows(work, share))
        if "csv" not in skip:
            rows.update(csv_rows(args))
    finally:
        if work_tmp:
            shutil.rmtree(work_tmp, ignore_errors=True)

    report(result, gold, files, size)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for r in rows.values():  # the JSON keeps F1 and a digest, not every finding
        if "findings" in r:
            r["finding_count"] = len(r.pop("findings"))
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"written: {args.out}")
    return 0


def audit_rows(work: Path, share: Path, rescans: int = RESCANS) -> dict[str, Any]:
    home = work / "audit-home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir()
    config = home / "audit.yaml"
    config.write_text(f"name: speed\nsources: [{json.dumps(str(share))}]\nhistory: history.db\n"
                      f"reports: reports\nformats: [jsonl]\n", encoding="utf-8")
    env = child_env(PIISCAN_HOME=str(home))
    argv = ["audit", "--config", str(config)]
    out = {}
    label = "piiscan audit, first run"
    print(f"  {label} …", end="", flush=True)
    out[label] = run_cli(argv, env)
    print(f" {out[label]['wall_seconds']:.1f} s", flush=True)
    # a sub-second run: one sample is at the mercy of the machine's other load
    label = "piiscan audit, unchanged rescan"
    print(f"  {label} ×{rescans} …", end="", flush=True)
    runs = [run_cli(argv, env) for _ in range(rescans)]
    out[label] = median_run(runs)
    print(f" {out[label]['wall_seconds']:.2f} s median (" +
          ", ".join(f"{r['wall_seconds']:.2f}" for r in runs) + ")", flush=True)
    shutil.rmtree(home, ignore_errors=True)
    return out


def csv_rows(args: argparse.Namespace) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="piiscan-bigcsv-", dir=args.csv_dir))
    try:
        path = folder / "donors-export.csv"
        t0 = time.monotonic()
        n_rows = write_big_csv(path, args.csv_gb)
        size = path.stat().st_size
        print(f"  {mb(size)} MB CSV, {n_rows:,} rows, written in {time.monotonic() - t0:.0f} s …",
              end="", flush=True)
        limit = args.csv_minutes * 60 if args.csv_minutes else None
        r = measure(["piiscan", "--target", str(path), "--executor", "local",
                     "--workers", str(os.cpu_count() or 1)], limit_s=limit)
        r.update(bytes=size, rows=n_rows)
        print(f" {'stopped after' if r['stopped'] else 'done in'} {r['wall_seconds']:.0f} s", flush=True)
        return {f"CSV {size / 1e9:.1f} GB, local pool": r}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _mem(r: dict[str, Any]) -> str:
    return f"{r['peak_rss'] / 1e6:.0f}/{r['peak_pss'] / 1e6:.0f}"


def report(result: dict[str, Any], gold: list[Any], files: int, size: int) -> None:
    rows = result["rows"]
    presidio = rows.get("Presidio AnalyzerEngine")
    chars = presidio["chars"] if presidio else None
    local_name = next((k for k in rows if k.startswith("piiscan local pool")), None)
    local = rows.get(local_name) if local_name else None
    head = (f"{'run':<34}{'wall s':>8}{'net s':>8}{'MB/s':>7}{'files/s':>8}{'peak RSS MB':>12}"
            f"{'× Presidio':>11}{'PERSON F1':>10}{'other F1 min':>13}{'load':>10}")
    lines = [head, "-" * len(head)]
    for name, r in rows.items():
        if "findings" not in r:
            continue
        wall = r["seconds"]
        net = max(1e-6, wall - r.get("startup", 0.0))
        ratio = presidio["seconds"] / wall if presidio else float("nan")
        f1 = f1_of(gold, r["findings"])
        r["f1"] = f1
        others = [v for k, v in f1.items() if not k.startswith("PERSON")]
        person = f"{f1.get('PERSON_en', 0):.2f}/{f1.get('PERSON_fr', 0):.2f}"
        load = f"{r['load_before'][0]:.1f}→{r['load_after'][0]:.1f}"
        r.update(mb_per_s=size / wall / 1e6, files_per_s=files / wall, net_seconds=net,
                 x_presidio=ratio, chars_per_s=(chars / wall) if chars else None)
        lines.append(f"{name:<34}{wall:>8.1f}{net:>8.1f}{size / wall / 1e6:>7.2f}{files / wall:>8.1f}"
                     f"{_mem(r):>12}{ratio:>11.1f}{person:>10}"
                     f"{min(others) if others else 0:>13.3f}{load:>10}")
    print()
    print("\n".join(lines))
    if presidio and local:
        net_ratio = presidio["seconds"] / max(1e-6, local["net_seconds"])
        print(f"\nPresidio: read {presidio['read_seconds']:.1f} s + analyze "
              f"{presidio['analyze_seconds']:.1f} s over {presidio['chars']:,} characters in "
              f"{presidio['segments']:,} segments ({presidio['chars'] / presidio['seconds']:,.0f} chars/s)")
        both_loads = (presidio["seconds"] + presidio["load_seconds"]) / local["seconds"]
        print(f"piiscan local pool: {local['chars_per_s']:,.0f} chars/s; "
              f"{local['x_presidio']:.1f}× Presidio (piiscan with its startup, Presidio without "
              f"its {presidio['load_seconds']:.1f} s of loading), {both_loads:.1f}× with both "
              f"loads counted, {net_ratio:.1f}× with neither (piiscan startup "
              f"{local['startup']:.1f} s: models loaded once, the pool forked)")
        result["summary"] = {"x_presidio": round(local["x_presidio"], 2),
                             "x_presidio_both_loads": round(both_loads, 2),
                             "x_presidio_no_loads": round(net_ratio, 2)}
    same = {}
    if local:
        base = local["findings"]
        for name, r in rows.items():
            if name.startswith("piiscan") and "findings" in r and r is not local:
                same[name] = r["findings"] == base
        if same:
            print("findings identical to the local pool's: " +
                  ", ".join(f"{k}: {'yes' if v else 'NO'}" for k, v in same.items()))
            result["identical_to_local"] = same
    first = rows.get("piiscan audit, first run")
    second = rows.get("piiscan audit, unchanged rescan")
    if first and second:
        share = second["wall_seconds"] / first["wall_seconds"]
        cpu_share = second["cpu_seconds"] / max(1e-6, first["cpu_seconds"])
        print(f"audit: first {first['wall_seconds']:.1f} s ({first['cpu_seconds']:.1f} s CPU), "
              f"unchanged rescan {second['wall_seconds']:.2f} s ({second['cpu_seconds']:.2f} s CPU, "
              f"median of {second.get('median_of', 1)}) = {share:.1%} of the first "
              f"({cpu_share:.1%} in CPU time; exit codes {first['exit_code']}, "
              f"{second['exit_code']}; peak RSS/PSS {_mem(first)} and {_mem(second)} MB)")
        result["rescan_fraction"] = round(share, 4)
        result["rescan_cpu_fraction"] = round(cpu_share, 4)
    for name, r in rows.items():
        if name.startswith("CSV"):
            if r["stopped"]:
                p = r.get("progress") or {}
                done = p.get("rows", 0)
                rate = done / p["seconds"] if p.get("seconds") else 0.0
                eta = r["rows"] / rate if rate else float("inf")
                r.update(rows_done=done, rows_per_s=rate, extrapolated_seconds=eta,
                         mb_per_s=(r["bytes"] * done / r["rows"]) / p["seconds"] / 1e6 if rate else 0)
                print(f"{name}: stopped after {r['wall_seconds']:.0f} s at row {done:,} of "
                      f"{r['rows']:,} ({rate:,.0f} rows/s, {r['mb_per_s']:.2f} MB/s; the whole file "
                      f"would take ~{eta / 3600:.1f} h); peak RSS/PSS {_mem(r)} MB")
            else:
                r["mb_per_s"] = r["bytes"] / r["seconds"] / 1e6
                print(f"{name}: {r['seconds']:.0f} s ({r['mb_per_s']:.2f} MB/s), "
                      f"{len(r.get('findings', []))} findings, peak RSS/PSS {_mem(r)} MB")
    result["machine"]["load_at_end"] = os.getloadavg()
    print(f"load average at end: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(description="piiscan throughput against Presidio")
    ap.add_argument("--scale", type=float, default=10.0, help="corpus size (1 ≈ 75 files)")
    ap.add_argument("--seed", type=int, default=20261101)
    ap.add_argument("--work", type=Path, help="keep (or reuse) the corpus here")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/speed.json"))
    ap.add_argument("--skip", default="", help="comma-separated: presidio, dask, audit, csv")
    ap.add_argument("--csv-gb", type=float, default=2.0)
    ap.add_argument("--csv-minutes", type=float, default=10.0,
                    help="stop the big CSV after this long and extrapolate (0: run to the end)")
    ap.add_argument("--csv-dir", default=None, help="where to write the big CSV (default: temp)")
    # child mode (internal)
    ap.add_argument("--child", choices=("piiscan", "presidio"), help=argparse.SUPPRESS)
    ap.add_argument("--target", help=argparse.SUPPRESS)
    ap.add_argument("--executor", default="local", help=argparse.SUPPRESS)
    ap.add_argument("--workers", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.argv = argv
    if args.child:
        return child_main(args)
    return parent_main(args)


if __name__ == "__main__":
    sys.exit(main())
