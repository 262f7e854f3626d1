"""The `piiscan` command line.

Exit codes (DESIGN.md): 0 done; 1 done and something at or above --fail-on
was found; 2 usage or configuration error; 3 the scan could not complete.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, TextIO

import click

from . import __version__
from .model import EntityType, Severity
from .redact import load_or_create_key, private_dir

# The engine, the store and the plugins are imported by the commands that use
# them: `piiscan --version` or `triage list` need none of it.
if TYPE_CHECKING:
    from .engine import ScanOptions
    from .registry import Registry
    from .runner import Placement, Progress

EXIT_OK, EXIT_FOUND, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3
FAIL_LEVELS = ("never", "low", "medium", "high", "critical")

log = logging.getLogger("piiscan")


def setup_logging(verbose: int, log_file: str | None) -> None:
    level = logging.WARNING - 10 * min(verbose, 2)
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file:
        path = Path(log_file)
        private_dir(path.parent if str(path.parent) else Path("."))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        handlers.append(logging.StreamHandler(os.fdopen(fd, "a", encoding="utf-8")))
    logging.basicConfig(level=level, handlers=handlers, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Third-party libraries log what they choke on, sometimes with content.
    for noisy in ("pdfminer", "presidio-analyzer", "extract_msg", "PIL", "fontTools", "tldextract"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


@contextlib.contextmanager
def open_output(path: str | None, default_dir: str | None = None) -> Iterator[TextIO]:
    """stdout, or a file created owner-only (reports hold what was found)."""
    if not path or path == "-":
        yield sys.stdout
        return
    p = Path(path)
    if str(p.parent) not in ("", "."):
        private_dir(p.parent)
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(p, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        yield fh


def parse_entities(values: tuple[str, ...]) -> frozenset[EntityType] | None:
    if not values:
        return None
    out = set()
    for v in values:
        for name in v.split(","):
            name = name.strip().upper()
            if not name:
                continue
            try:
                out.add(EntityType(name))
            except ValueError:
                known = ", ".join(e.value for e in EntityType)
                raise click.BadParameter(f"unknown entity type {name!r}; known: {known}",
                                         param_hint="--entities") from None
    return frozenset(out)


def parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD",
                                 param_hint="--as-of") from None


def parse_size(text: str | None, hint: str = "--max-file-size") -> int | None:
    if not text:
        return None
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
    t = text.strip().lower().rstrip("b").rstrip("i")
    try:
        if t and t[-1] in units:
            return int(float(t[:-1]) * units[t[-1]])
        return int(t)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a size; write e.g. 500M or 2G",
                                 param_hint=hint) from None


def exceeds(report: Any, fail_on: str) -> bool:
    """Whether any finding or violation is at or above the --fail-on level."""
    if fail_on == "never":
        return False
    limit = Severity.parse(fail_on)
    from .model import SENSITIVITY
    if any(SENSITIVITY.get(EntityType(e), Severity.LOW) >= limit and n
           for e, n in report.counts.items()):
        return True
    return any(v.severity >= limit for v in report.violations)


def build_registry(deferred: bool = False) -> Registry:
    """Every plugin; `deferred`: the sources now, readers and detectors at first use."""
    from .registry import DeferredRegistry, Registry
    if deferred:
        return DeferredRegistry(on_load=_log_unavailable)
    reg = Registry.from_entry_points()
    _log_unavailable(reg)
    return reg


def _log_unavailable(reg: Registry) -> None:
    for p in reg.plugins:
        if p.error:
            log.info("plugin %s (%s) unavailable: %s", p.name, p.group, p.error)


def progress_printer() -> Progress:
    """A one-line counter on a terminal; silent when stderr is not one."""
    from .runner import Progress
    if not sys.stderr.isatty():
        return Progress()

    def show(p: Progress, location: str) -> None:
        if p.items % 25 == 0:
            sys.stderr.write(f"\r  {p.items} items, {p.findings} findings, {p.errors} errors ")
            sys.stderr.flush()
    return Progress(callback=show)


# Commands that live beside the part of the code they drive, imported when
# asked for (an audit need not load the breach tooling and its templates);
# one that cannot be imported is left out, as if it were not installed.
LAZY_COMMANDS = {"audit": ("piiscan.audit", "audit"), "breach": ("piiscan.identity.cli", "breach"),
                 "policy": ("piiscan.policy.cli", "policy"), "triage": ("piiscan.triage", "triage")}


class LazyGroup(click.Group):
    """A command group that imports the modules of `LAZY_COMMANDS` on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is None and name in LAZY_COMMANDS:
            module, attr = LAZY_COMMANDS[name]
            try:
                command = getattr(importlib.import_module(module), attr)
            except (ImportError, AttributeError):
                return None
            self.add_command(command, name)
        return command


@click.group(cls=LazyGroup,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="piiscan")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("--log-file", type=click.Path(dir_okay=False), help="Also write logs here (owner-only).")
def main(verbose: int, log_file: str | None) -> None:
    """Find personal information in file shares, exports and databases.

    \b
    Examples:
      piiscan scan /mnt/share
      piiscan scan /mnt/share --format jsonl --output findings.jsonl
      piiscan scan /mnt/share --policy policy.yaml --format html --output reports/audit.html
      piiscan scan postgresql://scanner@db.local/crm --entities CA_SIN,EMAIL_ADDRESS
    """
    setup_logging(verbose, log_file)


@main.command()
@click.argument("targets", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl", "csv", "sarif", "html"]),
              default="table", show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write here (owner-only) instead of stdout.")
@click.option("--reveal", is_flag=True, help="Include raw values in outputs and the store. Avoid.")
@click.option("--entities", multiple=True, help="Only these types, e.g. CA_SIN,CREDIT_CARD.")
@click.option("--min-score", type=click.FloatRange(0, 1), default=0.5, show_default=True)
@click.option("--fail-on", type=click.Choice(FAIL_LEVELS), default="never", show_default=True,
              help="Exit 1 when a finding or violation at or above this level is found.")
@click.option("--db", type=click.Path(dir_okay=False), help="Store file (default: $PIISCAN_HOME/piiscan.db).")
@click.option("--policy", type=click.Path(exists=True, dir_okay=False), help="Check against this policy file.")
@click.option("--as-of", help="Date retention and ages are computed on (YYYY-MM-DD; default today).")
@click.option("--lang", type=click.Choice(["en", "fr"]),
              help="Language of reports and messages (default: the policy's, else en).")
@click.option("--include", multiple=True, help="Only paths matching this glob (repeatable).")
@click.option("--exclude", multiple=True, help="Skip paths matching this glob (repeatable).")
@click.option("--follow-symlinks", is_flag=True, help="Follow symbolic links (loop-safe).")
@click.option("--no-hidden", is_flag=True, help="Skip hidden files and folders.")
@click.option("--max-file-size", help="Skip files larger than this (e.g. 2G); recorded as skipped.")
@click.option("--max-depth", type=int, default=5, show_default=True, help="Archive/mail nesting limit.")
@click.option("--item-timeout", type=click.FloatRange(0, min_open=True), default=600, show_default=True,
              help="Seconds one file may take; then it is stopped and recorded as a timeout.")
@click.option("--item-memory", metavar="SIZE",
              help="Memory one worker process may use (default 4G, 0 for no limit); "
                   "a file needing more is recorded as too large.")
@click.option("--no-ocr", is_flag=True, help="Do not OCR images and scanned PDF pages.")
@click.option("--sample-rows", type=int, default=1000, show_default=True, help="Rows sampled per database table.")
@click.option("--full", is_flag=True, help="Databases: read every row instead of a sample.")
@click.option("--include-views", is_flag=True, help="Databases: scan views too.")
@click.option("--tables", multiple=True, help="Databases: only tables matching this glob (schema.table).")
@click.option("--exclude-tables", multiple=True, help="Databases: skip tables matching this glob.")
@click.option("--columns", multiple=True, help="Databases: only columns matching this glob.")
@click.option("--exclude-columns", multiple=True, help="Databases: skip columns matching this glob.")
@click.option("--include-blobs", is_flag=True, help="Databases: read binary columns too.")
@click.option("--statement-timeout", type=click.IntRange(1), default=60, show_default=True,
              help="Databases: seconds one query may run.")
@click.option("--executor", type=click.Choice(["local", "inline", "dask"]), default="local",
              show_default=True, help="local: a process pool; inline: this process; dask: a cluster.")
@click.option("--workers", type=click.IntRange(1), help="Local worker processes (default: CPU count).")
@click.option("--scheduler", help="Dask scheduler address, e.g. tls://10.0.0.5:8786 (docs/dask.md).")
@click.option("--plaintext-cluster", is_flag=True,
              help="Dask: allow a scheduler on another host without TLS (a network you trust).")
@click.option("--resume", "resume", is_flag=False, flag_value=0, type=int, default=None,
              help="Finish the last interrupted run (or run ID) instead of starting anew.")
def scan(targets: tuple[str, ...], fmt: str, output: str | None, reveal: bool,
         entities: tuple[str, ...], min_score: float, fail_on: str, db: str | None,
         policy: str | None, as_of: str | None, lang: str | None, include: tuple[str, ...],
         exclude: tuple[str, ...], follow_symlinks: bool, no_hidden: bool,
         max_file_size: str | None, max_depth: int, no_ocr: bool, sample_rows: int,
         full: bool, include_views: bool, tables: tuple[str, ...],
         exclude_tables: tuple[str, ...], executor: str, workers: int | None,
         scheduler: str | None, plaintext_cluster: bool, resume: int | None, columns: tuple[str, ...],
         exclude_columns: tuple[str, ...], include_blobs: bool, statement_timeout: int,
         item_timeout: float,
         item_memory: str | None) -> None:
    """Scan folders, files or database URLs and report what was found.

    \b
    Examples:
      piiscan scan examples/share
      piiscan scan examples/share --format jsonl
      piiscan scan /mnt/rh --entities CA_SIN --fail-on high
      piiscan scan examples/share --policy examples/policies/ccr-en.yaml --as-of 2026-11-01
      piiscan scan "mysql+pymysql://scanner@127.0.0.1/crm" --full
    """
    from .engine import ScanOptions
    from .runner import Placement

    options = ScanOptions(
        entities=parse_entities(entities), min_score=min_score, reveal=reveal,
        as_of=parse_day(as_of), include=include, exclude=exclude,
        follow_symlinks=follow_symlinks, hidden=not no_hidden,
        max_file_size=parse_size(max_file_size), max_depth=max_depth, ocr=not no_ocr,
        sample_rows=sample_rows, full=full, include_views=include_views, tables=tables,
        exclude_tables=exclude_tables, columns=columns, exclude_columns=exclude_columns,
        include_blobs=include_blobs, statement_timeout_s=statement_timeout,
        item_timeout_s=item_timeout)
    if item_memory is not None:
        parse_size(item_memory, "--item-memory")  # a usage error here, not in each worker
        os.environ["PIISCAN_ITEM_MEMORY"] = item_memory  # read by the worker spec
    if executor == "dask" and not scheduler:
        raise click.UsageError("--executor dask needs --scheduler tls://HOST:8786 (docs/dask.md)")
    code = execute_scan(list(targets), options, fmt=fmt, output=output, fail_on=fail_on,
                        db=db, policy_path=policy, lang=lang,
                        placement=Placement(executor, workers, scheduler, plaintext_cluster), resume=resume)
    sys.exit(code)


def execute_scan(targets: list[str], options: ScanOptions, *, fmt: str, output: str | None,
                 fail_on: str, db: str | None, policy_path: str | None, lang: str | None,
                 kind: str = "scan", items_filter: Any = None,
                 placement: Placement | None = None, resume: int | None = None) -> int:
    """Shared by `scan` and `audit`: run, evaluate the policy, write the report."""
    from .reports import RunReport, writer
    from .runner import Placement, ScanAborted, UsageError, options_params, resumable_run, run_scan
    from .store import Store

    placement = placement or Placement()

    policy = None
    if policy_path:
        from .policy import PolicyError, load_policy
        try:
            policy = load_policy(policy_path)
        except PolicyError as exc:
            click.echo(f"piiscan: {exc}", err=True)
            return EXIT_USAGE
    lang = lang or (policy.language if policy is not None else None) or "en"
    if fmt == "html" and not output:
        output = str(Path("reports") / f"piiscan-{datetime.now():%Y%m%d-%H%M%S}.html")
    try:
        key = load_or_create_key()
    except (OSError, ValueError) as exc:
        click.echo(f"piiscan: cannot use the hashing key: {exc}", err=True)
        return EXIT_USAGE
    registry = build_registry()
    try:
        store = Store(db)
    except Exception as exc:  # a store we cannot open is a configuration error
        click.echo(f"piiscan: cannot open the store {db or ''}: {exc}", err=True)
        return EXIT_USAGE
    progress = progress_printer()
    with store:
        try:
            if resume is not None and resume == 0:
                resume = resumable_run(store)
                if resume is None:
                    click.echo("piiscan: no interrupted run to resume; starting a new one", err=True)
            run_id = run_scan(
                store, registry, key, options, targets,
                params=options_params(options) | {"policy": policy_path, "format": fmt},
                kind=kind, policy_path=policy_path, placement=placement, progress=progress,
                items_filter=items_filter, resume=resume)
        except UsageError as exc:
            click.echo(f"piiscan: {exc}", err=True)
            return EXIT_USAGE
        except ScanAborted as exc:
            click.echo(f"piiscan: the scan could not complete: {exc}", err=True)
            return EXIT_FAILED
        except KeyboardInterrupt:
            click.echo("\npiiscan: interrupted; what was scanned is saved in the store.", err=True)
            return EXIT_FAILED
        except Exception as exc:
            if _is_source_error(exc):
                click.echo(f"piiscan: the scan could not complete: {exc}", err=True)
                return EXIT_FAILED
            raise
        finally:
            if sys.stderr.isatty() and progress.callback:
                sys.stderr.write("\r" + " " * 60 + "\r")
        if policy is not None:
            store.add_violations(run_id, policy.evaluate(store, run_id, options.as_of, lang))
        report = RunReport.load(store, run_id, language=lang)
        with open_output(output) as out:
            writer(fmt)(report, out)
        if output:
            # The report went to a file: the terminal gets the summary.
            writer("table")(report, sys.stdout)
            click.echo(f"\nReport written to {output}", err=True)
        elif fmt != "table":
            click.echo(f"piiscan: run {run_id}: {report.items} items, {sum(report.counts.values())} "
                       f"findings, {len(report.violations)} violations, {len(report.errors)} errors",
                       err=True)
        return EXIT_FOUND if exceeds(report, fail_on) else EXIT_OK


def _is_source_error(exc: Exception) -> bool:
    return type(exc).__name__ == "SourceError"


@main.command()
@click.argument("run_id", type=int, required=False)
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl", "csv", "sarif", "html"]),
              default="html", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False))
@click.option("--db", type=click.Path(dir_okay=False))
@click.option("--lang", type=click.Choice(["en", "fr"]), default="en", show_default=True)
def report(run_id: int | None, fmt: str, output: str | None, db: str | None, lang: str) -> None:
    """Render a past run again (the latest when RUN_ID is omitted)."""
    from .reports import RunReport, writer
    from .store import Store

    if db and not Path(db).exists():
        raise click.UsageError(f"no store at {db}")
    with Store(db) as store:
        run = store.run(run_id)
        if run is None:
            click.echo("piiscan: no such run; `piiscan runs` lists them", err=True)
            sys.exit(EXIT_USAGE)
        if fmt == "html" and not output:
            output = str(Path("reports") / f"piiscan-run-{run.id}.html")
        rep = RunReport.load(store, run.id, language=lang)
        with open_output(output) as out:
            writer(fmt)(rep, out)
    if output:
        click.echo(f"piiscan: report written to {output}", err=True)


@main.command()
@click.option("--db", type=click.Path(dir_okay=False))
def runs(db: str | None) -> None:
    """List past runs in the store."""
    from .store import Store

    with Store(db) as store:
        for r in store.runs():
            total = r.counters.get("findings", "?")
            click.echo(f"{r.id:>5}  {r.started}  {r.kind:<6} {r.status:<11} {total:>7} findings  "
                       f"{', '.join(r.targets)}")


def _list(group: str, attr: str) -> None:
    from .registry import Registry
    reg = Registry.from_entry_points()
    table = getattr(reg, attr)
    for p in sorted(reg.plugins, key=lambda p: p.name):
        if p.group != group:
            continue
        if p.error:
            click.echo(f"{p.name:<16} {p.distribution} {p.version:<8} UNAVAILABLE: {p.error}")
            continue
        obj = table[p.name]
        what = ""
        if hasattr(obj, "entities"):
            what = ", ".join(str(e) for e in obj.entities)
        elif hasattr(obj, "media_types"):
            what = ", ".join(obj.media_types)
        doc = (obj.__doc__ or "").strip().splitlines()[0] if obj.__doc__ else ""
        click.echo(f"{p.name:<16} {p.distribution} {p.version:<8} {what}")
        if doc:
            click.echo(f"{'':<16} {doc}")


@main.command()
def detectors() -> None:
    """List registered detectors, with their package version and entity types."""
    _list("piiscan.detectors", "detectors")


@main.command()
def sources() -> None:
    """List registered sources (where data can be read from)."""
    _list("piiscan.sources", "sources")


@main.command()
def readers() -> None:
    """List registered readers (file formats) and the media types they read."""
    _list("piiscan.readers", "readers")


if __name__ == "__main__":  # pragma: no cover
    main()
