"""`stateline lsp`: the language server for editors, on stdin and stdout."""

from __future__ import annotations

from .codes import EXIT_OK
from .console import Console


def add_parser(sub) -> None:
    p = sub.add_parser("lsp", help="run the language server (LSP over stdin/stdout)",
                       description="Serve the Language Server Protocol on stdin and stdout "
                                   "for an editor: diagnostics as you type, hover, go to "
                                   "definition, references, completion, outline, formatting, "
                                   "and check/prove code lenses above each check block.")
    p.add_argument("--stdio", action="store_true",
                   help="accepted for editors that pass it (stdio is the only transport)")
    p.set_defaults(run=run)


def run(args, console: Console) -> int:
    from ..lsp.server import serve      # imported here: the other commands do not need pygls

    serve()
    return EXIT_OK
