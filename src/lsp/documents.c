/* Open documents: their text, edits to it, and positions as the protocol counts them
 * (lines, and UTF-16 code units within a line: a character beyond the Basic
 * Multilingual Plane counts two, as it does in the editor). */
#include "lsp/lsp.h"

#include <stdlib.h>
#include <string.h>

/* Code units of the UTF-8 sequence that starts with `byte`: 0 for a continuation byte. */
static unsigned utf16_units(unsigned char byte)
{
    if ((byte & 0xC0) == 0x80)
        return 0;
    return byte >= 0xF0 ? 2 : 1;
}

static size_t line_of(const uint32_t *lines, size_t count, uint32_t offset)
{
    size_t lo = 0, hi = count;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (lines[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

void sc_lsp_position(const char *text, size_t len, const uint32_t *lines, size_t line_count,
                     uint32_t offset, unsigned *line, unsigned *character)
{
    if (offset > len)
        offset = (uint32_t)len;
    uint32_t start = 0;
    size_t number = 0;
    if (lines) {
        number = line_of(lines, line_count, offset);
        start = lines[number];
    } else {
        for (uint32_t i = 0; i < offset; i++) {
            if (text[i] == '\n') {
                number++;
                start = i + 1;
            }
        }
    }
    unsigned units = 0;
    for (uint32_t i = start; i < offset; i++)
        units += utf16_units((unsigned char)text[i]);
    *line = (unsigned)number;
    *character = units;
}

/* A position past the end of its line means the line's end, before "\r\n" or "\n"; a
 * line past the last means the end of the text. */
uint32_t sc_lsp_offset(const sc_lsp_document *doc, unsigned line, unsigned character)
{
    if (line >= doc->line_count)
        return (uint32_t)doc->len;
    uint32_t at = doc->lines[line];
    uint32_t end = line + 1 < doc->line_count ? doc->lines[line + 1] - 1 : (uint32_t)doc->len;
    if (end > at && doc->text[end - 1] == '\r')
        end--;
    unsigned units = 0;
    while (at < end) {
        unsigned next = utf16_units((unsigned char)doc->text[at]);
        if (units + next > character)
            break;
        units += next;
        at++;
        while (at < end && utf16_units((unsigned char)doc->text[at]) == 0)
            at++;
    }
    return at;
}

static bool index_lines(sc_lsp_document *doc)
{
    size_t count = 1;
    for (size_t i = 0; i < doc->len; i++)
        count += doc->text[i] == '\n';
    uint32_t *lines = realloc(doc->lines, count * sizeof(*lines));
    if (!lines)
        return false;
    size_t n = 0;
    lines[n++] = 0;
    for (size_t i = 0; i < doc->len; i++)
        if (doc->text[i] == '\n')
            lines[n++] = (uint32_t)(i + 1);
    doc->lines = lines;
    doc->line_count = count;
    return true;
}

bool sc_lsp_document_edit(sc_lsp_document *doc, uint32_t start, uint32_t end, const char *text,
                          size_t len, bool whole)
{
    if (whole) {
        start = 0;
        end = (uint32_t)doc->len;
    }
    if (end > doc->len)
        end = (uint32_t)doc->len;
    if (start > end)
        start = end;
    size_t new_len = doc->len - (end - start) + len;
    if (new_len >= UINT32_MAX)
        return false;
    if (new_len + 1 > doc->capacity) {
        size_t capacity = new_len + 1 > doc->capacity * 2 ? new_len + 1 : doc->capacity * 2;
        char *grown = realloc(doc->text, capacity);
        if (!grown)
            return false;
        doc->text = grown;
        doc->capacity = capacity;
    }
    memmove(doc->text + start + len, doc->text + end, doc->len - end);
    memcpy(doc->text + start, text, len);
    doc->len = new_len;
    doc->text[new_len] = '\0';
    return index_lines(doc);
}

void sc_lsp_document_free(sc_lsp_document *doc)
{
    if (!doc)
        return;
    sc_analysis_free(doc->analysis);
    sc_context_free(doc->ctx);
    free(doc->uri);
    free(doc->path);
    free(doc->text);
    free(doc->lines);
    free(doc);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *sc_lsp_uri_to_path(const char *uri)
{
    if (strncmp(uri, "file://", 7) != 0)
        return strdup(uri);
    const char *p = uri + 7;
    if (*p != '/') /* file://host/path: the host is this machine's */
        p = strchr(p, '/') ? strchr(p, '/') : "";
    char *path = malloc(strlen(p) + 1);
    if (!path)
        return NULL;
    size_t n = 0;
    for (; *p; p++) {
        int hi, lo;
        if (*p == '%' && (hi = hex_value(p[1])) >= 0 && (lo = hex_value(p[2])) >= 0 && (hi || lo)) {
            path[n++] = (char)(hi * 16 + lo);
            p += 2;
        } else {
            path[n++] = *p;
        }
    }
    path[n] = '\0';
    return path;
}

char *sc_lsp_path_to_uri(const char *path)
{
    if (path[0] != '/')
        return strdup(path);
    static const char hex[] = "0123456789ABCDEF";
    char *uri = malloc(7 + strlen(path) * 3 + 1);
    if (!uri)
        return NULL;
    size_t n = 0;
    memcpy(uri, "file://", 7);
    n = 7;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p)) {
            uri[n++] = (char)*p;
        } else {
            uri[n++] = '%';
            uri[n++] = hex[*p >> 4];
            uri[n++] = hex[*p & 15];
        }
    }
    uri[n] = '\0';
    return uri;
}
