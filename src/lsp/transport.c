/* JSON-RPC framing over a byte stream: `Content-Length: N` headers, a blank line, then N
 * bytes of JSON. A frame without a usable length is skipped up to the next blank line;
 * one too large to hold is read and dropped. Neither ends the session. */
#include "lsp/lsp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

enum {
    MAX_HEADER = 64 * 1024,       /* a header block longer than this is garbage */
    MAX_BODY = 256 * 1024 * 1024, /* documents of many megabytes fit well under it */
    READ_CHUNK = 64 * 1024,
};

/* Reads more bytes; false at the end of the stream. */
static bool fill(sc_lsp_reader *r)
{
    if (r->eof)
        return false;
    if (r->start > 0 && r->start == r->end)
        r->start = r->end = 0;
    if (r->capacity - r->end < READ_CHUNK) {
        if (r->start > 0) {
            memmove(r->buffer, r->buffer + r->start, r->end - r->start);
            r->end -= r->start;
            r->start = 0;
        }
        if (r->capacity - r->end < READ_CHUNK) {
            size_t capacity = r->capacity ? r->capacity * 2 : 2 * READ_CHUNK;
            char *grown = realloc(r->buffer, capacity);
            if (!grown)
                return false;
            r->buffer = grown;
            r->capacity = capacity;
        }
    }
    for (;;) {
        ssize_t n = read(r->fd, r->buffer + r->end, r->capacity - r->end);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            r->eof = true;
            return false;
        }
        r->end += (size_t)n;
        return true;
    }
}

/* The end of the header block (just past its blank line), or 0 when not yet read. */
static size_t header_end(const sc_lsp_reader *r)
{
    for (size_t i = r->start; i + 1 < r->end; i++) {
        if (r->buffer[i] != '\n')
            continue;
        if (r->buffer[i + 1] == '\n')
            return i + 2;
        if (r->buffer[i + 1] == '\r' && i + 2 < r->end && r->buffer[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

/* The Content-Length among the headers in [start, end), or -1. */
static long long content_length(const char *headers, size_t len)
{
    static const char name[] = "content-length:";
    for (size_t at = 0; at < len;) {
        const char *line = headers + at;
        const char *nl = memchr(line, '\n', len - at);
        size_t line_len = nl ? (size_t)(nl - line) : len - at;
        if (line_len > sizeof(name) - 1 && strncasecmp(line, name, sizeof(name) - 1) == 0) {
            long long value = 0;
            size_t i = sizeof(name) - 1, digits = 0;
            while (i < line_len && line[i] == ' ')
                i++;
            for (; i < line_len && line[i] >= '0' && line[i] <= '9' && digits < 12; i++, digits++)
                value = value * 10 + (line[i] - '0');
            while (i < line_len && (line[i] == ' ' || line[i] == '\r'))
                i++;
            return digits && i == line_len ? value : -1;
        }
        at += line_len + 1;
    }
    return -1;
}

/* Drops `count` bytes of body, reading them as they come. */
static void discard(sc_lsp_reader *r, size_t count)
{
    while (count > 0) {
        if (r->start == r->end && !fill(r))
            return;
        size_t n = r->end - r->start < count ? r->end - r->start : count;
        r->start += n;
        count -= n;
    }
}

sc_lsp_read_status sc_lsp_read(sc_lsp_reader *r, char **body, size_t *len, const char **error)
{
    size_t end;
    while ((end = header_end(r)) == 0) {
        if (r->end - r->start > MAX_HEADER) {
            r->start = r->end; /* garbage without a blank line: drop what was read */
            *error = "a header block without an end";
            return LSP_READ_BAD;
        }
        if (!fill(r))
            return LSP_READ_END;
    }
    long long length = content_length(r->buffer + r->start, end - r->start);
    r->start = end;
    if (length < 0) {
        *error = "a message without a valid Content-Length header";
        return LSP_READ_BAD;
    }
    if (length > MAX_BODY) {
        discard(r, (size_t)length);
        *error = "a message larger than 256 MiB";
        return LSP_READ_BAD;
    }
    while (r->end - r->start < (size_t)length)
        if (!fill(r))
            return LSP_READ_END;
    char *copy = malloc((size_t)length + 1);
    if (!copy) {
        r->start += (size_t)length;
        *error = "out of memory";
        return LSP_READ_BAD;
    }
    memcpy(copy, r->buffer + r->start, (size_t)length);
    copy[length] = '\0';
    r->start += (size_t)length;
    *body = copy;
    *len = (size_t)length;
    return LSP_READ_MESSAGE;
}

void sc_lsp_reader_free(sc_lsp_reader *r)
{
    free(r->buffer);
    r->buffer = NULL;
}

void sc_lsp_write(FILE *out, const cJSON *message)
{
    char *text = cJSON_PrintUnformatted(message);
    if (!text)
        return;
    fprintf(out, "Content-Length: %zu\r\n\r\n%s", strlen(text), text);
    fflush(out);
    cJSON_free(text);
}
