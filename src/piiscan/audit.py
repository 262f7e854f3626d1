"""Scheduled audits: the same scan every week, incremental, compared with the last one.

`piiscan audit --config audit.yaml` reads its sources, policy, report
folder and history store from one file, so cron or a systemd timer needs a
single line. A file whose size, mtime and inode are unchanged since the
previous run of the same audit is not read again: its rows are copied from
that run (a content hash settles the doubtful cases, e.g. same mtime but a
new inode after a restore). Identical copies of a file are read once. Then
the run is diffed against the previous one (changes.json beside the
reports), triage and allow-lists are applied, and the exit code tells a
monitor whether something at or above `fail_on` is left.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import click
import yaml

from .changes import Changes, compare_runs, has_rules
from .engine import ScanOptions
from .model import SENSITIVITY, EntityType, Item, ScanError, Severity
from .redact import home_dir
from .registry import DeferredRegistry, Registry
from .runner import Placement, ScanAborted, UsageError, options_params, run_scan, top_level
from .store import ItemRecord, RunInfo, Store
from .triage import AllowList, Triage

log = logging.getLogger("piiscan")

EXIT_OK, EXIT_FOUND, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3
FORMATS = ("html", "jsonl", "csv", "sarif")
EXTENSIONS = {"html": "html", "jsonl": "jsonl", "csv": "csv", "sarif": "sarif"}
FAIL_LEVELS = ("never", "low", "medium", "high", "critical")
TOP_KEYS = {"name", "sources", "policy", "reports", "history", "formats", "language", "entities",
            "fail_on", "allow", "scan", "executor", "workers", "scheduler", "plaintext_cluster", "as_of"}
# ScanOptions a config may set; the rest are the scanner's business
SCAN_KEYS = {"min_score", "include", "exclude", "ignore_file", "follow_symlinks", "hidden",
             "max_file_size", "max_depth", "max_archive_bytes", "max_ratio", "ocr", "ocr_languages",
             "sample_rows", "full", "include_views", "include_blobs", "tables", "exclude_tables",
             "columns", "exclude_columns", "statement_timeout_s", "item_timeout_s"}
REUSE_BATCH = 1000  # unchanged items whose rows are copied in one go
# options that change what is found: a previous run made with others cannot be reused
REUSE_KEYS = ("entities", "min_score", "reveal", "max_depth", "max_archive_bytes", "max_ratio", "ocr",
              "ocr_languages", "max_segment_chars", "include_blobs", "sample_rows", "full",
              "columns", "exclude_columns")


class ConfigError(Exception):
    """The audit config cannot be used; exit code 2."""


@dataclass(frozen=True)
class AuditConfig:
    path: Path
    name: str
    sources: tuple[str, ...]
    history: Path
    reports: Path
    policy: Path | None = None
    formats: tuple[str, ...] = ("html",)
    language: str = "en"
    entities: frozenset[EntityType] | None = None
    fail_on: str = "never"
    allow: AllowList = AllowList()
    scan: dict[str, Any] = field(default_factory=dict)
    executor: str = "local"
    workers: int | None = None
    scheduler: str | None = None
    plaintext_cluster: bool = False
    as_of: date | None = None

    def options(self) -> ScanOptions:
        return ScanOptions(entities=self.entities, as_of=self.as_of, **self.scan)


def _rel(base: Path, value: str) -> Path:
    p = Path(os.path.expanduser(value))
    return p if p.is_absolute() else (base / p)


def load_config(path: Path, *, check_policy: bool = True) -> AuditConfig:
    """Read and check an audit config; every mistake is a ConfigError naming the key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings (sources:, policy:, …)")
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(sorted(unknown))}; "
                          f"known: {', '.join(sorted(TOP_KEYS))}")
    base = path.resolve().parent
    sources = data.get("sources")
    if isinstance(sources, str):
        sources = [sources]
    if not sources or not all(isinstance(s, str) and s for s in sources):
        raise ConfigError(f"{path}: `sources` must list folders, files or database URLs")
    # paths are taken relative to the config file, so cron's working directory does not matter
    resolved = tuple(s if "://" in s else str(_rel(base, s).resolve()) for s in sources)
    formats = data.get("formats") or ["html"]
    if isinstance(formats, str):
        formats = [formats]
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise ConfigError(f"{path}: unknown format(s) {', '.join(map(str, bad))}; use {', '.join(FORMATS)}")
    language = str(data.get("language") or "en")
    if language not in ("en", "fr"):
        raise ConfigError(f"{path}: language must be en or fr")
    fail_on = str(data.get("fail_on") or "never").lower()
    if fail_on not in FAIL_LEVELS:
        raise ConfigError(f"{path}: fail_on must be one of {', '.join(FAIL_LEVELS)}")
    entities = None
    if data.get("entities"):
        raw = data["entities"]
        names = raw.split(",") if isinstance(raw, str) else raw
        try:
            entities = frozenset(EntityType(str(n).strip().upper()) for n in names)
        except ValueError as exc:
            raise ConfigError(f"{path}: entities: {exc}") from None
    try:
        allow = AllowList.from_config(data.get("allow"))
    except (ValueError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{path}: allow: {exc}") from None
    scan = _scan_options(path, data.get("scan") or {})
    policy = _rel(base, str(data["policy"])) if data.get("policy") else None
    if policy is not None:
        if not policy.is_file():
            raise ConfigError(f"{path}: policy file {policy} not found")
        if check_policy:
            _check_policy(policy)
    as_of = None
    if data.get("as_of"):
        try:
            as_of = date.fromisoformat(str(data["as_of"]))
        except ValueError:
            raise ConfigError(f"{path}: as_of must be a date, YYYY-MM-DD") from None
    executor = str(data.get("executor") or "local")
    if executor not in ("local", "inline", "dask"):
        raise ConfigError(f"{path}: executor must be local, inline or dask")
    if executor == "dask" and not data.get("scheduler"):
        raise ConfigError(f"{path}: executor dask needs scheduler: tls://HOST:8786")
    plaintext = data.get("plaintext_cluster", False)
    if not isinstance(plaintext, bool):
        raise ConfigError(f"{path}: plaintext_cluster must be true or false")
    if executor == "dask":
        from .cluster import ClusterRefused, check_scheduler
        try:
            check_scheduler(str(data["scheduler"]), plaintext=plaintext)  # audits never reveal
        except ClusterRefused as exc:
            raise ConfigError(f"{path}: {exc}") from None
    return AuditConfig(
        path=path, name=str(data.get("name") or "audit"), sources=resolved,
        history=_rel(base, str(data["history"])) if data.get("history") else home_dir() / "piiscan.db",
        reports=_rel(base, str(data.get("reports") or "reports")), policy=policy,
        formats=tuple(dict.fromkeys(formats)), language=language, entities=entities,
        fail_on=fail_on, allow=allow, scan=scan, executor=executor,
        workers=int(data["workers"]) if data.get("workers") else None,
        scheduler=data.get("scheduler"), plaintext_cluster=plaintext, as_of=as_of)


def _scan_options(path: Path, scan: Any) -> dict[str, Any]:
    if not isinstance(scan, dict):
        raise ConfigError(f"{path}: `scan` must be a mapping of scan options")
    unknown = set(scan) - SCAN_KEYS
    if unknown:
        raise ConfigError(f"{path}: scan: unknown option(s) {', '.join(sorted(unknown))}; "
                          f"known: {', '.join(sorted(SCAN_KEYS))}")
    out: dict[str, Any] = {}
    for k, v in scan.items():
        if k in ("include", "exclude", "tables", "exclude_tables", "columns", "exclude_columns"):
            v = (v,) if isinstance(v, str) else tuple(v or ())
        elif k == "max_file_size" and isinstance(v, str):
            from .cli import parse_size
            try:
                v = parse_size(v)
            except click.BadParameter as exc:
                raise ConfigError(f"{path}: scan: {exc.message}") from None
        out[k] = v
    return out


def _check_policy(policy: Path) -> None:
    try:
        from .policy import PolicyError, load_policy
    except ImportError as exc:
        raise ConfigError(f"policy checks are unavailable in this installation ({exc})") from None
    try:
        load_policy(str(policy))
    except PolicyError as exc:
        raise ConfigError(str(exc)) from None


# -- incremental rescans ------------------------------------------------------------

def sha256_file(item: Item, chunk: int = 1 << 20) -> str | None:
    """Content hash of an item, or None when it cannot be read (the reader will say why)."""
    if item.open is None:
        return None
    h = hashlib.sha256()
    try:
        with item.open() as fh:
            while block := fh.read(chunk):
                h.update(block)
    except OSError:
        return None
    return h.hexdigest()


@dataclass
class IncrementalPlan:
    """The `items_filter` of an audit run: decides, per top-level item, read, reuse or copy.

    Rows copied from the previous run are written in batches as the walk
    goes (that run is complete), each batch at once; copies of a file read
    in this run are filled in by `finish`, after the scan, because a process
    pool may still be reading the original.
    """

    store: Store
    previous: RunInfo | None
    reuse: bool = True  # False with --full or when the previous run is not comparable
    dedupe: bool = True  # False with --full: read every copy too
    hash_items: bool = True
    counters: Counter[str] = field(default_factory=Counter)
    _prev: dict[str, ItemRecord] = field(default_factory=dict)
    _read: dict[str, str] = field(default_factory=dict)  # location → sha256, read this run
    _first: dict[tuple[int, str], str] = field(default_factory=dict)  # (size, sha) → location
    _copies: list[tuple[Item, str, str]] = field(default_factory=list)  # copy, original, sha
    _reused: list[tuple[Item, ItemRecord]] = field(default_factory=list)  # not yet copied
    _copied: list[str] = field(default_factory=list)  # copied from the previous run
    _read_tops: set[str] = field(default_factory=set)  # top_level() of what was read

    def __post_init__(self) -> None:
        if self.reuse and self.previous is not None:
            self._prev = {r.location: r for r in self.store.items(self.previous.id, top_level=True)}

    def __call__(self, run_id: int, items: Iterable[Item | ScanError]) -> Iterator[Item | ScanError]:
        for it in items:
            if isinstance(it, ScanError):
                yield it
                continue
            if self._decide(run_id, it):
                self._read_tops.add(top_level(it.location))
                yield it
        self._copy_reused(run_id)

    def _decide(self, run_id: int, it: Item) -> bool:
        """True: read it. False: its rows were (or will be) copied instead."""
        info = it.info
        if info.size is None or it.open is None:  # a database table: always read
            self.counters["read_items"] += 1
            return True
        sha: str | None = None
        prev = self._prev.get(it.location)
        if (prev is not None and prev.error is None and prev.info.size == info.size
                and prev.info.mtime == info.mtime and info.mtime is not None):
            if prev.info.inode is None or info.inode is None or prev.info.inode == info.inode:
                self._reuse(run_id, it, prev)
                return False
            # same size and time but another inode (restored, copied with -p): ask the content
            sha = self._hash(it)
            self.counters["hashed_in_doubt"] += 1
            if sha is not None and sha == prev.sha256:
                self._reuse(run_id, it, prev)
                return False
        elif self.hash_items:
            sha = self._hash(it)
        if sha is not None:
            original = self._first.get((info.size, sha)) if self.dedupe else None
            if original is not None:
                self._copies.append((it, original, sha))
                self.counters["duplicate_items"] += 1
                return False
            self._first[(info.size, sha)] = it.location
            self._read[it.location] = sha
        self.counters["read_items"] += 1
        return True

    def _hash(self, it: Item) -> str | None:
        self.counters["hashed_items"] += 1
        return sha256_file(it)

    def _reuse(self, run_id: int, it: Item, prev: ItemRecord) -> None:
        self._reused.append((it, prev))
        if len(self._reused) >= REUSE_BATCH:
            self._copy_reused(run_id)
        self.counters["reused_items"] += 1
        if prev.sha256 and it.info.size is not None:
            self._first.setdefault((it.info.size, prev.sha256), it.location)

    def _copy_reused(self, run_id: int) -> None:
        if not self._reused:
            return
        assert self.previous is not None
        batch, self._reused = self._reused, []
        locations = [it.location for it, _ in batch]
        self.counters["findings_reused"] += self.store.copy_items(self.previous.id, run_id, locations)
        self._copied += locations
        # the item's own row gets today's facts (mode may have changed: exposure rules read it);
        # the copied row already has them when they are the previous run's
        self.store.add_items(run_id, (ItemRecord(it.location, it.info, prev.media_type, prev.reader,
                                                 prev.findings, prev.sha256, prev.error)
                                      for it, prev in batch if it.info != prev.info), reused=True)

    def finish(self, run_id: int) -> dict[str, int]:
        """Record content hashes and fill in the copies; return the counters for the run."""
        self._copy_reused(run_id)  # already done when the walk ran to its end
        for location, sha in self._read.items():
            self.store.set_item_hash(run_id, location, sha)
        for it, original, sha in self._copies:
            rec = self.store.item(run_id, original)
            self.counters["findings_reused"] += self.store.copy_rows(run_id, run_id, original,
                                                                     as_location=it.location)
            self.store.add_item(run_id, it.location, it.info, rec.media_type if rec else None,
                                rec.reader if rec else None, rec.findings if rec else 0, sha,
                                rec.error if rec else None, reused=True)
        self.store.commit()
        return dict(self.counters)

    def copied_unchanged(self) -> set[str]:
        """The items whose rows, members' included, are exactly the previous run's: copied
        from it, and nothing else of this run written under their names (a file read
        named "a.zip!x" beside a.zip, a location the sources gave twice)."""
        others = self._read_tops | {top_level(it.location) for it, _, _ in self._copies}
        return set(self._copied) - others


def plugin_census(registry: Registry) -> dict[str, list[str]]:
    """The detectors and readers that loaded, as name=version (loads a deferred registry)."""
    versions = {(p.group, p.name): p.version for p in registry.plugins if not p.error}
    return {
        "detectors": sorted(f"{n}={versions.get(('piiscan.detectors', n), '')}" for n in registry.detectors),
        "readers": sorted(f"{n}={versions.get(('piiscan.readers', n), '')}" for n in registry.readers),
    }


def reuse_fingerprint(census: dict[str, list[str]], options: ScanOptions, key: bytes,
                      policy: Path | None) -> dict[str, Any]:
    """What must be equal for a previous run's findings to stand for this one's."""
    params = options_params(options)
    fingerprint = {
        "options": {k: params.get(k) for k in REUSE_KEYS},
        "detectors": census["detectors"],
        "readers": census["readers"],
        # a fingerprint of the key, not the key: hashes from another key never match
        "key": hmac.new(key, b"piiscan key id", hashlib.sha256).hexdigest()[:16],
        # record dates depend on the policy's date fields
        "policy": hashlib.sha256(policy.read_bytes()).hexdigest()[:16] if policy else None,
    }
    # as it will read back from the store's JSON (tuples become lists)
    return json.loads(json.dumps(fingerprint, default=str))


def known_census(store: Store, registry: Registry) -> tuple[dict[str, list[str]], bool]:
    """The registry's plugin census, and whether it was taken from the store unloaded.

    A deferred registry whose environment the store has seen is not loaded:
    an unchanged rescan reads nothing and needs none of the plugins.
    """
    if isinstance(registry, DeferredRegistry) and not registry.loaded:
        census = store.plugin_census(registry.environment)
        if census is not None:
            return census, True
        census = plugin_census(registry)
        store.set_plugin_census(registry.environment, census)
        return census, False
    return plugin_census(registry), False


def check_census(store: Store, registry: Registry, assumed: dict[str, list[str]]) -> None:
    """After a run that loaded a registry whose census it took from the store: did it hold?

    Only if something escaped `plugin_environment` does it not; then the
    store learns the truth and the next run, its fingerprint changed, reads everything.
    """
    if not (isinstance(registry, DeferredRegistry) and registry.loaded):
        return
    actual = plugin_census(registry)
    if actual != assumed:
        log.warning("the plugins changed though their environment did not seem to; "
                    "the next audit run will read everything again")
        store.set_plugin_census(registry.environment, actual)


def previous_audit(store: Store, targets: tuple[str, ...]) -> RunInfo | None:
    for r in reversed(store.runs("audit")):
        if r.status == "done" and r.targets == targets:
            return r
    return None


# -- running -------------------------------------------------------------------

@dataclass
class AuditResult:
    run_id: int
    exit_code: int
    changes: Changes | None = None
    files: list[Path] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    message: str = ""


def run_audit(cfg: AuditConfig, *, full: bool = False, language: str | None = None,
              fail_on: str | None = None, registry: Registry | None = None, key: bytes | None = None,
              placement: Placement | None = None,
              registry_factory: Callable[[], Registry] | None = None,
              guess_language: bool = True) -> AuditResult:
    """One audit run from config to reports; `registry`/`key` are for embedders and tests."""
    from .cli import build_registry, open_output
    from .redact import load_or_create_key
    from .reports import RunReport, writer
    from .runner import display_target

    lang = language or cfg.language
    fail_on = fail_on or cfg.fail_on
    # the readers and detectors are imported when something is read, or the store has not
    # seen their environment yet
    registry = registry if registry is not None else build_registry(deferred=True)
    key = key if key is not None else load_or_create_key()
    options = cfg.options()
    with Store(cfg.history) as store:
        shown = tuple(display_target(t) for t in cfg.sources)
        previous = previous_audit(store, shown)
        census, assumed = known_census(store, registry)
        fingerprint = reuse_fingerprint(census, options, key, cfg.policy)
        reuse, why = not full, "--full" if full else ""
        if reuse and previous is not None and previous.params.get("reuse") != fingerprint:
            reuse, why = False, "options, plugins, key or policy changed since the last run"
        plan = IncrementalPlan(store, previous, reuse=reuse, dedupe=not full)
        params = options_params(options) | {
            "audit": cfg.name, "config": str(cfg.path), "policy": str(cfg.policy) if cfg.policy else None,
            "formats": list(cfg.formats), "allow": cfg.allow.as_params(), "reuse": fingerprint,
            "incremental": "yes" if reuse and previous else f"no ({why or 'first run'})",
            "previous_run": previous.id if previous else None}
        try:
            run_id = run_scan(store, registry, key, options, list(cfg.sources), params=params,
                              kind="audit", policy_path=str(cfg.policy) if cfg.policy else None,
                              placement=placement or Placement(cfg.executor, cfg.workers, cfg.scheduler,
                                                                cfg.plaintext_cluster),
                              guess_language=guess_language, items_filter=plan,
                              registry_factory=registry_factory)
        except UsageError as exc:
            return AuditResult(0, EXIT_USAGE, message=str(exc))
        except (ScanAborted, KeyboardInterrupt) as exc:
            return AuditResult(0, EXIT_FAILED, message=f"the audit could not complete: {exc}")
        except Exception as exc:
            if type(exc).__name__ == "SourceError":
                return AuditResult(0, EXIT_FAILED, message=f"the audit could not complete: {exc}")
            raise
        if assumed:
            check_census(store, registry, census)
        extra = plan.finish(run_id)
        extra["findings"] = extra.pop("findings_reused", 0)  # the run's counter counts them all
        store.merge_counters(run_id, extra)
        if cfg.policy is not None:
            from .policy import load_policy
            policy = load_policy(str(cfg.policy))
            store.add_violations(run_id, policy.evaluate(store, run_id, options.as_of, lang))
        run = store.run(run_id)
        assert run is not None
        triage = Triage.load(store, run)
        changes = compare_runs(store, run_id, previous.id if previous else None, triage,
                               copied=plan.copied_unchanged())
        report = RunReport.load(store, run_id, language=lang)
        report.previous = previous
        report.extra.update(triage=triage, changes=changes)
        files = _write_reports(cfg, report, changes, open_output, writer)
        code = EXIT_FOUND if exceeds_after_triage(report, triage, fail_on) else EXIT_OK
        if run.status != "done":
            code = EXIT_FAILED
        return AuditResult(run_id, code, changes, files, run.counters,
                           _summary(report, changes, run.counters, files))


def _write_reports(cfg: AuditConfig, report: Any, changes: Changes, open_output: Any,
                   writer: Any) -> list[Path]:
    day = report.run.started[:10]
    stem = f"{cfg.name}-run{report.run.id}-{day}"
    files = []
    for fmt in cfg.formats:
        path = cfg.reports / f"{stem}.{EXTENSIONS[fmt]}"
        with open_output(str(path)) as out:
            writer(fmt)(report, out)
        files.append(path)
    body = json.dumps(changes.as_dict() | {"reports": [p.name for p in files]},
                      ensure_ascii=False, indent=1) + "\n"
    # one per run for the record, and changes.json always the latest for monitors to poll
    for name in (f"{stem}.changes.json", "changes.json"):
        with open_output(str(cfg.reports / name)) as out:
            out.write(body)
        files.append(cfg.reports / name)
    return files


def exceeds_after_triage(report: Any, triage: Triage, fail_on: str) -> bool:
    """Like the scan's --fail-on, but what triage hides does not count (confirmed does)."""
    if fail_on == "never":
        return False
    limit = Severity.parse(fail_on)
    if not has_rules(triage):  # nothing is hidden: the counts per type say it all
        return (any(n and SENSITIVITY.get(EntityType(e), Severity.LOW) >= limit
                    for e, n in report.counts.items())
                or any(v.severity >= limit for v in report.violations))
    hidden: set[tuple[str, str]] = set()
    over = False
    for f in report.findings():
        verdict = triage.finding(f)
        if verdict is not None and verdict.hidden:
            hidden.add((f.location, f.value_hash))
        elif f.severity >= limit:
            over = True
    if over:
        return True
    for v in report.violations:
        verdict = triage.violation(v, hidden)
        if v.severity >= limit and not (verdict is not None and verdict.hidden):
            return True
    return False


def _summary(report: Any, changes: Changes, counters: dict[str, int], files: list[Path]) -> str:
    c = changes.as_dict()["summary"]
    reused = counters.get("reused_items", 0)
    dups = counters.get("duplicate_items", 0)
    lines = [
        f"audit run {report.run.id}: {report.items} items ({reused} unchanged, {dups} duplicate copies, "
        f"{counters.get('read_items', 0)} read), {sum(report.counts.values())} findings, "
        f"{len(report.violations)} violations, {len(report.errors)} errors",
    ]
    if changes.previous_id is not None:
        lines.append(f"since run {changes.previous_id}: {c['new']} new, {c['resolved']} resolved, "
                     f"{c['unchanged']} unchanged, {c['triaged']} triaged; violations "
                     f"{c['new_violations']} new, {c['resolved_violations']} resolved")
    if files:
        lines.append(f"reports: {', '.join(str(p) for p in files)}")
    return "\n".join(lines)


@click.command()
@click.option("--config", "config_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="The audit config (YAML): sources, policy, reports, history, formats.")
@click.option("--full", is_flag=True, help="Read everything again, even files unchanged since the last run.")
@click.option("--lang", type=click.Choice(["en", "fr"]), help="Report language (default: the config's).")
@click.option("--fail-on", type=click.Choice(FAIL_LEVELS),
              help="Exit 1 when something at or above this level is left after triage (default: the config's).")
def audit(config_path: str, full: bool, lang: str | None, fail_on: str | None) -> None:
    """Run a scheduled audit: incremental scan, policy, diff with the last run, reports.

    \b
    Exit codes: 0 done; 1 done and something at or above fail_on remains
    after triage; 2 configuration error; 3 the audit could not complete.
    \b
    Examples:
      piiscan audit --config /etc/piiscan/audit.yaml
      piiscan audit --config audit.yaml --full --lang fr --fail-on high
    """
    try:
        cfg = load_config(Path(config_path))
    except ConfigError as exc:
        click.echo(f"piiscan: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    result = run_audit(cfg, full=full, language=lang, fail_on=fail_on)
    if result.message:
        click.echo(result.message, err=result.exit_code in (EXIT_USAGE, EXIT_FAILED))
    sys.exit(result.exit_code)
