/* A small XML tree over expat, for the answers of AWS's query protocol and of S3:
 * parse the whole body once, then walk it by element names. Namespaces are ignored
 * (AWS puts everything in one default namespace). Internal to libstackc_aws. */
#ifndef STACKC_AWS_XML_H
#define STACKC_AWS_XML_H

#include <stddef.h>

/* One element. A tree is owned by its root and released with sc_aws_xml_free. */
typedef struct sc_aws_xml {
    char *name; /* the element's name, any "prefix:" removed */
    char *text; /* the character data directly inside it, "" when none */
    struct sc_aws_xml **children;
    size_t child_count;
    size_t child_capacity;
} sc_aws_xml;

/* Parses `len` bytes. NULL when the document is malformed, nests deeper than 64
 * elements, or memory runs out. The caller frees the tree with sc_aws_xml_free. */
sc_aws_xml *sc_aws_xml_parse(const char *data, size_t len);
void sc_aws_xml_free(sc_aws_xml *root);
/* Frees the tree after overwriting every text, for answers that carry secrets. */
void sc_aws_xml_free_secret(sc_aws_xml *root);

/* The first child of `node` named `name`; NULL if none (or if `node` is NULL). */
const sc_aws_xml *sc_aws_xml_child(const sc_aws_xml *node, const char *name);

/* Follows a '/'-separated path of child names, e.g. "DescribeStacksResult/Stacks";
 * NULL if a step is missing. An empty path is `node` itself. */
const sc_aws_xml *sc_aws_xml_path(const sc_aws_xml *node, const char *path);

/* The text of the element at `path` (owned by the tree); NULL when it is absent. */
const char *sc_aws_xml_text(const sc_aws_xml *node, const char *path);

/* The first element named `name` in depth-first order, `node` itself included. */
const sc_aws_xml *sc_aws_xml_find(const sc_aws_xml *node, const char *name);

#endif
