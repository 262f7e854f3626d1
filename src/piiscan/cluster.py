"""What may cross the network to a Dask cluster, decided before connecting.

A Dask scan sends each worker the run's hashing key (it hashes findings
where they are read) and gets back masked values and hashes; with
`--reveal`, raw values too. The key is what keeps a SIN's hash from being
reversed by trying all billion SINs, so neither may travel in clear text
between machines: a scheduler on another host must be reached over TLS
(`tls://`, with Dask's TLS settings), unless the operator says the network
is trusted (`--plaintext-cluster`). A scheduler on this machine is fine
either way: nothing leaves it.
"""

from __future__ import annotations

import ipaddress
import logging
from urllib.parse import urlsplit

log = logging.getLogger("piiscan")

ENCRYPTED = ("tls", "wss")  # Dask's TLS transports
HELP = "docs/dask.md"


class ClusterRefused(ValueError):
    """The scheduler address would send the key (or raw values) unencrypted; a usage error."""


def scheme_and_host(address: str) -> tuple[str, str]:
    """('tcp', '10.0.0.5') for 'tcp://10.0.0.5:8786'; Dask reads a bare 'host:port' as tcp."""
    if "://" not in address:
        address = "tcp://" + address
    parts = urlsplit(address)
    return parts.scheme.lower(), (parts.hostname or "").lower()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name: it may resolve anywhere


def check_scheduler(address: str, *, reveal: bool = False, plaintext: bool = False) -> None:
    """Refuse a scheduler that would carry the key or raw values in clear text between machines."""
    scheme, host = scheme_and_host(address)
    if scheme in ENCRYPTED:
        _check_tls_settings(address)
        return
    if scheme == "inproc" or is_loopback(host):
        return
    what = "the hashing key and raw values (--reveal)" if reveal else "the hashing key"
    if plaintext:
        log.warning("sending %s to the Dask cluster at %s without encryption (--plaintext-cluster)",
                    what, host or address)
        return
    raise ClusterRefused(
        f"the scheduler {address!r} is reached without encryption, and {what} would cross the "
        f"network in clear text. Use a tls:// address with Dask's TLS settings ({HELP}), or, "
        "on a network you trust, add --plaintext-cluster (plaintext_cluster: true in an audit config).")


TLS_SETTINGS = ("distributed.comm.tls.ca-file", "distributed.comm.tls.client.cert")


def _check_tls_settings(address: str) -> None:
    """A tls:// scheduler needs Dask's TLS settings: say which are missing, not a TypeError."""
    try:
        import dask
        import distributed  # noqa: F401  (its defaults hold the settings' names)
    except ImportError:
        return  # the executor says how to install Dask
    missing = [name for name in TLS_SETTINGS if not dask.config.get(name, None)]
    if missing:
        env = ", ".join("DASK_" + n.upper().replace(".", "__").replace("-", "_") for n in missing)
        raise ClusterRefused(
            f"the scheduler {address!r} uses TLS, but Dask's configuration lacks {', '.join(missing)}: "
            f"set them (and distributed.comm.tls.client.key) in ~/.config/dask/distributed.yaml "
            f"or as {env} ({HELP})")
