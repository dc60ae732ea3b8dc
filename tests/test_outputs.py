"""Outputs that never lose or destroy data (issue 19, items 3-6): report folders are
touched only through their manifest, an input is never overwritten, output names are
unique, and an output that cannot be written stops the command before any work."""

from __future__ import annotations

import json
import os
import pathlib
import re
import sys

import pytest

from stateline import cli
from stateline.cli import report as report_cmd

ROOT = pathlib.Path(__file__).resolve().parent.parent
LAB = ROOT / "specs" / "labs" / "lamport_no_max.sl"
HOLDS = ROOT / "specs" / "lamport_clock.sl"


def run(capsys, *args):
    argv = list(map(str, args))
    if argv[0] in ("check", "report"):
        argv.append("--no-progress")
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def counter(k: int) -> str:
    """A spec whose invariant fails after `k` steps (check `c`, invariant `Inv`)."""
    return (f"spec X\nvar n: 0..5 = 0\naction inc:\n    require n < 5\n    n := n + 1\n"
            f"invariant Inv: n < {k}\nallow deadlock\ncheck c:\n    expect Inv violated\n")


def snapshot(folder: pathlib.Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --- item 3: report folders ---------------------------------------------------------

@pytest.fixture
def users_folder(tmp_path, capsys):
    """A folder with a hand-written README and a saved `check --html` report below it."""
    folder = tmp_path / "docs"
    (folder / "saved").mkdir(parents=True)
    (folder / "README.md").write_text("# My notes\n\nwritten by hand\n")
    code, _, _ = run(capsys, "check", LAB, "--html", folder / "saved" / "lab.html")
    assert code == 0
    return folder


def test_report_refuses_a_folder_that_is_not_a_report(users_folder, capsys):
    before = snapshot(users_folder)
    code, out, err = run(capsys, "report", LAB, "-o", users_folder)
    assert code == 2
    assert f"error[SL504]: -o {users_folder}: the folder is not empty and is not a report " \
           "folder (it has no .stateline-report.json)" in err
    assert out == ""                                   # refused before checking anything
    assert snapshot(users_folder) == before


def test_report_with_force_overwrites_same_names_and_deletes_nothing(users_folder, capsys):
    saved = (users_folder / "saved" / "lab.html").read_bytes()
    code, out, err = run(capsys, "report", LAB, "-o", users_folder, "--force")
    assert code == 0, err
    assert (users_folder / "saved" / "lab.html").read_bytes() == saved
    assert (users_folder / "README.md").read_text().startswith("# Protocol library report")
    manifest = json.loads((users_folder / ".stateline-report.json").read_text())
    assert manifest["schema"] == "stateline.report-manifest"
    assert manifest["files"] == ["README.md", "lamport_no_max.html"]


def test_a_new_report_removes_only_the_pages_its_manifest_lists(tmp_path, capsys):
    specs, rep = tmp_path / "specs", tmp_path / "rep"
    specs.mkdir()
    (specs / "lab.sl").write_text(LAB.read_text())
    (specs / "fine.sl").write_text(HOLDS.read_text())
    assert run(capsys, "report", specs, "-o", rep)[0] == 0
    assert sorted(snapshot(rep)) == [".stateline-report.json", "README.md", "lab.html"]
    # Files of the user's in the report folder, among them a saved --html report.
    (rep / "notes.md").write_text("mine\n")
    assert run(capsys, "check", LAB, "--html", rep / "saved.html")[0] == 0
    (specs / "lab.sl").unlink()                     # the lab's page is no longer produced
    code, out, err = run(capsys, "report", specs, "-o", rep)
    assert code == 0, err
    assert f"{rep / 'lab.html'}: removed (no counterexample any more)" in out
    assert sorted(snapshot(rep)) == [".stateline-report.json", "README.md", "notes.md",
                                     "saved.html"]


def test_a_report_never_overwrites_a_file_its_manifest_does_not_list(tmp_path, capsys):
    rep = tmp_path / "rep"
    assert run(capsys, "report", HOLDS, "-o", rep)[0] == 0
    (rep / "lamport_no_max.html").write_text("my own page\n")
    code, out, err = run(capsys, "report", HOLDS, LAB, "-o", rep)
    assert code == 2
    assert "would overwrite lamport_no_max.html, which the previous report did not write" \
        in err
    assert (rep / "lamport_no_max.html").read_text() == "my own page\n"


def test_a_manifest_cannot_make_a_report_delete_files_outside_it(tmp_path, capsys):
    rep, outside = tmp_path / "rep", tmp_path / "outside.txt"
    outside.write_text("keep\n")
    assert run(capsys, "report", HOLDS, "-o", rep)[0] == 0
    (rep / "sub").mkdir()
    (rep / "sub" / "file.html").write_text("keep\n")
    os.symlink(tmp_path, rep / "link")
    manifest = rep / ".stateline-report.json"
    doc = json.loads(manifest.read_text())
    doc["files"] += ["../outside.txt", str(outside), "link/outside.txt", "sub",
                     ".stateline-report.json"]
    manifest.write_text(json.dumps(doc))
    assert run(capsys, "report", HOLDS, "-o", rep)[0] == 0
    assert outside.read_text() == "keep\n" and (rep / "sub" / "file.html").exists()


def test_an_interrupted_report_removes_nothing(tmp_path, capsys):
    rep = tmp_path / "rep"
    assert run(capsys, "report", LAB, "-o", rep)[0] == 0
    args = cli.build_parser().parse_args(["report", str(HOLDS), "-o", str(rep)])
    console = cli.Console(progress=False)
    assert report_cmd.write_report([], 3, args, console, complete=False) == 3
    assert (rep / "lamport_no_max.html").exists()
    listed = json.loads((rep / ".stateline-report.json").read_text())["files"]
    assert listed == ["README.md", "lamport_no_max.html"]


# --- item 4: inputs are never outputs, empty paths are refused ------------------------

@pytest.mark.parametrize("option", ["--json", "--html", "--junit", "--sarif", "--dot"])
def test_an_output_that_is_the_spec_is_refused(tmp_path, capsys, monkeypatch, option):
    spec = tmp_path / "self.sl"
    spec.write_text(LAB.read_text())
    monkeypatch.chdir(tmp_path)
    for target in ("self.sl", "./self.sl", str(spec)):
        code, out, err = run(capsys, "check", "self.sl", option, target)
        assert code == 2 and out == ""
        assert f"error[SL504]: {option} {target}: is an input of this command; " \
               "refusing to overwrite it" in err
    os.symlink(spec, tmp_path / "alias.sl")
    code, _, err = run(capsys, "check", "self.sl", option, "alias.sl")
    assert code == 2 and "is an input" in err
    assert spec.read_text() == LAB.read_text()


@pytest.mark.parametrize("option", ["--json", "--html", "--junit", "--sarif", "--dot",
                                    "--otlp"])
def test_an_empty_output_path_is_refused(capsys, option):
    code, out, err = run(capsys, "check", LAB, option, "")
    assert code == 2 and out == ""
    assert f"error[SL504]: {option}: the path is empty" in err


def test_two_outputs_naming_one_file_are_refused(tmp_path, capsys):
    code, out, err = run(capsys, "check", LAB, "--json", tmp_path / "r", "--html",
                         tmp_path / "." / "r")
    assert code == 2 and out == ""
    assert "error[SL504]: --json and --html name the same file" in err


def test_trace_timeline_and_export_never_overwrite_their_input(tmp_path, capsys):
    out_dir = tmp_path / "t"
    assert run(capsys, "check", LAB, "--json", tmp_path / "r.json")[0] == 0
    assert run(capsys, "export", tmp_path / "r.json", "-o", out_dir, "--otlp-format",
               "itf")[0] == 0
    (itf,) = out_dir.iterdir()
    before = itf.read_bytes()
    code, _, err = run(capsys, "trace", "timeline", itf, "-o", itf)
    assert code == 2 and "is an input of this command" in err
    # Exporting an ITF trace as ITF into its own folder would write the same name.
    code, _, err = run(capsys, "export", itf, "-o", out_dir, "--otlp-format", "itf")
    assert code == 2 and "is an input of this command" in err
    assert itf.read_bytes() == before


# --- item 5: unique output names -----------------------------------------------------

@pytest.fixture
def twins(tmp_path):
    """a/x.sl fails after 2 steps, b/x.sl after 4: the same file, check and property."""
    for folder, k in (("a", 2), ("b", 4)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.sl").write_text(counter(k))
    return tmp_path / "a" / "x.sl", tmp_path / "b" / "x.sl"


def _steps(path: pathlib.Path) -> int:
    doc = json.loads(path.read_text())
    return sum(1 for rs in doc["resourceSpans"] for ss in rs["scopeSpans"]
               for s in ss["spans"] for a in s.get("attributes", [])
               if a["key"] == "stateline.step")


def test_otlp_files_of_specs_with_the_same_name_are_both_written(twins, tmp_path, capsys):
    out_dir = tmp_path / "out"
    code, out, err = run(capsys, "check", *twins, "--otlp", out_dir)
    assert code == 0, err
    files = sorted(p.name for p in out_dir.iterdir())
    assert files == ["a.x.c.Inv.otlp.json", "b.x.c.Inv.otlp.json"]
    assert (_steps(out_dir / files[0]), _steps(out_dir / files[1])) == (2, 4)
    # A spec whose name is unique keeps the short name.
    code, _, _ = run(capsys, "check", twins[0], "--otlp", tmp_path / "one")
    assert [p.name for p in (tmp_path / "one").iterdir()] == ["x.c.Inv.otlp.json"]


def test_report_pages_of_specs_with_the_same_name_are_both_written(twins, tmp_path, capsys):
    rep = tmp_path / "rep"
    code, out, err = run(capsys, "report", *twins, "-o", rep)
    assert code == 0, err
    assert sorted(snapshot(rep)) == [".stateline-report.json", "README.md", "a/x.html",
                                     "b/x.html"]
    readme = (rep / "README.md").read_text()
    links = re.findall(r"\[violated \((\d) steps\)\]\(([^)#]+)#cx1\)", readme)
    assert links == [("2", "a/x.html"), ("4", "b/x.html")]
    assert "2 steps" in (rep / "a" / "x.html").read_text()
    assert "4 steps" in (rep / "b" / "x.html").read_text()


# --- item 6: every output path is checked before the search starts -------------------

@pytest.mark.parametrize("option,target,message", [
    ("--json", "missing/out.json", "the folder {base}/missing does not exist"),
    ("--html", "spec.sl/out.html", "the folder {base}/spec.sl is not a directory"),
    ("--junit", ".", "is a directory, not a file"),
    ("--otlp", "spec.sl", "is not a directory"),
])
def test_an_output_that_cannot_be_written_stops_before_the_search(tmp_path, capsys,
                                                                    monkeypatch, option,
                                                                    target, message):
    (tmp_path / "spec.sl").write_text(LAB.read_text())
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "check", "spec.sl", option, target)
    assert code == 2
    assert out == ""                            # no header: the search never started
    assert message.format(base=tmp_path) in err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
def test_a_folder_where_no_file_can_be_created_stops_before_the_search(capsys):
    # Even root cannot create a file in /proc: the check creates (and removes) one.
    code, out, err = run(capsys, "check", LAB, "--sarif", "/proc/out.sarif")
    assert code == 2 and out == ""
    assert "error[SL504]: --sarif /proc/out.sarif: cannot write in /proc" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write in a read-only folder")
def test_a_read_only_folder_stops_before_the_search(tmp_path, capsys):
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    code, out, err = run(capsys, "check", LAB, "--json", folder / "out.json")
    assert code == 2 and out == ""
    assert "cannot write in" in err


def test_outputs_are_written_atomically_and_keep_the_mode(tmp_path, capsys):
    target = tmp_path / "out.json"
    target.write_text("old")
    target.chmod(0o640)
    assert run(capsys, "check", LAB, "--json", target)[0] == 0
    assert json.loads(target.read_text())["exit_code"] == 0
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]     # no temporary left
