/* Text plumbing of the AWS client: string builder, encodings, hashing, time, errors. */
#include "aws/text.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- heap string builder --------------------------------------------------------- */

static bool reserve(sc_aws_buf *buf, size_t extra)
{
    if (buf->failed)
        return false;
    if (extra > SIZE_MAX / 2 - buf->len) {
        buf->failed = true;
        return false;
    }
    if (buf->len + extra + 1 <= buf->cap)
        return true;
    size_t cap = buf->cap ? buf->cap : 128;
    while (cap < buf->len + extra + 1)
        cap *= 2;
    char *data = realloc(buf->data, cap);
    if (!data) {
        buf->failed = true;
        return false;
    }
    buf->data = data;
    buf->cap = cap;
    return true;
}

void sc_aws_buf_append(sc_aws_buf *buf, const void *data, size_t len)
{
    if (!reserve(buf, len))
        return;
    if (len)
        memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
}

void sc_aws_buf_puts(sc_aws_buf *buf, const char *s)
{
    sc_aws_buf_append(buf, s, strlen(s));
}

void sc_aws_buf_putc(sc_aws_buf *buf, char c)
{
    sc_aws_buf_append(buf, &c, 1);
}

void sc_aws_buf_printf(sc_aws_buf *buf, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    va_list measure;
    va_copy(measure, args);
    int n = vsnprintf(NULL, 0, fmt, measure);
    va_end(measure);
    if (n < 0)
        buf->failed = true;
    else if (reserve(buf, (size_t)n)) {
        vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, args);
        buf->len += (size_t)n;
    }
    va_end(args);
}

void sc_aws_buf_free(sc_aws_buf *buf)
{
    free(buf->data);
    buf->data = NULL;
    buf->len = buf->cap = 0;
}

void sc_aws_buf_free_secret(sc_aws_buf *buf)
{
    if (buf->data)
        OPENSSL_cleanse(buf->data, buf->cap);
    sc_aws_buf_free(buf);
}

char *sc_aws_buf_take(sc_aws_buf *buf)
{
    if (buf->failed || !reserve(buf, 0)) {
        sc_aws_buf_free(buf);
        buf->failed = false;
        return NULL;
    }
    buf->data[buf->len] = '\0'; /* a buffer never appended to has fresh memory here */
    char *data = buf->data;
    buf->data = NULL;
    buf->len = buf->cap = 0;
    return data;
}

/* ---- strings ------------------------------------------------------------------------ */

char *sc_aws_strndup(const char *s, size_t len)
{
    if (!s)
        return NULL;
    char *copy = malloc(len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

char *sc_aws_strdup(const char *s)
{
    return s ? sc_aws_strndup(s, strlen(s)) : NULL;
}

void sc_aws_free_secret(char *s)
{
    if (!s)
        return;
    OPENSSL_cleanse(s, strlen(s));
    free(s);
}

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

int sc_aws_strcasecmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    while (*x && lower(*x) == lower(*y)) {
        x++;
        y++;
    }
    return (int)lower(*x) - (int)lower(*y);
}

/* ---- encodings ---------------------------------------------------------------------- */

bool sc_aws_is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

void sc_aws_uri_encode(sc_aws_buf *out, const char *s, size_t len, bool keep_slash)
{
    static const char digits[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (sc_aws_is_unreserved(c) || (keep_slash && c == '/')) {
            sc_aws_buf_putc(out, (char)c);
            continue;
        }
        char escape[3] = {'%', digits[c >> 4], digits[c & 15]};
        sc_aws_buf_append(out, escape, 3);
    }
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

void sc_aws_uri_decode(sc_aws_buf *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        bool escape = s[i] == '%' && len - i >= 3;
        int high = escape ? hex_value(s[i + 1]) : -1;
        int low = escape ? hex_value(s[i + 2]) : -1;
        if (high < 0 || low < 0) {
            sc_aws_buf_putc(out, s[i]);
            continue;
        }
        sc_aws_buf_putc(out, (char)(high * 16 + low));
        i += 2;
    }
}

void sc_aws_hex(const unsigned char *bytes, size_t len, char *hex)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        hex[2 * i] = digits[bytes[i] >> 4];
        hex[2 * i + 1] = digits[bytes[i] & 15];
    }
    hex[2 * len] = '\0';
}

/* ---- hashing (OpenSSL) ----------------------------------------------------------------- */

bool sc_aws_sha256_hex(const void *data, size_t len, char hex[SC_AWS_SHA256_HEX_LEN + 1])
{
    unsigned char digest[SC_AWS_SHA256_LEN];
    unsigned int digest_len = 0;
    if (!EVP_Digest(len ? data : "", len, digest, &digest_len, EVP_sha256(), NULL) ||
        digest_len != SC_AWS_SHA256_LEN)
        return false;
    sc_aws_hex(digest, sizeof(digest), hex);
    return true;
}

bool sc_aws_hmac_sha256(const void *key, size_t key_len, const void *data, size_t data_len,
                        unsigned char out[SC_AWS_SHA256_LEN])
{
    unsigned int out_len = 0;
    if (key_len > INT32_MAX)
        return false;
    const unsigned char *mac =
        HMAC(EVP_sha256(), key, (int)key_len, data_len ? data : "", data_len, out, &out_len);
    return mac && out_len == SC_AWS_SHA256_LEN;
}

/* ---- time ------------------------------------------------------------------------------- */

bool sc_aws_format_amz_date(time_t t, char out[17])
{
    struct tm utc;
    if (!gmtime_r(&t, &utc))
        return false;
    return strftime(out, 17, "%Y%m%dT%H%M%SZ", &utc) == 16;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm);
 * used instead of timegm(), which POSIX does not have. */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned shifted_month = m > 2 ? m - 3 : m + 9; /* March = 0, so leap days come last */
    unsigned doy = (153 * shifted_month + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

/* Reads exactly `n` digits at *p into *value and advances; false if any is not a digit. */
static bool digits_at(const char **p, int n, int *value)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *value = v;
    return true;
}

static bool expect_char(const char **p, char c)
{
    if (**p != c)
        return false;
    (*p)++;
    return true;
}

/* Parses the zone designator at the end: "Z", "+hh:mm" or "-hh:mm"; seconds east of UTC. */
static bool parse_zone(const char *p, long *offset)
{
    if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0') {
        *offset = 0;
        return true;
    }
    int sign = p[0] == '+' ? 1 : p[0] == '-' ? -1 : 0;
    int hours, minutes;
    if (!sign)
        return false;
    p++;
    if (!digits_at(&p, 2, &hours) || !expect_char(&p, ':') || !digits_at(&p, 2, &minutes) || *p)
        return false;
    *offset = sign * (hours * 3600L + minutes * 60L);
    return true;
}

bool sc_aws_parse_iso8601(const char *s, time_t *out)
{
    int year, month, day, hour, minute, second;
    const char *p = s;
    if (!digits_at(&p, 4, &year) || !expect_char(&p, '-') || !digits_at(&p, 2, &month) ||
        !expect_char(&p, '-') || !digits_at(&p, 2, &day))
        return false;
    if (*p != 'T' && *p != 't')
        return false;
    p++;
    if (!digits_at(&p, 2, &hour) || !expect_char(&p, ':') || !digits_at(&p, 2, &minute) ||
        !expect_char(&p, ':') || !digits_at(&p, 2, &second))
        return false;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    long offset;
    if (!parse_zone(p, &offset))
        return false;
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
        return false;
    long long days = days_from_civil(year, (unsigned)month, (unsigned)day);
    *out = (time_t)(days * 86400 + hour * 3600LL + minute * 60LL + second - offset);
    return true;
}

/* ---- errors ------------------------------------------------------------------------------ */

const char *sc_aws_status_name(sc_aws_status status)
{
    switch (status) {
    case SC_AWS_OK:
        return "ok";
    case SC_AWS_ERR_NOMEM:
        return "out of memory";
    case SC_AWS_ERR_INVALID:
        return "invalid argument";
    case SC_AWS_ERR_CONNECTION:
        return "connection error";
    case SC_AWS_ERR_TRANSPORT:
        return "transport error";
    case SC_AWS_ERR_NO_CREDENTIALS:
        return "no credentials";
    case SC_AWS_ERR_CONFIG:
        return "configuration error";
    case SC_AWS_ERR_PROCESS:
        return "credential process error";
    case SC_AWS_ERR_UNSUPPORTED:
        return "unsupported";
    case SC_AWS_ERR_SERVICE:
        return "AWS error";
    case SC_AWS_ERR_PROTOCOL:
        return "unreadable AWS response";
    case SC_AWS_ERR_TIMEOUT:
        return "timed out";
    case SC_AWS_ERR_CANCELLED:
        return "interrupted";
    }
    return "unknown error";
}

void sc_aws_error_clear(sc_aws_error *err)
{
    if (!err)
        return;
    free(err->message);
    free(err->code);
    free(err->request_id);
    *err = (sc_aws_error){0};
}

sc_aws_status sc_aws_fail(sc_aws_error *err, sc_aws_status status, const char *fmt, ...)
{
    if (!err)
        return status;
    sc_aws_error_clear(err); /* the AWS details of an earlier failure no longer apply */
    err->status = status;
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(NULL, 0, fmt, args);
    va_end(args);
    if (n < 0)
        return status;
    /* Out of memory here leaves the message NULL: the status still tells the story. */
    err->message = malloc((size_t)n + 1);
    if (err->message) {
        va_start(args, fmt);
        vsnprintf(err->message, (size_t)n + 1, fmt, args);
        va_end(args);
    }
    return status;
}

sc_aws_status sc_aws_error_prefix(sc_aws_error *err, const char *fmt, ...)
{
    if (!err)
        return SC_AWS_ERR_INVALID;
    sc_aws_buf text = {0};
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(NULL, 0, fmt, args);
    va_end(args);
    char *context = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (context) {
        va_start(args, fmt);
        vsnprintf(context, (size_t)n + 1, fmt, args);
        va_end(args);
        sc_aws_buf_puts(&text, context);
        free(context);
    }
    if (err->code)
        sc_aws_buf_printf(&text, ": %s", err->code);
    if (err->message)
        sc_aws_buf_printf(&text, ": %s", err->message);
    else if (!err->code)
        sc_aws_buf_printf(&text, ": %s", sc_aws_status_name(err->status));
    char *message = sc_aws_buf_take(&text);
    if (message) {
        free(err->message);
        err->message = message;
    }
    return err->status;
}

int sc_aws_read_stream(FILE *f, size_t max, sc_aws_buf *out)
{
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0 && out->len <= max)
        sc_aws_buf_append(out, chunk, got);
    OPENSSL_cleanse(chunk, sizeof(chunk));
    if (ferror(f))
        return errno ? errno : EIO;
    if (out->failed)
        return ENOMEM;
    return out->len > max ? EFBIG : 0;
}

int sc_aws_read_file(const char *path, size_t max, sc_aws_buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno;
    int error = sc_aws_read_stream(f, max, out);
    fclose(f);
    return error;
}

void sc_aws_buf_trim_end(sc_aws_buf *buf)
{
    while (buf->len && strchr(" \t\r\n", buf->data[buf->len - 1]))
        buf->data[--buf->len] = '\0';
}
