#!/usr/bin/env node
// Tests for the TextMate grammar grammar/stack.tmLanguage.json (used by VS Code, Shiki,
// Sublime, GitHub-style highlighters). Run from anywhere:
//
//   node tests/editors/textmate_test.mjs            # check
//   node tests/editors/textmate_test.mjs --update   # rewrite textmate-expected/*.tokens
//
// Needs `npm ci --prefix tests/editors` once (vscode-textmate + vscode-oniguruma).
//
// Checks, each counted in the closing `N passed, N failed` line:
//  1. snapshots: every *.stack under examples/, stdlib/ and tests/ (found by globbing;
//     tests/bad/ holds broken input on purpose and is skipped) is tokenized and
//     compared with textmate-expected/<path>.tokens. A file without a snapshot yet is still
//     checked for sanity (no invalid.* scope, every string/interpolation/comment closed at
//     end of file) and reported so someone can run --update.
//     Snapshot format, one token a line: `LINE:START-END scope scope ... "text"` with 1-based
//     line, 1-based start column and exclusive end column (in UTF-16 units, as editors count);
//     the root scope source.stack is left out and so are plain white-space tokens.
//  2. keywords: every keyword in src/syntax/lex.c's keywords[] table must tokenize as
//     keyword.* (constant.language.* for true/false/null), so the grammar cannot drift from
//     the scanner. The grammar's own keyword lists must not name words the scanner lacks.
//  3. features: small snippets with the scope expected at chosen tokens (component kinds,
//     labels, keys, nested interpolation, units, types, AWS type names, ...).
//  4. declarations: every declaration form, each followed by an instance that must keep its
//     scopes (a declaration that leaves a rule open greys out the rest of the file).
//  5. the copy in editors/vscode/syntaxes/ is identical to grammar/stack.tmLanguage.json.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const grammarPath = path.join(root, 'grammar', 'stack.tmLanguage.json');
const expectedDir = path.join(here, 'textmate-expected');
const update = process.argv.includes('--update');

const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

let passed = 0;
let failed = 0;
function pass(name) {
    passed++;
    console.log(`ok   ${name}`);
}
function fail(name, detail) {
    failed++;
    console.log(`FAIL ${name}`);
    if (detail)
        console.log(detail.replace(/^/gm, '       '));
}

async function loadGrammar() {
    const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new vsctm.Registry({
        onigLib: Promise.resolve({
            createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
            createOnigString: (s) => new oniguruma.OnigString(s),
        }),
        loadGrammar: async (scopeName) => {
            if (scopeName !== 'source.stack')
                return null;
            return vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath);
        },
    });
    return registry.loadGrammar('source.stack');
}

// Tokenizes `text`; returns {tokens: [{line, start, end, scopes, text}], endStack}.
function tokenize(grammar, text) {
    const lines = text.split(/\r?\n/);
    if (lines.length > 1 && lines[lines.length - 1] === '')
        lines.pop();
    let stack = vsctm.INITIAL;
    const tokens = [];
    lines.forEach((line, i) => {
        const r = grammar.tokenizeLine(line, stack);
        for (const t of r.tokens) {
            const end = Math.min(t.endIndex, line.length);
            if (end <= t.startIndex)
                continue;
            tokens.push({ line: i + 1, start: t.startIndex, end, scopes: t.scopes, text: line.slice(t.startIndex, end) });
        }
        stack = r.ruleStack;
    });
    return { tokens, endStack: stack };
}

function formatTokens(tokens) {
    const out = [];
    for (const t of tokens) {
        const scopes = t.scopes.filter((s) => s !== 'source.stack');
        if (scopes.length === 0 && /^\s*$/.test(t.text))
            continue;
        out.push(`${t.line}:${t.start + 1}-${t.end + 1} ${scopes.join(' ') || '-'} ${JSON.stringify(t.text)}`);
    }
    return out.join('\n') + '\n';
}

function findStackFiles() {
    const found = [];
    const walk = (dir) => {
        let entries;
        try {
            entries = fs.readdirSync(dir, { withFileTypes: true });
        } catch {
            return;
        }
        for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
            const p = path.join(dir, e.name);
            if (e.isDirectory() && e.name !== 'node_modules' && path.relative(root, p) !== path.join('tests', 'bad'))
                walk(p);
            else if (e.isFile() && e.name.endsWith('.stack'))
                found.push(path.relative(root, p).split(path.sep).join('/'));
        }
    };
    for (const top of ['examples', 'stdlib', 'tests'])
        walk(path.join(root, top));
    return found;
}

function sanityProblems(result) {
    const problems = [];
    for (const t of result.tokens) {
        const bad = t.scopes.find((s) => s.startsWith('invalid.'));
        if (bad)
            problems.push(`${t.line}:${t.start + 1} ${bad} ${JSON.stringify(t.text)}`);
    }
    // A string, interpolation, comment or call still open at the end means a rule ran away.
    // (Line comments and unterminated strings end at the line end, so INITIAL is expected.)
    if (result.endStack.depth > 1)
        problems.push(`end of file reached inside an open rule (depth ${result.endStack.depth})`);
    return problems;
}

function checkSnapshots(grammar) {
    const files = findStackFiles();
    if (files.length === 0)
        fail('snapshots: no .stack files found under examples/, stdlib/, tests/');
    const wanted = new Set();
    for (const rel of files) {
        const result = tokenize(grammar, fs.readFileSync(path.join(root, rel), 'utf8'));
        const actual = formatTokens(result.tokens);
        const expPath = path.join(expectedDir, rel + '.tokens');
        wanted.add(path.resolve(expPath));
        const problems = sanityProblems(result);
        // Snapshots are kept for the examples only: the stdlib and test programs change
        // often, and a sanity check (no invalid scope, no runaway rule) guards them.
        if (update && rel.startsWith('examples/')) {
            fs.mkdirSync(path.dirname(expPath), { recursive: true });
            fs.writeFileSync(expPath, actual);
        }
        if (!fs.existsSync(expPath)) {
            if (problems.length)
                fail(`sanity ${rel}`, problems.slice(0, 20).join('\n'));
            else
                pass(`sanity ${rel} (no snapshot yet: run textmate_test.mjs --update and review it)`);
            continue;
        }
        const expected = fs.readFileSync(expPath, 'utf8');
        if (problems.length) {
            fail(`sanity ${rel}`, problems.slice(0, 20).join('\n'));
        } else if (expected !== actual) {
            const e = expected.split('\n');
            const a = actual.split('\n');
            const diff = [];
            for (let i = 0; i < Math.max(e.length, a.length) && diff.length < 12; i++) {
                if (e[i] !== a[i])
                    diff.push(`- ${e[i] ?? '(none)'}`, `+ ${a[i] ?? '(none)'}`);
            }
            fail(`snapshot ${rel}`, diff.join('\n') + '\n(run with --update if the change is intended)');
        } else {
            pass(`snapshot ${rel}`);
        }
    }
    // Snapshots whose .stack file is gone would otherwise linger unnoticed.
    const walk = (dir) => fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(path.join(dir, e.name)) : [path.resolve(dir, e.name)]) : [];
    for (const p of walk(expectedDir)) {
        if (wanted.has(p))
            continue;
        if (update) {
            fs.unlinkSync(p);
            console.log(`removed stale ${path.relative(root, p)}`);
        } else {
            fail(`stale snapshot ${path.relative(root, p)} (its .stack file is gone; run --update)`);
        }
    }
}

function scannerKeywords() {
    const src = fs.readFileSync(path.join(root, 'src', 'syntax', 'lex.c'), 'utf8');
    const table = src.match(/keywords\s*\[\s*\]\s*=\s*\{([\s\S]*?)\};/);
    if (!table)
        return null;
    return [...table[1].matchAll(/\{\s*"([^"]+)"\s*,\s*TOK_[A-Z_]+\s*\}/g)].map((x) => x[1]);
}

function checkKeywords(grammar) {
    const words = scannerKeywords();
    if (!words || words.length === 0) {
        fail('keywords: could not read the keywords[] table from src/syntax/lex.c');
        return;
    }
    const constants = new Set(['true', 'false', 'null']);
    // Alone on a line, and inside an interpolation (expression context).
    for (const w of words) {
        const want = constants.has(w) ? 'constant.language.' : 'keyword.';
        const problems = [];
        for (const [snippet, offset] of [[w, 0], [`x = "\${ ${w} }"`, 8], [`  ${w}`, 2]]) {
            const { tokens } = tokenize(grammar, snippet);
            const t = tokens.find((k) => k.line === 1 && k.start === offset);
            if (!t || t.text !== w || !t.scopes.some((s) => s.startsWith(want)))
                problems.push(`${JSON.stringify(snippet)}: ${t ? `${JSON.stringify(t.text)} ${t.scopes.join(' ')}` : 'no token'}`);
        }
        if (problems.length)
            fail(`keyword ${w} is ${want}*`, problems.join('\n'));
        else
            pass(`keyword ${w} is ${want}*`);
    }
    // The grammar's keyword alternations must not list words the scanner does not know.
    const raw = JSON.parse(fs.readFileSync(grammarPath, 'utf8'));
    const listed = new Set();
    for (const p of [...raw.repository.keywords.patterns, ...raw.repository.constants.patterns]) {
        for (const alt of p.match.replace(/\\b|\(\?:|\)/g, '').split('|'))
            listed.add(alt);
    }
    const extra = [...listed].filter((w) => !words.includes(w));
    const missing = words.filter((w) => !listed.has(w));
    if (extra.length || missing.length)
        fail('grammar keyword lists match lex.c', `extra: ${extra.join(' ') || '-'}; missing: ${missing.join(' ') || '-'}`);
    else
        pass(`grammar keyword lists match lex.c (${words.length} keywords)`);
}

// [snippet, [[text, occurrence (0-based), scope]]]: every token covering that occurrence of
// `text` must carry `scope` (or a more specific one); '!scope' means none of them may.
const FEATURES = [
    ['network vpc {', [['network', 0, 'entity.name.type.kind.stack'], ['vpc', 0, 'entity.name.label.stack']]],
    ['  listener http { port = 80 }', [['listener', 0, 'entity.name.type.kind.stack'], ['http', 0, 'entity.name.label.stack'],
        ['port', 0, 'entity.other.attribute-name.stack'], ['80', 0, 'constant.numeric.integer.stack']]],
    ['  mount "/var/www/html" { filesystem = webroot }', [['mount', 0, 'entity.name.type.kind.stack'],
        ['/var/www/html', 0, 'string.quoted.double.stack'], ['filesystem', 0, 'entity.other.attribute-name.stack'],
        ['webroot', 0, 'variable.other.readwrite.stack']]],
    ['tags {', [['tags', 0, 'entity.name.type.kind.stack']]],
    ['subnet public for z in zones {', [['subnet', 0, 'entity.name.type.kind.stack'], ['public', 0, 'entity.name.label.stack'],
        ['for', 0, 'keyword.control.stack'], ['in', 0, 'keyword.control.stack'], ['zones', 0, 'variable.other.readwrite.stack']]],
    ['alarm cpu if enabled {', [['alarm', 0, 'entity.name.type.kind.stack'], ['if', 0, 'keyword.control.stack']]],
    ['stack Network {', [['stack', 0, 'keyword.other.declaration.stack'], ['Network', 0, 'entity.name.namespace.stack']]],
    ['component database {', [['component', 0, 'keyword.other.declaration.stack'], ['database', 0, 'entity.name.type.component.stack']]],
    ['  type = "gp3"', [['type', 0, 'entity.other.attribute-name.stack'], ['gp3', 0, 'string.quoted.double.stack']]],
    ['x = wp.output.type', [['output', 0, 'variable.other.property.stack'], ['type', 0, 'variable.other.property.stack'],
        ['.', 0, 'punctuation.accessor.stack']]],
    ['output url = "http://${Network.web.dns_name}"', [['output', 0, 'keyword.other.declaration.stack'],
        ['url', 0, 'entity.name.variable.stack'], ['${', 0, 'punctuation.section.interpolation.begin.stack'],
        ['Network', 0, 'variable.other.readwrite.stack'], ['dns_name', 0, 'variable.other.property.stack'],
        ['}', 0, 'punctuation.section.interpolation.end.stack'], ['http://', 0, 'string.quoted.double.stack']]],
    ['a = "x${ f({k = "${ y + 1 }"}) }z"', [['f', 0, 'entity.name.function.stack'], ['k', 0, 'entity.other.attribute-name.stack'],
        ['y', 0, 'meta.interpolation.stack'], ['y', 0, 'variable.other.readwrite.stack'], ['+', 0, 'keyword.operator.arithmetic.stack'],
        ['1', 0, 'constant.numeric.integer.stack'], ['z', 0, 'string.quoted.double.stack'], ['z', 0, '!meta.interpolation.stack'],
        ['}', 0, 'punctuation.section.interpolation.end.stack'], ['}', 1, 'punctuation.section.braces.end.stack'],
        ['}', 2, 'punctuation.section.interpolation.end.stack']]],
    ['a = "\\n \\t \\" \\\\ \\$ \\/ \\u{1F600} \\q"', [['\\n', 0, 'constant.character.escape.stack'], ['\\$', 0, 'constant.character.escape.stack'],
        ['\\/', 0, 'constant.character.escape.stack'], ['\\u{1F600}', 0, 'constant.character.escape.stack'], ['\\q', 0, 'invalid.illegal.escape.stack']]],
    ['a = "$5 ${x}"', [['$5 ', 0, 'string.quoted.double.stack'], ['$5 ', 0, '!meta.interpolation.stack']]],
    ['t = 30s\nu = 500ms\nv = 2h\nw = 7d\nq = 5m', [['30s', 0, 'constant.numeric.duration.stack'], ['~s', 0, 'keyword.other.unit.duration.stack'], ['~ms', 0, 'keyword.other.unit.duration.stack'],
        ['500ms', 0, 'constant.numeric.duration.stack'], ['2h', 0, 'constant.numeric.duration.stack'], ['7d', 0, 'constant.numeric.duration.stack'],
        ['5m', 0, 'constant.numeric.duration.stack']]],
    ['m = 512MiB + 1GiB + 10GB + 100KiB + 3B + 2TB', [['512MiB', 0, 'constant.numeric.size.stack'], ['~MiB', 0, 'keyword.other.unit.size.stack'], ['~MiB', 0, '!constant.numeric.integer.stack'],
        ['1GiB', 0, 'constant.numeric.size.stack'], ['10GB', 0, 'constant.numeric.size.stack'], ['100KiB', 0, 'constant.numeric.size.stack'],
        ['3B', 0, 'constant.numeric.size.stack'], ['2TB', 0, 'constant.numeric.size.stack']]],
    ['n = 0.5 + 12 + 3x', [['0.5', 0, 'constant.numeric.float.stack'], ['12', 0, 'constant.numeric.integer.stack'],
        ['~x', 0, 'invalid.illegal.unit.stack']]],
    ['b = true && !false || x == null', [['true', 0, 'constant.language.boolean.true.stack'], ['false', 0, 'constant.language.boolean.false.stack'],
        ['null', 0, 'constant.language.null.stack'], ['&&', 0, 'keyword.operator.logical.stack'], ['!', 0, 'keyword.operator.logical.stack'],
        ['==', 0, 'keyword.operator.comparison.stack']]],
    ['// a comment with "quotes" and ${x}', [['// a comment with "quotes" and ${x}', 0, 'comment.line.double-slash.stack']]],
    ['/* block\n   comment */ x = 1', [['comment */', 0, 'comment.block.stack'], ['x', 0, 'entity.other.attribute-name.stack']]],
    ['resource bucket "AWS::S3::Bucket" {', [['resource', 0, 'keyword.other.declaration.stack'], ['bucket', 0, 'entity.name.label.stack'],
        ['AWS::S3::Bucket', 0, 'support.type.aws.stack'], ['"', 0, 'string.quoted.double.stack']]],
    ['resource q "AWS::SQS::Queue" for n in names {', [['AWS::SQS::Queue', 0, 'support.type.aws.stack'], ['for', 0, 'keyword.control.stack']]],
    ['let ports: list<int> = [80, 443]', [['let', 0, 'keyword.other.declaration.stack'], ['ports', 0, 'entity.name.variable.stack'],
        ['list', 0, 'support.type.primitive.stack'], ['int', 0, 'support.type.primitive.stack'], ['80', 0, 'constant.numeric.integer.stack']]],
    ['let n = 3', [['n', 0, 'entity.name.variable.stack']]],
    ['input size: size = 20GiB', [['input', 0, 'keyword.other.declaration.stack'], ['size', 0, 'entity.name.variable.stack'],
        ['size', 1, 'support.type.primitive.stack'], ['20GiB', 0, 'constant.numeric.size.stack']]],
    ['input engine: "mysql" | "postgres" = "mysql"', [['mysql', 0, 'string.quoted.double.stack'], ['|', 0, 'keyword.operator.union.stack'],
        ['mysql', 1, 'string.quoted.double.stack']]],
    ['param retention: duration? = 7d { description = "x" }', [['retention', 0, 'entity.name.variable.stack'],
        ['duration', 0, 'support.type.primitive.stack'], ['?', 0, 'keyword.operator.optional.stack'], ['7d', 0, 'constant.numeric.duration.stack'],
        ['description', 0, 'entity.other.attribute-name.stack']]],
    ['attribute endpoint: Endpoint = x.y', [['attribute', 0, 'keyword.other.declaration.stack'], ['Endpoint', 0, 'entity.name.type.stack']]],
    ['input limits: { cpu: int, memory: size = 1GiB, tier: "a" | "b" } = {}', [['cpu', 0, 'variable.other.field.stack'],
        ['int', 0, 'support.type.primitive.stack'], ['memory', 0, 'variable.other.field.stack'], ['1GiB', 0, 'constant.numeric.size.stack'],
        ['tier', 0, 'variable.other.field.stack'], ['|', 0, 'keyword.operator.union.stack']]],
    ['type Tier = "small" | "large"', [['type', 0, 'keyword.other.declaration.stack'], ['Tier', 0, 'entity.name.type.alias.stack'],
        ['small', 0, 'string.quoted.double.stack']]],
    ['type Limits = { cpu: int, disk: size? }', [['Limits', 0, 'entity.name.type.alias.stack'], ['cpu', 0, 'variable.other.field.stack'],
        ['size', 0, 'support.type.primitive.stack']]],
    ['allow web -> db { port = 5432 }', [['allow', 0, 'keyword.other.declaration.stack'], ['->', 0, 'keyword.operator.arrow.stack'],
        ['db', 0, 'variable.other.readwrite.stack'], ['db', 0, '!entity.name.type.kind.stack']]],
    ['check count > 0, "need one"', [['check', 0, 'keyword.other.assertion.stack'], ['>', 0, 'keyword.operator.comparison.stack'],
        ['need one', 0, 'string.quoted.double.stack']]],
    ['test "defaults" {\n  assert x == 1, "msg"\n}', [['test', 0, 'keyword.other.declaration.stack'], ['assert', 0, 'keyword.other.assertion.stack']]],
    ['import "stdlib/aws.stack"', [['import', 0, 'keyword.control.import.stack']]],
    ['connectable {', [['connectable', 0, 'keyword.other.declaration.stack']]],
    ['image = build("src", dockerfile = "D",\n  args = { a = "b" })', [['build', 0, 'entity.name.function.stack'],
        ['dockerfile', 0, 'variable.parameter.stack'], ['args', 0, 'variable.parameter.stack'], ['a', 0, 'entity.other.attribute-name.stack']]],
    ['xs = [for x in ys : x.name if x.on]', [['for', 0, 'keyword.control.stack'], ['in', 0, 'keyword.control.stack'],
        ['if', 0, 'keyword.control.stack'], ['name', 0, 'variable.other.property.stack']]],
    ['m = {for k, v in tags : k => v}', [['=>', 0, 'keyword.operator.arrow.stack'], ['k', 1, 'variable.other.readwrite.stack']]],
    ['c = a ? b : d', [['?', 0, 'keyword.operator.ternary.stack'], [':', 0, 'keyword.operator.ternary.stack']]],
    ['i = xs[0] % 2', [['0', 0, 'constant.numeric.integer.stack'], ['%', 0, 'keyword.operator.arithmetic.stack']]],
    ['grant {', [['grant', 0, 'keyword.other.declaration.stack'], ['grant', 0, '!entity.name.type.kind.stack']]],
    ['  grant send {', [['grant', 0, 'keyword.other.declaration.stack'], ['send', 0, 'entity.name.label.stack']]],
    ['moved work -> jobs', [['moved', 0, 'keyword.other.declaration.stack'], ['work', 0, 'entity.name.label.stack'],
        ['->', 0, 'keyword.operator.arrow.stack'], ['jobs', 0, 'entity.name.label.stack']]],
    ['check for p in ports : p >= 1, format("port %d", p)', [['check', 0, 'keyword.other.assertion.stack'],
        ['for', 0, 'keyword.control.stack'], ['in', 0, 'keyword.control.stack'], ['ports', 0, 'variable.other.readwrite.stack'],
        ['>=', 0, 'keyword.operator.comparison.stack'], ['format', 0, 'entity.name.function.stack'], ['port %d', 0, 'string.quoted.double.stack']]],
    ['warn for i, s in policy : s.ok, "wide"', [['warn', 0, 'keyword.other.assertion.stack'], ['for', 0, 'keyword.control.stack'],
        ['i', 0, 'variable.other.readwrite.stack'], ['ok', 0, 'variable.other.property.stack']]],
    ['unique key, "taken"', [['unique', 0, 'keyword.other.assertion.stack'], ['key', 0, 'variable.other.readwrite.stack']]],
    ['  unique for name, e in expose : [e.via.key, name], "taken"', [['unique', 0, 'keyword.other.assertion.stack'],
        ['unique', 0, '!entity.name.type.kind.stack'], ['for', 0, 'keyword.control.stack'], ['via', 0, 'variable.other.property.stack'],
        ['taken', 0, 'string.quoted.double.stack']]],
    ['output unique = length(words)', [['output', 0, 'keyword.other.declaration.stack'], ['unique', 0, 'entity.name.variable.stack'],
        ['length', 0, 'entity.name.function.stack']]],
    ['x { grant = 1, moved = a.unique, unique = 2 }', [['grant', 0, 'entity.other.attribute-name.stack'],
        ['moved', 0, 'entity.other.attribute-name.stack'], ['unique', 0, 'variable.other.property.stack'],
        ['unique', 1, 'entity.other.attribute-name.stack']]],
    ['x = a.grant.moved', [['grant', 0, 'variable.other.property.stack'], ['moved', 0, 'variable.other.property.stack']]],
    ['app = "shop"', [['app', 0, 'entity.other.attribute-name.stack'], ['shop', 0, 'string.quoted.double.stack']]],
    ['  ready = concat([table], replicas)', [['ready', 0, 'entity.other.attribute-name.stack'], ['concat', 0, 'entity.name.function.stack'],
        ['table', 0, 'variable.other.readwrite.stack']]],
];

// Finds the n-th occurrence of `text` in `snippet` (whole words when `text` is a word) and
// returns its [start, end) offsets, or null. A leading '~' matches inside words too.
function locate(snippet, text, occurrence) {
    const raw = text.startsWith('~') && text.length > 1;
    if (raw)
        text = text.slice(1);
    const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const word = !raw && /^\w+$/.test(text);
    const re = new RegExp(word ? `(?<![\\w])${escaped}(?![\\w])` : escaped, 'g');
    let m;
    let n = 0;
    while ((m = re.exec(snippet))) {
        if (n++ === occurrence)
            return [m.index, m.index + text.length];
    }
    return null;
}

// The problems with `snippet`'s tokens against `expectations` (see FEATURES).
function expectationProblems(grammar, snippet, expectations) {
    const result = tokenize(grammar, snippet);
    const { tokens } = result;
    const lineStart = [0];
    for (const line of snippet.split('\n'))
        lineStart.push(lineStart[lineStart.length - 1] + line.length + 1);
    const problems = [];
    for (const [text, occurrence, want] of expectations) {
        const range = locate(snippet, text, occurrence);
        const negate = want.startsWith('!');
        const scope = negate ? want.slice(1) : want;
        if (!range) {
            problems.push(`snippet has no ${JSON.stringify(text)} #${occurrence}`);
            continue;
        }
        const covering = tokens.filter((t) => {
            const s = lineStart[t.line - 1] + t.start;
            return s < range[1] && s + t.text.length > range[0];
        });
        const has = (t) => t.scopes.some((s) => s === scope || s.startsWith(scope + '.'));
        const ok = covering.length > 0 && (negate ? !covering.some(has) : covering.every(has));
        if (!ok) {
            const got = covering.map((t) => `${JSON.stringify(t.text)}: ${t.scopes.join(' ')}`).join('; ');
            problems.push(`${JSON.stringify(text)} #${occurrence}: want ${want}, got ${got || 'no token'}`);
        }
    }
    return { problems, endStack: result.endStack };
}

function checkFeatures(grammar) {
    for (const [snippet, expectations] of FEATURES) {
        const { problems } = expectationProblems(grammar, snippet, expectations);
        const name = `feature ${JSON.stringify(snippet.length > 50 ? snippet.slice(0, 47) + '...' : snippet)}`;
        if (problems.length)
            fail(name, problems.join('\n'));
        else
            pass(name);
    }
}

// Every declaration form of docs/language.md, each followed by a component instance that
// must keep its colours: a rule a declaration leaves open (as `param x: string { ... }`
// once left a record type open) shows here. [form, snippet, expectations].
const FOLLOWING = '\ndatabase db {\n  port = 5432\n}';
const FOLLOWING_EXPECTATIONS = [['database', 0, 'entity.name.type.kind.stack'], ['db', 0, 'entity.name.label.stack'],
    ['port', 0, 'entity.other.attribute-name.stack'], ['5432', 0, 'constant.numeric.integer.stack']];
const DECLARATIONS = [
    ['import', 'import "lib/queue.stack"', [['import', 0, 'keyword.control.import.stack'], ['lib/queue.stack', 0, 'string.quoted.double.stack']]],
    ['stack', 'stack Network {\n}', [['stack', 0, 'keyword.other.declaration.stack'], ['Network', 0, 'entity.name.namespace.stack']]],
    ['component', 'component queue {\n}', [['component', 0, 'keyword.other.declaration.stack'], ['queue', 0, 'entity.name.type.component.stack']]],
    ['type alias', 'type Tier = "small" | "large"', [['Tier', 0, 'entity.name.type.alias.stack'], ['|', 0, 'keyword.operator.union.stack']]],
    ['type record', 'type Limits = { cpu: int, note: string = "a: b" }', [['cpu', 0, 'variable.other.field.stack'],
        ['a: b', 0, 'string.quoted.double.stack']]],
    ['instance', 'cluster compute { network = vpc }', [['cluster', 0, 'entity.name.type.kind.stack'], ['compute', 0, 'entity.name.label.stack'],
        ['network', 0, 'entity.other.attribute-name.stack']]],
    ['instance with a string label', 'mount "/var/www/html" { filesystem = webroot }', [['mount', 0, 'entity.name.type.kind.stack'],
        ['/var/www/html', 0, 'string.quoted.double.stack']]],
    ['instance for', 'subnet public for i, z in zones { zone = z }', [['for', 0, 'keyword.control.stack'], ['in', 0, 'keyword.control.stack'],
        ['zone', 0, 'entity.other.attribute-name.stack']]],
    ['instance if', 'alarm cpu if enabled { threshold = 90 }', [['if', 0, 'keyword.control.stack'], ['threshold', 0, 'entity.other.attribute-name.stack']]],
    ['resource', 'resource q "AWS::SQS::Queue" if on { QueueName = "a: b" }', [['resource', 0, 'keyword.other.declaration.stack'],
        ['AWS::SQS::Queue', 0, 'support.type.aws.stack'], ['QueueName', 0, 'entity.other.attribute-name.stack'], ['a: b', 0, 'string.quoted.double.stack']]],
    ['let', 'let n = 3', [['let', 0, 'keyword.other.declaration.stack'], ['n', 0, 'entity.name.variable.stack']]],
    ['let with a type', 'let ports: list<int> = [80, 443]', [['ports', 0, 'entity.name.variable.stack'], ['int', 0, 'support.type.primitive.stack']]],
    ['param', 'param image: string', [['param', 0, 'keyword.other.declaration.stack'], ['image', 0, 'entity.name.variable.stack'],
        ['string', 0, 'support.type.primitive.stack']]],
    ['param with a default', 'param replicas: int = 2', [['int', 0, 'support.type.primitive.stack'], ['2', 0, 'constant.numeric.integer.stack']]],
    ['param with a block holding a colon', 'param image: string { description = "the API image (listens on :8000)" }',
        [['image', 0, 'entity.name.variable.stack'], ['string', 0, 'support.type.primitive.stack'],
            ['description', 0, 'entity.other.attribute-name.stack'], ['the API image (listens on :8000)', 0, 'string.quoted.double.stack'],
            ['{', 0, '!meta.type.record.stack']]],
    ['param with a block over lines', 'param tier: "small" | "large" {\n  description = "size: small or large"\n  allowed = ["small", "large"]\n}',
        [['small', 0, 'string.quoted.double.stack'], ['description', 0, 'entity.other.attribute-name.stack'],
            ['size: small or large', 0, 'string.quoted.double.stack'], ['allowed', 0, 'entity.other.attribute-name.stack'],
            ['large', 1, 'string.quoted.double.stack']]],
    ['param with a default and a block', 'param retention: duration? = 7d { description = "days: 7" }',
        [['7d', 0, 'constant.numeric.duration.stack'], ['days: 7', 0, 'string.quoted.double.stack']]],
    ['secret param', 'param token: secret { description = "from: vault" }', [['secret', 0, 'support.type.primitive.stack'],
        ['from: vault', 0, 'string.quoted.double.stack']]],
    ['input', 'input size: size = 20GiB', [['input', 0, 'keyword.other.declaration.stack'], ['20GiB', 0, 'constant.numeric.size.stack']]],
    ['input with a record type', 'input limits: { cpu: int, memory: size = 1GiB } = {}', [['cpu', 0, 'variable.other.field.stack'],
        ['memory', 0, 'variable.other.field.stack'], ['1GiB', 0, 'constant.numeric.size.stack']]],
    ['input with a list of records', 'input rules: list<{ port: int }> = []', [['port', 0, 'variable.other.field.stack'],
        ['int', 0, 'support.type.primitive.stack']]],
    ['attribute', 'attribute endpoint: Endpoint = x.y', [['attribute', 0, 'keyword.other.declaration.stack'], ['Endpoint', 0, 'entity.name.type.stack']]],
    ['output', 'output url = "http://${lb.dns}:80"', [['output', 0, 'keyword.other.declaration.stack'], ['url', 0, 'entity.name.variable.stack'],
        ['dns', 0, 'variable.other.property.stack']]],
    ['allow', 'allow web -> db { port = 5432 }', [['allow', 0, 'keyword.other.declaration.stack'], ['->', 0, 'keyword.operator.arrow.stack']]],
    ['check', 'check count > 0, "need one: at least"', [['check', 0, 'keyword.other.assertion.stack'], ['need one: at least', 0, 'string.quoted.double.stack']]],
    ['test', 'test "defaults: all" {\n  assert x == 1, "msg: one"\n}', [['test', 0, 'keyword.other.declaration.stack'],
        ['assert', 0, 'keyword.other.assertion.stack'], ['msg: one', 0, 'string.quoted.double.stack']]],
    ['connectable', 'connectable {\n  port = 80\n}', [['connectable', 0, 'keyword.other.declaration.stack']]],
    ['grant', 'grant {\n  input source: { role: any }\n  resource default "AWS::IAM::RolePolicy" { RoleName = source.role }\n}',
        [['grant', 0, 'keyword.other.declaration.stack'], ['role', 0, 'variable.other.field.stack'],
            ['AWS::IAM::RolePolicy', 0, 'support.type.aws.stack'], ['RoleName', 0, 'entity.other.attribute-name.stack']]],
    ['named grant', 'grant send {\n  input source: { role: any }\n}', [['grant', 0, 'keyword.other.declaration.stack'],
        ['send', 0, 'entity.name.label.stack'], ['any', 0, 'support.type.primitive.stack']]],
    ['moved', 'moved work -> jobs', [['moved', 0, 'keyword.other.declaration.stack'], ['jobs', 0, 'entity.name.label.stack']]],
    ['check for', 'check for name, l in listener : l.port > 0, format("listener %s: bad port", name)',
        [['check', 0, 'keyword.other.assertion.stack'], ['listener %s: bad port', 0, 'string.quoted.double.stack']]],
    ['warn for', 'warn for s in policy : s.effect == "Deny", "wide: narrow it"', [['warn', 0, 'keyword.other.assertion.stack'],
        ['wide: narrow it', 0, 'string.quoted.double.stack']]],
    ['unique', 'unique [via, priority], "taken: pick another"', [['unique', 0, 'keyword.other.assertion.stack'],
        ['taken: pick another', 0, 'string.quoted.double.stack']]],
    ['unique for', 'unique for name, e in expose : on ? [e.via, name] : null, format("`%s`: taken", name)',
        [['unique', 0, 'keyword.other.assertion.stack'], ['null', 0, 'constant.language.null.stack'], ['`%s`: taken', 0, 'string.quoted.double.stack']]],
    ['output named by a keyword', 'output unique = 1', [['unique', 0, 'entity.name.variable.stack']]],
    ['app', 'app = "shop"', [['app', 0, 'entity.other.attribute-name.stack']]],
    ['ready', 'ready = [table, replica]', [['ready', 0, 'entity.other.attribute-name.stack']]],
];

function checkDeclarations(grammar) {
    for (const [form, snippet, expectations] of DECLARATIONS) {
        const text = snippet + FOLLOWING;
        const { problems, endStack } = expectationProblems(grammar, text, [...expectations,
            ...FOLLOWING_EXPECTATIONS.map(([t, n, scope]) => [t, n + (snippet.match(new RegExp(`\\b${t}\\b`, 'g')) || []).length, scope])]);
        if (endStack.depth > 1)
            problems.push(`a rule is still open after the declaration and the instance after it (depth ${endStack.depth})`);
        if (problems.length)
            fail(`declaration: ${form}`, problems.join('\n'));
        else
            pass(`declaration: ${form}`);
    }
}

function checkVscodeCopy() {
    const copy = path.join(root, 'editors', 'vscode', 'syntaxes', 'stack.tmLanguage.json');
    if (!fs.existsSync(copy)) {
        fail('editors/vscode/syntaxes/stack.tmLanguage.json exists (run editors/vscode/sync-grammar.sh)');
        return;
    }
    if (fs.readFileSync(copy, 'utf8') !== fs.readFileSync(grammarPath, 'utf8'))
        fail('editors/vscode copy of the grammar is up to date (run editors/vscode/sync-grammar.sh)');
    else
        pass('editors/vscode copy of the grammar is up to date');
    // The manifest must point at that copy and at a language configuration VS Code can read.
    const ext = path.join(root, 'editors', 'vscode');
    const problems = [];
    try {
        const manifest = JSON.parse(fs.readFileSync(path.join(ext, 'package.json'), 'utf8'));
        const lang = manifest.contributes.languages.find((l) => l.id === 'stack');
        const gram = manifest.contributes.grammars.find((g) => g.language === 'stack');
        if (!lang || !lang.extensions.includes('.stack'))
            problems.push('no language "stack" for .stack');
        if (!gram || gram.scopeName !== 'source.stack' || !fs.existsSync(path.join(ext, gram.path)))
            problems.push('grammar entry missing, wrong scopeName or path');
        const conf = JSON.parse(fs.readFileSync(path.join(ext, lang.configuration), 'utf8'));
        if (conf.comments.lineComment !== '//' || conf.comments.blockComment.join(' ') !== '/* */')
            problems.push('comment tokens in language-configuration.json');
        if (!conf.autoClosingPairs.some((p) => p.open === '"'))
            problems.push('no auto-closing pair for "');
    } catch (e) {
        problems.push(String(e));
    }
    if (problems.length)
        fail('editors/vscode manifest', problems.join('\n'));
    else
        pass('editors/vscode manifest and language configuration');
}

const grammar = await loadGrammar();
if (!grammar) {
    fail('load grammar/stack.tmLanguage.json');
} else {
    checkKeywords(grammar);
    checkFeatures(grammar);
    checkDeclarations(grammar);
    checkSnapshots(grammar);
    checkVscodeCopy();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
