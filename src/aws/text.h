/* Text plumbing of the AWS client: a heap string builder, percent-encoding, hex,
 * hashing, timestamps and error filling. Internal to libstackc_aws. */
#ifndef STACKC_AWS_TEXT_H
#define STACKC_AWS_TEXT_H

#include <stackc/aws.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <time.h>

/* ---- heap string builder --------------------------------------------------------- */

/* A growable NUL-terminated byte buffer. Zero-initialise it to start. `failed` records
 * an allocation failure: later appends do nothing and sc_aws_buf_take returns NULL,
 * so callers check once at the end. The owner frees it with sc_aws_buf_free or takes
 * the data with sc_aws_buf_take. */
typedef struct sc_aws_buf {
    char *data;
    size_t len;
    size_t cap;
    bool failed;
} sc_aws_buf;

void sc_aws_buf_append(sc_aws_buf *buf, const void *data, size_t len);
void sc_aws_buf_puts(sc_aws_buf *buf, const char *s);
void sc_aws_buf_putc(sc_aws_buf *buf, char c);
void sc_aws_buf_printf(sc_aws_buf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Frees the data; wipes it first when it held a secret. */
void sc_aws_buf_free(sc_aws_buf *buf);
void sc_aws_buf_free_secret(sc_aws_buf *buf);
/* Hands the NUL-terminated data to the caller, who frees it with free(); NULL if any
 * append failed. The buffer is empty afterwards. */
char *sc_aws_buf_take(sc_aws_buf *buf);

/* ---- files that may hold secrets ----------------------------------------------------- */

/* Appends what `f` yields to `out`, at most `max` bytes, through a buffer wiped after
 * use. Returns 0, EFBIG when there is more than `max`, ENOMEM, or the read error's errno;
 * the caller frees `out` with sc_aws_buf_free_secret whatever happened. */
int sc_aws_read_stream(FILE *f, size_t max, sc_aws_buf *out);
/* The same for the file at `path`: also the errno of opening it. */
int sc_aws_read_file(const char *path, size_t max, sc_aws_buf *out);
/* Drops the blanks and line ends at the end of `buf`. */
void sc_aws_buf_trim_end(sc_aws_buf *buf);

/* ---- strings ------------------------------------------------------------------------ */

/* Heap copies the caller frees; NULL when out of memory (or when `s` is NULL). */
char *sc_aws_strdup(const char *s);
char *sc_aws_strndup(const char *s, size_t len);
/* Frees `s` after overwriting it, for secrets. Accepts NULL. */
void sc_aws_free_secret(char *s);
/* ASCII case-insensitive comparison, independent of the locale. */
int sc_aws_strcasecmp(const char *a, const char *b);

/* ---- encodings ---------------------------------------------------------------------- */

/* True for RFC 3986 unreserved bytes: A-Z a-z 0-9 - . _ ~ */
bool sc_aws_is_unreserved(unsigned char c);
/* Appends `len` bytes percent-encoded as SigV4 wants: unreserved bytes as they are,
 * '/' too when `keep_slash`, every other byte as %XX with upper-case hex. */
void sc_aws_uri_encode(sc_aws_buf *out, const char *s, size_t len, bool keep_slash);
/* Appends `len` bytes with %XX sequences decoded; a '%' not followed by two hex
 * digits stays literal. '+' stays '+': AWS never means a space by it. */
void sc_aws_uri_decode(sc_aws_buf *out, const char *s, size_t len);
/* Writes 2*len lower-case hex digits and a NUL to `hex`. */
void sc_aws_hex(const unsigned char *bytes, size_t len, char *hex);

/* ---- hashing (OpenSSL) ----------------------------------------------------------------- */

enum { SC_AWS_SHA256_LEN = 32, SC_AWS_SHA256_HEX_LEN = 64 };

/* SHA-256 of `len` bytes as 64 lower-case hex digits plus a NUL; false if OpenSSL failed. */
bool sc_aws_sha256_hex(const void *data, size_t len, char hex[SC_AWS_SHA256_HEX_LEN + 1]);
/* HMAC-SHA256 of `data` under `key` into `out`; false if OpenSSL failed. */
bool sc_aws_hmac_sha256(const void *key, size_t key_len, const void *data, size_t data_len,
                        unsigned char out[SC_AWS_SHA256_LEN]);

/* ---- time ------------------------------------------------------------------------------- */

/* Formats `t` (UTC) as SigV4's basic ISO-8601 "20150830T123600Z" (17 bytes with NUL). */
bool sc_aws_format_amz_date(time_t t, char out[17]);
/* Parses an ISO-8601 UTC timestamp as AWS prints it: "2015-08-30T12:36:00Z", with
 * optional fractional seconds ("...00.123Z") or a numeric offset ("+00:00"). */
bool sc_aws_parse_iso8601(const char *s, time_t *out);

/* ---- errors ------------------------------------------------------------------------------ */

/* Sets `err` (if non-NULL) to `status` with a formatted message and returns `status`,
 * so a failing path reads `return sc_aws_fail(err, SC_AWS_ERR_CONFIG, "...", ...);`.
 * Whatever `err` held before (message, AWS code) is freed. Never format a secret into it. */
sc_aws_status sc_aws_fail(sc_aws_error *err, sc_aws_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Puts "<formatted>: " before the message of `err` (with AWS's code first when it has
 * one: "<formatted>: AccessDenied: ..."), keeping its status, code and HTTP status, and
 * returns its status: context for an error from deeper down. */
sc_aws_status sc_aws_error_prefix(sc_aws_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
