"""A small Language Server Protocol client for the tests: raw JSON-RPC over stdio.

It starts `python -m stateline lsp` as a child process, frames messages with
`Content-Length` headers as the protocol says, answers nothing the server asks
(it declares no client capabilities that would make the server ask), and keeps
every notification the server sends so tests can wait for one.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class LspClient:
    def __init__(self, timeout: float = 60.0, options: dict | None = None,
                 command: list[str] | None = None):
        self.command = command or [sys.executable, "-m", "stateline", "lsp"]
        self.timeout = timeout
        self.options = options
        self._id = 0
        self._replies: dict[int, dict] = {}
        self._notes: "queue.Queue[dict]" = queue.Queue()
        self._cond = threading.Condition()
        self.notifications: list[dict] = []

    def __enter__(self) -> "LspClient":
        self.proc = subprocess.Popen(self.command, cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()
        self.capabilities = self.request("initialize", {
            "processId": None, "rootUri": ROOT.as_uri(), "capabilities": {},
            "initializationOptions": self.options})["capabilities"]
        self.notify("initialized", {})
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:           # the server is gone or stuck: it is killed below
            self.proc.kill()
            self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()
        self.stderr = self.proc.stderr.read().decode("utf-8", "replace")
        self.proc.stderr.close()

    # ---- framing ------------------------------------------------------------------

    def _send(self, message: dict) -> None:
        body = json.dumps(message).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def _read_loop(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            message = json.loads(out.read(length))
            if "id" in message and "method" not in message:
                with self._cond:
                    self._replies[message["id"]] = message
                    self._cond.notify_all()
            elif "id" in message:           # a request from the server: answer null
                self._send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            else:
                self._notes.put(message)

    # ---- the protocol -------------------------------------------------------------

    def request(self, method: str, params) -> object:
        self._id += 1
        rid = self._id
        self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        deadline = time.monotonic() + self.timeout
        with self._cond:
            while rid not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no reply to {method}")
                self._cond.wait(left)
            reply = self._replies.pop(rid)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result")

    def notify(self, method: str, params) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait(self, method: str, match=lambda params: True) -> dict:
        """The next notification `method` whose params satisfy `match`."""
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {method} notification")
            note = self._notes.get(timeout=left)
            self.notifications.append(note)
            if note.get("method") == method and match(note.get("params")):
                return note["params"]

    # ---- helpers ------------------------------------------------------------------

    def open(self, uri: str, text: str, version: int = 1) -> dict:
        """Open a document; the diagnostics published for it."""
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "stateline", "version": version, "text": text}})
        return self.wait("textDocument/publishDiagnostics", lambda p: p["uri"] == uri)

    def change(self, uri: str, text: str, version: int) -> dict:
        self.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"text": text}]})
        return self.wait("textDocument/publishDiagnostics", lambda p: p["uri"] == uri)

    def at(self, method: str, uri: str, line: int, character: int, **extra):
        return self.request(method, {"textDocument": {"uri": uri},
                                     "position": {"line": line, "character": character},
                                     **extra})
