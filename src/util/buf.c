/* Growable heap byte buffer for output that outlives a compilation. */
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sc_buf_init(sc_buf *buf, const sc_allocator *allocator)
{
    memset(buf, 0, sizeof(*buf));
    buf->allocator = allocator;
}

static bool reserve(sc_buf *buf, size_t extra)
{
    if (buf->failed)
        return false;
    if (buf->len + extra + 1 <= buf->cap)
        return true;
    size_t cap = buf->cap ? buf->cap : 256;
    while (cap < buf->len + extra + 1)
        cap *= 2;
    char *data = buf->allocator->realloc(buf->allocator->user, buf->data, buf->cap, cap);
    if (!data) {
        buf->failed = true;
        return false;
    }
    buf->data = data;
    buf->cap = cap;
    return true;
}

void sc_buf_append(sc_buf *buf, const char *data, size_t len)
{
    if (!reserve(buf, len))
        return;
    memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
}

void sc_buf_puts(sc_buf *buf, const char *s)
{
    if (!s) /* a string whose allocation failed: the context already knows */
        return;
    sc_buf_append(buf, s, strlen(s));
}

void sc_buf_putc(sc_buf *buf, char c)
{
    sc_buf_append(buf, &c, 1);
}

/* Formats straight into the buffer's spare room, which nearly every text fits; only a
 * longer one is formatted a second time, once the room is made. */
void sc_buf_printf(sc_buf *buf, const char *fmt, ...)
{
    enum { SHORT_TEXT = 64 };
    if (!reserve(buf, SHORT_TEXT))
        return;
    va_list args;
    va_start(args, fmt);
    va_list first;
    va_copy(first, args);
    size_t room = buf->cap - buf->len;
    int n = vsnprintf(buf->data + buf->len, room, fmt, first);
    va_end(first);
    if (n >= 0 && (size_t)n >= room && reserve(buf, (size_t)n))
        vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, args);
    va_end(args);
    if (n >= 0 && !buf->failed)
        buf->len += (size_t)n;
    buf->data[buf->len] = '\0';
}

void sc_buf_indent(sc_buf *buf, int levels)
{
    for (int i = 0; i < levels; i++)
        sc_buf_append(buf, "  ", 2);
}

void sc_buf_free(sc_buf *buf)
{
    if (buf->data)
        buf->allocator->free(buf->allocator->user, buf->data);
    buf->data = NULL;
    buf->len = buf->cap = 0;
}

char *sc_buf_take(sc_buf *buf, size_t *len)
{
    if (buf->failed) {
        sc_buf_free(buf);
        return NULL;
    }
    if (!reserve(buf, 0))
        return NULL;
    buf->data[buf->len] = '\0';
    char *data = buf->data;
    if (len)
        *len = buf->len;
    buf->data = NULL;
    buf->len = buf->cap = 0;
    return data;
}
