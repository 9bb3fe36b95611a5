/* The shared config and credentials files, read once into sections (config.h). Errors
 * name files, never values. */
#include "aws/config.h"

#include "aws/text.h"

#include <openssl/crypto.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *sc_aws_env_value(sc_aws_env env, const char *name)
{
    const char *value = env.getenv ? env.getenv(env.ctx, name) : NULL;
    return value && *value ? value : NULL;
}

const char *sc_aws_profile_name(sc_aws_env env, const char *requested, bool *explicit_name)
{
    const char *from_env = sc_aws_env_value(env, "AWS_PROFILE");
    if (!from_env)
        from_env = sc_aws_env_value(env, "AWS_DEFAULT_PROFILE");
    if (explicit_name)
        *explicit_name = requested || from_env;
    return requested ? requested : from_env ? from_env : "default";
}

/* ---- freeing ----------------------------------------------------------------------------- */

static void clear_settings(sc_aws_headers *settings)
{
    /* Values may be secret keys: wipe them before they go back to the heap. */
    for (size_t i = 0; i < settings->count; i++) {
        sc_aws_free_secret(settings->items[i].value);
        settings->items[i].value = NULL;
    }
    sc_aws_headers_clear(settings);
}

void sc_aws_config_free(sc_aws_config *config)
{
    for (size_t i = 0; i < config->count; i++) {
        free(config->sections[i].name);
        clear_settings(&config->sections[i].settings);
    }
    free(config->sections);
    free(config->credentials_path);
    free(config->config_path);
    *config = (sc_aws_config){0};
}

/* ---- file locations ---------------------------------------------------------------------- */

/* `override` (a variable's value, "~/" expanded) or $HOME/.aws/<name>; heap-owned.
 * Without HOME, a path that needs it stays "~/..." and its file counts as absent (there
 * is none to read), as for a program run with an empty environment. */
static char *file_path(sc_aws_env env, const char *variable, const char *name)
{
    const char *override = sc_aws_env_value(env, variable);
    const char *home = sc_aws_env_value(env, "HOME");
    sc_aws_buf path = {0};
    if (!override)
        sc_aws_buf_printf(&path, "%s/.aws/%s", home ? home : "~", name);
    else if (strncmp(override, "~/", 2) == 0 && home)
        sc_aws_buf_printf(&path, "%s/%s", home, override + 2);
    else
        sc_aws_buf_puts(&path, override);
    return sc_aws_buf_take(&path);
}

/* ---- parsing ----------------------------------------------------------------------------- */

typedef struct parser {
    sc_aws_config *config;
    sc_aws_config_file file;
    size_t section;   /* index of the section being read; config->count when none */
    char parent[128]; /* the key whose empty value opens nested settings, or "" */
} parser;

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t len = strlen(s);
    while (len &&
           (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' || s[len - 1] == '\n'))
        s[--len] = '\0';
    return s;
}

/* "word rest": the rest after `word` and blanks, when `header` starts with it. */
static const char *after_word(const char *header, const char *word)
{
    size_t len = strlen(word);
    if (strncmp(header, word, len) != 0 || (header[len] != ' ' && header[len] != '\t'))
        return NULL;
    const char *rest = header + len;
    while (*rest == ' ' || *rest == '\t')
        rest++;
    return *rest ? rest : NULL;
}

/* What a section header names; false for sections the CLI ignores. */
static bool classify(const char *header, sc_aws_config_file file, sc_aws_section_kind *kind,
                     const char **name)
{
    *kind = SC_AWS_SECTION_PROFILE;
    *name = header;
    if (file == SC_AWS_FILE_CREDENTIALS || strcmp(header, "default") == 0)
        return true;
    static const struct {
        const char *word;
        sc_aws_section_kind kind;
    } words[] = {{"profile", SC_AWS_SECTION_PROFILE},
                 {"sso-session", SC_AWS_SECTION_SSO_SESSION},
                 {"services", SC_AWS_SECTION_SERVICES}};
    for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++) {
        const char *rest = after_word(header, words[i].word);
        if (rest) {
            *kind = words[i].kind;
            *name = rest;
            return true;
        }
    }
    return false;
}

static sc_aws_status open_section(parser *p, const char *header)
{
    sc_aws_config *c = p->config;
    p->section = c->count;
    p->parent[0] = '\0';
    sc_aws_section_kind kind;
    const char *name;
    if (!classify(header, p->file, &kind, &name))
        return SC_AWS_OK;
    sc_aws_section *grown = realloc(c->sections, (c->count + 1) * sizeof(*grown));
    if (!grown)
        return SC_AWS_ERR_NOMEM;
    c->sections = grown;
    sc_aws_section *s = &c->sections[c->count];
    *s = (sc_aws_section){.kind = kind, .file = p->file, .name = sc_aws_strdup(name)};
    if (!s->name)
        return SC_AWS_ERR_NOMEM;
    p->section = c->count++;
    return SC_AWS_OK;
}

/* Sets `key` (lower-cased) to `value`, wiping a value it replaces. */
static sc_aws_status set(sc_aws_headers *settings, const char *key, const char *value)
{
    char lower[192];
    size_t len = strlen(key);
    if (len >= sizeof(lower))
        return SC_AWS_OK; /* no key the CLI knows is that long */
    for (size_t i = 0; i <= len; i++)
        lower[i] = (char)(key[i] >= 'A' && key[i] <= 'Z' ? key[i] - 'A' + 'a' : key[i]);
    for (size_t i = 0; i < settings->count; i++) {
        if (strcmp(settings->items[i].name, lower) != 0)
            continue;
        char *copy = sc_aws_strdup(value);
        if (!copy)
            return SC_AWS_ERR_NOMEM;
        sc_aws_free_secret(settings->items[i].value);
        settings->items[i].value = copy;
        return SC_AWS_OK;
    }
    return sc_aws_headers_add(settings, lower, value);
}

/* Splits "key = value" at its first '=' or ':'; false when there is neither. */
static bool split_setting(char *line, char **key, char **value)
{
    char *delimiter = line + strcspn(line, "=:");
    if (!*delimiter)
        return false;
    *delimiter = '\0';
    *key = trim(line);
    *value = trim(delimiter + 1);
    return **key != '\0';
}

static sc_aws_status read_line(parser *p, char *raw)
{
    bool indented = raw[0] == ' ' || raw[0] == '\t';
    char *line = trim(raw);
    if (!*line || *line == '#' || *line == ';')
        return SC_AWS_OK;
    size_t len = strlen(line);
    if (!indented && line[0] == '[' && line[len - 1] == ']') {
        line[len - 1] = '\0';
        return open_section(p, trim(line + 1));
    }
    if (p->section >= p->config->count)
        return SC_AWS_OK;
    sc_aws_headers *settings = &p->config->sections[p->section].settings;
    char *key, *value;
    if (!split_setting(line, &key, &value))
        return SC_AWS_OK;
    if (indented) {
        /* A nested setting, or the continuation of a multi-line value: the CLI reads
         * neither kind of value that stackc needs in the second form. */
        if (!p->parent[0])
            return SC_AWS_OK;
        char nested[320];
        snprintf(nested, sizeof(nested), "%s.%s", p->parent, key);
        return set(settings, nested, value);
    }
    p->parent[0] = '\0';
    if (!*value && strlen(key) < sizeof(p->parent))
        strcpy(p->parent, key);
    return set(settings, key, value);
}

/* Reads the INI file at `path` into `config`. A missing file is no error. */
static sc_aws_status read_file(sc_aws_config *config, const char *path, sc_aws_config_file file,
                               sc_aws_error *err)
{
    if (strncmp(path, "~/", 2) == 0)
        return SC_AWS_OK; /* no HOME to find it in */
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT || errno == ENOTDIR)
            return SC_AWS_OK;
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG, "cannot read %s: %s", path, strerror(errno));
    }
    parser p = {.config = config, .file = file, .section = config->count};
    char *line = NULL;
    size_t cap = 0;
    sc_aws_status status = SC_AWS_OK;
    while (status == SC_AWS_OK && getline(&line, &cap, f) >= 0)
        status = read_line(&p, line);
    if (line)
        OPENSSL_cleanse(line, cap); /* the buffer held every line, keys included */
    free(line);
    bool read_error = ferror(f);
    fclose(f);
    if (status != SC_AWS_OK)
        return sc_aws_fail(err, status, "out of memory reading %s", path);
    if (read_error)
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG, "cannot read %s", path);
    return SC_AWS_OK;
}

sc_aws_status sc_aws_config_load(sc_aws_env env, sc_aws_config *out, sc_aws_error *err)
{
    *out = (sc_aws_config){0};
    out->credentials_path = file_path(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
    out->config_path = file_path(env, "AWS_CONFIG_FILE", "config");
    sc_aws_status status = out->credentials_path && out->config_path
                               ? SC_AWS_OK
                               : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    if (status == SC_AWS_OK)
        status = read_file(out, out->credentials_path, SC_AWS_FILE_CREDENTIALS, err);
    if (status == SC_AWS_OK)
        status = read_file(out, out->config_path, SC_AWS_FILE_CONFIG, err);
    if (status != SC_AWS_OK)
        sc_aws_config_free(out);
    return status;
}

/* ---- lookups ----------------------------------------------------------------------------- */

bool sc_aws_config_has(const sc_aws_config *config, sc_aws_section_kind kind,
                       sc_aws_config_file file, const char *name)
{
    for (size_t i = 0; name && i < config->count; i++) {
        const sc_aws_section *s = &config->sections[i];
        if (s->kind == kind && s->file == file && strcmp(s->name, name) == 0)
            return true;
    }
    return false;
}

const char *sc_aws_config_value(const sc_aws_config *config, sc_aws_section_kind kind,
                                sc_aws_config_file file, const char *name, const char *key)
{
    const char *found = NULL;
    for (size_t i = 0; name && i < config->count; i++) {
        const sc_aws_section *s = &config->sections[i];
        if (s->kind != kind || s->file != file || strcmp(s->name, name) != 0)
            continue;
        const char *value = sc_aws_headers_get(&s->settings, key);
        if (value && *value)
            found = value;
    }
    return found;
}

const char *sc_aws_profile_value(const sc_aws_config *config, const char *profile, const char *key)
{
    const char *value =
        sc_aws_config_value(config, SC_AWS_SECTION_PROFILE, SC_AWS_FILE_CREDENTIALS, profile, key);
    return value ? value
                 : sc_aws_config_value(config, SC_AWS_SECTION_PROFILE, SC_AWS_FILE_CONFIG, profile,
                                       key);
}

bool sc_aws_profile_exists(const sc_aws_config *config, const char *profile)
{
    return sc_aws_config_has(config, SC_AWS_SECTION_PROFILE, SC_AWS_FILE_CREDENTIALS, profile) ||
           sc_aws_config_has(config, SC_AWS_SECTION_PROFILE, SC_AWS_FILE_CONFIG, profile);
}
