/* Starting, stopping and administering the local AWS emulator for the tests. */
#include "aws_emulator.h"

#include "aws/text.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EMULATOR STACKC_REPO_ROOT "/tests/emulator/emulator.py"

/* Reads the emulator's "listening 127.0.0.1:PORT" line within 10 s; the port or 0. */
static int read_port(int fd)
{
    char line[128];
    size_t n = 0;
    while (n < sizeof(line) - 1) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 10000) <= 0 || read(fd, line + n, 1) != 1)
            return 0;
        if (line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    int port = 0;
    return sscanf(line, "listening 127.0.0.1:%d", &port) == 1 ? port : 0;
}

static const char *no_env(void *ctx, const char *name)
{
    (void)ctx;
    (void)name;
    return NULL;
}

bool test_emulator_start(test_emulator *e, const char *const *extra)
{
    *e = (test_emulator){0};
    const char *argv[24] = {"python3",
                            EMULATOR,
                            "--port",
                            "0",
                            "--resource-delay-ms",
                            "20",
                            "--changeset-delay-ms",
                            "20",
                            "--exit-on-stdin-eof"};
    size_t argc = 9;
    for (size_t i = 0; extra && extra[i] && argc < 23; i++)
        argv[argc++] = extra[i];
    argv[argc] = NULL;
    int in[2], out[2];
    if (pipe(in) != 0)
        return false;
    if (pipe(out) != 0) {
        close(in[0]);
        close(in[1]);
        return false;
    }
    e->pid = fork();
    if (e->pid == 0) {
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        execvp("python3", (char *const *)argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    e->to_emulator = in[1];
    e->from_emulator = out[0];
    if (e->pid < 0)
        return false;
    e->port = read_port(e->from_emulator);
    if (!e->port) {
        fprintf(stderr, "\n  the emulator did not start (is python3 installed?)\n");
        return false;
    }
    snprintf(e->endpoint, sizeof(e->endpoint), "http://127.0.0.1:%d", e->port);
    sc_aws_curl_options options = {.connect_timeout_ms = 2000, .timeout_ms = 5000};
    return sc_aws_curl_transport_new(&options, (sc_aws_env){.getenv = no_env}, &e->transport,
                                     NULL) == SC_AWS_OK;
}

void test_emulator_stop(test_emulator *e)
{
    sc_aws_transport_destroy(&e->transport);
    if (e->pid <= 0)
        return;
    close(e->to_emulator);
    close(e->from_emulator);
    for (int i = 0; i < 200; i++) {
        if (waitpid(e->pid, NULL, WNOHANG) == e->pid) {
            e->pid = 0;
            return;
        }
        struct timespec pause = {.tv_nsec = 10 * 1000000L};
        nanosleep(&pause, NULL);
    }
    kill(e->pid, SIGKILL);
    waitpid(e->pid, NULL, 0);
    e->pid = 0;
}

long test_emulator_admin(test_emulator *e, const char *method, const char *path, const char *json,
                         char **body)
{
    char target[512];
    snprintf(target, sizeof(target), "/_emulator/%s", path);
    sc_aws_request *req = sc_aws_request_new(method, target, NULL);
    if (!req)
        return 0;
    char host[64];
    snprintf(host, sizeof(host), "127.0.0.1:%d", e->port);
    sc_aws_headers_add(&req->headers, "Host", host);
    if (json) {
        sc_aws_headers_add(&req->headers, "Content-Type", "application/json");
        sc_aws_request_set_body(req, json, strlen(json));
    }
    sc_aws_response resp = {0};
    long status = 0;
    if (e->transport.send(e->transport.self, e->endpoint, req, &resp, NULL) == SC_AWS_OK)
        status = resp.status;
    if (body) {
        *body = resp.body;
        resp.body = NULL;
    }
    sc_aws_response_clear(&resp);
    sc_aws_request_free(req);
    return status;
}
