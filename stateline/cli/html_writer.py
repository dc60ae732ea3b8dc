"""`--html FILE`: the results as one self-contained HTML page with sequence diagrams."""

from __future__ import annotations

from ..render import html


def add_arguments(parser) -> None:
    parser.add_argument("--html", metavar="FILE",
                        help="write an HTML report (verdicts, sequence diagrams, step tables)")


def write(results, exit_code: int, args, console) -> bool:
    if not args.html:
        return True
    return write_file(args.html, html.document(results, exit_code), console)


def write_file(path: str, text: str, console) -> bool:
    """Write `text` to `path`; on failure say why (SL504) and return False."""
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as exc:
        console.error(f"stateline: error[SL504]: cannot write '{path}': {exc.strerror}")
        return False
    return True
