/* The shared config and credentials files as the AWS CLI (botocore) reads them, loaded
 * once: every section of both files with its settings. Internal to libstackc_aws.
 *
 * The credentials file holds `[name]` sections, each a profile. The config file holds
 * `[profile name]` (or `[default]`), `[sso-session name]` and `[services name]`
 * sections; others are ignored. Keys are lower-cased, as botocore's parser does; a key
 * with an empty value followed by indented `key = value` lines is a nested setting,
 * stored as "parent.key" ("s3.addressing_style", "cloudformation.endpoint_url"). Lines
 * starting with '#' or ';' are comments; a setting's delimiter is its first '=' or ':'.
 * Values may be secret (aws_secret_access_key): they are wiped when the config is freed. */
#ifndef STACKC_AWS_CONFIG_H
#define STACKC_AWS_CONFIG_H

#include "aws/request.h"

#include <stdbool.h>

typedef enum sc_aws_section_kind {
    SC_AWS_SECTION_PROFILE,
    SC_AWS_SECTION_SSO_SESSION,
    SC_AWS_SECTION_SERVICES,
} sc_aws_section_kind;

typedef enum sc_aws_config_file {
    SC_AWS_FILE_CREDENTIALS,
    SC_AWS_FILE_CONFIG,
} sc_aws_config_file;

typedef struct sc_aws_section {
    sc_aws_section_kind kind;
    sc_aws_config_file file;
    char *name;
    sc_aws_headers settings; /* ordered, looked up without regard to case */
} sc_aws_section;

/* Both files. Owns every string. */
typedef struct sc_aws_config {
    char *credentials_path; /* AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials */
    char *config_path;      /* AWS_CONFIG_FILE, else ~/.aws/config */
    sc_aws_section *sections;
    size_t count;
} sc_aws_config;

/* Reads both files (a missing file is an empty one, and so is ~/.aws/... without HOME).
 * SC_AWS_ERR_CONFIG when a file cannot be read; on success the caller frees `out`. */
sc_aws_status sc_aws_config_load(sc_aws_env env, sc_aws_config *out, sc_aws_error *err);
void sc_aws_config_free(sc_aws_config *config);

/* Whether section `name` of `kind` is in `file`. */
bool sc_aws_config_has(const sc_aws_config *config, sc_aws_section_kind kind,
                       sc_aws_config_file file, const char *name);

/* The value of `key` in section `name` of `kind` in `file`; NULL when absent or empty
 * (the later of two sections of the same name wins). */
const char *sc_aws_config_value(const sc_aws_config *config, sc_aws_section_kind kind,
                                sc_aws_config_file file, const char *name, const char *key);

/* A profile's setting: the credentials file's value, else the config file's. */
const char *sc_aws_profile_value(const sc_aws_config *config, const char *profile, const char *key);

/* Whether the profile is in either file. */
bool sc_aws_profile_exists(const sc_aws_config *config, const char *profile);

/* The profile name the CLI would use: `requested` (--profile), else AWS_PROFILE, else
 * AWS_DEFAULT_PROFILE, else "default". `*explicit_name` (optional) tells whether it was
 * named at all, in which case it must exist. Borrowed from the caller or the
 * environment. */
const char *sc_aws_profile_name(sc_aws_env env, const char *requested, bool *explicit_name);

/* The variable's value, or NULL when unset or empty (the CLI treats both alike). */
const char *sc_aws_env_value(sc_aws_env env, const char *name);

#endif
