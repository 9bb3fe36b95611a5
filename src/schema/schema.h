/* AWS's CloudFormation resource schema: resource types, their properties and
 * attributes, and the property types nested in them, read lazily from the files that
 * tools/schemagen writes into stdlib/schema.
 *
 * sc_schema_new reads only index.json (service files, shared property types). A
 * service's file (EC2.json holds every AWS::EC2::* type) is read through the context's
 * file reader the first time one of its types is asked for and indexed by line (one
 * type per line); only the entries asked for, and the property types they name, are
 * parsed into arena structures. A program that uses AWS::EC2::VPC parses neither IAM
 * nor the other EC2 types. Everything lives in the context's arena and dies with it;
 * nothing is global.
 *
 * The checker (conform.c) walks a value through a small reader interface, so the
 * compiler can check its own values as well as cJSON trees. Deploy-time values are
 * CloudFormation intrinsics, one-key objects {"Ref": ...} or {"Fn::...": ...}: they
 * stand for whatever they produce (Fn::Sub a string, Fn::GetAZs a list, Fn::If either
 * branch, each checked). Primitives are coerced as CloudFormation coerces them ("80"
 * is an integer, 80 a string, "true" a boolean); structure is checked strictly. */
#ifndef STACKC_SCHEMA_H
#define STACKC_SCHEMA_H

#include "util/util.h"

typedef struct sc_schema sc_schema;
typedef struct sc_schema_object sc_schema_object;
typedef struct sc_shape sc_shape;

/* ---- what the schema says ------------------------------------------------------------ */

typedef enum sc_shape_kind {
    SHAPE_STRING,
    SHAPE_INTEGER,
    SHAPE_DOUBLE,
    SHAPE_BOOLEAN,
    SHAPE_JSON,      /* any JSON value */
    SHAPE_TIMESTAMP, /* a string */
    SHAPE_LIST,
    SHAPE_MAP,    /* an object with free keys */
    SHAPE_OBJECT, /* a named property type */
    SHAPE_UNION,  /* any one of the alternatives */
} sc_shape_kind;

/* A property's or attribute's shape. Shapes are shared: the same text is the same shape. */
struct sc_shape {
    sc_shape_kind kind;
    const char *text;               /* as written: "List<AWS::ECS::TaskDefinition.PortMapping>" */
    const sc_shape *element;        /* LIST, MAP */
    const char *type_name;          /* OBJECT: "AWS::EC2::SecurityGroup.Ingress", or "Tag" */
    const sc_schema_object *object; /* OBJECT: the property type; NULL if the schema lacks it */
    const sc_shape **alternatives;  /* UNION */
    size_t alternative_count;
};

typedef enum sc_update_kind {
    UPDATE_MUTABLE,     /* changed in place */
    UPDATE_IMMUTABLE,   /* changing it replaces the resource */
    UPDATE_CONDITIONAL, /* replaces it in some cases */
} sc_update_kind;

typedef struct sc_schema_property {
    const char *name;
    const sc_shape *shape;
    bool required;
    sc_update_kind update;
} sc_schema_property;

/* A set of named properties: a resource's Properties or a property type. */
struct sc_schema_object {
    const char *name;                     /* "AWS::EC2::VPC", "AWS::EC2::SecurityGroup.Ingress" */
    const sc_schema_property *properties; /* sorted by name (strcmp) */
    size_t property_count;
    const char **property_names;         /* the same names, for did-you-mean */
    const sc_schema_property **required; /* the required ones, in name order */
    size_t required_count;
};

typedef struct sc_schema_attribute {
    const char *name; /* a Fn::GetAtt name: "Arn", "Endpoint.Address" */
    const sc_shape *shape;
} sc_schema_attribute;

typedef struct sc_resource_schema {
    const char *type;                      /* "AWS::RDS::DBCluster" */
    sc_schema_object properties;           /* name = type */
    const sc_schema_attribute *attributes; /* sorted by name */
    size_t attribute_count;
    const char **attribute_names;
    const char *transform; /* the Transform the type needs, or NULL */
} sc_resource_schema;

/* Where the schema came from, as index.json records it. Strings owned by the context. */
typedef struct sc_schema_source {
    const char *package; /* "@aws-cdk/aws-service-spec" */
    const char *version;
    const char *published; /* ISO date of that version, or "unknown" */
} sc_schema_source;

/* ---- loading and looking up ------------------------------------------------------------- */

/* Reads `dir`/index.json. Returns NULL only when out of memory; when the index cannot be
 * read, the schema knows no type and sc_schema_error says why. `dir` is copied. */
sc_schema *sc_schema_new(sc_context *ctx, const char *dir);
/* A schema for `ctx` that starts with everything `base` has read and parsed, sharing it
 * (never written again: the fork looks up in `base` what its own indexes lack, rather
 * than copying them), and reads what else it needs from `dir`, which holds the same
 * files. `base` must outlive it. NULL when `base` failed or memory runs out. */
sc_schema *sc_schema_fork(sc_context *ctx, const sc_schema *base, const char *dir);
/* The first failure to read or parse a schema file ("cannot read .../EC2.json"), or NULL.
 * A file that failed is not read again. */
const char *sc_schema_error(const sc_schema *schema);
sc_context *sc_schema_context(const sc_schema *schema);
sc_schema_source sc_schema_source_info(const sc_schema *schema);

/* Every resource type, sorted; the first call reads types.json. */
size_t sc_schema_type_count(sc_schema *schema);
const char *sc_schema_type_at(sc_schema *schema, size_t index);
/* Whether the schema's index could be read (loads nothing else). */
bool sc_schema_available(const sc_schema *schema);
/* Whether `type` exists: loads its service's file. */
bool sc_schema_knows_type(sc_schema *schema, const char *type);

/* The resource type, loading its service's file on first use; NULL if unknown (or if
 * its file cannot be read: then sc_schema_error is set). */
const sc_resource_schema *sc_schema_resource(sc_schema *schema, const char *type);
/* A property type by full name ("AWS::EC2::SecurityGroup.Ingress", "Tag"), loading
 * its service's file on first use; NULL if unknown. */
const sc_schema_object *sc_schema_property_type(sc_schema *schema, const char *name);

/* The closest known resource type to a misspelt `type`, for "did you mean", or NULL. */
const char *sc_schema_suggest_type(sc_schema *schema, const char *type);

const sc_schema_property *sc_schema_lookup_property(const sc_schema_object *object,
                                                    const char *name);
const char *sc_schema_suggest_property(const sc_schema_object *object, const char *name);
const sc_schema_attribute *sc_schema_lookup_attribute(const sc_resource_schema *resource,
                                                      const char *name);
const char *sc_schema_suggest_attribute(const sc_resource_schema *resource, const char *name);
/* Whether `name` is an attribute the resource reports but does not take as a property
 * (an Arn, an Id): setting it is an error. */
bool sc_schema_is_read_only(const sc_resource_schema *resource, const char *name);
/* Whether changing the property replaces the resource (always or in some cases). */
bool sc_schema_replaces(const sc_schema_property *property);

/* CloudFormation's AWS-specific parameter types ("AWS::EC2::VPC::Id"), for did-you-mean. */
const char *const *sc_schema_parameter_types(size_t *count);
/* Whether `type` is one of them (or "AWS::SSM::Parameter::Value<...>"), and, with
 * `as_list`, whether it also exists as "List<type>". */
bool sc_schema_parameter_type_known(const char *type, bool as_list);

/* The closest of `candidates` to `name`, or NULL if none is close. Like sc_closest_name,
 * but a swap of two neighbouring letters counts as one edit ("VCP" -> "VPC") and a
 * difference of case as less than one. */
const char *sc_schema_closest(const char *name, const char *const *candidates, size_t count);

/* ---- checking values ------------------------------------------------------------------ */

typedef enum sc_schema_value_kind {
    SCHEMA_VALUE_NULL,
    SCHEMA_VALUE_BOOL,
    SCHEMA_VALUE_NUMBER,
    SCHEMA_VALUE_STRING,
    SCHEMA_VALUE_LIST,
    SCHEMA_VALUE_OBJECT,  /* includes intrinsics: {"Ref": ...}, {"Fn::Sub": ...} */
    SCHEMA_VALUE_UNKNOWN, /* a value the caller cannot show (accepted anywhere) */
} sc_schema_value_kind;

/* How the checker reads a caller's value; `value` is whatever the caller's tree node is. */
typedef struct sc_schema_value_reader {
    sc_schema_value_kind (*kind)(const void *value);
    bool (*boolean)(const void *value);
    double (*number)(const void *value);
    const char *(*string)(const void *value);
    size_t (*count)(const void *value);                   /* LIST items, OBJECT members */
    const void *(*item)(const void *value, size_t index); /* LIST item or OBJECT member's value */
    const char *(*key)(const void *value, size_t index);  /* OBJECT member's name */
} sc_schema_value_reader;

/* Reads `const cJSON *` trees. */
extern const sc_schema_value_reader sc_schema_cjson_reader;

/* One way a value does not fit. Strings and the struct live in the context's arena. */
typedef struct sc_schema_problem {
    const char *path;       /* from the checked value: "Ingress[0].FromPort"; "" for itself */
    const char *message;    /* "expected an integer, found the string \"eighty\"" */
    const char *suggestion; /* a property or function name for "did you mean", or NULL */
    const void *value;      /* the offending value; for a missing property, the object lacking it */
} sc_schema_problem;

/* Checks `value` against `shape`, appending every problem to `problems` (of
 * sc_schema_problem); returns how many were appended. A NULL value is an absent one. */
size_t sc_schema_check_value(sc_schema *schema, const sc_shape *shape,
                             const sc_schema_value_reader *reader, const void *value,
                             sc_ptr_list *problems);
/* Checks a resource's whole Properties object (NULL when the resource has none): known
 * names (did-you-mean; read-only attributes named as such), required ones present,
 * each value's shape. */
size_t sc_schema_check_properties(sc_schema *schema, const sc_resource_schema *resource,
                                  const sc_schema_value_reader *reader, const void *properties,
                                  sc_ptr_list *problems);

#endif
