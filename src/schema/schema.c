/* Reading stdlib/schema lazily into arena structures, and looking things up in it.
 * The file format is described at the top of tools/schemagen/generate.mjs. */
#include "schema/schema.h"

#include <cjson/cJSON.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum { SCHEMA_FORMAT = 2 };

/* One service's file ("EC2.json"), read at most once; whether it was is in the schema's
 * `read_files`. Never changed once made, like the entries, the parsed types and the
 * shapes: a schema forked from another (sc_schema_fork) shares them. */
typedef struct service_file {
    const char *stem; /* "EC2" */
    const char *name; /* "EC2.json" */
} service_file;

/* One resource or property type: its line of a service file, parsed when first needed. */
typedef struct schema_entry {
    const char *text; /* the JSON value, in the arena */
    size_t len;
    const service_file *file;
} schema_entry;

/* Values of `read_files` and `failed_entries`: distinct addresses, no mutable global. */
static const char file_read, file_failed, entry_failed_marker;

struct sc_schema {
    sc_context *ctx;
    const char *dir;
    const char *error; /* the first failure, or NULL */
    sc_schema_source source;
    const char **types; /* every resource type in the index, sorted */
    size_t type_count;
    sc_map files;           /* service stem -> service_file */
    sc_map read_files;      /* service stem -> &file_read or &file_failed, once tried */
    sc_map entries;         /* type name -> schema_entry, of files read */
    sc_map failed_entries;  /* type name -> &entry_failed_marker: malformed */
    bool types_read;        /* types.json was read (it is only for listing and suggesting) */
    sc_map resources;       /* resource type -> sc_resource_schema, of entries parsed */
    sc_map objects;         /* property type name -> sc_schema_object, of entries parsed */
    sc_map shapes;          /* shape text -> sc_shape, interned */
    sc_ptr_list unresolved; /* OBJECT shapes not yet pointed at their property type */
    /* A fork's base (sc_schema_fork), read-only: what the maps above lack, it may hold. */
    const sc_schema *base;
};

/* `key` in the map `own` of `schema` or, failing that, in the same map of its bases: a
 * fork starts with empty maps of its own rather than copies of its base's. */
static void *lookup(const sc_schema *schema, const sc_map *own, const char *key)
{
    size_t offset = (size_t)((const char *)own - (const char *)schema);
    for (; schema; schema = schema->base) {
        void *value = sc_map_get((const sc_map *)((const char *)schema + offset), key);
        if (value)
            return value;
    }
    return NULL;
}

/* ---- reading JSON files --------------------------------------------------------------- */

static void fail(sc_schema *schema, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Remembers the first failure to read the schema; later ones follow from it. */
static void fail(sc_schema *schema, const char *fmt, ...)
{
    if (schema->error)
        return;
    va_list args;
    va_start(args, fmt);
    schema->error = sc_arena_vprintf(&schema->ctx->arena, fmt, args);
    va_end(args);
}

/* Reads `dir`/`file`; the caller frees the text. NULL after fail(). */
static char *read_text(sc_schema *schema, const char *file, size_t *len)
{
    sc_context *ctx = schema->ctx;
    char *path = sc_arena_printf(&ctx->arena, "%s/%s", schema->dir, file);
    if (!path)
        return NULL;
    char *text = ctx->read_file(ctx->read_file_user, path, len);
    if (!text)
        fail(schema, "cannot read the AWS schema file %s", path);
    return text;
}

/* Reads and parses `dir`/`file`; the caller deletes the tree. NULL after fail(). */
static cJSON *read_json(sc_schema *schema, const char *file)
{
    size_t len = 0;
    char *text = read_text(schema, file, &len);
    if (!text)
        return NULL;
    cJSON *json = cJSON_ParseWithLength(text, len);
    free(text);
    if (!json)
        fail(schema, "the AWS schema file %s/%s is not valid JSON", schema->dir, file);
    return json;
}

static const char *json_string(const cJSON *object, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

/* ---- shapes ---------------------------------------------------------------------------- */

static const struct {
    const char *name;
    sc_shape_kind kind;
} primitives[] = {
    {"string", SHAPE_STRING},   {"integer", SHAPE_INTEGER}, {"double", SHAPE_DOUBLE},
    {"boolean", SHAPE_BOOLEAN}, {"json", SHAPE_JSON},       {"timestamp", SHAPE_TIMESTAMP},
};

static bool starts_with(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

/* shape := alt ("|" alt)*
 * alt   := "List<" shape ">" | "Map<" shape ">" | PRIMITIVE | TYPE-NAME
 * The same text always gives the same shape. NULL when malformed or out of memory. */
static sc_shape *shape_of(sc_schema *schema, const char *text, size_t len)
{
    sc_arena *arena = &schema->ctx->arena;
    char *key = sc_arena_strndup(arena, text, len);
    if (!key || len == 0)
        return NULL;
    sc_shape *shape = lookup(schema, &schema->shapes, key);
    if (shape)
        return shape;
    shape = sc_arena_alloc(arena, sizeof(*shape));
    if (!shape)
        return NULL;
    shape->text = key;

    /* Top-level alternatives: split at '|' outside angle brackets. */
    size_t alternatives = 1;
    int depth = 0;
    for (size_t i = 0; i < len; i++) {
        depth += text[i] == '<' ? 1 : text[i] == '>' ? -1 : 0;
        if (depth < 0)
            return NULL;
        if (text[i] == '|' && depth == 0)
            alternatives++;
    }
    if (depth != 0)
        return NULL;
    if (alternatives > 1) {
        shape->kind = SHAPE_UNION;
        shape->alternatives = sc_arena_alloc(arena, alternatives * sizeof(sc_shape *));
        if (!shape->alternatives)
            return NULL;
        size_t start = 0;
        for (size_t i = 0; i <= len; i++) {
            depth += i < len && text[i] == '<' ? 1 : i < len && text[i] == '>' ? -1 : 0;
            if (i == len || (text[i] == '|' && depth == 0)) {
                const sc_shape *alt = shape_of(schema, text + start, i - start);
                if (!alt)
                    return NULL;
                shape->alternatives[shape->alternative_count++] = alt;
                start = i + 1;
            }
        }
    } else if (starts_with(text, len, "List<") || starts_with(text, len, "Map<")) {
        bool list = text[0] == 'L';
        size_t open = list ? 5 : 4;
        if (text[len - 1] != '>')
            return NULL;
        shape->kind = list ? SHAPE_LIST : SHAPE_MAP;
        shape->element = shape_of(schema, text + open, len - open - 1);
        if (!shape->element)
            return NULL;
    } else {
        shape->kind = SHAPE_OBJECT;
        for (size_t i = 0; i < sizeof(primitives) / sizeof(primitives[0]); i++) {
            if (strcmp(key, primitives[i].name) == 0)
                shape->kind = primitives[i].kind;
        }
        if (strpbrk(key, "<>"))
            return NULL;
        if (shape->kind == SHAPE_OBJECT) {
            shape->type_name = key;
            if (!sc_list_push(arena, &schema->unresolved, shape))
                return NULL;
        }
    }
    return sc_map_put(arena, &schema->shapes, key, shape) ? shape : NULL;
}

/* ---- objects, resources ------------------------------------------------------------------ */

static int compare_properties(const void *a, const void *b)
{
    return strcmp(((const sc_schema_property *)a)->name, ((const sc_schema_property *)b)->name);
}

static int compare_attributes(const void *a, const void *b)
{
    return strcmp(((const sc_schema_attribute *)a)->name, ((const sc_schema_attribute *)b)->name);
}

/* PROPERTY := SHAPE | {"type": SHAPE, "required": true, "update": "Immutable"|"Conditional"} */
static bool read_property(sc_schema *schema, const cJSON *json, sc_schema_property *out)
{
    const char *type = cJSON_IsString(json) ? json->valuestring : json_string(json, "type");
    out->name = sc_arena_strdup(&schema->ctx->arena, json->string);
    out->shape = type ? shape_of(schema, type, strlen(type)) : NULL;
    if (!out->name || !out->shape)
        return false;
    if (cJSON_IsObject(json)) {
        out->required = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(json, "required"));
        const char *update = json_string(json, "update");
        if (update && strcmp(update, "Immutable") == 0)
            out->update = UPDATE_IMMUTABLE;
        else if (update && strcmp(update, "Conditional") == 0)
            out->update = UPDATE_CONDITIONAL;
        else if (update)
            return false;
    }
    return true;
}

/* OBJECT := {"properties": {NAME: PROPERTY, ...}} (properties may be absent) */
static bool read_object(sc_schema *schema, const char *name, const cJSON *json,
                        sc_schema_object *out)
{
    sc_arena *arena = &schema->ctx->arena;
    const cJSON *properties = cJSON_GetObjectItemCaseSensitive(json, "properties");
    size_t count = (size_t)cJSON_GetArraySize(properties);
    out->name = name;
    if (count == 0)
        return true;
    sc_schema_property *props = sc_arena_alloc(arena, count * sizeof(*props));
    out->property_names = sc_arena_alloc(arena, count * sizeof(char *));
    out->required = sc_arena_alloc(arena, count * sizeof(sc_schema_property *));
    if (!props || !out->property_names || !out->required)
        return false;
    const cJSON *item;
    size_t n = 0;
    cJSON_ArrayForEach(item, properties)
    {
        if (!read_property(schema, item, &props[n++]))
            return false;
    }
    qsort(props, count, sizeof(*props), compare_properties);
    for (size_t i = 0; i < count; i++) {
        out->property_names[i] = props[i].name;
        if (props[i].required)
            out->required[out->required_count++] = &props[i];
    }
    out->properties = props;
    out->property_count = count;
    return true;
}

/* RESOURCE := {"attributes": {NAME: SHAPE}, "properties": {...}, "transform": NAME} */
static sc_resource_schema *read_resource(sc_schema *schema, const char *type, const cJSON *json)
{
    sc_arena *arena = &schema->ctx->arena;
    sc_resource_schema *resource = sc_arena_alloc(arena, sizeof(*resource));
    if (!resource || !(resource->type = sc_arena_strdup(arena, type)))
        return NULL;
    if (!read_object(schema, resource->type, json, &resource->properties))
        return NULL;
    const char *transform = json_string(json, "transform");
    if (transform && !(resource->transform = sc_arena_strdup(arena, transform)))
        return NULL;
    const cJSON *attributes = cJSON_GetObjectItemCaseSensitive(json, "attributes");
    size_t count = (size_t)cJSON_GetArraySize(attributes);
    if (count == 0)
        return resource;
    sc_schema_attribute *attrs = sc_arena_alloc(arena, count * sizeof(*attrs));
    resource->attribute_names = sc_arena_alloc(arena, count * sizeof(char *));
    if (!attrs || !resource->attribute_names)
        return NULL;
    const cJSON *item;
    size_t n = 0;
    cJSON_ArrayForEach(item, attributes)
    {
        if (!cJSON_IsString(item))
            return NULL;
        attrs[n].name = sc_arena_strdup(arena, item->string);
        attrs[n].shape = shape_of(schema, item->valuestring, strlen(item->valuestring));
        if (!attrs[n].name || !attrs[n].shape)
            return NULL;
        n++;
    }
    qsort(attrs, count, sizeof(*attrs), compare_attributes);
    for (size_t i = 0; i < count; i++)
        resource->attribute_names[i] = attrs[i].name;
    resource->attributes = attrs;
    resource->attribute_count = count;
    return resource;
}

/* Registers every property type of `types` ({NAME: OBJECT}) in schema->objects. */
static bool read_types(sc_schema *schema, const cJSON *types)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, types)
    {
        sc_schema_object *object = sc_arena_alloc(&schema->ctx->arena, sizeof(*object));
        const char *name = sc_arena_strdup(&schema->ctx->arena, item->string);
        if (!object || !name || !read_object(schema, name, item, object) ||
            !sc_map_put(&schema->ctx->arena, &schema->objects, name, object))
            return false;
    }
    return true;
}

/* The service file of a type, from its name: AWS::EC2::VPC is in EC2.json,
 * Alexa::ASK::Skill in Alexa-ASK.json (tools/schemagen checks every type obeys this). */
static service_file *file_of(const sc_schema *schema, const char *type)
{
    const char *first = strstr(type, "::");
    const char *second = first ? strstr(first + 2, "::") : NULL;
    if (!first || !second || second == first + 2)
        return NULL;
    char stem[256];
    if (strncmp(type, "AWS::", 5) == 0)
        snprintf(stem, sizeof(stem), "%.*s", (int)(second - first - 2), first + 2);
    else
        snprintf(stem, sizeof(stem), "%.*s-%.*s", (int)(first - type), type,
                 (int)(second - first - 2), first + 2);
    return lookup(schema, &schema->files, stem);
}

/* ---- service files, one entry per line ------------------------------------------------------ */

static bool line_is(const char *line, size_t len, const char *text)
{
    return len == strlen(text) && memcmp(line, text, len) == 0;
}

/* `"KEY":VALUE` or `"KEY":VALUE,` -> schema->entries[KEY] = VALUE, unparsed. */
static bool add_entry(sc_schema *schema, const service_file *file, const char *line, size_t len)
{
    const char *close = len > 1 && line[0] == '"' ? memchr(line + 1, '"', len - 1) : NULL;
    if (!close || (size_t)(close - line) + 2 >= len || close[1] != ':')
        return false;
    const char *value = close + 2;
    size_t value_len = len - (size_t)(value - line);
    if (value[value_len - 1] == ',')
        value_len--;
    if (value_len < 2 || value[0] != '{' || value[value_len - 1] != '}')
        return false;
    sc_arena *arena = &schema->ctx->arena;
    schema_entry *entry = sc_arena_alloc(arena, sizeof(*entry));
    char *key = sc_arena_strndup(arena, line + 1, (size_t)(close - line - 1));
    if (!entry || !key)
        return false;
    *entry = (schema_entry){.text = value, .len = value_len, .file = file};
    return sc_map_put(arena, &schema->entries, key, entry);
}

/* Indexes a service file by its lines without parsing them: the generator writes one
 * resource or property type per line, and a build needs a few dozen of the thousands
 * (parsing whole files cost more than the rest of a small build). */
static bool index_entries(sc_schema *schema, const service_file *file, const char *text, size_t len)
{
    const char *end = text + len;
    bool first = true;
    for (const char *line = text; line < end;) {
        const char *newline = memchr(line, '\n', (size_t)(end - line));
        size_t n = (size_t)((newline ? newline : end) - line);
        if (first) {
            if (!line_is(line, n, "{\"resources\":{"))
                return false;
            first = false;
        } else if (line_is(line, n, "}}") || line_is(line, n, "\"types\":{}}")) {
            return !newline || newline + 1 == end;
        } else if (!line_is(line, n, "},") && !line_is(line, n, "\"types\":{") &&
                   !add_entry(schema, file, line, n)) {
            return false;
        }
        if (!newline)
            break;
        line = newline + 1;
    }
    return false;
}

/* Reads and indexes a service's file once; later calls return what the first one found. */
static bool read_service(sc_schema *schema, const service_file *file)
{
    const void *state = lookup(schema, &schema->read_files, file->stem);
    if (state)
        return state == &file_read;
    sc_context *ctx = schema->ctx;
    if (!sc_map_put(&ctx->arena, &schema->read_files, file->stem, (void *)&file_failed))
        return false;
    size_t len = 0;
    char *text = read_text(schema, file->name, &len);
    if (!text)
        return false;
    char *kept = sc_arena_strndup(&ctx->arena, text, len);
    free(text);
    if (!kept || !index_entries(schema, file, kept, len)) {
        if (!ctx->out_of_memory)
            fail(schema, "the AWS schema file %s/%s is malformed", schema->dir, file->name);
        return false;
    }
    return sc_map_put(&ctx->arena, &schema->read_files, file->stem, (void *)&file_read);
}

static void entry_failed(sc_schema *schema, const schema_entry *entry, const char *name)
{
    sc_map_put(&schema->ctx->arena, &schema->failed_entries, name, (void *)&entry_failed_marker);
    if (!schema->ctx->out_of_memory)
        fail(schema, "the AWS schema file %s/%s is malformed at %s", schema->dir, entry->file->name,
             name);
}

/* The entry `name` of the file of `type`, parsed; NULL when there is none. */
static cJSON *parse_entry(sc_schema *schema, const char *name, const char *type,
                          schema_entry **entry)
{
    service_file *file = file_of(schema, type);
    if (!file || !read_service(schema, file))
        return NULL;
    *entry = lookup(schema, &schema->entries, name);
    if (!*entry || lookup(schema, &schema->failed_entries, name))
        return NULL;
    const char *end = NULL;
    cJSON *json = cJSON_ParseWithLengthOpts((*entry)->text, (*entry)->len, &end, false);
    if (json && end == (*entry)->text + (*entry)->len)
        return json;
    cJSON_Delete(json);
    entry_failed(schema, *entry, name);
    return NULL;
}

static sc_resource_schema *load_resource(sc_schema *schema, const char *type)
{
    schema_entry *entry = NULL;
    cJSON *json = strchr(type, '.') ? NULL : parse_entry(schema, type, type, &entry);
    if (!json)
        return NULL;
    sc_resource_schema *resource = read_resource(schema, type, json);
    cJSON_Delete(json);
    if (!resource ||
        !sc_map_put(&schema->ctx->arena, &schema->resources, resource->type, resource)) {
        entry_failed(schema, entry, type);
        return NULL;
    }
    return resource;
}

/* "AWS::EC2::SecurityGroup.Ingress" is in the file of AWS::EC2::SecurityGroup. */
static sc_schema_object *load_object(sc_schema *schema, const char *name)
{
    const char *dot = strchr(name, '.');
    char *type = dot ? sc_arena_strndup(&schema->ctx->arena, name, (size_t)(dot - name)) : NULL;
    schema_entry *entry = NULL;
    cJSON *json = type ? parse_entry(schema, name, type, &entry) : NULL;
    if (!json)
        return NULL;
    sc_arena *arena = &schema->ctx->arena;
    sc_schema_object *object = sc_arena_alloc(arena, sizeof(*object));
    const char *key = sc_arena_strdup(arena, name);
    bool ok = object && key && read_object(schema, key, json, object) &&
              sc_map_put(arena, &schema->objects, key, object);
    cJSON_Delete(json);
    if (!ok) {
        entry_failed(schema, entry, name);
        return NULL;
    }
    return object;
}

/* Points every OBJECT shape made so far at its property type, parsing the entries they
 * name, and theirs in turn; a name the schema lacks stays NULL (the schema test looks
 * for those). */
static void resolve_shapes(sc_schema *schema)
{
    while (schema->unresolved.count > 0) {
        sc_shape *shape = schema->unresolved.items[--schema->unresolved.count];
        shape->object = lookup(schema, &schema->objects, shape->type_name);
        if (!shape->object)
            shape->object = load_object(schema, shape->type_name);
    }
}

/* ---- the index ---------------------------------------------------------------------------- */

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *text_or_empty(const char *s)
{
    return s ? s : "";
}

/* index.json: {"format": 2, "source": {...}, "shared": {NAME: OBJECT}, "files": {STEM: FILE}}.
 * The list of every type is in types.json, read only to list types or to suggest one:
 * looking a type up finds its file from its name. */
static bool read_index(sc_schema *schema, const cJSON *index)
{
    sc_arena *arena = &schema->ctx->arena;
    const cJSON *format = cJSON_GetObjectItemCaseSensitive(index, "format");
    if (!cJSON_IsNumber(format) || format->valueint != SCHEMA_FORMAT) {
        fail(schema, "the AWS schema in %s has a format this stackc does not read", schema->dir);
        return false;
    }
    const cJSON *source = cJSON_GetObjectItemCaseSensitive(index, "source");
    schema->source.package = sc_arena_strdup(arena, text_or_empty(json_string(source, "package")));
    schema->source.version = sc_arena_strdup(arena, text_or_empty(json_string(source, "version")));
    schema->source.published =
        sc_arena_strdup(arena, text_or_empty(json_string(source, "published")));

    const cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(index, "files"))
    {
        service_file *file = sc_arena_alloc(arena, sizeof(*file));
        if (!file || !cJSON_IsString(item) ||
            !(file->stem = sc_arena_strdup(arena, item->string)) ||
            !(file->name = sc_arena_strdup(arena, item->valuestring)) ||
            !sc_map_put(arena, &schema->files, file->stem, file))
            return false;
    }
    bool ok = read_types(schema, cJSON_GetObjectItemCaseSensitive(index, "shared"));
    resolve_shapes(schema);
    return ok;
}

sc_schema *sc_schema_new(sc_context *ctx, const char *dir)
{
    sc_schema *schema = sc_arena_alloc(&ctx->arena, sizeof(*schema));
    if (!schema)
        return NULL;
    schema->ctx = ctx;
    schema->dir = sc_arena_strdup(&ctx->arena, dir);
    if (!schema->dir)
        return NULL;
    cJSON *index = read_json(schema, "index.json");
    bool ok = index && read_index(schema, index);
    cJSON_Delete(index);
    if (!ok) {
        if (ctx->out_of_memory)
            return NULL;
        fail(schema, "the AWS schema index in %s is malformed", schema->dir);
        /* Know no type rather than half of them. */
        schema->type_count = 0;
        schema->types_read = true;
        memset(&schema->files, 0, sizeof(schema->files));
    }
    return schema;
}

sc_schema *sc_schema_fork(sc_context *ctx, const sc_schema *base, const char *dir)
{
    if (base->error || base->unresolved.count)
        return NULL;
    sc_schema *schema = sc_arena_alloc(&ctx->arena, sizeof(*schema));
    if (!schema)
        return NULL;
    schema->ctx = ctx;
    schema->dir = sc_arena_strdup(&ctx->arena, dir);
    schema->source = base->source;
    schema->types = base->types;
    schema->type_count = base->type_count;
    schema->types_read = base->types_read;
    schema->base = base;
    return schema->dir ? schema : NULL;
}

const char *sc_schema_error(const sc_schema *schema)
{
    return schema->error;
}

sc_context *sc_schema_context(const sc_schema *schema)
{
    return schema->ctx;
}

sc_schema_source sc_schema_source_info(const sc_schema *schema)
{
    return schema->source;
}

/* types.json: {"resources": {TYPE: STEM}}, every type, for listing and suggestions. */
static void read_type_list(sc_schema *schema)
{
    if (schema->types_read)
        return;
    schema->types_read = true;
    sc_arena *arena = &schema->ctx->arena;
    cJSON *list = read_json(schema, "types.json");
    const cJSON *resources = cJSON_GetObjectItemCaseSensitive(list, "resources");
    size_t count = (size_t)cJSON_GetArraySize(resources);
    schema->types = sc_arena_alloc(arena, (count ? count : 1) * sizeof(char *));
    const cJSON *item;
    cJSON_ArrayForEach(item, resources)
    {
        const char *type = schema->types ? sc_arena_strdup(arena, item->string) : NULL;
        if (!type)
            break;
        schema->types[schema->type_count++] = type;
    }
    cJSON_Delete(list);
    if (schema->type_count > 1)
        qsort(schema->types, schema->type_count, sizeof(char *), compare_strings);
}

size_t sc_schema_type_count(sc_schema *schema)
{
    read_type_list(schema);
    return schema->type_count;
}

const char *sc_schema_type_at(sc_schema *schema, size_t index)
{
    read_type_list(schema);
    return index < schema->type_count ? schema->types[index] : NULL;
}

bool sc_schema_available(const sc_schema *schema)
{
    for (; schema; schema = schema->base)
        if (schema->files.count > 0)
            return true;
    return false;
}

bool sc_schema_knows_type(sc_schema *schema, const char *type)
{
    if (lookup(schema, &schema->resources, type))
        return true;
    service_file *file = strchr(type, '.') ? NULL : file_of(schema, type);
    return file && read_service(schema, file) && lookup(schema, &schema->entries, type);
}

/* ---- lookups ------------------------------------------------------------------------------- */

const sc_resource_schema *sc_schema_resource(sc_schema *schema, const char *type)
{
    sc_resource_schema *resource = lookup(schema, &schema->resources, type);
    if (resource)
        return resource;
    resource = load_resource(schema, type);
    resolve_shapes(schema);
    return resource;
}

const sc_schema_object *sc_schema_property_type(sc_schema *schema, const char *name)
{
    sc_schema_object *object = lookup(schema, &schema->objects, name);
    if (object)
        return object;
    object = load_object(schema, name);
    resolve_shapes(schema);
    return object;
}

/* Binary search in an array of structs whose first member is the name. */
static const void *find_named(const void *items, size_t count, size_t size, const char *name)
{
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const void *item = (const char *)items + mid * size;
        int c = strcmp(name, *(const char *const *)item);
        if (c == 0)
            return item;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const sc_schema_property *sc_schema_lookup_property(const sc_schema_object *object,
                                                    const char *name)
{
    return find_named(object->properties, object->property_count, sizeof(sc_schema_property), name);
}

const sc_schema_attribute *sc_schema_lookup_attribute(const sc_resource_schema *resource,
                                                      const char *name)
{
    return find_named(resource->attributes, resource->attribute_count, sizeof(sc_schema_attribute),
                      name);
}

bool sc_schema_is_read_only(const sc_resource_schema *resource, const char *name)
{
    return sc_schema_lookup_attribute(resource, name) &&
           !sc_schema_lookup_property(&resource->properties, name);
}

bool sc_schema_replaces(const sc_schema_property *property)
{
    return property->update != UPDATE_MUTABLE;
}

/* ---- did you mean ---------------------------------------------------------------------------- */

enum { CLOSEST_MAX_LEN = 128 };

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Edit distance in half-edits: insertions, deletions, substitutions and swaps of two
 * neighbours cost 2, a change of case 1 (optimal string alignment). Stops at the first
 * row that is all over `limit` (a row's minimum never decreases) and then returns
 * limit + 1: most of ~1,500 resource types are far from a misspelt one. */
static size_t distance(const char *a, size_t la, const char *b, size_t lb, size_t limit)
{
    size_t rows[3][CLOSEST_MAX_LEN + 1];
    size_t *before = rows[0], *previous = rows[1], *current = rows[2];
    for (size_t j = 0; j <= lb; j++)
        previous[j] = 2 * j;
    for (size_t i = 1; i <= la; i++) {
        current[0] = 2 * i;
        size_t row_min = current[0];
        for (size_t j = 1; j <= lb; j++) {
            char x = a[i - 1], y = b[j - 1];
            size_t cost = x == y ? 0 : lower(x) == lower(y) ? 1 : 2;
            size_t best = previous[j - 1] + cost;
            if (previous[j] + 2 < best)
                best = previous[j] + 2;
            if (current[j - 1] + 2 < best)
                best = current[j - 1] + 2;
            if (i > 1 && j > 1 && x == b[j - 2] && a[i - 2] == y && before[j - 2] + 2 < best)
                best = before[j - 2] + 2;
            current[j] = best;
            row_min = best < row_min ? best : row_min;
        }
        if (row_min > limit)
            return limit + 1;
        size_t *spare = before;
        before = previous;
        previous = current;
        current = spare;
    }
    return previous[lb];
}

/* A lower bound of `distance` that costs one pass: every operation worth two
 * half-edits changes the letters' counts, case aside, by at most two. */
static size_t letter_count_gap(const unsigned char *counts, const char *other)
{
    int diff[256] = {0};
    size_t gap = 0;
    for (const char *p = other; *p; p++)
        diff[(unsigned char)lower(*p)]++;
    for (size_t c = 0; c < 256; c++) {
        int d = diff[c] - counts[c];
        gap += (size_t)(d < 0 ? -d : d);
    }
    return gap;
}

const char *sc_schema_closest(const char *name, const char *const *candidates, size_t count)
{
    size_t len = strlen(name);
    if (len > CLOSEST_MAX_LEN)
        return NULL;
    unsigned char counts[256] = {0};
    for (const char *p = name; *p; p++)
        counts[(unsigned char)lower(*p)]++;
    size_t allowed = 2 * (len / 3 + 1);
    const char *best = NULL;
    size_t best_distance = (size_t)-1;
    for (size_t i = 0; i < count; i++) {
        size_t other = candidates[i] ? strlen(candidates[i]) : 0;
        if (!candidates[i] || other > CLOSEST_MAX_LEN || strcmp(candidates[i], name) == 0)
            continue;
        /* Lengths alone bound the distance from below. */
        size_t gap = other > len ? other - len : len - other;
        if (2 * gap > allowed || 2 * gap >= best_distance)
            continue;
        size_t limit = best_distance - 1 < allowed ? best_distance - 1 : allowed;
        if (letter_count_gap(counts, candidates[i]) > limit)
            continue;
        size_t d = distance(name, len, candidates[i], other, limit);
        if (d <= allowed && d < best_distance) {
            best = candidates[i];
            best_distance = d;
        }
    }
    return best;
}

const char *sc_schema_suggest_type(sc_schema *schema, const char *type)
{
    read_type_list(schema);
    return sc_schema_closest(type, schema->types, schema->type_count);
}

const char *sc_schema_suggest_property(const sc_schema_object *object, const char *name)
{
    return sc_schema_closest(name, object->property_names, object->property_count);
}

const char *sc_schema_suggest_attribute(const sc_resource_schema *resource, const char *name)
{
    return sc_schema_closest(name, resource->attribute_names, resource->attribute_count);
}
