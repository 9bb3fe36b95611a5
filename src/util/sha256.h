/* SHA-256 of bytes, incrementally (src/util/sha256.c says why stackc has its own). */
#ifndef STACKC_UTIL_SHA256_H
#define STACKC_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SC_SHA256_BYTES 32
#define SC_SHA256_HEX_LEN 64

typedef struct sc_sha256 {
    uint32_t state[8];
    uint64_t length; /* bytes hashed so far */
    unsigned char block[64];
    size_t used; /* bytes of `block` waiting for the next compression */
} sc_sha256;

void sc_sha256_init(sc_sha256 *sha);
void sc_sha256_update(sc_sha256 *sha, const void *data, size_t len);
void sc_sha256_final(sc_sha256 *sha, unsigned char digest[SC_SHA256_BYTES]);
/* The digest of `len` bytes at `data` in one call. */
void sc_sha256_of(const void *data, size_t len, unsigned char digest[SC_SHA256_BYTES]);
/* Lower-case hexadecimal, NUL-terminated. */
void sc_sha256_hex(const unsigned char digest[SC_SHA256_BYTES], char hex[SC_SHA256_HEX_LEN + 1]);

#endif
