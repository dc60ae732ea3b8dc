"""The VS Code extension in editors/vscode starts the language server.

VS Code is not available here, so the extension's own code (`extension.js`)
runs under node with the two modules it imports replaced by recorders: the
test reads which command it would start and with which options, then starts
exactly that command (the `stateline` of this install) and talks to it through
the protocol.  node is Debian's (`.ci/run` installs `npm`, which brings it);
the test skips without node only outside CI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lsp_client import LspClient

ROOT = Path(__file__).resolve().parent.parent
EXT = ROOT / "editors" / "vscode"
MANIFEST = json.loads((EXT / "package.json").read_text(encoding="utf-8"))
NODE = shutil.which("node")

HARNESS = r"""
const Module = require("module");
const seen = {};
const settings = JSON.parse(process.argv[2]);
const fakes = {
  "vscode": { workspace: { getConfiguration: (section) => ({
      get: (key, fallback) => (section + "." + key) in settings ? settings[section + "." + key]
                                                                 : fallback }) } },
  "vscode-languageclient/node": {
    TransportKind: { stdio: 0, ipc: 1, pipe: 2, socket: 3 },
    LanguageClient: class {
      constructor(id, name, server, client) { Object.assign(seen, { id, name, server, client }); }
      start() { seen.started = true; return Promise.resolve(); }
      stop() { seen.stopped = true; return Promise.resolve(); }
      dispose() {}
    },
  },
};
const load = Module._load;
Module._load = function (request, parent, isMain) {
  return request in fakes ? fakes[request] : load.apply(this, arguments);
};
const ext = require(process.argv[1]);
const context = { subscriptions: [] };
ext.activate(context).then(() => {
  seen.subscriptions = context.subscriptions.length;
  return ext.deactivate();
}).then(() => console.log(JSON.stringify(seen)));
"""

needs_node = pytest.mark.skipif(NODE is None and not os.environ.get("CI"),
                                reason="node is not installed (.ci/run installs npm)")


def activate(settings: dict) -> dict:
    out = subprocess.run([NODE or "node", "-e", HARNESS, "--", str(EXT / MANIFEST["main"]),
                          json.dumps(settings)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_manifest_activates_on_stateline_documents():
    assert MANIFEST["main"] == "./extension.js"
    assert MANIFEST["activationEvents"] == ["onLanguage:stateline"]
    assert "vscode-languageclient" in MANIFEST["dependencies"]
    props = MANIFEST["contributes"]["configuration"]["properties"]
    assert props["stateline.server.command"]["default"] == "stateline"
    assert props["stateline.server.args"]["default"] == ["lsp"]
    (lang,) = MANIFEST["contributes"]["languages"]
    assert lang["id"] == "stateline" and lang["extensions"] == [".sl"]


@needs_node
def test_the_extension_starts_stateline_lsp_on_stdio():
    seen = activate({})
    assert seen["id"] == "stateline" and seen["started"] and seen["stopped"]
    assert seen["subscriptions"] == 1
    assert seen["server"] == {"command": "stateline", "args": ["lsp"], "transport": 0}
    assert seen["client"]["documentSelector"] == [
        {"scheme": "file", "language": "stateline"},
        {"scheme": "untitled", "language": "stateline"}]
    assert seen["client"]["initializationOptions"] == {"maxSeconds": None}
    # what the user sets is what starts
    seen = activate({"stateline.server.command": "/opt/venv/bin/stateline",
                     "stateline.maxSeconds": 30})
    assert seen["server"]["command"] == "/opt/venv/bin/stateline"
    assert seen["client"]["initializationOptions"] == {"maxSeconds": 30}


@needs_node
def test_the_command_the_extension_starts_is_the_language_server(tmp_path):
    server = activate({})["server"]
    # the `stateline` of this install (the virtual environment's, if not on PATH)
    exe = shutil.which(server["command"]) or str(Path(sys.executable).parent /
                                                 server["command"])
    spec = tmp_path / "s.sl"
    text = "spec S\nvar x: 0..1 = 0\naction a:\n    x := y\n"
    with LspClient(command=[exe, *server["args"]], options={"maxSeconds": None}) as client:
        assert client.capabilities["hoverProvider"]
        got = client.open(spec.as_uri(), text)["diagnostics"]
    assert [(d["code"], d["range"]["start"]) for d in got] == \
        [("SL201", {"line": 3, "character": 9})]


def test_the_editor_docs_show_the_setup_and_the_picture():
    doc = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")
    assert "![" in doc and "(images/editor-lsp.png)" in doc
    assert (ROOT / "docs" / "images" / "editor-lsp.png").read_bytes()[:8] == \
        b"\x89PNG\r\n\x1a\n"
    for setting in MANIFEST["contributes"]["configuration"]["properties"]:
        assert f"`{setting}`" in doc, setting
    assert "python tests/editor_screenshot.py docs/images/editor-lsp.png" in doc
