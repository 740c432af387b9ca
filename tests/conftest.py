"""Shared fixtures: a project home with the real sources, built once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.build import BuildResult, build
from kg.config import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]


def make_home(home: Path) -> Settings:
    """A fresh project home holding copies of data/ (sources and reference data)."""
    shutil.copytree(ROOT / "data", home / "data")
    return load_settings(home, env={})


@pytest.fixture(scope="session")
def built_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, BuildResult]:
    """A home with both reports built into its store (read-only for tests: do not modify it)."""
    settings = make_home(tmp_path_factory.mktemp("home"))
    return settings, build(settings)
