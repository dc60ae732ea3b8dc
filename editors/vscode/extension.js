// The Stateline extension: starts `stateline lsp` (the language server of the
// Python package) on stdio and hands it the Stateline documents.  Every feature
// (diagnostics, hover, definition, references, completion, outline, formatting,
// the check/prove code lenses and their commands) is the server's; this file is
// client configuration only.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function serverOptions(config) {
  const command = config.get("server.command", "stateline");
  const args = config.get("server.args", ["lsp"]);
  return { command, args, transport: TransportKind.stdio };
}

function clientOptions(config) {
  return {
    documentSelector: [
      { scheme: "file", language: "stateline" },
      { scheme: "untitled", language: "stateline" },
    ],
    initializationOptions: { maxSeconds: config.get("maxSeconds", null) },
  };
}

function activate(context) {
  const config = vscode.workspace.getConfiguration("stateline");
  client = new LanguageClient("stateline", "Stateline", serverOptions(config),
                              clientOptions(config));
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
