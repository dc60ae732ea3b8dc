"""Check results as Markdown for CI: a verdict table and Mermaid sequence diagrams.

`document(results, exit_code)` is what `stateline check --markdown FILE` writes:
a summary line, a table of every check block x property (GitHub-flavoured
Markdown), and for each counterexample (and each run-time error with a trace) a
Mermaid `sequenceDiagram` followed by the step list in a collapsed block.
GitHub renders Mermaid in job summaries (`$GITHUB_STEP_SUMMARY`), pull-request
comments and Markdown files.

The diagram draws from the same trace model as the HTML report's SVG
(`sequence.diagram`): one participant per lane (the nodes that act), a note
over the acting lane for each step, an arrow from the sending lane to the
receiving lane at each receive, a note for each message no step receives, and
a `loop` block around the steps of a liveness lasso that repeat.  Text in
diagrams is escaped with Mermaid's entity codes (`#59;` for `;`, ...), so a
value can never end a statement or open HTML.  A diagram longer than Mermaid's
default limit of 50,000 characters is left out (the step list stays).

The output is deterministic but for the seconds column.
"""

from __future__ import annotations

from ..models.trace import Trace
from ..models.verdict import CheckResult, Status
from . import text
from .sequence import diagram, is_cut

MAX_DIAGRAM = 48_000      # Mermaid's default maxTextSize is 50,000 characters
HEADER = ["spec", "check", "property", "expected", "result", "", "states", "depth",
          "seconds"]
_MARK = {"ok": "✅ ok", "FAIL": "❌ FAIL", "?": "❔"}
_ENTITIES = {"#": "#35;", ";": "#59;", "<": "#lt;", ">": "#gt;", "&": "#amp;", '"': "#quot;",
             "%": "#37;", "\n": " ", "\r": " ", "\t": " "}


def mermaid_text(s: str) -> str:
    """Text for a Mermaid message, note or alias: entity codes for what is syntax."""
    out = "".join(_ENTITIES.get(ch, ch) if ch in _ENTITIES or ch.isprintable() else " "
                  for ch in s)
    return out.strip() or " "


def _cell(s: str) -> str:
    """Text for a Markdown table cell."""
    return "".join(" " if not ch.isprintable() else ch for ch in s).replace("|", "\\|")


def sequence_diagram(trace: Trace, closing: str) -> str:
    """A Mermaid `sequenceDiagram` of a trace (lanes = nodes, arrows = send -> receive)."""
    model = diagram(trace)
    ids = {lane: f"p{i}" for i, lane in enumerate(model.lanes)}
    lines = ["sequenceDiagram"]
    for lane, pid in ids.items():
        lines.append(f"    participant {pid} as {mermaid_text(lane)}")
    if any(a.sender is None for a in model.arrows):
        lines.append("    participant net as (in the network)")
    arrows = {}
    for a in model.arrows:
        arrows.setdefault(a.receiver, []).append(a)
    pending = dict(model.pending)
    loop = trace.loop_start
    indent = "    "
    for i, step in enumerate(trace.steps):
        if loop is not None and i == loop:
            lines.append("    loop repeats forever")
            indent = "        "
        if is_cut(step):        # a partition or a heal: across every lane, not a lane's
            across = ",".join(dict.fromkeys([ids[model.lanes[0]], ids[model.lanes[-1]]])) \
                if model.lanes else "net"
            lines.append(f"{indent}Note over {across}: {step.number}. "
                         f"{mermaid_text(step.title())}")
            continue
        lane = ids[step.node]
        for a in arrows.get(i, ()):
            source = "net" if a.sender is None else ids[trace.steps[a.sender].node]
            lines.append(f"{indent}{source}->>{lane}: {mermaid_text(a.message.shown)}")
        label = step.title().split(".", 1)[1] if step.title().startswith(step.node + ".") \
            else step.title()
        lines.append(f"{indent}Note over {lane}: {step.number}. {mermaid_text(label)}")
        for m in pending.get(i, ()):
            to = f" to {m.to}" if m.to else ""
            lines.append(f"{indent}Note right of {lane}: sent {mermaid_text(m.shown + to)}, "
                         "never received")
    if loop is not None and loop < len(trace.steps):
        lines.append("    end")
    first, last = (ids[model.lanes[0]], ids[model.lanes[-1]]) if model.lanes else ("", "")
    if first:
        over = first if first == last else f"{first},{last}"
        if loop is not None and loop == len(trace.steps):
            lines.append(f"    Note over {over}: from here the behaviour stutters forever")
        lines.append(f"    Note over {over}: {mermaid_text(closing)}")
    return "\n".join(lines)


def table(results: list[CheckResult]) -> str:
    rows = ["| " + " | ".join(HEADER) + " |",
            "|" + "|".join("---:" if h in ("states", "depth", "seconds") else "---"
                           for h in HEADER) + "|"]
    for r in results:
        stats = [f"{r.stats.states:,}", str(r.stats.depth), f"{r.stats.seconds:.2f}"]
        for v in r.verdicts:
            rows.append("| " + " | ".join(
                [_cell(r.path), _cell(r.check), _cell(v.prop), v.expected,
                 _cell(text.result_text(v, r.stop)), _MARK[text.mark(v)]] + stats) + " |")
        if r.failure is not None:
            rows.append("| " + " | ".join([_cell(r.path), _cell(r.check), "(model error)", "-",
                                           "error", _MARK["FAIL"]] + stats) + " |")
    return "\n".join(rows)


def _section(k: int, heading: str, trace: Trace, closing: str, lead: str,
             trace_lines: str) -> str:
    chart = sequence_diagram(trace, closing)
    if not trace.steps:
        figure = f"_No step is taken (the behaviour stays in its initial state): {closing}._\n"
    elif len(chart) > MAX_DIAGRAM:
        figure = (f"_The sequence diagram ({len(trace)} steps) is longer than Mermaid "
                  "draws; the steps are below._\n")
    else:
        figure = f"```mermaid\n{chart}\n```\n"
    return (f"### {k}. {_cell(heading)}\n\n{lead}\n\n{figure}\n"
            f"<details><summary>Steps ({len(trace)})</summary>\n\n"
            f"```text\n{trace_lines}\n```\n\n</details>\n")


def document(results: list[CheckResult], exit_code: int) -> str:
    sections = []
    k = 0
    for r in results:
        for v in r.verdicts:
            if v.status is not Status.VIOLATED or v.trace is None:
                continue
            k += 1
            met = {True: "as expected", False: "**expectation FAILED**", None: "?"}[v.met]
            lead = (f"`{_cell(r.path)}` · check `{_cell(r.check)}` · {v.kind} property · "
                    f"expected {v.expected} · {met} · {_cell(text.result_text(v, r.stop))}")
            body = text.counterexample(r, v).split("\n", 1)[1]
            sections.append(_section(k, f"{r.spec} · {r.check} · {v.prop} violated", v.trace,
                                     closing_line(v), lead, body))
        if r.failure is not None and r.failure.trace is not None:
            k += 1
            d = r.failure.diagnostic
            where = f"{d.span}: " if d.span else ""
            lead = f"**{_cell(where)}error[{d.code}]: {_cell(d.message)}**"
            step = any("step" in note for note in d.notes)
            closing = ("the error occurs in the next step from here" if step
                       else "the error occurs in this state")
            body = text.trace_text(r.failure.trace, "x " + closing)
            sections.append(_section(k, f"{r.spec} · {r.check} · run-time error",
                                     r.failure.trace, closing, lead, body))
    head = (f"## Stateline: {text.summary(results)}\n\n"
            f"Exit code {exit_code}.\n\n{table(results)}\n")
    if sections:
        head += f"\n{k} counterexample{'s' if k != 1 else ''}:\n\n" + "\n".join(sections)
    return head


def closing_line(v) -> str:
    if v.kind == "temporal":
        return f"{v.prop} fails on this infinite behaviour"
    if v.kind == "deadlock":
        return "no action is enabled in the last state (deadlock)"
    if v.kind == "transition":
        return f"the last step violates the transition invariant {v.prop}"
    return f"{v.prop} does not hold in the last state"
