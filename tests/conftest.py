"""Fixtures shared by the test modules."""

from __future__ import annotations

import os
import pathlib

import pytest

from stateline import check_blocks, load_spec, run_check

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def library():
    """`library(path)`: the results of every check block of a shipped spec, by check
    name, run once per test session however many test modules read them (paths are
    relative to the repository, as `stateline check specs/...` prints them)."""
    cache: dict[str, dict] = {}

    def results(path: str) -> dict:
        if path not in cache:
            cwd = os.getcwd()
            os.chdir(ROOT)
            try:
                loaded = load_spec(path)
                cache[path] = {c.name: run_check(loaded, c, {}) for c in check_blocks(loaded)}
            finally:
                os.chdir(cwd)
        return cache[path]

    return results
