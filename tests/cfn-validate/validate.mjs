#!/usr/bin/env node
// Validates CloudFormation templates offline with AWS's own validator,
// @aws/cloudformation-validate (WebAssembly: AWS's resource provider schemas and
// cfn-lint's rules), the build that aws-cdk-lib bundles.
//
//   node validate.mjs [--strict] [--info] [--region REGION] [--exclude ID,ID...] TEMPLATE...
//
// Prints every finding of severity WARN and above (--info: INFO too) as `file:line:col: SEVERITY RULE entity.path: message`, then
// `N passed, N failed` (templates). A template fails on a FATAL or ERROR finding, or on
// a WARN one with --strict. Exit status: 0 all passed, 1 some failed, 2 usage.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';

// The validator is a bundled dependency of aws-cdk-lib, not hoisted: resolve it from there.
function loadValidator() {
    const require = createRequire(import.meta.url);
    const cdkLib = path.dirname(require.resolve('aws-cdk-lib/package.json'));
    const fromCdk = createRequire(path.join(cdkLib, 'package.json'));
    const validator = fromCdk('@aws/cloudformation-validate');
    const { version } = fromCdk('@aws/cloudformation-validate/package.json');
    return { validator, version };
}

function usage(message) {
    if (message) console.error(`validate: ${message}`);
    console.error(
        'usage: node validate.mjs [--strict] [--info] [--region REGION] [--exclude ID,ID...] TEMPLATE...',
    );
    process.exit(2);
}

function parseArgs(argv) {
    const args = { strict: false, info: false, region: 'us-east-1', exclude: [], files: [] };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === '--strict') args.strict = true;
        else if (arg === '--info') args.info = true;
        else if (arg === '--region') args.region = argv[++i] ?? usage('--region needs a value');
        else if (arg === '--exclude')
            args.exclude.push(...(argv[++i] ?? usage('--exclude needs ids')).split(','));
        else if (arg === '-h' || arg === '--help') usage();
        else if (arg.startsWith('-')) usage(`unknown option ${arg}`);
        else args.files.push(arg);
    }
    if (args.files.length === 0) usage('no template given');
    return args;
}

const FAILING = new Set(['FATAL', 'ERROR']);

function where(file, d) {
    const line = d.startLine ?? 0;
    const column = d.startColumn ?? 0;
    return line ? `${file}:${line}:${column}` : file;
}

// "Resources/Web.Properties.Port", "Parameters/Env", or "" when the finding has no place.
function findingPath(d) {
    const entity = d.entity;
    const section = entity ? `${entity.entityType}s/${entity.logicalId}` : '';
    if (!d.propertyPath) return section;
    if (d.propertyPath.includes('/')) return d.propertyPath; // already section-absolute
    return section ? `${section}.${d.propertyPath}` : d.propertyPath;
}

function main() {
    const args = parseArgs(process.argv.slice(2));
    const { validator, version } = loadValidator();
    const { TemplateFile } = validator;
    // CompositeEngine in current builds; the standalone betas have RegoEngine only.
    const Engine = validator.CompositeEngine ?? validator.RegoEngine;
    const engine = new Engine();
    const config = {
        detailLevel: 'STANDARD',
        severityLevel: args.info ? 'INFO' : 'WARN',
        pseudoParameterOverrides: { region: args.region },
        ...(args.exclude.length ? { exclude: { ids: args.exclude } } : {}),
    };
    console.log(`validate: @aws/cloudformation-validate ${version} (${engine.engineName()} engine)`);
    let passed = 0;
    let failed = 0;
    try {
        for (const file of args.files) {
            let ok = true;
            if (!existsSync(file)) {
                console.log(`${file}: FATAL cannot read the file`);
                failed++;
                continue;
            }
            try {
                const template = new TemplateFile(file);
                const report = engine.validateTemplate
                    ? engine.validateTemplate(template, config)
                    : engine.validateStandard(template, config);
                if (report.status === 'ERROR') ok = false;
                if (report.status !== 'OK') console.log(`${file}: report status ${report.status}`);
                for (const d of report.diagnostics) {
                    const fails = FAILING.has(d.severity) || (args.strict && d.severity === 'WARN');
                    if (fails) ok = false;
                    const place = findingPath(d);
                    console.log(`${where(file, d)}: ${d.severity} ${d.ruleId}${place ? ` ${place}` : ''}: ${d.message}`);
                }
            } catch (error) {
                ok = false;
                console.log(`${file}: FATAL validator failed: ${String(error)}`);
            }
            if (ok) passed++;
            else failed++;
        }
    } finally {
        engine.free();
    }
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(failed ? 1 : 0);
}

main();
