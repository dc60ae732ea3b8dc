"""The CI recipes in docs/ci.md, .pre-commit-hooks.yaml and .ci/run are real.

Their YAML parses, every `stateline` command they show is accepted by the
command-line parser, the hooks gate (a failing spec makes them fail), and the
exit-code table is the one in the README and in stateline/cli/codes.py.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

from stateline import cli
from stateline.cli import codes

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "ci.md").read_text()
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", DOC, re.S | re.M)


def commands() -> list[list[str]]:
    """Every `stateline ...` command of the page: shell blocks and workflow steps."""
    texts = [b.replace("\\\n", " ") for b in blocks("bash")]
    for b in blocks("yaml"):
        doc = yaml.safe_load(b)
        for job in (doc or {}).get("jobs", {}).values() if isinstance(doc, dict) else ():
            texts += [step["run"] for step in job["steps"] if "run" in step]
    out = []
    for text in texts:
        for line in text.splitlines() if "\n" in text.strip() else [text]:
            words = shlex.split(line, comments=True)
            if words[:1] == ["stateline"]:
                out.append(words[1:])
    return out


def exit_table(text: str) -> dict[int, str]:
    return {int(m.group(1)): m.group(2).strip() for m in
            re.finditer(r"^\| (\d) \| ([^|]+) \|", text, re.M)}


def test_yaml_blocks_parse_and_the_workflow_runs_the_gate():
    docs = [yaml.safe_load(b) for b in blocks("yaml")]
    workflow = next(d for d in docs if isinstance(d, dict) and "jobs" in d)
    steps = workflow["jobs"]["check"]["steps"]
    runs = " ".join(s.get("run", "") for s in steps)
    assert "stateline check specs/" in runs and "--sarif" in runs and "--junit" in runs
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif") for s in steps)


def test_every_command_on_the_page_is_valid():
    found = commands()
    assert len(found) >= 3
    parser = cli.build_parser()
    for argv in found:
        args = parser.parse_args(argv)          # exits (fails the test) on a bad option
        assert args.command in ("check", "report", "fmt"), argv


def test_exit_codes_are_documented_alike():
    documented = exit_table(DOC)
    readme = exit_table((ROOT / "README.md").read_text())
    assert set(documented) == set(readme) == {codes.EXIT_OK, codes.EXIT_FAILED,
                                              codes.EXIT_INVALID, codes.EXIT_BOUND,
                                              codes.EXIT_INTERNAL}
    assert documented == readme
    for code, meaning in documented.items():
        first = meaning.split(":")[0].split("(")[0].strip()
        assert first[:20] in " ".join(codes.__doc__.split()), (code, first)


def test_pre_commit_hooks_gate_on_the_specs(capsys):
    hooks = {h["id"]: h for h in HOOKS}
    assert set(hooks) == {"stateline-check", "stateline-fmt"}
    parser = cli.build_parser()
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert re.search(hook["files"], "specs/labs/paxos_no_quorum.sl")
        assert not re.search(hook["files"], "README.md")
        entry = shlex.split(hook["entry"])
        assert entry[0] == "stateline"
        parser.parse_args(entry[1:] + hook.get("args", ["specs/paxos.sl"]))
    check = hooks["stateline-check"]
    assert check["pass_filenames"] is False and check["args"] == ["specs/"]
    # the hook's command fails on a spec whose expectation is not met
    argv = shlex.split(check["entry"])[1:] + [str(ROOT / "tests" / "report_specs" / "counter.sl")]
    assert cli.main(argv) == codes.EXIT_FAILED
    capsys.readouterr()


def test_the_repository_ci_runs_the_same_gate():
    run = (ROOT / ".ci" / "run").read_text()
    assert '"$venv/bin/python" -m pytest\n' in run           # the README's test command
    assert '"$status" -eq 5' in run                          # no tests collected is a failure
    assert re.search(r'stateline" check specs/ --no-progress', run)
    assert '-m pytest specs/' in run                        # the plugin collects the library
    assert "apt-get install" in run and "chromium" in run
