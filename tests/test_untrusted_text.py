"""Text from outside (span names, history values, file names) never reaches a terminal,
an XML, SVG or HTML file raw: control characters are made visible (issue 19, item 2)."""

from __future__ import annotations

import json
import pathlib
import unicodedata
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from stateline import cli
from stateline.printable import json_safe, printable

ROOT = pathlib.Path(__file__).resolve().parent.parent
LAB = ROOT / "specs" / "labs" / "lamport_no_max.sl"
TID = "4bf92f3577b34da6a3ce929d0e0e4736"
# Retitle the terminal window, clear the screen, ring the bell, a C1 CSI, a right-to-left
# override, a NUL and a lone surrogate (JSON can carry one).
NASTY = "a\x1b]0;pwned\x07b\x1b[2Jc\x9b31md\u202ee\x00f\ud800g\rh\ni"
SHOWN = "a␛]0;pwned␇b␛[2Jc\ufffd31md\ufffde␀f\ufffdg␍h␊i"
# OTLP files are checked against the protobuf schema, which refuses a lone surrogate.
SPAN, SPAN_SHOWN = NASTY.replace("\ud800", ""), SHOWN.replace("f\ufffdg", "fg")
UNSAFE = {c for c in map(chr, range(0x110000))
          if unicodedata.category(c) in ("Cc", "Cs") or c in "\u061c\u200e\u200f"
          or "\u202a" <= c <= "\u202e" or "\u2066" <= c <= "\u2069" or c in "\ufffe\uffff"}


def _raw(text: str, keep: str = "\n") -> set[str]:
    return {c for c in text if c in UNSAFE and c not in keep}


def test_printable_shows_each_unsafe_character_as_one_visible_one():
    assert printable(NASTY) == SHOWN
    assert printable("tab\tnew\nline", "\n\t") == "tab\tnew\nline"
    assert printable("plain ünïcode ✓ 中文") == "plain ünïcode ✓ 中文"


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(st.characters(blacklist_categories=())))
def test_printable_and_json_safe_on_any_text(s):
    out = printable(s)
    assert len(out) == len(s) and not _raw(out, "")
    assert printable(out) == out
    doc = json_safe(json.dumps({"k": s}, ensure_ascii=False))
    assert not _raw(doc, "\n")
    assert json.loads(doc) == {"k": s}          # lossless
    doc.encode("utf-8")                         # and encodable (no lone surrogate left)


def _trace(tmp_path) -> pathlib.Path:
    def span(sid, parent=None, error=False):
        s = {"traceId": TID, "spanId": sid, "name": f"{SPAN} {sid[-1]}", "kind": 2,
             "startTimeUnixNano": str(1_700_000_000_000_000_000 + int(sid[-1]) * 10 ** 6),
             "endTimeUnixNano": str(1_700_000_000_000_000_000 + int(sid[-1]) * 10 ** 6 + 500)}
        if parent:
            s["parentSpanId"] = parent
        if error:
            s["status"] = {"code": 2, "message": SPAN}
        return s
    doc = {"resourceSpans": [
        {"resource": {"attributes": [{"key": "service.name",
                                      "value": {"stringValue": "svc" + SPAN}}]},
         "scopeSpans": [{"spans": [span("00000000000000a1"),
                                   span("00000000000000a2", "00000000000000a1", True)]}]}]}
    path = tmp_path / "nasty.otlp.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_trace_analyze_prints_no_escape_sequence(tmp_path, capsys):
    path = _trace(tmp_path)
    assert cli.main(["trace", "analyze", str(path)]) == 0
    out, err = capsys.readouterr()
    assert not _raw(out) and not _raw(err)
    assert f"({SPAN_SHOWN})" in out          # the status message, visible
    assert cli.main(["trace", "analyze", str(path), "--json"]) == 0
    out = capsys.readouterr().out
    assert not _raw(out)
    report = json.loads(out)                       # the JSON keeps the names exactly
    assert {s["name"] for s in report["spans"]} == {f"{SPAN} 1", f"{SPAN} 2"}
    assert report["services"] == ["svc" + SPAN]


def test_trace_timeline_writes_well_formed_svg(tmp_path, capsys):
    path = _trace(tmp_path)
    out = tmp_path / "t.svg"
    assert cli.main(["trace", "timeline", str(path), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert not _raw(text)
    root = ET.fromstring(text)                      # well-formed XML
    titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert f"svc{SPAN_SHOWN}: {SPAN_SHOWN} 1 (00000000000000a1)" in titles


def test_a_spec_path_with_control_characters_in_junit_html_and_the_table(tmp_path, capsys):
    folder = tmp_path / "odd\x1b[2J\x07dir"
    folder.mkdir()
    spec = folder / "lab\x01.sl"
    spec.write_text(LAB.read_text(encoding="utf-8"), encoding="utf-8")
    junit, html = tmp_path / "r.xml", tmp_path / "r.html"
    code = cli.main(["check", str(spec), "--no-progress", "--junit", str(junit),
                     "--html", str(html)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert not _raw(out) and not _raw(err)
    assert "odd␛[2J␇dir/lab␁.sl" in out
    xml = junit.read_text(encoding="utf-8")
    assert not _raw(xml)
    suites = ET.fromstring(xml)                     # well-formed
    assert [s.get("file") for s in suites.iter("testsuite")] == \
        [printable(str(spec))] * len(list(suites.iter("testsuite")))
    page = html.read_text(encoding="utf-8")
    assert not _raw(page) and printable(str(spec)) in page


def test_history_values_with_escape_sequences_are_printed_visibly(tmp_path, capsys):
    events = [{"process": 0, "type": "invoke", "f": "write", "value": NASTY},
              {"process": 0, "type": "ok", "f": "write", "value": NASTY},
              {"process": 1, "type": "invoke", "f": "read", "value": None},
              {"process": 1, "type": "ok", "f": "read", "value": "x\x1b[2J"}]
    path = tmp_path / "h.json"
    path.write_text(json.dumps(events), encoding="utf-8")
    code = cli.main(["history", "check", str(path)])
    out, err = capsys.readouterr()
    assert code == 1
    assert not _raw(out) and not _raw(err)
    assert cli.main(["history", "check", str(path), "--json"]) == 1
    out = capsys.readouterr().out
    assert not _raw(out) and json.loads(out)["files"][0]["operations"] == 2
