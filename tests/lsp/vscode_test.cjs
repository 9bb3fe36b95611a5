// The VS Code extension (editors/vscode/extension.js) with a stand-in for the `vscode`
// module, which only VS Code provides: activate() must ask vscode-languageclient for
// `stackc lsp` over stdio. The command it asks for is then started and driven with
// vscode-jsonrpc, the JSON-RPC library under VS Code's own client, so Microsoft's
// framing and message parsing read the server's answers. Run by vscode_test.sh.
"use strict";
const Module = require("module");
const path = require("path");
const { spawn } = require("child_process");

const root = path.resolve(__dirname, "../..");
const extensionDir = path.join(root, "editors", "vscode");
const stackc = process.argv[2];
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log(`PASS ${name}`); }
  else { failed++; console.log(`FAIL ${name}: ${JSON.stringify(detail)}`); }
}

// Stand-ins: VS Code's API as far as activate() reads it, and a LanguageClient that
// records what it was asked to start.
const started = [];
const settings = { path: stackc, stdlib: path.join(root, "stdlib") };
const vscode = {
  workspace: {
    getConfiguration: (section) => ({ get: (key) => (section === "stackc" ? settings[key] : undefined) }),
    onDidChangeConfiguration: () => ({ dispose() {} }),
  },
};
class RecordingClient {
  constructor(id, name, serverOptions, clientOptions) {
    started.push({ id, name, serverOptions, clientOptions });
  }
  start() { return Promise.resolve(); }
  stop() { return Promise.resolve(); }
}
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === "vscode") return vscode;
  if (request === "vscode-languageclient/node") return { LanguageClient: RecordingClient };
  return load.call(this, request, parent, isMain);
};
const extension = require(path.join(extensionDir, "extension.js"));
Module._load = load;

(async () => {
  const context = { subscriptions: [] };
  await extension.activate(context);
  const options = started[0] && started[0].serverOptions;
  check("activate() starts one language client", started.length === 1, started.length);
  check("for .stack files", JSON.stringify(started[0].clientOptions.documentSelector[0]) ===
    JSON.stringify({ scheme: "file", language: "stack" }), started[0].clientOptions);
  check("running `stackc lsp --stdlib DIR`", options.command === stackc &&
    JSON.stringify(options.args) === JSON.stringify(["lsp", "--stdlib", settings.stdlib]), options);

  const rpc = require(require.resolve("vscode-jsonrpc/node", { paths: [extensionDir] }));
  const server = spawn(options.command, options.args, { stdio: ["pipe", "pipe", "ignore"] });
  const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(server.stdout),
                                                 new rpc.StreamMessageWriter(server.stdin));
  const diagnostics = new Promise((resolve) =>
    connection.onNotification("textDocument/publishDiagnostics", resolve));
  connection.listen();
  const init = await connection.sendRequest("initialize", { processId: process.pid, rootUri: null, capabilities: {} });
  check("initialize", init.serverInfo.name === "stackc" && init.capabilities.hoverProvider === true, init);
  connection.sendNotification("initialized", {});
  const uri = "file://" + path.join(root, "examples", "wordpress", "vscode-test.stack");
  const text = "stack App {\n  cluster compute { network = vpc }\n}\n";
  connection.sendNotification("textDocument/didOpen",
    { textDocument: { uri, languageId: "stack", version: 1, text } });
  const published = await diagnostics;
  const first = published.diagnostics[0] || {};
  check("diagnostics", published.uri === uri && published.diagnostics.length === 1 && first.code === "E0200" &&
    first.range.start.line === 1 && first.range.start.character === 30 && first.range.end.character === 33, published);
  const hover = await connection.sendRequest("textDocument/hover",
    { textDocument: { uri }, position: { line: 1, character: 4 } });
  check("hover", hover && hover.contents.value.startsWith("```stack\ncomponent cluster\n```"), hover);
  let error = null;
  try { await connection.sendRequest("textDocument/nonsense", {}); } catch (e) { error = e; }
  check("an unknown method is MethodNotFound", error && error.code === -32601, error && error.code);
  await connection.sendRequest("shutdown");
  connection.sendNotification("exit");
  const status = await new Promise((resolve) => server.on("exit", resolve));
  check("exit after shutdown is status 0", status === 0, status);
  connection.dispose();
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
})().catch((e) => { console.log(`FAIL ${e.stack}`); console.log(`${passed} passed, ${failed + 1} failed`); process.exit(1); });
