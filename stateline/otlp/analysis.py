"""`stateline trace analyze`: a causal report on an imported trace file.

`analyze` returns a JSON-ready dict (schema "stateline.trace-analysis",
version 1); `table` renders the same report for a terminal.  Both list every
span, the causal edges, the concurrent pairs (at most `max_pairs`, with the
total), the anomalies, and the root-cause candidates of the first `max_errors`
ERROR spans (with the total).  Every list whose length could grow with the
square of the number of spans is bounded, so memory stays linear: at most
`LISTED` candidates and causal-past spans per ERROR span (both counted), and a
causal path longer than 2 * `PATH_ENDS` spans keeps its two ends.
"""

from __future__ import annotations

from tabulate import tabulate

from ..printable import printable
from .anomalies import SEVERITY_ORDER, Thresholds, detect
from .causal import build, lamport_clock, vector_clock
from .concurrency import concurrency
from .importer import Imported, Span
from .rootcause import EventGraph

SCHEMA, VERSION = "stateline.trace-analysis", 1
LISTED = 100        # candidates and causal-past spans listed per ERROR span
PATH_ENDS = 10      # spans kept at each end of a longer causal path
STATUS = {0: "unset", 1: "ok", 2: "error"}


def label(s: Span) -> str:
    step = s.attributes.get("stateline.step")
    prefix = f"step {step} " if isinstance(step, int) else ""
    return f"{prefix}{s.service}: {s.name}"


def analyze(imported: Imported, thresholds: Thresholds = Thresholds(),
            max_pairs: int = 100, max_errors: int = 100) -> dict:
    cg = build(imported.spans)
    order = sorted(cg.spans.values(), key=lambda s: (s.trace_id, s.start, s.span_id))
    keys = [s.key for s in order]
    anomalies = detect(cg, thresholds)
    patterns: dict = {}
    rank: dict = {}
    for a in anomalies:
        patterns.setdefault(a.span, []).append(a.pattern)
        rank[a.span] = min(rank.get(a.span, 9), SEVERITY_ORDER[a.severity])
    ref = lambda k: {"trace_id": k[0], "span_id": k[1], "label": label(cg.spans[k])}  # noqa
    errors = [s for s in order if s.status == 2]
    events = EventGraph(cg, rank) if errors else None
    causes = []
    for s in errors[:max_errors]:
        found = events.root_causes(s.key, LISTED)
        causes.append({"error": {**ref(s.key), "status_message": s.status_message},
                       "candidates": [{**ref(k), "patterns": patterns.get(k, []),
                                       "path": _ends([label(cg.spans[p]) for p in path])}
                                      for k, path in found.candidates],
                       "candidate_count": found.candidate_count,
                       "causal_past": [ref(k) for k in found.causal_past],
                       "causal_past_count": found.causal_past_count})
    pairs = concurrency(cg, keys, max_pairs)
    first = {}
    for s in order:
        first.setdefault(s.trace_id, s.start)
    return {
        "schema": SCHEMA, "version": VERSION, "file": imported.path,
        "documents": imported.documents, "warnings": list(imported.warnings),
        "traces": sorted(first),
        "services": sorted({s.service for s in order}),
        "spans": [{
            "trace_id": s.trace_id, "span_id": s.span_id, "parent_span_id": s.parent_id,
            "service": s.service, "name": s.name, "label": label(s),
            "start_offset_ns": s.start - first[s.trace_id], "duration_ns": s.end - s.start,
            "status": STATUS.get(s.status, str(s.status)), "status_message": s.status_message,
            "lamport_clock": lamport_clock(s),
            "vector_clock": vector_clock(s),
        } for s in order],
        "edges": [{"from": {"trace_id": a[0], "span_id": a[1]},
                   "to": {"trace_id": b[0], "span_id": b[1]}, "relation": rel}
                  for a, b, rel in cg.edges()],
        "dangling_links": [{"target": {"trace_id": t[0], "span_id": t[1]},
                            "from": {"trace_id": s[0], "span_id": s[1]}}
                           for t, s in cg.dangling_links],
        "links_left_out_of_happens_before": [
            {"target": {"trace_id": t[0], "span_id": t[1]},
             "from": {"trace_id": s[0], "span_id": s[1]}} for t, s in cg.cyclic_links],
        "concurrent": {
            "count": pairs.count,
            "by_vector_clock": pairs.by_vector_clock,
            "pairs": [{"a": ref(a), "b": ref(b), "by": src} for a, b, src in pairs.pairs],
            "truncated": pairs.count > len(pairs.pairs),
        },
        "anomalies": [{**ref(a.span), "pattern": a.pattern, "severity": a.severity,
                       "description": a.description} for a in anomalies],
        "error_spans": len(errors),
        "root_causes": causes,
    }


def _ends(path: list[str]) -> list[str]:
    if len(path) <= 2 * PATH_ENDS + 1:
        return path
    return [*path[:PATH_ENDS], f"... {len(path) - 2 * PATH_ENDS} more span(s)",
            *path[-PATH_ENDS:]]


def table(report: dict, max_spans: int = 200) -> str:
    """The report as text for a terminal: every string from the file made `printable`."""
    report = _printable(report)
    spans = report["spans"]
    out = [f"{report['file']}: {len(report['traces'])} trace(s), {len(spans)} span(s), "
           f"{len(report['services'])} service(s), {report['documents']} document(s)"]
    rows = []
    for s in spans[:max_spans]:
        vc = s["vector_clock"]
        rows.append([s["span_id"], s["service"], _short(s["name"]),
                     f"{s['start_offset_ns'] / 1e6:.3f}", f"{s['duration_ns'] / 1e6:.3f}",
                     s["status"], "" if s["lamport_clock"] is None else s["lamport_clock"],
                     " ".join(f"{k}={v}" for k, v in vc.items()) if vc else ""])
    out += ["", "spans", tabulate(rows, ["span", "service", "name", "start ms", "ms", "status",
                                         "lamport", "vector clock"], disable_numparse=True)]
    if len(spans) > max_spans:
        out.append(f"... {len(spans) - max_spans} more span(s); --json lists them all")
    kinds: dict[str, int] = {}
    for e in report["edges"]:
        kinds[e["relation"]] = kinds.get(e["relation"], 0) + 1
    out += ["", "causal edges: " + (", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
                                    or "none")]
    if report["dangling_links"]:
        out.append(f"  {len(report['dangling_links'])} link(s) to spans not in the file")
    if report["links_left_out_of_happens_before"]:
        out.append(f"  {len(report['links_left_out_of_happens_before'])} link(s) closing a "
                   "cycle, left out of happens-before")
    c = report["concurrent"]
    out += ["", f"concurrent span pairs: {c['count']} ({c['by_vector_clock']} by vector "
                f"clocks, {c['count'] - c['by_vector_clock']} by the graph)"]
    out += [f"  {p['a']['label']}  ||  {p['b']['label']}" for p in c["pairs"]]
    if c["truncated"]:
        out.append(f"  ... {c['count'] - len(c['pairs'])} more (--max-pairs)")
    out += ["", "anomalies:" + (" none" if not report["anomalies"] else "")]
    if report["anomalies"]:
        out.append(tabulate([[a["severity"], a["pattern"], a["label"], a["description"]]
                             for a in report["anomalies"]],
                            ["severity", "pattern", "span", "description"], disable_numparse=True))
    out += ["", "root causes:" + (" no ERROR span" if not report["root_causes"] else "")]
    for rc in report["root_causes"]:
        e = rc["error"]
        why = f" ({e['status_message']})" if e["status_message"] else ""
        out.append(f"  ERROR {e['label']}{why}")
        for cand in rc["candidates"]:
            out.append(f"    candidate: {cand['label']} [{', '.join(cand['patterns'])}]")
            if len(cand["path"]) > 1:
                out.append("      path: " + " -> ".join(cand["path"]))
        if rc["candidate_count"] > len(rc["candidates"]):
            out.append(f"    ... {rc['candidate_count'] - len(rc['candidates'])} more "
                       "candidate(s); --json lists the first "
                       f"{len(rc['candidates'])}")
        past, total = rc["causal_past"], rc["causal_past_count"]
        shown = ", ".join(p["label"] for p in past[:10]) + (", ..." if total > 10 else "")
        out.append(f"    causal past: {total} span(s)" + (f": {shown}" if past else ""))
    if report["error_spans"] > len(report["root_causes"]):
        out.append(f"  ... {report['error_spans'] - len(report['root_causes'])} more ERROR "
                   "span(s) (--max-errors)")
    for w in report["warnings"]:
        out.append(f"warning: {w}")
    return "\n".join(out)


def _printable(x):
    if isinstance(x, str):
        return printable(x)
    if isinstance(x, dict):
        return {printable(k) if isinstance(k, str) else k: _printable(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_printable(v) for v in x]
    return x


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"
