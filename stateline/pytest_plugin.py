"""A pytest plugin: spec files as tests, one item per check block x property.

Installing Stateline registers this plugin (entry point `pytest11`), but it
collects nothing until a project opts in, so it never changes the test runs
of unrelated projects:

* `pytest --stateline specs/` collects every `*.sl` file pytest is pointed at
  or finds;
* the ini setting `stateline_specs` (a list of files or folders, relative to
  the ini file) collects the `*.sl` files under them on every run, e.g. in
  pyproject.toml:

      [tool.pytest.ini_options]
      stateline_specs = ["specs"]

A spec file is a collector, each check block a collector, and each property the
block checks (every invariant and transition invariant, deadlock freedom unless
allowed, every temporal property) an item named after it:
`specs/paxos.sl::ballots01::Agreement`.  An item passes when the result meets
the expectation (`expect P holds|violated`, or `holds` when the block does not
say); its failure message is the counterexample as `stateline check` prints
it.  A property without a verdict (a run-time error in the spec, or a bound)
fails too.  Each block is checked once, by its first item; `-k`, `-m
stateline` and `--lf` select as usual.  `--stateline-max-seconds S` bounds each
check block.  Items carry the `stateline` marker.

This module imports only pytest at import time; Stateline itself is loaded when
the first spec is collected.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_addoption(parser) -> None:
    group = parser.getgroup("stateline", "Stateline spec files")
    group.addoption("--stateline", action="store_true", default=False,
                    help="collect *.sl spec files: one test per check block x property")
    group.addoption("--stateline-max-seconds", type=float, default=None, metavar="S",
                    help="stop each check block after S seconds (its open properties fail)")
    parser.addini("stateline_specs", type="paths", default=[],
                  help="files or folders whose *.sl specs are collected as tests")


def pytest_configure(config) -> None:
    config.addinivalue_line("markers",
                            "stateline: a property of a Stateline spec's check block")


def _wanted(config, path: Path) -> bool:
    if config.getoption("stateline"):
        return True
    path = Path(path).resolve()
    for root in config.getini("stateline_specs"):
        root = Path(root).resolve()
        if path == root or root in path.parents:
            return True
    return False


def pytest_collect_file(file_path, parent):
    if file_path.suffix == ".sl" and _wanted(parent.config, file_path):
        return SpecFile.from_parent(parent, path=file_path)
    return None


class StatelineFailure(Exception):
    """An expectation not met; the message is what the user reads."""


class SpecFile(pytest.File):
    def collect(self):
        from .checker.run import check_blocks
        from .lang.load import LoadError, load_spec

        try:
            loaded = load_spec(_shown(self.path))
        except LoadError as exc:
            yield ErrorItem.from_parent(self, name="(spec)",
                                        message=_diagnostics(exc, exc.sources))
            return
        for check in check_blocks(loaded):
            yield CheckBlock.from_parent(self, name=check.name, loaded=loaded, check=check)


class CheckBlock(pytest.Collector):
    def __init__(self, *, loaded, check, **kw):
        super().__init__(**kw)
        self.loaded = loaded
        self.check = check
        self.model = None
        self._result = None

    def collect(self):
        from .checker.run import prepare
        from .diagnostics import SpecError

        try:
            self.model = prepare(self.loaded, self.check, {})
        except SpecError as exc:
            sources = {self.loaded.path: self.loaded.source, **getattr(exc, "sources", {})}
            yield ErrorItem.from_parent(self, name="(instance)",
                                        message=_diagnostics(exc, sources))
            return
        for name, kind, span in properties(self.model.system, self.check):
            yield PropertyItem.from_parent(self, name=name, kind=kind, line=span.line)

    def result(self):
        """The block's CheckResult, computed once."""
        if self._result is None:
            from .checker.run import CheckOptions, run_check

            seconds = self.config.getoption("stateline_max_seconds")
            self._result = run_check(self.loaded, self.check, {},
                                     CheckOptions(max_seconds=seconds), self.model)
        return self._result


def properties(system, check) -> list[tuple[str, str, object]]:
    """(name, kind, span) of every property a check block checks, in the order of its
    verdicts (as `checker.run.run_check` lists them)."""
    expected = {prop for prop, _, _ in check.expects}
    out = [(p.name, "invariant", p.span) for p in system.invariants]
    out += [(p.name, "transition", p.span) for p in system.transitions]
    if not system.allow_deadlock or "DeadlockFreedom" in expected:
        out.append(("DeadlockFreedom", "deadlock", check.span))
    out += [(p.name, "temporal", p.span) for p in system.temporal]
    return out


class PropertyItem(pytest.Item):
    def __init__(self, *, kind: str, line: int, **kw):
        super().__init__(**kw)
        self.kind = kind
        self.line = line
        self.add_marker("stateline")

    def runtest(self) -> None:
        from .models.verdict import Status
        from .render import text

        block = self.parent
        r = block.result()
        if r.failure is not None:
            raise StatelineFailure(text.failure_text(r, {r.path: block.loaded.source}))
        v = next((v for v in r.verdicts if v.prop == self.name), None)
        if v is None:
            raise StatelineFailure(f"check {r.check} reported no verdict for {self.name}")
        if v.met is True:
            return
        if v.met is None:
            raise StatelineFailure(f"{self.name}: no verdict ({text.result_text(v, r.stop)}): "
                                   f"{r.stop.describe()}")
        if v.status is Status.VIOLATED and v.trace is not None:
            raise StatelineFailure(text.counterexample(r, v))
        raise StatelineFailure(f"{self.name} was expected to be violated, but it holds in "
                               f"every reachable state of check {r.check} "
                               f"({r.stats.states:,} states)")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, StatelineFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, max(0, self.line - 1), f"{self.parent.name}::{self.name} ({self.kind})"


class ErrorItem(pytest.Item):
    """A spec or check block that cannot be checked: one failing item says why."""

    def __init__(self, *, message: str, **kw):
        super().__init__(**kw)
        self.message = message
        self.add_marker("stateline")

    def runtest(self) -> None:
        raise StatelineFailure(self.message)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, StatelineFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, 0, self.name


def _shown(path: Path) -> str:
    """The spec's path as messages show it: relative to the working directory if inside it."""
    import os

    rel = os.path.relpath(path)
    return str(path) if rel.startswith("..") else rel


def _diagnostics(exc, sources) -> str:
    from .diagnostics import render

    return "\n".join(render(d, sources) if d.span else d.headline() for d in exc.diagnostics)
