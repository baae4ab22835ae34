"""Fixtures shared by the test modules that run the CLI from the repository root."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def in_repo() -> Iterator[Path]:
    """The working directory is the repository root for the test, then what it was."""
    old = Path.cwd()
    os.chdir(REPO)
    try:
        yield REPO
    finally:
        os.chdir(old)
