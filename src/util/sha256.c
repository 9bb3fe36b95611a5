/* SHA-256 for the content hashes a build writes: nested templates' keys, Docker build
 * contexts' tags, local-only derived passwords. It comes from Nettle (nettle-dev), a
 * small, well-kept crypto library, linked statically: `stackc` hashed with OpenSSL, and
 * linking libcrypto cost every run more than the hashing did (its relocations, its
 * CPU-feature probe at start-up, fetching the digest through its providers and its
 * clean-up at exit, about a fifth of a WordPress build; docs/performance.md). The
 * deploy side keeps OpenSSL for TLS and request signing; sha256_test checks these
 * calls against the standard's vectors and against OpenSSL. */
#include "util/sha256.h"

void sc_sha256_init(sc_sha256 *sha)
{
    sha256_init(&sha->nettle);
}

void sc_sha256_update(sc_sha256 *sha, const void *data, size_t len)
{
    sha256_update(&sha->nettle, len, data);
}

void sc_sha256_final(sc_sha256 *sha, unsigned char digest[SC_SHA256_BYTES])
{
    sha256_digest(&sha->nettle, SC_SHA256_BYTES, digest);
}

void sc_sha256_of(const void *data, size_t len, unsigned char digest[SC_SHA256_BYTES])
{
    sc_sha256 sha;
    sc_sha256_init(&sha);
    sc_sha256_update(&sha, data, len);
    sc_sha256_final(&sha, digest);
}

void sc_sha256_hex(const unsigned char digest[SC_SHA256_BYTES], char hex[SC_SHA256_HEX_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < SC_SHA256_BYTES; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[SC_SHA256_HEX_LEN] = '\0';
}
