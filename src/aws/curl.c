/* The libcurl transport: one easy handle per transport (so connections are reused),
 * callbacks that fill the response through their userdata, TLS verification always on. */
#include "aws/http.h"

#include "aws/text.h"

#include <curl/curl.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { DEFAULT_CONNECT_TIMEOUT_MS = 10000, DEFAULT_TIMEOUT_MS = 120000, DEFAULT_LOW_SPEED_S = 30 };

typedef struct curl_transport {
    CURL *easy;
    long connect_timeout_ms;
    long timeout_ms;
    long low_speed_time_s;
    char *ca_bundle; /* NULL: the system's store */
    sc_aws_cancelled_fn cancelled;
    void *cancel_ctx;
} curl_transport;

/* State of one exchange, handed to the callbacks as userdata. */
typedef struct exchange {
    const curl_transport *transport;
    sc_aws_response *resp;
    sc_aws_buf body;
    bool out_of_memory; /* a callback failed to store what it got */
    bool cancelled;     /* the progress callback aborted the exchange */
    bool stalled;       /* nothing moved for low_speed_time_s */
    curl_off_t moved;   /* bytes up and down so far */
    uint64_t moved_at;  /* when `moved` last grew, monotonic ms */
} exchange;

static uint64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

/* libcurl calls this several times a second, and about once a second while nothing
 * moves: the one place a hung exchange can notice Ctrl-C, and the stall check that
 * CURLOPT_LOW_SPEED_TIME does not make once a request body has been sent. */
static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal, (void)ultotal;
    exchange *x = userdata;
    if (x->transport->cancelled && x->transport->cancelled(x->transport->cancel_ctx)) {
        x->cancelled = true;
        return 1; /* non-zero aborts the transfer */
    }
    uint64_t now = now_ms();
    if (dlnow + ulnow != x->moved || !x->moved_at) {
        x->moved = dlnow + ulnow;
        x->moved_at = now;
    } else if (now - x->moved_at >= (uint64_t)x->transport->low_speed_time_s * 1000u) {
        x->stalled = true;
        return 1;
    }
    return 0;
}

/* ---- callbacks ---------------------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t count, void *userdata)
{
    exchange *x = userdata;
    size_t len = size * count;
    sc_aws_buf_append(&x->body, data, len);
    if (x->body.failed) {
        x->out_of_memory = true;
        return 0; /* anything but `len` makes libcurl abort the transfer */
    }
    return len;
}

static bool is_blank_char(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Called once per header line, the status line and the final empty line included. */
static size_t on_header(char *data, size_t size, size_t count, void *userdata)
{
    exchange *x = userdata;
    size_t len = size * count;
    /* A new status line starts a new response (after "100 Continue", say): forget the
     * headers of the previous one. */
    if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        sc_aws_headers_clear(&x->resp->headers);
        return len;
    }
    const char *colon = memchr(data, ':', len);
    if (!colon)
        return len;
    const char *value = colon + 1, *end = data + len;
    while (value < end && is_blank_char(*value))
        value++;
    while (end > value && is_blank_char(end[-1]))
        end--;
    if (sc_aws_headers_addn(&x->resp->headers, data, (size_t)(colon - data), value,
                            (size_t)(end - value)) != SC_AWS_OK) {
        x->out_of_memory = true;
        return 0;
    }
    return len;
}

/* ---- request setup ---------------------------------------------------------------------- */

static char *request_url(const char *endpoint, const sc_aws_request *req)
{
    sc_aws_buf url = {0};
    sc_aws_buf_printf(&url, "%s%s%s%s", endpoint, *req->path ? req->path : "/",
                      *req->query ? "?" : "", req->query);
    return sc_aws_buf_take(&url);
}

/* The request's headers for libcurl, plus removals of headers libcurl would add on its
 * own: "Expect: 100-continue" (a round trip for nothing) and a form Content-Type. */
static struct curl_slist *header_list(const sc_aws_request *req, bool *ok)
{
    struct curl_slist *list = NULL;
    *ok = true;
    for (size_t i = 0; i < req->headers.count && *ok; i++) {
        const sc_aws_header *h = &req->headers.items[i];
        sc_aws_buf line = {0};
        /* "Name;" is libcurl's spelling of a header with an empty value. */
        sc_aws_buf_printf(&line, *h->value ? "%s: %s" : "%s;", h->name, h->value);
        struct curl_slist *grown = line.failed ? NULL : curl_slist_append(list, line.data);
        sc_aws_buf_free(&line);
        *ok = grown != NULL;
        list = grown ? grown : list;
    }
    /* "Name:" with nothing after it tells libcurl not to send its own. */
    const char *const removals[][2] = {{"Expect", "Expect:"}, {"Content-Type", "Content-Type:"}};
    for (size_t i = 0; i < 2 && *ok; i++) {
        if (sc_aws_headers_get(&req->headers, removals[i][0]))
            continue;
        struct curl_slist *grown = curl_slist_append(list, removals[i][1]);
        *ok = grown != NULL;
        list = grown ? grown : list;
    }
    return list;
}

static void set_method(CURL *easy, const sc_aws_request *req)
{
    if (strcmp(req->method, "GET") == 0 && !req->body_len) {
        curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
        return;
    }
    if (strcmp(req->method, "HEAD") == 0) {
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
        return;
    }
    /* Any other method sends the body as given, even an empty one. */
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, req->method);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, req->body ? (const char *)req->body : "");
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
}

/* Options that hold for every exchange. Verification is set explicitly, never turned
 * off: signed requests and credentials must only ever go to the real peer. */
static void set_common(const curl_transport *t, CURL *easy, exchange *x, char *error_text)
{
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    if (t->ca_bundle)
        curl_easy_setopt(easy, CURLOPT_CAINFO, t->ca_bundle);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, t->connect_timeout_ms);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, t->timeout_ms);
    /* A peer that accepts and then says nothing fails after low_speed_time_s, not after
     * the whole timeout. */
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, t->low_speed_time_s);
    curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(easy, CURLOPT_XFERINFODATA, x);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_text);
}

/* ---- results ------------------------------------------------------------------------------ */

/* Failures where no answer came and another try may get one. */
static bool is_connection_error(CURLcode code)
{
    switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

static sc_aws_status fail_curl(CURLcode code, const char *error_text, const char *endpoint,
                               sc_aws_error *err)
{
    sc_aws_status status = is_connection_error(code) ? SC_AWS_ERR_CONNECTION : SC_AWS_ERR_TRANSPORT;
    return sc_aws_fail(err, status, "request to %s failed: %s", endpoint,
                       *error_text ? error_text : curl_easy_strerror(code));
}

static sc_aws_status finish(CURL *easy, exchange *x)
{
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    x->resp->status = status;
    if (x->body.len == 0)
        return SC_AWS_OK;
    x->resp->body_len = x->body.len;
    x->resp->body = sc_aws_buf_take(&x->body);
    return x->resp->body ? SC_AWS_OK : SC_AWS_ERR_NOMEM;
}

static sc_aws_status curl_send(void *self, const char *endpoint, const sc_aws_request *req,
                               sc_aws_response *resp, sc_aws_error *err)
{
    curl_transport *t = self;
    exchange x = {.transport = t, .resp = resp};
    char error_text[CURL_ERROR_SIZE] = "";
    char *url = request_url(endpoint, req);
    bool headers_ok = false;
    struct curl_slist *headers = url ? header_list(req, &headers_ok) : NULL;
    if (!url || !headers_ok) {
        curl_slist_free_all(headers);
        free(url);
        return sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory preparing a request");
    }
    set_common(t, t->easy, &x, error_text);
    if (req->timeout_ms > 0) {
        curl_easy_setopt(t->easy, CURLOPT_CONNECTTIMEOUT_MS,
                         req->timeout_ms < t->connect_timeout_ms ? req->timeout_ms
                                                                 : t->connect_timeout_ms);
        curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS,
                         req->timeout_ms < t->timeout_ms ? req->timeout_ms : t->timeout_ms);
    }
    curl_easy_setopt(t->easy, CURLOPT_URL, url);
    curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, headers);
    set_method(t->easy, req);
    CURLcode code = curl_easy_perform(t->easy);
    sc_aws_status status = SC_AWS_OK;
    if (x.cancelled)
        status = sc_aws_fail(err, SC_AWS_ERR_CANCELLED, "request to %s interrupted", endpoint);
    else if (x.stalled)
        status = sc_aws_fail(err, SC_AWS_ERR_CONNECTION, "no answer from %s for %ld s", endpoint,
                             t->low_speed_time_s);
    else if (x.out_of_memory)
        status = sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory reading a response");
    else if (code != CURLE_OK)
        status = fail_curl(code, error_text, endpoint, err);
    else if ((status = finish(t->easy, &x)) != SC_AWS_OK)
        sc_aws_fail(err, status, "out of memory reading a response");
    /* The handle still points at the headers, body, error buffer and `x`: forget them
     * before they go away (connections stay open for the next exchange). */
    curl_easy_reset(t->easy);
    curl_slist_free_all(headers);
    free(url);
    sc_aws_buf_free(&x.body);
    if (status != SC_AWS_OK)
        sc_aws_response_clear(resp);
    return status;
}

/* ---- construction ---------------------------------------------------------------------- */

static void curl_destroy(void *self)
{
    curl_transport *t = self;
    if (!t)
        return;
    if (t->easy)
        curl_easy_cleanup(t->easy);
    free(t->ca_bundle);
    free(t);
}

sc_aws_status sc_aws_curl_transport_new(const sc_aws_curl_options *options, sc_aws_env env,
                                        sc_aws_transport *out, sc_aws_error *err)
{
    *out = (sc_aws_transport){0};
    curl_transport *t = calloc(1, sizeof(*t));
    if (!t)
        return sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    sc_aws_curl_options none = {0};
    if (!options)
        options = &none;
    t->connect_timeout_ms =
        options->connect_timeout_ms > 0 ? options->connect_timeout_ms : DEFAULT_CONNECT_TIMEOUT_MS;
    t->timeout_ms = options->timeout_ms > 0 ? options->timeout_ms : DEFAULT_TIMEOUT_MS;
    t->low_speed_time_s =
        options->low_speed_time_s > 0 ? options->low_speed_time_s : DEFAULT_LOW_SPEED_S;
    t->cancelled = options->cancelled;
    t->cancel_ctx = options->cancel_ctx;
    const char *bundle = options->ca_bundle;
    if (!bundle && env.getenv)
        bundle = env.getenv(env.ctx, "AWS_CA_BUNDLE");
    if (bundle && *bundle && !(t->ca_bundle = sc_aws_strdup(bundle))) {
        curl_destroy(t);
        return sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    }
    t->easy = curl_easy_init();
    if (!t->easy) {
        curl_destroy(t);
        return sc_aws_fail(err, SC_AWS_ERR_TRANSPORT, "libcurl could not create a handle");
    }
    *out = (sc_aws_transport){.self = t, .send = curl_send, .destroy = curl_destroy};
    return SC_AWS_OK;
}
