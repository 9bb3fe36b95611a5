/* S3's calls that stackc needs: buckets for assets (made private, encrypted and owner
 * enforced), whole-object put and get (a template too big to send inline goes through
 * S3), and the URL CloudFormation reads a template from. Requests carry the payload's SHA-256 in
 * x-amz-content-sha256 and are signed with it. Internal to libstackc_aws.
 *
 * Addressing: with an endpoint from AWS_ENDPOINT_URL(_S3) requests are path style
 * (<endpoint>/<bucket>/<key>), which emulators and S3-compatible stores expect; against
 * AWS itself they are virtual-hosted (https://<bucket>.s3.<region>.amazonaws.com/<key>)
 * when the bucket's name allows it (no dots), path style otherwise. */
#ifndef STACKC_AWS_S3_H
#define STACKC_AWS_S3_H

#include "aws/client.h"

#include <stdbool.h>
#include <stddef.h>

/* Every call that names a bucket takes `expected_owner`: the account id the bucket must
 * belong to, sent as x-amz-expected-bucket-owner so that S3 refuses (403 AccessDenied)
 * a bucket of another account instead of writing to it or reading from it. NULL sends
 * none. */

/* Stores `len` bytes at bucket/key. `content_type` may be NULL. `etag`, if non-NULL,
 * receives the object's ETag (quotes included) as a heap string the caller frees. */
sc_aws_status sc_aws_s3_put_object(const sc_aws_client *client, const char *bucket,
                                   const char *expected_owner, const char *key, const void *data,
                                   size_t len, const char *content_type, char **etag,
                                   sc_aws_error *err);

/* Reads a whole object. On SC_AWS_OK `*data` is a heap buffer of `*len` bytes plus a
 * NUL, which the caller frees. A missing key is SC_AWS_ERR_SERVICE "NoSuchKey". */
sc_aws_status sc_aws_s3_get_object(const sc_aws_client *client, const char *bucket,
                                   const char *expected_owner, const char *key, char **data,
                                   size_t *len, sc_aws_error *err);

/* Creates a bucket in the client's region, with object ownership BucketOwnerEnforced
 * (ACLs disabled: every object belongs to the bucket's owner). A bucket of that name
 * owned by another account is SC_AWS_ERR_SERVICE "BucketAlreadyExists"; one of ours,
 * outside us-east-1, "BucketAlreadyOwnedByYou". */
sc_aws_status sc_aws_s3_create_bucket(const sc_aws_client *client, const char *bucket,
                                      sc_aws_error *err);

/* PutPublicAccessBlock with all four settings true: no public ACL or policy, ever. */
sc_aws_status sc_aws_s3_block_public_access(const sc_aws_client *client, const char *bucket,
                                            const char *expected_owner, sc_aws_error *err);

/* PutBucketEncryption: SSE-S3 (AES256) by default for every object. */
sc_aws_status sc_aws_s3_encrypt_by_default(const sc_aws_client *client, const char *bucket,
                                           const char *expected_owner, sc_aws_error *err);

/* Whether the bucket exists (and the caller may use it): SC_AWS_OK with `*exists`
 * false for a 404; other refusals (403, also for a bucket of another account when
 * `expected_owner` is given) are errors. */
sc_aws_status sc_aws_s3_head_bucket(const sc_aws_client *client, const char *bucket,
                                    const char *expected_owner, bool *exists, sc_aws_error *err);

/* The object's URL, as CloudFormation's TemplateURL wants it: always S3's own https
 * address (https://BUCKET.s3.REGION.amazonaws.com/KEY, or path style for a bucket with
 * dots), whatever endpoint the client talks to, since CloudFormation reads the object
 * itself and accepts only S3 URLs. On SC_AWS_OK `*url` is a heap string the caller
 * frees. */
sc_aws_status sc_aws_s3_object_url(const sc_aws_client *client, const char *bucket, const char *key,
                                   char **url, sc_aws_error *err);

#endif
