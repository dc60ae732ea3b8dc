"""The Stateline language server (`stateline lsp`): pygls over stdio.

Every buffer is analysed on open, change and save (`analysis.analyse`, the
front end of `stateline parse`) and its diagnostics published.  Hover,
definition, references, completion, document symbols and formatting answer from
the latest analysis; the code lenses "check" and "prove" above each check block
run the commands `stateline.check` / `stateline.prove` (arguments: the
document's URI and the check block's name), which publish their verdicts as
diagnostics at the properties until the buffer changes, and return a summary.

Initialization option `maxSeconds` (a number) bounds each code-lens run.
"""

from __future__ import annotations

import threading

from lsprotocol import types as T
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .. import __version__
from . import features
from .analysis import Analysis, analyse
from .runs import ENGINES, run


class StatelineServer(LanguageServer):
    def __init__(self):
        super().__init__("stateline", __version__,
                         text_document_sync_kind=T.TextDocumentSyncKind.Full)
        self.analyses: dict[str, Analysis] = {}
        self.run_diagnostics: dict[str, list[T.Diagnostic]] = {}
        self.max_seconds: float | None = None
        self.lock = threading.Lock()

    def analysis(self, uri: str) -> Analysis:
        with self.lock:
            found = self.analyses.get(uri)
        if found is None:
            found = self.refresh(uri)
        return found

    def refresh(self, uri: str) -> Analysis:
        doc = self.workspace.get_text_document(uri)
        path = to_fs_path(uri) or uri
        new = analyse(doc.source, path)
        with self.lock:
            old = self.analyses.get(uri)
            if new.index is None and old is not None and old.index is not None:
                new.index = old.index          # completion keeps the last good names
                new.spec = None
            self.analyses[uri] = new
        return new

    def publish(self, uri: str) -> None:
        a = self.analysis(uri)
        diags = features.diagnostics(a, uri) + self.run_diagnostics.get(uri, [])
        self.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=uri,
                                                                         diagnostics=diags))


server = StatelineServer()


@server.feature(T.INITIALIZE)
def initialize(ls: StatelineServer, params: T.InitializeParams) -> None:
    options = params.initialization_options
    if isinstance(options, dict) and isinstance(options.get("maxSeconds"), (int, float)) \
            and not isinstance(options.get("maxSeconds"), bool) and options["maxSeconds"] > 0:
        ls.max_seconds = float(options["maxSeconds"])


@server.feature(T.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: StatelineServer, params: T.DidOpenTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.refresh(uri)
    ls.publish(uri)


@server.feature(T.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: StatelineServer, params: T.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.run_diagnostics.pop(uri, None)          # verdicts of an older text
    ls.refresh(uri)
    ls.publish(uri)


@server.feature(T.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: StatelineServer, params: T.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.refresh(uri)
    ls.publish(uri)


@server.feature(T.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: StatelineServer, params: T.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    with ls.lock:
        ls.analyses.pop(uri, None)
    ls.run_diagnostics.pop(uri, None)
    ls.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(T.TEXT_DOCUMENT_HOVER)
def hover(ls: StatelineServer, params: T.HoverParams):
    return features.hover(ls.analysis(params.text_document.uri), params.position)


@server.feature(T.TEXT_DOCUMENT_DEFINITION)
def definition(ls: StatelineServer, params: T.DefinitionParams):
    uri = params.text_document.uri
    return features.definition(ls.analysis(uri), uri, params.position)


@server.feature(T.TEXT_DOCUMENT_REFERENCES)
def references(ls: StatelineServer, params: T.ReferenceParams):
    uri = params.text_document.uri
    return features.references(ls.analysis(uri), uri, params.position,
                               params.context.include_declaration)


@server.feature(T.TEXT_DOCUMENT_COMPLETION, T.CompletionOptions(trigger_characters=["."]))
def completion(ls: StatelineServer, params: T.CompletionParams):
    return features.completion(ls.analysis(params.text_document.uri), params.position)


@server.feature(T.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbol(ls: StatelineServer, params: T.DocumentSymbolParams):
    return features.document_symbols(ls.analysis(params.text_document.uri))


@server.feature(T.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: StatelineServer, params: T.DocumentFormattingParams):
    return features.formatting(ls.analysis(params.text_document.uri))


@server.feature(T.TEXT_DOCUMENT_CODE_LENS)
def code_lens(ls: StatelineServer, params: T.CodeLensParams):
    uri = params.text_document.uri
    return features.code_lenses(ls.analysis(uri), uri)


def _command(engine: str):
    @server.thread()
    @server.command(f"stateline.{engine}")
    def execute(ls: StatelineServer, *args):
        uri, check = (list(args) + [None, None])[:2]
        if not isinstance(uri, str) or not isinstance(check, str):
            return {"summary": f"stateline.{engine} expects [uri, check block name]",
                    "met": False}
        outcome = run(ls.analysis(uri), check, engine, ls.max_seconds)
        ls.run_diagnostics[uri] = outcome.diagnostics
        ls.publish(uri)
        kind = {True: T.MessageType.Info, None: T.MessageType.Warning}.get(
            outcome.met, T.MessageType.Error)
        ls.window_show_message(T.ShowMessageParams(type=kind, message=outcome.summary))
        return {"summary": outcome.summary, "met": outcome.met}
    return execute


for _engine in ENGINES:
    _command(_engine)


def serve() -> None:
    """Serve one client over stdin/stdout until it exits."""
    server.start_io()
