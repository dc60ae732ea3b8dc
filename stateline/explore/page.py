"""The explorer's page: one server-rendered HTML document per view of a `Session`.

Every control is a plain link or a form that POSTs to the app (no client-side
state), so the back/forward of the path, the enabled steps and the jumps work
the same when clicked by a person, a test driving Chromium, or `curl`.  The
message-sequence diagram of the path is `render.sequence` (the HTML report's
renderer); its step boxes link to the full state at that step.
"""

from __future__ import annotations

from html import escape

from .. import __version__
from ..checker.run import describe_constants
from ..models.history_note import history_note
from ..printable import printable
from ..render.sequence import sequence_svg
from .session import Session

CSS = """
:root{color-scheme:light}
body{font-family:"DejaVu Sans",-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;
  font-size:14px;color:#1f2328;background:#fff;margin:0;padding:12px 20px}
h1{font-size:20px;margin:4px 0 2px}
h2{font-size:15px;margin:14px 0 6px;border-bottom:1px solid #d0d7de;padding-bottom:3px}
code,.mono{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
.meta{color:#57606a;margin:2px 0 8px}
.layout{display:grid;grid-template-columns:minmax(300px,380px) minmax(0,1fr);gap:20px}
form{display:inline}
button{font:inherit;font-size:13px;cursor:pointer;border:1px solid #8c959f;border-radius:5px;
  background:#f6f8fa;padding:3px 9px;margin:2px 2px 2px 0}
button:hover{background:#eaeef2}
button:disabled{cursor:default;color:#8c959f}
button.step{font-family:"DejaVu Sans Mono",Menlo,monospace;font-size:12px;text-align:left}
button.jump{border-color:#cf222e;color:#cf222e}
.node{margin:4px 0 8px}
.node .who{font-weight:600;font-size:13px;margin-bottom:2px}
table{border-collapse:collapse}
td,th{border:1px solid #d0d7de;padding:2px 7px;text-align:left;vertical-align:top}
th{background:#f6f8fa}
table.props td.mark{font-weight:600}
tr.holds td.mark{color:#1a7f37}
tr.fails td{background:#ffebe9}
tr.fails td.mark{color:#cf222e}
.cards{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-start}
.card{border:1px solid #d0d7de;border-radius:6px;padding:6px 10px;min-width:170px}
.card h3{font-size:13px;margin:0 0 4px}
.card.down{background:#f3f4f6;color:#57606a}
.card.down h3::after{content:" (crashed)";color:#cf222e;font-weight:400}
.card table td{border:none;padding:1px 6px 1px 0}
.card td.changed{background:#fff8c5}
.card ul{margin:0;padding-left:18px}
.notice{border:2px solid #9a6700;background:#fff8c5;padding:10px 14px;border-radius:6px}
.viewing{background:#ddf4ff;border:1px solid #54aeff;padding:4px 10px;border-radius:6px}
figure{margin:6px 0;overflow-x:auto;border:1px solid #d0d7de;padding:6px}
.none{color:#57606a;font-style:italic}
.why{color:#cf222e;font-size:12.5px}
"""


def _e(text) -> str:
    return escape(printable(str(text), "\n\t"))


def _button(action: str, label: str, cls: str = "", title: str = "", enabled: bool = True,
            data: str = "") -> str:
    attrs = f' class="{cls}"' if cls else ""
    attrs += f' title="{_e(title)}"' if title else ""
    attrs += "" if enabled else " disabled"
    attrs += f' data-title="{_e(data)}"' if data else ""
    return f'<form method="post" action="{action}"><button{attrs}>{_e(label)}</button></form>'


def _cards(session: Session, state: tuple, changed: set[str]) -> str:
    """The state as cards: one per process instance, one for the global variables, the
    network's messages one per line, each recorded history's events."""
    model, system = session.model, session.system
    groups: dict[str, list] = {}
    network = histories = ""
    for slot in system.slots:
        value = state[slot.index]
        if system.network is not None and slot.index == system.network.slot:
            items = model.network_items(value)
            network = _list_card("network", items, "no message in transit")
            continue
        if model.is_history(slot.index):
            histories += _list_card(f"history {slot.name}",
                                    model.history_events(slot.index, value), "no event yet")
            continue
        if slot.var is not None and slot.var.process is not None:
            owner = slot.name.rsplit(".", 1)[0]
            name = slot.var.name
        else:
            owner = "global"
            name = slot.name
        groups.setdefault(owner, []).append((slot.name, name, model.show_slot(slot.index,
                                                                               value)))
    out = []
    for owner, rows in groups.items():
        down = any(name == "up" and shown == "false" for _, name, shown in rows)
        body = "".join(f'<tr><td><code>{_e(name)}</code></td><td class="mono'
                       f'{" changed" if full in changed else ""}">{_e(shown)}</td></tr>'
                       for full, name, shown in rows)
        out.append(f'<div class="card{" down" if down else ""}" data-node="{_e(owner)}">'
                   f"<h3>{_e(owner)}</h3><table>{body}</table></div>")
    return '<div class="cards">' + "".join(out) + network + histories + "</div>"


def _list_card(title: str, items: list[str], empty: str) -> str:
    body = "<ul>" + "".join(f'<li class="mono">{_e(i)}</li>' for i in items) + "</ul>" \
        if items else f'<p class="none">{_e(empty)}</p>'
    return f'<div class="card list" data-title="{_e(title)}"><h3>{_e(title)}</h3>{body}</div>'


def _enabled(session: Session) -> str:
    options = session.enabled()
    if not options:
        return '<p class="none">no step is enabled in this state</p>'
    by_node: dict[str, list] = {}
    for o in options:
        by_node.setdefault(o.step.node, []).append(o)
    out = []
    for node, opts in by_node.items():
        buttons = []
        for o in opts:
            title = o.step.title()
            label = title[len(node) + 1:] if title.startswith(node + ".") else title
            if o.step.received is not None:
                label += f" ← {o.step.received.shown}"
                title += f" ← {o.step.received.shown}"
            stutter = " (changes nothing)" if o.state == session.current else ""
            buttons.append(_button(f"/take/{o.index}", label + stutter, "step", data=title))
        out.append(f'<div class="node"><div class="who">{_e(node)}</div>{"".join(buttons)}</div>')
    return "".join(out)


def explanation(session: Session, name: str, state: tuple) -> str:
    """Why the invariant `name` is false in `state` when it judges a recorded history
    (`linearizable(H)`...): the history checker's explanation, as `check` prints it."""
    system = session.system
    if not system.histories:
        return ""
    prop = next((p for p in system.invariants if p.name == name), None)
    return history_note(system, prop, state) if prop is not None else ""


def _properties(session: Session, at: int) -> str:
    rows = []
    for p in session.properties(at):
        if p.holds is None:
            mark, cls = (p.error and "error") or "n/a", ""
        else:
            mark, cls = ("holds", "holds") if p.holds else ("violated", "fails")
        note = f"<br><span class=\"meta\">{_e(p.error)}</span>" if p.error else ""
        if p.holds is False and p.kind == "invariant":
            why = explanation(session, p.name, session.states[at])
            note += "".join(f'<br><span class="why">{_e(line)}</span>'
                            for line in why.splitlines())
        rows.append(f'<tr class="{cls}" data-prop="{_e(p.name)}"><td>{_e(p.name)}{note}</td>'
                    f'<td>{_e(p.kind)}</td><td class="mark">{mark}</td></tr>')
    return ('<table class="props"><thead><tr><th>property</th><th>kind</th><th>here</th></tr>'
            "</thead><tbody>" + "".join(rows) + "</tbody></table>")


def _jumps(session: Session) -> str:
    found = session.violated()
    if not found:
        return '<p class="none">every property of this check holds: no counterexample</p>'
    out = []
    for prop, kind, expected, n in found:
        note = "expected" if expected == "violated" else "unexpected"
        out.append(_button(f"/jump/{prop}", f"{prop}: shortest counterexample ({n} steps, "
                                           f"{note})", "jump", data=prop))
    return "<div>" + "<br>".join(out) + "</div>"


def page(session: Session, at: int | None = None, message: str = "") -> str:
    """The explorer's page for the session's path; `at`: show the state after that step
    (the path is unchanged)."""
    trace = session.trace()
    depth = session.depth
    view = depth if at is None or not 0 <= at <= depth else at
    state = session.states[view]
    changed = {c.variable for c in trace.steps[view - 1].changes} if view else set()
    failing = [p for p in session.properties()          # in the path's last state
               if p.holds is False and p.kind in ("invariant", "transition")]
    kind = "invariant" if failing else "path"
    note = "\n".join(explanation(session, p.name, session.current) for p in failing
                     if p.kind == "invariant")
    svg = sequence_svg(trace, kind, "the path so far", "path", step_href="/?at={n}",
                       note=note) \
        if trace.steps else '<p class="none">no step yet: take one of the enabled steps</p>'
    s = session.system
    consts = ", ".join(f"{k} = {v}" for k, v in describe_constants(s))
    nav = (_button("/back", "◀ back", enabled=depth > 0) +
           _button("/forward", "forward ▶", enabled=bool(session.redo)) +
           _button("/restart", "restart", enabled=depth > 0 or bool(session.redo)))
    if len(session.initials) > 1:
        nav += " initial state: " + "".join(
            _button(f"/initial/{k}", str(k + 1)) for k in range(len(session.initials)))
    viewing = ""
    if view != depth:
        viewing = (f'<p class="viewing">the state after step {view} of {depth} '
                   f'(<a href="/">back to the current state</a>)</p>')
    loop = ""
    if session.loop_start is not None:
        loop = (f'<p class="meta">a lasso: from the state after step {session.loop_start} the '
                "steps repeat forever</p>")
    msg = f'<p class="notice">{_e(message)}</p>' if message else ""
    steps_side = _enabled(session) if view == depth else \
        '<p class="none">(go back to the current state to take a step)</p>'
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="generator" content="stateline {_e(__version__)}">
<title>{_e(s.name)} · {_e(session.check.name)} · step {depth} · stateline explore</title>
<style>{CSS}</style>
</head>
<body>
<h1>{_e(s.name)} <span class="meta">· check {_e(session.check.name)}</span></h1>
<p class="meta"><code>{_e(session.path)}</code> · {_e(consts or "no constants")}</p>
{msg}
<div class="layout">
<div class="side">
<h2>Path <span class="meta" id="depth" data-depth="{depth}">{depth} step{'s' if depth != 1 else ''}</span></h2>
<div class="nav">{nav}</div>
{loop}
<h2>Enabled steps</h2>
<div id="enabled">{steps_side}</div>
<h2>Properties in this state</h2>
{_properties(session, view)}
<h2>Counterexamples of the check</h2>
{_jumps(session)}
</div>
<div class="main">
{viewing}
<h2>State {"after step " + str(view) if view else "(initial)"}</h2>
<div id="state" data-step="{view}">{_cards(session, state, changed)}</div>
<h2>Message sequence</h2>
<figure>{svg}</figure>
</div>
</div>
</body>
</html>
"""


def stale_page(session: Session, error: str = "") -> str:
    """What the explorer shows instead of a state once the spec's file has changed."""
    detail = f"<pre>{_e(error)}</pre>" if error else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>spec changed · stateline explore</title>
<style>{CSS}</style></head>
<body>
<div class="notice" id="stale"><p><b>{_e(session.path)} has changed on disk.</b> The states
this page showed were computed from the old text; reload to compile the spec again (the path
is followed as far as it still replays).</p>
{_button("/reload", "reload the spec")}
{detail}</div>
</body></html>
"""
