/* SHA-256 of bytes, incrementally: Nettle's (src/util/sha256.c says why not OpenSSL's). */
#ifndef STACKC_UTIL_SHA256_H
#define STACKC_UTIL_SHA256_H

#include <nettle/sha2.h>
#include <stddef.h>

#define SC_SHA256_BYTES SHA256_DIGEST_SIZE
#define SC_SHA256_HEX_LEN (2 * SHA256_DIGEST_SIZE)

typedef struct sc_sha256 {
    struct sha256_ctx nettle;
} sc_sha256;

void sc_sha256_init(sc_sha256 *sha);
void sc_sha256_update(sc_sha256 *sha, const void *data, size_t len);
void sc_sha256_final(sc_sha256 *sha, unsigned char digest[SC_SHA256_BYTES]);
/* The digest of `len` bytes at `data` in one call. */
void sc_sha256_of(const void *data, size_t len, unsigned char digest[SC_SHA256_BYTES]);
/* Lower-case hexadecimal, NUL-terminated. */
void sc_sha256_hex(const unsigned char digest[SC_SHA256_BYTES], char hex[SC_SHA256_HEX_LEN + 1]);

#endif
