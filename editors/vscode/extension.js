// The VS Code side of `.stack` support: the TextMate grammar (package.json) colours the
// text, and this starts `stackc lsp` for every .stack file and hands the editor's
// requests to it through vscode-languageclient (stdio transport).
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function serverOptions() {
  const config = vscode.workspace.getConfiguration("stackc");
  const args = ["lsp"];
  const stdlib = config.get("stdlib");
  if (stdlib) args.push("--stdlib", stdlib);
  return { command: config.get("path") || "stackc", args };
}

function start() {
  client = new LanguageClient("stackc", "stackc language server", serverOptions(), {
    documentSelector: [
      { scheme: "file", language: "stack" },
      { scheme: "untitled", language: "stack" },
    ],
  });
  return client.start();
}

function activate(context) {
  // A changed stackc.path or stackc.stdlib takes effect in a restarted server.
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration("stackc")) return;
      if (client) await client.stop();
      await start();
    }),
  );
  return start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
