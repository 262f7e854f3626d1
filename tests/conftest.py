"""Test isolation: piiscan's key and store never touch the user's home."""

from __future__ import annotations

import os

import pytest

from piiscan.store import Store


@pytest.fixture(autouse=True, scope="session")
def _piiscan_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    home = tmp_path_factory.mktemp("piiscan-home")
    os.environ["PIISCAN_HOME"] = str(home)


@pytest.fixture()
def store(tmp_path):
    """An empty store in the test's folder (a module may define its own)."""
    with Store(tmp_path / "p.db") as s:
        yield s
