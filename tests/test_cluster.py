"""The hashing key and raw values never cross the network in clear text to a Dask cluster.

A scheduler on another host must be reached over TLS (or the operator says
--plaintext-cluster); the refusal comes before any connection, with what to
do instead. A real TLS cluster on 127.0.0.1 (certificates made here, given
to piiscan through Dask's own configuration) scans like a local run.
"""

from __future__ import annotations

import datetime
import ipaddress
import logging
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from piiscan.cluster import ClusterRefused, check_scheduler, is_loopback, scheme_and_host
from piiscan.engine import ScanOptions
from piiscan.registry import Registry
from piiscan.runner import Placement, run_scan
from piiscan.store import Store
from tests.share import make_share

PLUGINS = ("filesystem", "text", "csv", "ca_sin", "email")
KEY = b"t" * 32
REMOTE = "tcp://10.255.0.7:8786"  # never contacted: the refusal comes first


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:8786", "127.0.0.1:8786", "tcp://localhost:8786",
                                     "tcp://[::1]:8786", "inproc://10.0.0.5/1/1"])
def test_schedulers_that_keep_the_key_safe_pass(address: str) -> None:
    check_scheduler(address, reveal=True)


@pytest.mark.parametrize("address", ["tls://10.0.0.5:8786", "TLS://db.example:1", "wss://10.0.0.5:1"])
def test_tls_to_another_host_passes_once_dask_has_certificates(address: str) -> None:
    dask = pytest.importorskip("dask")
    pytest.importorskip("distributed")
    with dask.config.set({"distributed.comm.tls.ca-file": "/etc/ca.pem",
                          "distributed.comm.tls.client.cert": "/etc/client.pem"}):
        check_scheduler(address, reveal=True)


@pytest.mark.parametrize("address", [REMOTE, "10.0.0.5:8786", "tcp://scheduler.example.org:8786",
                                     "ws://10.0.0.5:8786", "tcp://127.0.0.1.example.org:8786"])
def test_plaintext_to_another_host_is_refused_with_the_way_out(address: str) -> None:
    with pytest.raises(ClusterRefused) as info:
        check_scheduler(address)
    message = str(info.value)
    assert "tls://" in message and "--plaintext-cluster" in message and "docs/dask.md" in message
    assert "raw values" not in message
    with pytest.raises(ClusterRefused, match="raw values"):
        check_scheduler(address, reveal=True)


def test_plaintext_when_the_operator_says_so_warns(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="piiscan"):
        check_scheduler(REMOTE, plaintext=True)
    assert "without encryption" in caplog.text


def test_address_parsing() -> None:
    assert scheme_and_host("10.0.0.5:8786") == ("tcp", "10.0.0.5")
    assert scheme_and_host("tls://[::1]:8786") == ("tls", "::1")
    assert is_loopback("127.3.2.1") and is_loopback("::1") and not is_loopback("10.0.0.1")
    assert not is_loopback("localhost.example.org")


def _cli(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PIISCAN_HOME": str(tmp / "home"), "PIISCAN_PLUGINS": ",".join(PLUGINS)}
    return subprocess.run([sys.executable, "-m", "piiscan", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_scan_refuses_a_plaintext_remote_scheduler_before_reading(tmp_path: Path) -> None:
    share = make_share(tmp_path / "share")
    db = tmp_path / "s.db"
    done = _cli(tmp_path, "scan", str(share), "--executor", "dask", "--scheduler", REMOTE,
                "--db", str(db))
    assert done.returncode == 2, done.stderr
    assert "tls://" in done.stderr and "--plaintext-cluster" in done.stderr
    assert "Traceback" not in done.stderr
    if db.exists():  # no run was begun for a scan that could not start
        assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 0


def test_audit_config_refuses_a_plaintext_remote_scheduler(tmp_path: Path) -> None:
    share = make_share(tmp_path / "share")
    config = tmp_path / "audit.yaml"
    config.write_text(f"name: t\nsources: [{str(share)!r}]\nhistory: h.db\nexecutor: dask\n"
                      f"scheduler: {REMOTE}\n", encoding="utf-8")
    done = _cli(tmp_path, "audit", "--config", str(config))
    assert done.returncode == 2, done.stderr
    assert "plaintext_cluster: true" in done.stderr
    config.write_text(config.read_text(encoding="utf-8") + "plaintext_cluster: maybe\n", encoding="utf-8")
    done = _cli(tmp_path, "audit", "--config", str(config))
    assert done.returncode == 2 and "true or false" in done.stderr


# -- a real cluster over TLS ---------------------------------------------------------

def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A CA, and one certificate for 127.0.0.1 that every endpoint presents (PEM files)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "piiscan test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    folder.mkdir(mode=0o700)
    paths = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


@pytest.mark.slow
def test_a_tls_cluster_scans_like_a_local_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    distributed = pytest.importorskip("distributed")
    import dask

    monkeypatch.setenv("PIISCAN_PLUGINS", ",".join(PLUGINS))
    ca, cert, key = _certificates(tmp_path / "tls")
    security = distributed.Security(tls_ca_file=str(ca), tls_scheduler_cert=str(cert),
                                    tls_scheduler_key=str(key), tls_worker_cert=str(cert),
                                    tls_worker_key=str(key), tls_client_cert=str(cert),
                                    tls_client_key=str(key), require_encryption=True)
    share = make_share(tmp_path / "share")
    registry = Registry.from_entry_points(only=PLUGINS)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, protocol="tls",
                                  host="127.0.0.1", security=security,
                                  dashboard_address=None) as cluster, Store(tmp_path / "s.db") as store:
        assert cluster.scheduler_address.startswith("tls://")
        local = run_scan(store, registry, KEY, ScanOptions(), [str(share)],
                         placement=Placement("inline"), guess_language=False)
        # piiscan is given no certificates of its own: Dask's configuration says where they are
        with dask.config.set({"distributed.comm.tls.ca-file": str(ca),
                              "distributed.comm.tls.client.cert": str(cert),
                              "distributed.comm.tls.client.key": str(key),
                              "distributed.comm.require-encryption": True}):
            remote = run_scan(store, registry, KEY, ScanOptions(), [str(share)],
                              placement=Placement("dask", scheduler=cluster.scheduler_address),
                              guess_language=False)
        found = {r: sorted((f.location, f.entity_type, f.value_hash) for f in store.findings(r))
                 for r in (local, remote)}
    assert found[local] and found[local] == found[remote]


def test_tls_without_certificates_says_which_settings_are_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    dask = pytest.importorskip("dask")
    pytest.importorskip("distributed")
    with dask.config.set({"distributed.comm.tls.ca-file": None, "distributed.comm.tls.client.cert": None}):
        with pytest.raises(ClusterRefused) as info:
            check_scheduler("tls://10.0.0.5:8786")
    assert "distributed.comm.tls.ca-file" in str(info.value)
    assert "DASK_DISTRIBUTED__COMM__TLS__CA_FILE" in str(info.value)
