/* A small XML tree over expat: a stack of open elements while parsing, each gathering
 * its character data, linked to its parent when it ends. */
#include "aws/xml.h"

#include "aws/text.h"

#include <expat.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_DEPTH = 64 };

/* Parser state, expat's userdata. */
typedef struct builder {
    sc_aws_xml *open[MAX_DEPTH]; /* open[0] is the root */
    sc_aws_buf text[MAX_DEPTH];  /* character data of each open element */
    int depth;                   /* number of open elements */
    sc_aws_xml *root;            /* set when the root element ends */
    bool failed;                 /* out of memory or too deep: stop */
    XML_Parser parser;
} builder;

static void free_tree(sc_aws_xml *node, bool secret)
{
    if (!node)
        return;
    for (size_t i = 0; i < node->child_count; i++)
        free_tree(node->children[i], secret);
    free(node->children);
    free(node->name);
    if (secret)
        sc_aws_free_secret(node->text);
    else
        free(node->text);
    free(node);
}

static void free_node(sc_aws_xml *node)
{
    free_tree(node, false);
}

void sc_aws_xml_free(sc_aws_xml *root)
{
    free_tree(root, false);
}

void sc_aws_xml_free_secret(sc_aws_xml *root)
{
    free_tree(root, true);
}

static bool add_child(sc_aws_xml *parent, sc_aws_xml *child)
{
    if (parent->child_count == parent->child_capacity) {
        size_t capacity = parent->child_capacity ? parent->child_capacity * 2 : 4;
        sc_aws_xml **grown = realloc(parent->children, capacity * sizeof(*grown));
        if (!grown)
            return false;
        parent->children = grown;
        parent->child_capacity = capacity;
    }
    parent->children[parent->child_count++] = child;
    return true;
}

static void stop(builder *b)
{
    b->failed = true;
    XML_StopParser(b->parser, XML_FALSE);
}

static void XMLCALL on_start(void *userdata, const XML_Char *name, const XML_Char **attrs)
{
    (void)attrs;
    builder *b = userdata;
    if (b->failed)
        return;
    if (b->depth == MAX_DEPTH) {
        stop(b);
        return;
    }
    const char *colon = strchr(name, ':');
    sc_aws_xml *node = calloc(1, sizeof(*node));
    if (node)
        node->name = sc_aws_strdup(colon ? colon + 1 : name);
    if (!node || !node->name) {
        free_node(node);
        stop(b);
        return;
    }
    b->open[b->depth] = node;
    b->text[b->depth] = (sc_aws_buf){0};
    b->depth++;
}

static void XMLCALL on_end(void *userdata, const XML_Char *name)
{
    (void)name;
    builder *b = userdata;
    if (b->failed || b->depth == 0)
        return;
    b->depth--;
    sc_aws_xml *node = b->open[b->depth];
    node->text = sc_aws_buf_take(&b->text[b->depth]);
    if (!node->text && !(node->text = sc_aws_strdup(""))) {
        free_node(node);
        stop(b);
        return;
    }
    if (b->depth == 0) {
        b->root = node;
        return;
    }
    if (!add_child(b->open[b->depth - 1], node)) {
        free_node(node);
        stop(b);
    }
}

static void XMLCALL on_text(void *userdata, const XML_Char *s, int len)
{
    builder *b = userdata;
    if (b->failed || b->depth == 0 || len <= 0)
        return;
    sc_aws_buf *text = &b->text[b->depth - 1];
    sc_aws_buf_append(text, s, (size_t)len);
    if (text->failed)
        stop(b);
}

sc_aws_xml *sc_aws_xml_parse(const char *data, size_t len)
{
    if (len > INT32_MAX)
        return NULL;
    builder b = {0};
    b.parser = XML_ParserCreate("UTF-8");
    if (!b.parser)
        return NULL;
    XML_SetUserData(b.parser, &b);
    XML_SetElementHandler(b.parser, on_start, on_end);
    XML_SetCharacterDataHandler(b.parser, on_text);
    bool parsed = XML_Parse(b.parser, data ? data : "", (int)len, XML_TRUE) == XML_STATUS_OK;
    XML_ParserFree(b.parser);
    /* Whatever is still open after a failure belongs to no tree yet. */
    for (int i = b.depth - 1; i >= 0; i--) {
        sc_aws_buf_free(&b.text[i]);
        free_node(b.open[i]);
    }
    if (!parsed || b.failed || b.depth != 0) {
        free_node(b.root);
        return NULL;
    }
    return b.root;
}

const sc_aws_xml *sc_aws_xml_child(const sc_aws_xml *node, const char *name)
{
    for (size_t i = 0; node && i < node->child_count; i++) {
        if (strcmp(node->children[i]->name, name) == 0)
            return node->children[i];
    }
    return NULL;
}

const sc_aws_xml *sc_aws_xml_path(const sc_aws_xml *node, const char *path)
{
    while (node && *path) {
        size_t len = strcspn(path, "/");
        const sc_aws_xml *next = NULL;
        for (size_t i = 0; i < node->child_count && !next; i++) {
            const char *name = node->children[i]->name;
            if (strlen(name) == len && memcmp(name, path, len) == 0)
                next = node->children[i];
        }
        node = next;
        path += len;
        if (*path == '/')
            path++;
    }
    return node;
}

const char *sc_aws_xml_text(const sc_aws_xml *node, const char *path)
{
    const sc_aws_xml *found = sc_aws_xml_path(node, path);
    return found ? found->text : NULL;
}

const sc_aws_xml *sc_aws_xml_find(const sc_aws_xml *node, const char *name)
{
    if (!node)
        return NULL;
    if (strcmp(node->name, name) == 0)
        return node;
    for (size_t i = 0; i < node->child_count; i++) {
        const sc_aws_xml *found = sc_aws_xml_find(node->children[i], name);
        if (found)
            return found;
    }
    return NULL;
}
