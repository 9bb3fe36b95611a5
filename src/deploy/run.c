/* One run of a deploy command: options checked, manifest read, region and credentials
 * resolved, the AWS client made; events, errors, time and cancellation. */
#include "deploy/deploy.h"

#include "aws/sts.h"

#include <openssl/rand.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The default sleep waits in slices this long, to notice a cancellation. */
enum { SLEEP_SLICE_MS = 100 };

const char *sc_deploy_result_name(sc_deploy_result result)
{
    switch (result) {
    case SC_DEPLOY_OK:
        return "ok";
    case SC_DEPLOY_NO_CHANGES:
        return "no changes";
    case SC_DEPLOY_FAILED:
        return "deploy failed";
    case SC_DEPLOY_USAGE:
        return "usage error";
    case SC_DEPLOY_CANCELLED:
        return "cancelled";
    }
    return "unknown";
}

/* ---- polling ------------------------------------------------------------------------- */

static sc_deploy_poll poll_defaults(const sc_deploy_poll *given)
{
    sc_deploy_poll p = given ? *given : (sc_deploy_poll){0};
    if (!p.first_ms)
        p.first_ms = 1000;
    if (!p.max_ms)
        p.max_ms = 10000;
    if (p.max_ms < p.first_ms)
        p.max_ms = p.first_ms;
    if (!p.growth_percent)
        p.growth_percent = 150;
    if (!p.timeout_ms)
        p.timeout_ms = 4ull * 3600 * 1000;
    return p;
}

uint64_t sc_deploy_poll_delay(const sc_deploy_poll *poll, unsigned n)
{
    sc_deploy_poll p = poll_defaults(poll);
    uint64_t delay = p.first_ms;
    for (unsigned i = 0; i < n && delay < p.max_ms; i++) {
        uint64_t grown = delay * p.growth_percent / 100;
        delay = grown > delay ? grown : delay + (p.growth_percent > 100); /* 1 ms grows too */
    }
    return delay < p.max_ms ? delay : p.max_ms;
}

/* ---- time and cancellation ----------------------------------------------------------- */

static uint64_t monotonic_ms(void *ctx)
{
    (void)ctx;
    return sc_aws_monotonic_ms();
}

/* nanosleep in slices, stopping early once the run is cancelled. */
static void sliced_sleep(void *ctx, uint64_t ms)
{
    const sc_deploy_run *run = ctx;
    while (ms > 0 && !sc_deploy_cancelled(run)) {
        uint64_t slice = ms < SLEEP_SLICE_MS ? ms : SLEEP_SLICE_MS;
        struct timespec t = {.tv_sec = (time_t)(slice / 1000),
                             .tv_nsec = (long)(slice % 1000) * 1000000L};
        while (nanosleep(&t, &t) != 0 && errno == EINTR && !sc_deploy_cancelled(run)) {
        }
        ms -= slice;
    }
}

bool sc_deploy_cancelled(const sc_deploy_run *run)
{
    return run->options->cancel && *run->options->cancel;
}

uint64_t sc_deploy_now(const sc_deploy_run *run)
{
    return run->clock.now_ms(run->clock.ctx);
}

bool sc_deploy_pause(const sc_deploy_run *run, uint64_t ms)
{
    if (sc_deploy_cancelled(run))
        return false;
    run->clock.sleep_ms(run->clock.ctx, ms);
    return !sc_deploy_cancelled(run);
}

/* HTTP exchanges and retries stop at a cancellation, but for the cleanup after one. */
static bool io_cancelled(void *ctx)
{
    const sc_deploy_run *run = ctx;
    return sc_deploy_cancelled(run) && !run->cleaning_up;
}

/* Each retry is said, so a slow or failing endpoint is never silent. */
static void on_retry(void *ctx, unsigned attempt, unsigned max_attempts, const char *why,
                     uint64_t delay_ms)
{
    const sc_deploy_run *run = ctx;
    sc_deploy_note(run, NULL, "  retrying a request (attempt %u of %u) in %llu.%llu s: %s", attempt,
                   max_attempts, (unsigned long long)(delay_ms / 1000),
                   (unsigned long long)(delay_ms % 1000 / 100), why);
}

/* The AWS client's retry waits go through the run's clock too. */
static void retry_sleep(void *ctx, uint64_t ms)
{
    const sc_deploy_run *run = ctx;
    if (!sc_deploy_cancelled(run))
        run->clock.sleep_ms(run->clock.ctx, ms);
}

/* ---- events -------------------------------------------------------------------------- */

/* The events of one stack held back, copies that own their strings. */
typedef struct sc_deploy_held {
    sc_deploy_event *events;
    size_t count;
    bool released; /* the stack is over */
} sc_deploy_held;

/* Where the string fields of an event are. */
static const size_t event_strings[] = {
    offsetof(sc_deploy_event, stack),        offsetof(sc_deploy_event, message),
    offsetof(sc_deploy_event, logical_id),   offsetof(sc_deploy_event, resource_type),
    offsetof(sc_deploy_event, source),       offsetof(sc_deploy_event, path),
    offsetof(sc_deploy_event, action_name),  offsetof(sc_deploy_event, replacing_properties),
    offsetof(sc_deploy_event, parameters),   offsetof(sc_deploy_event, status),
    offsetof(sc_deploy_event, reason),       offsetof(sc_deploy_event, asset_id),
    offsetof(sc_deploy_event, image),        offsetof(sc_deploy_event, output_key),
    offsetof(sc_deploy_event, output_value), offsetof(sc_deploy_event, output_description),
    offsetof(sc_deploy_event, aws_code),     offsetof(sc_deploy_event, aws_message),
};

static const char **string_field(sc_deploy_event *e, size_t i)
{
    return (const char **)((char *)e + event_strings[i]);
}

/* A copy of `event` with its own strings; false when out of memory. */
static bool copy_event(const sc_deploy_event *event, sc_deploy_event *copy)
{
    *copy = *event;
    bool ok = true;
    for (size_t i = 0; i < sizeof(event_strings) / sizeof(*event_strings); i++) {
        const char **field = string_field(copy, i);
        if (*field && !(*field = sc_aws_strdup(*field)))
            ok = false;
    }
    return ok;
}

static void free_event(sc_deploy_event *e)
{
    for (size_t i = 0; i < sizeof(event_strings) / sizeof(*event_strings); i++)
        free((char *)*string_field(e, i));
}

static void deliver(const sc_deploy_run *run, const sc_deploy_event *event)
{
    if (run->options->on_event)
        run->options->on_event(run->options->event_ctx, event);
}

/* The first selected stack that is not over: its events go out as they come. */
static size_t shown(const sc_deploy_run *run)
{
    size_t i = 0;
    while (i < run->selected_count && run->held[i].released)
        i++;
    return i;
}

void sc_deploy_emit(const sc_deploy_run *run, const sc_deploy_event *event)
{
    size_t index = SIZE_MAX;
    for (size_t i = 0; run->held && event->stack && i < run->selected_count; i++) {
        if (strcmp(run->selected[i]->name, event->stack) == 0)
            index = i;
    }
    if (index == SIZE_MAX || index <= shown(run)) {
        deliver(run, event);
        return;
    }
    sc_deploy_held *held = &run->held[index];
    sc_deploy_event *grown = realloc(held->events, (held->count + 1) * sizeof(*grown));
    if (!grown) {
        deliver(run, event); /* out of order rather than lost */
        return;
    }
    held->events = grown;
    if (copy_event(event, &held->events[held->count]))
        held->count++;
    else
        free_event(&held->events[held->count]);
}

bool sc_deploy_hold_events(sc_deploy_run *run)
{
    run->held = calloc(run->selected_count ? run->selected_count : 1, sizeof(*run->held));
    return run->held != NULL;
}

/* Sends what is held for the stacks up to the one shown now, in order. */
static void flush_held(sc_deploy_run *run)
{
    size_t last = shown(run);
    for (size_t i = 0; i <= last && i < run->selected_count; i++) {
        sc_deploy_held *held = &run->held[i];
        for (size_t j = 0; j < held->count; j++) {
            deliver(run, &held->events[j]);
            free_event(&held->events[j]);
        }
        free(held->events);
        held->events = NULL;
        held->count = 0;
    }
}

void sc_deploy_release_events(sc_deploy_run *run, size_t index)
{
    if (!run->held || index >= run->selected_count)
        return;
    run->held[index].released = true;
    flush_held(run);
}

void sc_deploy_release_all_events(sc_deploy_run *run)
{
    if (!run->held)
        return;
    for (size_t i = 0; i < run->selected_count; i++)
        run->held[i].released = true;
    flush_held(run);
    free(run->held);
    run->held = NULL;
}

static void vnote(const sc_deploy_run *run, const char *stack, const char *fmt, va_list ap)
{
    char text[1024];
    vsnprintf(text, sizeof(text), fmt, ap);
    sc_deploy_emit(run,
                   &(sc_deploy_event){.kind = SC_DEPLOY_EV_NOTE, .stack = stack, .message = text});
}

void sc_deploy_note(const sc_deploy_run *run, const char *stack, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vnote(run, stack, fmt, ap);
    va_end(ap);
}

static sc_deploy_result result_of(sc_aws_status status)
{
    switch (status) {
    case SC_AWS_ERR_INVALID:
    case SC_AWS_ERR_NO_CREDENTIALS:
    case SC_AWS_ERR_CONFIG:
    case SC_AWS_ERR_PROCESS:
    case SC_AWS_ERR_UNSUPPORTED:
        return SC_DEPLOY_USAGE;
    case SC_AWS_ERR_CANCELLED:
        return SC_DEPLOY_CANCELLED;
    default:
        return SC_DEPLOY_FAILED;
    }
}

sc_deploy_result sc_deploy_error(const sc_deploy_run *run, const char *stack, sc_aws_status status,
                                 const sc_aws_error *err, const char *fmt, ...)
{
    char what[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (status == SC_AWS_ERR_CANCELLED) {
        sc_deploy_note(run, stack, "interrupted: %s", what);
        return SC_DEPLOY_CANCELLED;
    }
    if (err && err->attempts > 1 && n >= 0 && (size_t)n < sizeof(what))
        snprintf(what + n, sizeof(what) - (size_t)n, " (gave up after %u attempts)", err->attempts);
    const char *aws_message = err ? err->message : NULL;
    /* No answer from AWS and no words from the client: at least say what happened. */
    if (err && !aws_message && status != SC_AWS_OK && status != SC_AWS_ERR_SERVICE)
        aws_message = sc_aws_status_name(status);
    sc_deploy_emit(run, &(sc_deploy_event){.kind = SC_DEPLOY_EV_ERROR,
                                           .stack = stack,
                                           .message = what,
                                           .aws_code = err ? err->code : NULL,
                                           .aws_message = aws_message});
    return status == SC_AWS_OK ? SC_DEPLOY_FAILED : result_of(status);
}

sc_deploy_result sc_deploy_interrupted(const sc_deploy_run *run, const char *stack,
                                       const char *what)
{
    sc_deploy_note(run, stack, "interrupted %s", what);
    return SC_DEPLOY_CANCELLED;
}

/* ---- who we are --------------------------------------------------------------------- */

sc_deploy_result sc_deploy_learn_account(sc_deploy_run *run)
{
    if (run->account)
        return SC_DEPLOY_OK;
    sc_aws_caller_identity identity = {0};
    sc_aws_error err = {0};
    sc_aws_status status = sc_aws_sts_get_caller_identity(&run->client, &identity, &err);
    if (status != SC_AWS_OK) {
        sc_deploy_result r =
            sc_deploy_error(run, NULL, status, &err, "cannot tell which AWS account this is");
        sc_aws_error_clear(&err);
        return r;
    }
    run->account = identity.account;
    identity.account = NULL;
    sc_aws_caller_identity_clear(&identity);
    return run->account
               ? SC_DEPLOY_OK
               : sc_deploy_error(run, NULL, SC_AWS_ERR_PROTOCOL, NULL, "STS named no account");
}

/* ---- beginning and end --------------------------------------------------------------- */

static sc_deploy_result usage(const sc_deploy_run *run, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static sc_deploy_result usage(const sc_deploy_run *run, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    sc_deploy_emit(run, &(sc_deploy_event){.kind = SC_DEPLOY_EV_ERROR, .message = text});
    return SC_DEPLOY_USAGE;
}

static const char *argv_value(const sc_deploy_options *o, const char *name)
{
    for (size_t i = 0; i < o->param_count; i++) {
        if (o->params[i].name && strcmp(o->params[i].name, name) == 0)
            return o->params[i].value;
    }
    return NULL;
}

/* A parameter's value as given: --param NAME=VALUE, else STACKC_PARAM_NAME in the
 * environment (the template's name: STACKC_PARAM_DbPassword). A "file://PATH" value
 * is read by read_parameters. */
static const char *param_value(const sc_deploy_options *o, const char *name)
{
    const char *value = argv_value(o, name);
    if (value)
        return value;
    char variable[192];
    snprintf(variable, sizeof(variable), "STACKC_PARAM_%s", name);
    return sc_aws_env_value(o->env.getenv ? o->env : sc_aws_env_process(), variable);
}

/* Whether two parameter names differ only in case, '_' and '-': the declaration's
 * `certificate_arn` and the template's `CertificateArn`. */
static bool same_words(const char *a, const char *b)
{
    for (;; a++, b++) {
        while (*a == '_' || *a == '-')
            a++;
        while (*b == '_' || *b == '-')
            b++;
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
        if (!*a)
            return true;
    }
}

/* `--param NAME=...` that no selected stack has: the template's name when NAME is the
 * declaration's spelling of it, else the parameters there are. */
static sc_deploy_result unknown_parameter(sc_deploy_run *run, const char *name)
{
    sc_aws_buf names = {0};
    const char *meant = NULL;
    for (size_t i = 0; i < run->selected_count; i++) {
        const sc_deploy_stack *s = run->selected[i];
        for (size_t j = 0; j < s->parameter_count; j++) {
            sc_aws_buf_printf(&names, "%s%s", names.len ? ", " : "", s->parameters[j].name);
            if (!meant && same_words(name, s->parameters[j].name))
                meant = s->parameters[j].name;
        }
    }
    sc_deploy_result r =
        meant ? usage(run,
                      "no stack has a parameter %s: did you mean --param %s=...? (parameters "
                      "take their names in the template, in PascalCase)",
                      name, meant)
              : usage(run, "no stack has a parameter %s; the parameters are: %s", name,
                      names.data ? names.data : "(none)");
    sc_aws_buf_free(&names);
    return r;
}

/* Every stack selected, every --param used by one, every required parameter given
 * (but for destroy, which passes none). */
static sc_deploy_result check_selection(sc_deploy_run *run, bool needs_parameters)
{
    const sc_deploy_options *o = run->options;
    sc_deploy_manifest *m = &run->manifest;
    run->selected = calloc(m->stack_count ? m->stack_count : 1, sizeof(*run->selected));
    if (!run->selected)
        return usage(run, "out of memory");
    for (size_t i = 0; i < m->stack_count; i++) {
        /* --stack names a stack as declared (Network) or as deployed (shop-Network). */
        if (!o->stack || strcmp(o->stack, m->stacks[i].name) == 0 ||
            strcmp(o->stack, m->stacks[i].id) == 0)
            run->selected[run->selected_count++] = &m->stacks[i];
    }
    if (o->stack && run->selected_count == 0) {
        sc_aws_buf names = {0};
        for (size_t i = 0; i < m->stack_count; i++)
            sc_aws_buf_printf(&names, "%s%s", i ? ", " : "", m->stacks[i].name);
        sc_deploy_result r = usage(run, "there is no stack %s; the stacks are: %s", o->stack,
                                   names.data ? names.data : "(none)");
        sc_aws_buf_free(&names);
        return r;
    }
    if (run->selected_count == 0)
        return usage(run, "the manifest lists no stack");
    for (size_t p = 0; p < o->param_count; p++) {
        bool used = false;
        for (size_t i = 0; i < run->selected_count && !used; i++) {
            const sc_deploy_stack *s = run->selected[i];
            for (size_t j = 0; j < s->parameter_count && !used; j++)
                used = o->params[p].name && strcmp(s->parameters[j].name, o->params[p].name) == 0;
        }
        if (!used)
            return unknown_parameter(run, o->params[p].name ? o->params[p].name : "");
    }
    for (size_t i = 0; needs_parameters && i < run->selected_count; i++) {
        const sc_deploy_stack *s = run->selected[i];
        for (size_t j = 0; j < s->parameter_count; j++) {
            if (s->parameters[j].required && !param_value(o, s->parameters[j].name))
                return usage(run,
                             "stack %s needs a value for parameter %s: pass --param %s=VALUE, "
                             "or set STACKC_PARAM_%s",
                             s->name, s->parameters[j].name, s->parameters[j].name,
                             s->parameters[j].name);
        }
    }
    return SC_DEPLOY_OK;
}

/* ---- parameter values ---------------------------------------------------------------- */

/* Most bytes a parameter's file may hold; CloudFormation takes 4 KB values. */
enum { MAX_PARAMETER_FILE = 64 * 1024 };

/* The contents of PATH, one trailing newline dropped (`echo secret > file`), as a heap
 * string (sc_aws_free_secret); NULL with the reason reported. */
static char *read_parameter_file(const sc_deploy_run *run, const char *name, const char *path,
                                 sc_deploy_result *r)
{
    sc_aws_buf text = {0};
    int error = sc_aws_read_file(path, MAX_PARAMETER_FILE, &text);
    const char *why = error == EFBIG                                  ? "it is over 64 KB"
                      : error                                         ? strerror(error)
                      : text.len && memchr(text.data, '\0', text.len) ? "it holds a NUL byte"
                                                                      : NULL;
    if (why) {
        sc_aws_buf_free_secret(&text);
        *r = usage(run, "cannot read the value of parameter %s from %s: %s", name, path, why);
        return NULL;
    }
    if (text.len && text.data[text.len - 1] == '\n')
        text.data[--text.len] = '\0';
    if (text.len && text.data[text.len - 1] == '\r')
        text.data[--text.len] = '\0';
    char *value = text.len ? sc_aws_buf_take(&text) : sc_aws_strdup("");
    if (!value)
        *r = usage(run, "out of memory");
    return value;
}

/* The value of every parameter of the selected stacks that is given, files read; a
 * noEcho value on the command line is warned about, since any local user can read a
 * process's arguments. */
static sc_deploy_result read_parameters(sc_deploy_run *run)
{
    const sc_deploy_options *o = run->options;
    sc_deploy_result r = SC_DEPLOY_OK;
    for (size_t i = 0; i < run->selected_count && r == SC_DEPLOY_OK; i++) {
        const sc_deploy_stack *s = run->selected[i];
        for (size_t j = 0; j < s->parameter_count && r == SC_DEPLOY_OK; j++) {
            const sc_deploy_parameter *p = &s->parameters[j];
            const char *given = param_value(o, p->name);
            if (!given || sc_deploy_param_value(run, p->name))
                continue;
            bool from_file = strncmp(given, "file://", 7) == 0;
            if (p->no_echo && !from_file && argv_value(o, p->name) == given)
                sc_deploy_note(run, NULL,
                               "parameter %s is noEcho, but its value came on the command line, "
                               "which every user of this machine can read: pass it in "
                               "STACKC_PARAM_%s, or as --param %s=file://PATH",
                               p->name, p->name, p->name);
            char *value =
                from_file ? read_parameter_file(run, p->name, given + 7, &r) : sc_aws_strdup(given);
            sc_deploy_value *grown =
                value ? realloc(run->values, (run->value_count + 1) * sizeof(*grown)) : NULL;
            if (!grown) {
                sc_aws_free_secret(value);
                if (r == SC_DEPLOY_OK)
                    r = usage(run, "out of memory");
                break;
            }
            run->values = grown;
            run->values[run->value_count++] = (sc_deploy_value){.name = p->name, .value = value};
        }
    }
    return r;
}

const char *sc_deploy_param_value(const sc_deploy_run *run, const char *name)
{
    for (size_t i = 0; i < run->value_count; i++) {
        if (strcmp(run->values[i].name, name) == 0)
            return run->values[i].value;
    }
    return NULL;
}

/* "stackc-20250102T030405-1a2b3c": unique enough per stack and run, and a valid change
 * set name and request token ([a-zA-Z][-a-zA-Z0-9]*). */
static void name_run(sc_deploy_run *run)
{
    time_t now = time(NULL);
    struct tm utc;
    gmtime_r(&now, &utc);
    char date[20];
    strftime(date, sizeof(date), "%Y%m%dT%H%M%S", &utc);
    unsigned char random[3] = {0};
    if (RAND_bytes(random, sizeof(random)) != 1)
        random[0] = (unsigned char)(sc_aws_monotonic_ms() & 0xff);
    snprintf(run->name, sizeof(run->name), "stackc-%s-%02x%02x%02x", date, random[0], random[1],
             random[2]);
}

/* A region goes into host names: a DNS label, as botocore checks it, so that nothing
 * like "x@127.0.0.1:8080/" can redirect a request. */
static bool valid_region(const char *region)
{
    size_t len = region ? strlen(region) : 0;
    if (len == 0 || len > 63 || region[0] == '-' || region[len - 1] == '-')
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = region[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-'))
            return false;
    }
    return true;
}

/* max_attempts and retry_mode as the AWS CLI reads them: AWS_MAX_ATTEMPTS and
 * AWS_RETRY_MODE, else the profile's settings. Only the attempts change what stackc
 * does: its backoff is the standard mode's (capped exponential, full jitter) whatever
 * the mode, which is checked to be one the CLI knows. */
static sc_aws_status retry_settings(sc_deploy_run *run, unsigned *attempts, sc_aws_error *err)
{
    char *text = NULL, *mode = NULL;
    sc_aws_status status = sc_aws_resolve_setting(run->env, run->options->profile,
                                                  "AWS_MAX_ATTEMPTS", "max_attempts", &text, err);
    if (status == SC_AWS_OK)
        status = sc_aws_resolve_setting(run->env, run->options->profile, "AWS_RETRY_MODE",
                                        "retry_mode", &mode, err);
    if (status == SC_AWS_OK && text) {
        char *end = NULL;
        long n = strtol(text, &end, 10);
        if (end == text || *end || n < 1 || n > 100)
            status = sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                                 "max_attempts (AWS_MAX_ATTEMPTS) is \"%s\"; it takes a number "
                                 "of attempts from 1 to 100",
                                 text);
        else
            *attempts = (unsigned)n;
    }
    if (status == SC_AWS_OK && mode && strcmp(mode, "standard") != 0 &&
        strcmp(mode, "legacy") != 0 && strcmp(mode, "adaptive") != 0)
        status = sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                             "retry_mode (AWS_RETRY_MODE) is \"%s\"; it is standard, legacy or "
                             "adaptive",
                             mode);
    free(text);
    free(mode);
    return status;
}

/* Each refresh of the credentials is said: a deploy that outlives its credentials carries
 * on, and the user should know why STS was called halfway. */
static void on_refresh(void *ctx, const char *message)
{
    sc_deploy_note(ctx, NULL, "%s", message);
}

/* The retry policy: the client's defaults, the settings, then the options; waits through
 * the run's clock, cancellation honoured, each retry said. */
static sc_aws_retry_policy retry_policy(sc_deploy_run *run, unsigned attempts)
{
    const sc_deploy_options *o = run->options;
    sc_aws_retry_policy retry = sc_aws_retry_policy_default();
    if (attempts)
        retry.max_attempts = attempts;
    if (o->retry.max_attempts)
        retry.max_attempts = o->retry.max_attempts;
    if (o->retry.base_delay_ms)
        retry.base_delay_ms = o->retry.base_delay_ms;
    if (o->retry.max_delay_ms)
        retry.max_delay_ms = o->retry.max_delay_ms;
    retry.sleep = retry_sleep;
    retry.sleep_ctx = run;
    retry.cancelled = io_cancelled;
    retry.cancel_ctx = run;
    retry.on_retry = on_retry;
    retry.on_retry_ctx = run;
    return retry;
}

/* Region, settings and transport: failures here are the configuration's. */
static sc_aws_status configure(sc_deploy_run *run, unsigned *attempts, sc_aws_error *err)
{
    const sc_deploy_options *o = run->options;
    sc_aws_status status = sc_aws_config_load(run->env, &run->config, err);
    if (status == SC_AWS_OK && o->region && *o->region) {
        run->region = sc_aws_strdup(o->region);
        if (!run->region)
            status = sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    } else if (status == SC_AWS_OK) {
        status = sc_aws_resolve_region(run->env, o->profile, &run->region, err);
    }
    if (status == SC_AWS_OK && !valid_region(run->region))
        status = sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                             "\"%s\" is not an AWS region name (letters, digits and '-', as in "
                             "us-east-1)",
                             run->region);
    if (status == SC_AWS_OK)
        status = retry_settings(run, attempts, err);
    sc_aws_curl_options curl = {.connect_timeout_ms = o->http.connect_timeout_ms,
                                .low_speed_time_s = o->http.low_speed_time_s,
                                .timeout_ms = o->http.timeout_ms,
                                .cancelled = io_cancelled,
                                .cancel_ctx = run};
    if (status == SC_AWS_OK)
        status = sc_aws_curl_transport_new(&curl, run->env, &run->transport, err);
    return status;
}

static sc_deploy_result connect(sc_deploy_run *run)
{
    const sc_deploy_options *o = run->options;
    sc_aws_error err = {0};
    unsigned attempts = 0;
    sc_aws_status status = configure(run, &attempts, &err);
    if (status != SC_AWS_OK) {
        sc_deploy_result r =
            usage(run, "%s", err.message ? err.message : sc_aws_status_name(status));
        sc_aws_error_clear(&err);
        return r;
    }
    run->profile = sc_aws_profile_name(run->env, o->profile, NULL);
    sc_aws_chain chain = {.env = run->env,
                          .profile = o->profile,
                          .config = &run->config,
                          .region = run->region,
                          .transport = &run->transport,
                          .retry = retry_policy(run, attempts),
                          .log = o->log,
                          .log_ctx = o->log_ctx};
    /* Credentials that cannot be had are the configuration's fault (exit 2), unless AWS
     * refused them or did not answer (exit 4), or the user interrupted. */
    status = sc_aws_refreshing_start(&run->credentials, &chain, &err);
    if (status != SC_AWS_OK) {
        const char *text = err.message ? err.message : sc_aws_status_name(status);
        sc_deploy_emit(run, &(sc_deploy_event){.kind = SC_DEPLOY_EV_ERROR, .message = text});
        sc_aws_error_clear(&err);
        return result_of(status);
    }
    run->have_credentials = true;
    run->credentials.on_refresh = on_refresh;
    run->credentials.on_refresh_ctx = run;
    run->client = (sc_aws_client){.transport = &run->transport,
                                  .refreshing = &run->credentials,
                                  .region = run->region,
                                  .retry = chain.retry,
                                  .env = run->env,
                                  .config = &run->config,
                                  .profile = run->profile,
                                  .log = o->log,
                                  .log_ctx = o->log_ctx};
    return SC_DEPLOY_OK;
}

sc_deploy_result sc_deploy_run_begin(sc_deploy_run *run, const sc_deploy_input *input,
                                     const sc_deploy_options *options, bool changes)
{
    *run = (sc_deploy_run){.options = options};
    run->assets_dir = input->assets_dir && *input->assets_dir ? input->assets_dir : ".";
    run->env = options->env.getenv ? options->env : sc_aws_env_process();
    run->poll = poll_defaults(&options->poll);
    run->clock = options->clock;
    if (!run->clock.now_ms)
        run->clock.now_ms = monotonic_ms;
    if (!run->clock.sleep_ms) {
        run->clock.sleep_ms = sliced_sleep;
        run->clock.ctx = run;
    }
    run->docker = options->docker ? *options->docker : sc_deploy_docker_command(NULL);
    name_run(run);

    sc_aws_buf why = {0};
    if (!sc_deploy_manifest_read(input, &run->manifest, &why)) {
        sc_deploy_result r =
            usage(run, "cannot read the build output: %s", why.data ? why.data : "out of memory");
        sc_aws_buf_free(&why);
        return r;
    }
    sc_deploy_result r = check_selection(run, !options->destroying);
    if (r == SC_DEPLOY_OK && !options->destroying)
        r = read_parameters(run);
    if (r != SC_DEPLOY_OK)
        return r;
    if (changes && !options->yes) {
        if (!options->interactive)
            return usage(run, "refusing to change stacks without confirmation: standard input "
                              "is not a terminal; pass --yes to go ahead without asking");
        if (!options->confirm)
            return usage(run, "no way to ask for confirmation; pass --yes");
    }
    return connect(run);
}

void sc_deploy_run_end(sc_deploy_run *run)
{
    sc_deploy_manifest_free(&run->manifest);
    free(run->selected);
    free(run->region);
    if (run->have_credentials)
        sc_aws_refreshing_end(&run->credentials);
    sc_aws_config_free(&run->config);
    sc_aws_transport_destroy(&run->transport);
    free(run->account);
    free(run->bucket);
    free(run->registry);
    sc_aws_free_secret(run->registry_password);
    for (size_t i = 0; i < run->repository_count; i++) {
        free(run->repositories[i].name);
        free(run->repositories[i].uri);
    }
    free(run->repositories);
    for (size_t i = 0; i < run->pushed_count; i++)
        free(run->pushed[i]);
    free(run->pushed);
    sc_deploy_known_clear(run);
    for (size_t i = 0; i < run->zone_count; i++) {
        free((char *)run->zones[i].name);
        free(run->zones[i].value);
    }
    free(run->zones);
    sc_deploy_release_all_events(run);
    for (size_t i = 0; i < run->value_count; i++)
        sc_aws_free_secret(run->values[i].value);
    free(run->values);
    *run = (sc_deploy_run){0};
}
