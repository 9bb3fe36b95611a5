// Writes stdlib/schema/*.json — AWS's CloudFormation resource schema in the compact form
// that src/schema reads — from the CDK's service database (@aws-cdk/aws-service-spec).
//
//   node generate.mjs [--out DIR] [--check]
//
// One file per service namespace (AWS::EC2::* -> EC2.json) plus index.json. The output
// is deterministic: keys sorted by code point, no documentation, one resource or
// property type per line so that regenerating shows a readable diff (and so that the
// reader can index a file by lines and parse only the types a program uses: keep the
// layout of the EC2.json lines below exact). `--check`
// regenerates into memory and exits 1 if any committed file differs.
//
// The format (read by src/schema/schema.c; keep the two in step):
//
//   index.json  {"format":2,
//                "source":{"package":NAME,"version":V,"published":ISO-DATE},
//                "files":{"EC2":"EC2.json",...},          service stem -> file
//                "shared":{"Tag":OBJECT}}                 property types used by every service
//   types.json  {"resources":{"AWS::EC2::VPC":"EC2",...}}  resource type -> service stem, read
//                only to list types or suggest one: a type's stem is its name's second part
//                (AWS::EC2::VPC -> EC2), or its first two parts joined by "-" outside AWS::
//                (Alexa::ASK::Skill -> Alexa-ASK); main() checks every type obeys this.
//   EC2.json    {"resources":{TYPE:RESOURCE,...},"types":{"AWS::EC2::VPC.Foo":OBJECT,...}}
//               laid out as: `{"resources":{` / one `"TYPE":RESOURCE,` per line (no comma
//               on the last) / `},` / `"types":{` / one `"NAME":OBJECT,` per line / `}}`;
//               with no property types the last two lines are `"types":{}}`.
//   RESOURCE    {"attributes":{"Endpoint.Address":SHAPE,...},   omitted when empty
//                "properties":{NAME:PROPERTY,...},              omitted when empty
//                "transform":"AWS::Serverless-2016-10-31"}      only when one is required
//   OBJECT      {"properties":{NAME:PROPERTY,...}}
//   PROPERTY    SHAPE                        an optional property that updates in place, or
//               {"type":SHAPE,"required":true,"update":"Immutable"|"Conditional"}
//                                            (required and update omitted when false/Mutable)
//   SHAPE       a string:  shape := alt ("|" alt)*
//                          alt   := "List<" shape ">" | "Map<" shape ">" | PRIMITIVE | TYPE-NAME
//               PRIMITIVE is string, integer, double, boolean, json or timestamp; a
//               TYPE-NAME is a key of the same file's "types" or of index.json's "shared".
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, readdirSync, unlinkSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE_PACKAGE = '@aws-cdk/aws-service-spec';
const FORMAT = 2;
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

function parseArgs(argv) {
    const args = { out: path.resolve(here, '../../stdlib/schema'), check: false };
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === '--out') args.out = path.resolve(argv[++i]);
        else if (argv[i] === '--check') args.check = true;
        else {
            console.error(`usage: node generate.mjs [--out DIR] [--check]`);
            process.exit(2);
        }
    }
    return args;
}

// Code-point order, independent of locale.
const byCodePoint = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

function sortedObject(entries) {
    const out = {};
    for (const [k, v] of [...entries].sort((a, b) => byCodePoint(a[0], b[0]))) out[k] = v;
    return out;
}

// "AWS::EC2::VPC" -> "EC2"; another vendor's "Alexa::ASK::Skill" -> "Alexa-ASK".
function serviceStem(cfnType) {
    const [vendor, service] = cfnType.split('::');
    return vendor === 'AWS' ? service : `${vendor}-${service}`;
}

class Generator {
    constructor(db) {
        this.db = db;
        this.typeNames = new Map(); // type definition $id -> "AWS::EC2::SecurityGroup.Ingress"
        for (const resource of db.all('resource')) {
            for (const { entity } of db.follow('usesType', resource)) {
                this.typeNames.set(entity.$id, `${resource.cloudFormationType}.${entity.name}`);
            }
        }
    }

    // A PropertyType of the database as a SHAPE string.
    shape(type, where) {
        switch (type.type) {
            case 'string':
                return 'string';
            case 'integer':
                return 'integer';
            case 'number':
                return 'double';
            case 'boolean':
                return 'boolean';
            case 'json':
            case 'null':
                return 'json';
            case 'date-time':
                return 'timestamp';
            case 'tag':
                return 'Tag';
            case 'array':
                return `List<${this.shape(type.element, where)}>`;
            case 'map':
                return `Map<${this.shape(type.element, where)}>`;
            case 'ref': {
                const name = this.typeNames.get(type.reference.$ref);
                if (!name) throw new Error(`${where}: reference to unknown type ${type.reference.$ref}`);
                return name;
            }
            case 'union': {
                const alternatives = [...new Set(type.types.map((t) => this.shape(t, where)))];
                return alternatives.length === 1 ? alternatives[0] : alternatives.join('|');
            }
            default:
                throw new Error(`${where}: unknown type kind ${JSON.stringify(type)}`);
        }
    }

    property(prop, where) {
        const type = this.shape(prop.type, where);
        const update = { yes: 'Immutable', maybe: 'Conditional' }[prop.causesReplacement];
        if (!prop.required && !update) return type;
        const out = { type };
        if (prop.required) out.required = true;
        if (update) out.update = update;
        return out;
    }

    properties(props, where) {
        const entries = [];
        for (const [name, prop] of Object.entries(props)) {
            if (prop.deprecated === 'IGNORE') continue; // wrongly in the spec; never emitted
            entries.push([name, this.property(prop, `${where}.${name}`)]);
        }
        return sortedObject(entries);
    }

    resource(resource) {
        const where = resource.cloudFormationType;
        const out = {};
        const attributes = Object.entries(resource.attributes).map(([name, attr]) => [
            name,
            this.shape(attr.type, `${where} attribute ${name}`),
        ]);
        if (attributes.length) out.attributes = sortedObject(attributes);
        const properties = this.properties(resource.properties, where);
        if (Object.keys(properties).length) out.properties = properties;
        if (resource.cloudFormationTransform) out.transform = resource.cloudFormationTransform;
        return out;
    }

    // { stem: {resources, types} } for every service namespace.
    services() {
        const services = new Map();
        for (const resource of this.db.all('resource')) {
            const stem = serviceStem(resource.cloudFormationType);
            if (!services.has(stem)) services.set(stem, { resources: [], types: [] });
            const service = services.get(stem);
            service.resources.push([resource.cloudFormationType, this.resource(resource)]);
            for (const { entity } of this.db.follow('usesType', resource)) {
                const name = this.typeNames.get(entity.$id);
                service.types.push([name, { properties: this.properties(entity.properties, name) }]);
            }
        }
        return services;
    }
}

// One resource or property type per line: compact, yet diffs stay readable.
function renderService(service) {
    const section = (entries) =>
        entries.length === 0
            ? '{}'
            : `{\n${[...entries]
                  .sort((a, b) => byCodePoint(a[0], b[0]))
                  .map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`)
                  .join(',\n')}\n}`;
    return `{"resources":${section(service.resources)},\n"types":${section(service.types)}}\n`;
}

function renderIndex(index) {
    return (
        `{"format":${index.format},\n` +
        `"source":${JSON.stringify(index.source)},\n` +
        `"shared":${JSON.stringify(index.shared)},\n` +
        `"files":${JSON.stringify(index.files)}}\n`
    );
}

function renderTypes(resources) {
    const lines = Object.entries(resources).map(([t, s]) => `${JSON.stringify(t)}:${JSON.stringify(s)}`);
    return `{"resources":{\n${lines.join(',\n')}\n}}\n`;
}

// The loader finds a type's file from its name alone; a type that broke the rule would
// be invisible to it.
function stemOf(type) {
    const parts = type.split('::');
    return parts[0] === 'AWS' ? parts[1] : `${parts[0]}-${parts[1]}`;
}

// The package's publication date, a fixed fact of the version. Read from the registry
// once; kept from the previous index.json when the version did not change, so
// regenerating offline gives the same bytes.
function publishedDate(version, previousIndex) {
    if (previousIndex?.source?.package === SOURCE_PACKAGE && previousIndex.source.version === version)
        return previousIndex.source.published;
    try {
        const times = JSON.parse(
            execFileSync('npm', ['view', `${SOURCE_PACKAGE}@${version}`, 'time', '--json'], {
                encoding: 'utf8',
                stdio: ['ignore', 'pipe', 'ignore'],
            }),
        );
        return times[version] ?? 'unknown';
    } catch {
        return 'unknown';
    }
}

function main() {
    const args = parseArgs(process.argv.slice(2));
    const { loadAwsServiceSpecSync } = require(SOURCE_PACKAGE);
    const { version } = require(`${SOURCE_PACKAGE}/package.json`);
    const generator = new Generator(loadAwsServiceSpecSync());
    const services = generator.services();

    const indexPath = path.join(args.out, 'index.json');
    const previousIndex = existsSync(indexPath) ? JSON.parse(readFileSync(indexPath, 'utf8')) : null;
    const files = new Map(); // file name -> text
    const resources = [];
    const fileOfStem = [];
    for (const [stem, service] of services) {
        files.set(`${stem}.json`, renderService(service));
        fileOfStem.push([stem, `${stem}.json`]);
        for (const [type] of service.resources) {
            if (stemOf(type) !== stem)
                throw new Error(`${type} is in ${stem}.json, but its name says ${stemOf(type)}`);
            resources.push([type, stem]);
        }
    }
    files.set(
        'index.json',
        renderIndex({
            format: FORMAT,
            source: { package: SOURCE_PACKAGE, version, published: publishedDate(version, previousIndex) },
            // CloudFormation's global Tag property type (the old spec's built-in "tag").
            shared: { Tag: { properties: { Key: { type: 'string', required: true }, Value: { type: 'string', required: true } } } },
            files: sortedObject(fileOfStem),
        }),
    );
    files.set('types.json', renderTypes(sortedObject(resources)));

    const existing = existsSync(args.out) ? readdirSync(args.out).filter((f) => f.endsWith('.json')) : [];
    if (args.check) {
        const stale = [...files].filter(([name, text]) => {
            const file = path.join(args.out, name);
            return !existsSync(file) || readFileSync(file, 'utf8') !== text;
        });
        const extra = existing.filter((f) => !files.has(f));
        for (const [name] of stale) console.error(`schemagen: ${name} is out of date`);
        for (const name of extra) console.error(`schemagen: ${name} is not generated any more`);
        process.exit(stale.length || extra.length ? 1 : 0);
    }
    mkdirSync(args.out, { recursive: true });
    for (const name of existing) if (!files.has(name)) unlinkSync(path.join(args.out, name));
    let bytes = 0;
    for (const [name, text] of files) {
        writeFileSync(path.join(args.out, name), text);
        bytes += Buffer.byteLength(text);
    }
    console.log(
        `schemagen: ${SOURCE_PACKAGE} ${version}: ${resources.length} resource types in ` +
            `${services.size} services, ${files.size} files, ${bytes} bytes -> ${args.out}`,
    );
}

main();
