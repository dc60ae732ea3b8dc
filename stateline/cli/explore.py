"""`stateline explore`: the interactive explorer, a local web application.

Also the opening of a session that `stateline repl` shares: the spec, its check
block (`--check`), `-D` overrides and a saved trace to follow (`--trace`).
"""

from __future__ import annotations

import socket

from ..diagnostics import SpecError
from ..lang.load import LoadError
from .codes import EXIT_INVALID, EXIT_OK
from .console import Console, report_errors


def add_session_arguments(p) -> None:
    p.add_argument("spec", metavar="SPEC")
    p.add_argument("--check", metavar="NAME",
                   help="the check block whose instance to explore (default: the first)")
    p.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME=VALUE",
                   help="override a constant (repeatable)")
    p.add_argument("--trace", metavar="RESULT.json|TRACE.itf.json",
                   help="open on a saved counterexample (a `check --json` document or an ITF "
                        "trace) to step through")
    p.add_argument("--property", metavar="NAME",
                   help="with --trace: the counterexample of this property (default: the "
                        "first in the file)")


def add_parser(sub) -> None:
    p = sub.add_parser("explore", help="explore a spec's states in the browser",
                       description="Serve a local web page that shows a state of a check "
                                   "block's instance, its enabled steps as buttons, the path "
                                   "taken so far as a message-sequence diagram, the "
                                   "invariants in the current state and the check's "
                                   "counterexamples.")
    add_session_arguments(p)
    p.add_argument("--host", default="127.0.0.1",
                   help="address to serve on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8040,
                   help="port to serve on (default 8040; 0: any free port)")
    p.set_defaults(run=run)


def open_session(args, console: Console):
    """The session the arguments describe, or None (errors reported)."""
    from ..explore.session import Session, SessionError
    from ..otlp.document import DocumentError, load

    doc = trace = None
    check = args.check
    if args.trace:
        try:
            doc = load(args.trace)
        except DocumentError as exc:
            console.error(f"stateline: error[SL701]: {exc}")
            return None
        trace, saved_check = _saved_trace(doc, args.property, check)
        if trace is None:
            which = f" of property '{args.property}'" if args.property else ""
            console.error(f"stateline: error[SL701]: {args.trace}: no counterexample{which} "
                          "with a trace in this file")
            return None
        check = check or saved_check
    try:
        session = Session.open(args.spec, check, tuple(args.defines))
    except LoadError as exc:
        report_errors(console, exc, exc.sources)
        return None
    except SpecError as exc:
        report_errors(console, exc, {})
        return None
    except SessionError as exc:
        console.error(f"stateline: error[SL504]: {exc}")
        return None
    if trace is not None:
        try:
            session.replay(trace)
        except SessionError as exc:
            console.error(f"stateline: error[SL701]: {args.trace}: {exc}")
            return None
    return session


def _saved_trace(doc: dict, prop: str | None, check: str | None):
    """(trace, check name) of the first counterexample in a document that fits."""
    for result in doc.get("results", []):
        if check is not None and result.get("check") != check and result.get("engine") != "itf":
            continue
        for p in result.get("properties", []):
            if p.get("trace") is not None and (prop is None or p.get("name") == prop):
                return p["trace"], (result.get("check") if result.get("engine") != "itf"
                                    else None)
        error = result.get("error")
        if prop in (None, "error") and error and error.get("trace") is not None:
            return error["trace"], result.get("check")
    return None, None


def run(args, console: Console) -> int:
    session = open_session(args, console)
    if session is None:
        return EXIT_INVALID
    import uvicorn

    from ..explore.app import create_app

    try:
        sock = socket.create_server((args.host, args.port))
    except OSError as exc:
        console.error(f"stateline: error[SL504]: --port {args.port}: cannot listen on "
                      f"{args.host}:{args.port}: {exc.strerror}")
        return EXIT_INVALID
    host, port = sock.getsockname()[:2]
    console.print(f"searching {session.path}, check {session.check.name} for counterexamples")
    found = session.violated()
    console.print(f"  {len(found)} propert{'y' if len(found) == 1 else 'ies'} with a "
                  "counterexample" + "".join(f"\n  {p}: {n} steps" for p, _, _, n in found))
    shown = f"[{host}]" if ":" in host else host
    console.print(f"stateline explore: http://{shown}:{port}/  (Ctrl-C stops)")
    hosts = sorted({host, shown, "localhost", "127.0.0.1"} if host in ("127.0.0.1", "::1")
                   else {host, shown})
    config = uvicorn.Config(create_app(session, hosts), log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return EXIT_OK
