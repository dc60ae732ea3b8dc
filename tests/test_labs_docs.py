"""The lab pages quote what Stateline prints: they must not go stale."""

from __future__ import annotations

import importlib.util
import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
LABS = ROOT / "docs" / "labs"


def load_regen():
    spec = importlib.util.spec_from_file_location("labs_regen", LABS / "regen.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_quoted_counterexample_is_current(library, monkeypatch):
    regen = load_regen()
    # The checks the pages quote, from the session's results of the library (the same
    # run_check regen.py calls, run once for all test modules).
    monkeypatch.setattr(regen, "run_check",
                        lambda loaded, block, ov: library(loaded.path)[block.name])
    cwd = os.getcwd()
    unclosed = [p.name for p in regen.pages() if regen.unclosed(p.read_text())]
    assert not unclosed, f"lab pages with an opening marker and no closing one: {unclosed}"
    try:
        stale = [p.name for p in regen.pages() if regen.render(p.read_text()) != p.read_text()]
    finally:
        os.chdir(cwd)
    assert not stale, f"stale lab pages (run python docs/labs/regen.py): {stale}"


def test_render_replaces_the_quoted_text_and_keeps_the_markers():
    regen = load_regen()
    page = ("<!-- stateline: check specs/labs/lamport_no_max.sl two ClockCondition -->\n"
            "OLD\n<!-- /stateline -->\n")
    new = regen.render(page)
    assert "OLD" not in new and new.endswith("```\n<!-- /stateline -->\n")
    assert "Counterexample: specs/labs/lamport_no_max.sl" in new and regen.unclosed(new) == 0


def test_every_lab_spec_has_a_page_and_the_index_lists_it():
    index = (LABS / "README.md").read_text()
    pages = {p.name: p.read_text() for p in LABS.glob("*.md") if p.name != "README.md"}
    for spec in sorted((ROOT / "specs" / "labs").glob("*.sl")):
        rel = spec.relative_to(ROOT).as_posix()
        quoting = [name for name, text in pages.items() if f"stateline: check {rel} " in text]
        assert quoting, f"no lab page quotes {rel}"
        assert any(f"({name})" in index for name in quoting), f"the index does not list {rel}"


def test_pages_quote_real_counterexamples():
    for page in LABS.glob("*.md"):
        text = page.read_text()
        if "stateline: check" in text:
            assert "Counterexample: specs/" in text, page.name
