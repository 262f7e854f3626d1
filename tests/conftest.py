"""Test isolation: piiscan's key and store never touch the user's home."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def _piiscan_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    home = tmp_path_factory.mktemp("piiscan-home")
    os.environ["PIISCAN_HOME"] = str(home)
