"""Check results as one self-contained HTML page.

The page has inline CSS and inline SVG only: no script, no external font,
image or style sheet, so it opens from a file, an artefact store or a mail
attachment and shows the same thing everywhere.  It holds the verdict table
(as `stateline check` prints it) and, for every counterexample and every
run-time error with a trace, a message-sequence diagram (`sequence.py`), the
initial state and the step table with the variables each step changed (and, folded
under each step, the whole state after it).

Deterministic except for the `seconds` column: the same results give the
same bytes.
"""

from __future__ import annotations

import os
from html import escape

from .. import __version__
from ..printable import printable
from ..models.trace import Trace
from ..models.verdict import CheckResult, Status, Verdict
from . import text
from .sequence import diagram, sequence_svg

CSS = """
:root{color-scheme:light}
body{font-family:"DejaVu Sans",-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;
  font-size:14px;color:#1f2328;background:#fff;margin:0 auto;padding:16px 24px;max-width:1320px}
h1{font-size:22px;margin:8px 0}
h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
h3{font-size:15px;margin:16px 0 6px}
code,.mono,td.mono{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
table{border-collapse:collapse;margin:6px 0 12px}
th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.ok td.mark{color:#1a7f37;font-weight:600}
tr.fail td.mark,tr.fail td.result{color:#cf222e;font-weight:600}
tr.unknown td.mark{color:#9a6700;font-weight:600}
.summary{font-weight:600}
ul.headline{font-size:15px;padding-left:20px;margin:6px 0}
ul.headline li{margin:3px 0}
ul.headline li.demonstrated{color:#1f2328}
ul.headline li.fail{color:#cf222e;font-weight:600}
.summary.fail{color:#cf222e}
.meta,.constants{color:#57606a}
figure.msc-figure{margin:8px 0 12px;overflow-x:auto;border:1px solid #d0d7de;padding:8px}
figure.msc-figure figcaption{color:#57606a;margin-top:4px}
table.steps tr.violation td{background:#ffebe9}
table.steps tr.loop-mark td{background:#fbefff;color:#8250df;font-weight:600}
table.steps tr.closing td{color:#cf222e;font-weight:600}
table.steps td.changes div{white-space:nowrap}
table.steps details.state summary{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;font-size:12px}
table.state td{border:none;padding:0 8px 0 0}
table.state tr.changed td{background:#fff8c5}
.warning{color:#9a6700}
.error{color:#cf222e;font-weight:600}
details summary{cursor:pointer;color:#57606a}
footer{color:#57606a;margin-top:32px;font-size:12px}
"""


def _e(s) -> str:
    """Text as HTML character data: markup escaped, control characters made visible."""
    return escape(printable(str(s), "\n\t"))


def _verdict_class(v: Verdict) -> str:
    return {True: "ok", False: "fail", None: "unknown"}[v.met]


def verdict_table(results: list[CheckResult], anchors: dict) -> str:
    rows = []
    for r in results:
        spec = os.path.basename(r.path)
        stats = (f'<td class="num">{r.stats.states:,}</td><td class="num">{r.stats.depth}</td>'
                 f'<td class="num">{r.stats.seconds:.2f}</td>')
        for v in r.verdicts:
            prop = _e(v.prop)
            if (id(r), v.prop) in anchors:
                prop = f'<a href="#{anchors[(id(r), v.prop)]}">{prop}</a>'
            rows.append(f'<tr class="{_verdict_class(v)}"><td>{_e(spec)}</td><td>{_e(r.check)}</td>'
                        f'<td>{prop}</td><td>{_e(v.kind)}</td><td>{_e(v.expected)}</td>'
                        f'<td class="result">{_e(text.result_text(v, r.stop))}</td>'
                        f'<td class="mark">{_e(text.mark(v))}</td>{stats}</tr>')
        if r.failure is not None:
            link = "(model error)"
            if (id(r), None) in anchors:
                link = f'<a href="#{anchors[(id(r), None)]}">{link}</a>'
            rows.append(f'<tr class="fail"><td>{_e(spec)}</td><td>{_e(r.check)}</td>'
                        f'<td>{link}</td><td>error</td><td>-</td><td class="result">error</td>'
                        f'<td class="mark">FAIL</td>{stats}</tr>')
    head = ("<tr><th>spec</th><th>check</th><th>property</th><th>kind</th><th>expected</th>"
            "<th>result</th><th></th><th>states</th><th>depth</th><th>seconds</th></tr>")
    return f'<table class="verdicts">\n<thead>{head}</thead>\n<tbody>\n' + \
        "\n".join(rows) + "\n</tbody>\n</table>"


def _entries(shown: str) -> list[tuple[str, str]] | None:
    """`{a1: 0, a2: [1, 2]}` -> [("a1", "0"), ("a2", "[1, 2]")]; None if not a map."""
    if not (shown.startswith("{") and shown.endswith("}")):
        return None
    out = []
    for part in _items(shown):
        key, sep, value = part.partition(": ")
        if not sep:
            return None
        out.append((key, value))
    return out


def states(trace: Trace) -> list[list[tuple[str, str]]]:
    """The whole state (every variable as the spec shows it) after each step, from the
    initial state and the changes of the steps.  A change of one map entry (`x[k]`)
    updates that entry.  The network's messages are not among a step's changes: a bag
    loses a copy of what a step receives (unless the diagram shows the same send received
    again later, a duplicate) and gains what it sends; a set keeps every message sent; for
    a fifo network the value is left out (the diagram shows the channels)."""
    current = dict(trace.initial)
    sent_any = [m for step in trace.steps for m in step.sent]
    net = current.get("network")
    rep = None if net is None or any(m.to for m in sent_any) else \
        "bag" if net.startswith("[") else "set" if net.startswith("{") else None
    items = _items(net) if rep else []
    if net is not None and rep is None:
        current["network"] = "(see the diagram)"
    senders = "network.partition" in current     # a partitioned network keeps the sender
    again = {(a.sender, a.message.shown) for a in diagram(trace).arrows if a.again}
    sender_of = {a.receiver: a.sender for a in diagram(trace).arrows}
    out = []
    for i, step in enumerate(trace.steps):
        for c in step.changes:
            if c.variable in current:
                current[c.variable] = c.new
                continue
            name, _, key = c.variable[:-1].rpartition("[")
            entries = _entries(current.get(name, "")) if c.variable.endswith("]") else None
            if entries is not None and any(k == key for k, _ in entries):
                current[name] = "{" + ", ".join(f"{k}: {c.new if k == key else v}"
                                                for k, v in entries) + "}"
            else:
                current[c.variable] = c.new
        if rep:
            m = step.received
            got = None if m is None else m.shown + (
                f" from {trace.steps[sender_of[i]].node}" if senders and sender_of.get(i)
                is not None else "")
            if got is not None and rep == "bag" and got in items and \
                    (sender_of.get(i), m.shown) not in again:
                items.remove(got)
            new = [x.shown + (f" from {step.node}" if senders else "") for x in step.sent]
            items += [x for x in new if rep == "bag" or x not in items]
            current["network"] = ("[" + ", ".join(items) + "]") if rep == "bag" else \
                ("{" + ", ".join(items) + "}")
        out.append(list(current.items()))
    return out


def _items(shown: str) -> list[str]:
    """The top-level items of `[a, b(c, d)]` or `{a, b}`."""
    body, parts, depth, start = shown[1:-1], [], 0, 0
    for i, ch in enumerate(body):
        depth += ch in "([{" and 1 or ch in ")]}" and -1 or 0
        if depth == 0 and body.startswith(", ", i):
            parts.append(body[start:i])
            start = i + 2
    return parts + [body[start:]] if body else parts


def _state_details(number: int, state, changed: set[str]) -> str:
    mark = ' class="changed"'
    rows = "".join(f'<tr{mark if k in changed else ""}><td><code>{_e(k)}'
                   f'</code></td><td class="mono">{_e(v)}</td></tr>' for k, v in state)
    return (f'<details class="state"><summary>state after step {number}</summary>'
            f'<table class="state">{rows}</table></details>')


def step_table(trace: Trace, kind: str, ident: str, closing: str) -> str:
    loop = trace.loop_start
    n = len(trace.steps)
    violating = n if kind in ("invariant", "transition", "deadlock") else None
    rows = []
    after = states(trace)
    for step in trace.steps:
        if loop is not None and loop < n and step.number == loop + 1:
            rows.append('<tr class="loop-mark"><td colspan="6">loop: the steps below repeat '
                        'forever</td></tr>')
        cls = ' class="violation"' if step.number == violating else ""
        action = step.action + ("(" + ", ".join(f"{k}={v}" for k, v in step.params) + ")"
                                if step.params else "")
        received = _e(step.received.shown) if step.received is not None else ""
        sent = "<br>".join(_e(m.shown + (f" to {m.to}" if m.to else "")) for m in step.sent)
        changes = "".join(f"<div><code>{_e(c.variable)}</code>: "
                          + (f"+ {_e(c.appended)}" if c.appended is not None
                             else f"{_e(c.old)} → {_e(c.new)}") + "</div>"
                          for c in step.changes)
        touched = {c.variable for c in step.changes} | \
            {c.variable.rpartition("[")[0] for c in step.changes}
        changes += _state_details(step.number, after[step.number - 1], touched)
        rows.append(f'<tr id="{ident}-step-{step.number}"{cls}><td class="num">'
                    f'<a href="#{ident}-row-{step.number}">{step.number}</a></td>'
                    f"<td>{_e(step.node)}</td><td class=\"mono\">{_e(action)}</td>"
                    f'<td class="mono">{received}</td><td class="mono">{sent}</td>'
                    f'<td class="changes mono">{changes}</td></tr>')
    if loop is not None:
        if loop == n:
            rows.append('<tr class="loop-mark"><td colspan="6">from here the behaviour stutters '
                        'forever (no fair action forces a step)</td></tr>')
        else:
            back = "the initial state" if loop == 0 else f"the state after step {loop}"
            rows.append(f'<tr class="loop-mark"><td colspan="6">back to {back}: the loop '
                        f'repeats</td></tr>')
    rows.append(f'<tr class="closing"><td colspan="6">{_e(closing)}</td></tr>')
    head = ("<tr><th>step</th><th>node</th><th>action</th><th>received</th><th>sent</th>"
            "<th>changed variables</th></tr>")
    return f'<table class="steps">\n<thead>{head}</thead>\n<tbody>\n' + "\n".join(rows) + \
        "\n</tbody>\n</table>"


def initial_table(trace: Trace) -> str:
    rows = "\n".join(f"<tr><td><code>{_e(k)}</code></td><td class=\"mono\">{_e(v)}</td></tr>"
                     for k, v in trace.initial)
    return (f"<details><summary>Initial state ({len(trace.initial)} variables)</summary>\n"
            f'<table class="initial">\n{rows}\n</table>\n</details>')


def closing_line(v: Verdict) -> str:
    if v.kind == "temporal":
        return f"✗ {v.prop} fails on this infinite behaviour"
    if v.kind == "deadlock":
        return "✗ no action is enabled in the last state (deadlock)"
    if v.kind == "transition":
        return f"✗ the last step violates the transition invariant {v.prop}"
    return f"✗ {v.prop} does not hold in the last state" + (f": {v.note}" if v.note else "")


def _context(r: CheckResult) -> str:
    consts = ", ".join(f"{k} = {v}" for k, v in r.constants) or "no constants"
    dl = "deadlock checked" if not r.allow_deadlock else "deadlock allowed"
    warn = "".join(f'<p class="warning">{_e(w)}</p>' for w in r.warnings)
    return (f'<p class="constants"><code>{_e(r.path)}</code> · check <b>{_e(r.check)}</b> · '
            f"{_e(consts)} · {dl} · {_e(r.stop.describe())}</p>{warn}")


def trace_section(ident: str, heading: str, r: CheckResult, trace: Trace, kind: str,
                  closing: str, lead: str = "", note: str = "") -> str:
    n = len(trace)
    caption = f"{heading}: message sequence, {n} step{'s' if n != 1 else ''}"
    svg = sequence_svg(trace, kind, caption, ident, note=note)
    return (f'<section class="counterexample" id="{ident}">\n<h2>{_e(heading)}</h2>\n'
            f"{_context(r)}\n{lead}"
            f'<figure class="msc-figure">\n{svg}\n<figcaption>{_e(closing)}</figcaption>\n'
            f"</figure>\n{initial_table(trace)}\n<h3>Steps</h3>\n"
            f"{step_table(trace, kind, ident, closing)}\n</section>")


def _headline(results: list[CheckResult], anchors: dict) -> str:
    """What a reader should notice first: the violations the checks set out to show (each
    linked to its counterexample), apart from the results nobody expected."""
    if not results:
        return ""
    shown, unexpected = [], []
    for r in results:
        for v in r.verdicts:
            link = _e(f"{v.prop} ({r.check})")
            if (id(r), v.prop) in anchors:
                link = f'<a href="#{anchors[(id(r), v.prop)]}">{link}</a>'
            if v.met is True and v.status is Status.VIOLATED:
                shown.append(link)
            elif v.met is False:
                unexpected.append(f"{link}: expected {_e(v.expected)}, "
                                  f"{_e(text.result_text(v, r.stop))}")
        if r.failure is not None:
            link = _e(f"run-time error ({r.check})")
            if (id(r), None) in anchors:
                link = f'<a href="#{anchors[(id(r), None)]}">{link}</a>'
            unexpected.append(link)
    demo = (f'<li class="demonstrated">Expected violations demonstrated ({len(shown)})'
            + (": " + ", ".join(shown) + ". Each counterexample below is a behaviour the "
               "check was written to exhibit." if shown else "") + "</li>")
    bad = (f'<li class="unexpected{" fail" if unexpected else ""}">Unexpected results '
           f"({len(unexpected)})" + (": " + "; ".join(unexpected) if unexpected else "")
           + "</li>")
    return f'<ul class="headline">{demo}{bad}</ul>'


def document(results: list[CheckResult], exit_code: int, title: str | None = None) -> str:
    """The whole page for the results of one `stateline check` run."""
    sections = []
    anchors: dict = {}
    k = 0
    for r in results:
        for v in r.verdicts:
            if v.status is not Status.VIOLATED or v.trace is None:
                continue
            k += 1
            ident = f"cx{k}"
            anchors[(id(r), v.prop)] = ident
            met = {True: "as expected", False: "expectation FAILED", None: "?"}[v.met]
            heading = f"{r.spec} · {r.check} · {v.prop} violated"
            lead = (f'<p class="{"error" if v.met is False else "meta"}">{_e(v.kind)} '
                    f"property · expected {_e(v.expected)} · {met} · "
                    f"{_e(text.result_text(v, r.stop))}</p>\n")
            sections.append(trace_section(ident, heading, r, v.trace, v.kind, closing_line(v),
                                          lead, v.note))
        if r.failure is not None:
            k += 1
            ident = f"cx{k}"
            anchors[(id(r), None)] = ident
            d = r.failure.diagnostic
            where = f"{d.span}: " if d.span else ""
            lead = f'<p class="error">{_e(where)}error[{_e(d.code)}]: {_e(d.message)}</p>\n' + \
                "".join(f'<p class="meta">note: {_e(note)}</p>\n' for note in d.notes)
            heading = f"{r.spec} · {r.check} · run-time error"
            if r.failure.trace is not None:
                step = any("step" in note for note in d.notes)
                closing = ("✗ the error occurs in the next step from here" if step
                           else "✗ the error occurs in this state")
                sections.append(trace_section(ident, heading, r, r.failure.trace, "error",
                                              closing, lead))
            else:
                sections.append(f'<section class="counterexample" id="{ident}">\n'
                                f"<h2>{_e(heading)}</h2>\n{_context(r)}\n{lead}"
                                "<p>(in an initial state)</p>\n</section>")
    summary = text.summary(results) if results else "no checks were run"
    headline = _headline(results, anchors)
    bad = exit_code != 0
    specs = sorted({os.path.basename(r.path) for r in results})
    title = title or ("Stateline report: " + (", ".join(specs) if specs else "no specs"))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="stateline {_e(__version__)}">
<title>{_e(title)}</title>
<style>{CSS}</style>
</head>
<body>
<header>
<h1>{_e(title)}</h1>
{headline}
<p class="summary{' fail' if bad else ''}">{_e(summary)}</p>
<p class="meta">exit code {exit_code} · stateline {_e(__version__)} ·
explicit-state search (bfs)</p>
</header>
<section id="verdicts">
<h2>Verdicts</h2>
{verdict_table(results, anchors)}
</section>
{chr(10).join(sections)}
<footer>Generated by stateline {_e(__version__)}. Counterexamples are shortest; every number
except the seconds is the same on every run.</footer>
</body>
</html>
"""
