/* stackc's SHA-256 (src/util/sha256.c) against the standard's examples and against
 * OpenSSL, for every length around the block and padding boundaries and for any split
 * of the input into updates: the hashes it makes name templates and image tags that
 * earlier builds (hashed by OpenSSL) already wrote. */
#include "support.h"
#include "util/sha256.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

static void hex_of(const char *text, char hex[SC_SHA256_HEX_LEN + 1])
{
    unsigned char digest[SC_SHA256_BYTES];
    sc_sha256_of(text, strlen(text), digest);
    sc_sha256_hex(digest, hex);
}

/* FIPS 180-4's examples (NIST's "SHA256.pdf") and the empty message. */
static void test_standard_examples(void)
{
    char hex[SC_SHA256_HEX_LEN + 1];
    hex_of("", hex);
    CU_ASSERT_STRING_EQUAL(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    hex_of("abc", hex);
    CU_ASSERT_STRING_EQUAL(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", hex);
    CU_ASSERT_STRING_EQUAL(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* A million "a"s, in updates of 1,000. */
    char block[1000];
    memset(block, 'a', sizeof(block));
    sc_sha256 sha;
    sc_sha256_init(&sha);
    for (int i = 0; i < 1000; i++)
        sc_sha256_update(&sha, block, sizeof(block));
    unsigned char digest[SC_SHA256_BYTES];
    sc_sha256_final(&sha, digest);
    sc_sha256_hex(digest, hex);
    CU_ASSERT_STRING_EQUAL(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void openssl_digest(const unsigned char *data, size_t len,
                           unsigned char digest[SC_SHA256_BYTES])
{
    unsigned int digest_len = 0;
    CU_ASSERT_TRUE(EVP_Digest(data, len, digest, &digest_len, EVP_sha256(), NULL));
    CU_ASSERT_EQUAL(digest_len, SC_SHA256_BYTES);
}

/* Every length from 0 to 300 bytes (five blocks, every padding case), whole and split
 * into two updates at every point. */
static void test_every_length_and_split_as_openssl(void)
{
    unsigned char data[300];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (unsigned char)(i * 131 + 7);
    for (size_t len = 0; len <= sizeof(data); len++) {
        unsigned char expected[SC_SHA256_BYTES], digest[SC_SHA256_BYTES];
        openssl_digest(data, len, expected);
        sc_sha256_of(data, len, digest);
        CU_ASSERT_EQUAL(memcmp(digest, expected, sizeof(digest)), 0);
        for (size_t split = 0; split <= len; split += 1 + len / 16) {
            sc_sha256 sha;
            sc_sha256_init(&sha);
            sc_sha256_update(&sha, data, split);
            sc_sha256_update(&sha, data + split, len - split);
            sc_sha256_final(&sha, digest);
            CU_ASSERT_EQUAL(memcmp(digest, expected, sizeof(digest)), 0);
        }
    }
}

/* Large inputs in uneven updates, as a build context's files are read. */
static void test_large_input_in_uneven_updates_as_openssl(void)
{
    static unsigned char data[1 << 20];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (unsigned char)((i * 2654435761u) >> 13);
    unsigned char expected[SC_SHA256_BYTES], digest[SC_SHA256_BYTES];
    openssl_digest(data, sizeof(data), expected);
    sc_sha256 sha;
    sc_sha256_init(&sha);
    for (size_t done = 0, step = 1; done < sizeof(data); step = step * 3 % 65521 + 1) {
        size_t take = step < sizeof(data) - done ? step : sizeof(data) - done;
        sc_sha256_update(&sha, data + done, take);
        done += take;
    }
    sc_sha256_final(&sha, digest);
    CU_ASSERT_EQUAL(memcmp(digest, expected, sizeof(digest)), 0);
}

int main(void)
{
    static const test_case cases[] = {
        {"the standard's examples", test_standard_examples},
        {"every length from 0 to 300 bytes, split anywhere, as OpenSSL",
         test_every_length_and_split_as_openssl},
        {"1 MiB in uneven updates, as OpenSSL", test_large_input_in_uneven_updates_as_openssl},
        {NULL, NULL},
    };
    return test_main("sha256", cases);
}
