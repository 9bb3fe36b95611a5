/* The Docker runner that uses the docker command line: each call spawns the program
 * without a shell (posix_spawnp), reads its standard output and error together, line
 * by line, and waits for it. The registry password reaches `docker login` on standard
 * input, through a socket sent with MSG_NOSIGNAL so that a program that exits without
 * reading it cannot kill us with SIGPIPE. */
#include "deploy/deploy.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Status reported when the program cannot be started, as a shell does. */
enum { NOT_RUN = 127 };

/* Splits what the child writes into lines ('\n' or '\r', so progress bars become
 * lines too) and hands each non-empty one to `out`. */
typedef struct line_reader {
    sc_aws_buf pending;
    sc_deploy_line_fn out;
    void *out_ctx;
} line_reader;

static void flush_line(line_reader *r)
{
    if (r->pending.len && r->out) {
        char *line = sc_aws_buf_take(&r->pending);
        if (line)
            r->out(r->out_ctx, line);
        free(line);
    }
    sc_aws_buf_free(&r->pending);
}

static void feed(line_reader *r, const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\n' || data[i] == '\r')
            flush_line(r);
        else
            sc_aws_buf_putc(&r->pending, data[i]);
    }
}

/* Runs argv (argv[0] looked up in PATH); `input` (may be NULL) is written to its
 * standard input. Returns the exit status, 128 + signal, or NOT_RUN. */
static int run_program(const char *const *argv, const char *input, sc_deploy_line_fn out,
                       void *out_ctx)
{
    int output[2] = {-1, -1}, feed_fds[2] = {-1, -1};
    if (pipe(output) != 0)
        return NOT_RUN;
    if (input && socketpair(AF_UNIX, SOCK_STREAM, 0, feed_fds) != 0) {
        close(output[0]);
        close(output[1]);
        return NOT_RUN;
    }
    /* Only the dup2'd copies reach the child (dup2 clears the flag). */
    int fds[] = {output[0], output[1], feed_fds[0], feed_fds[1]};
    for (size_t i = 0; i < 4; i++) {
        if (fds[i] >= 0)
            fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (input)
        posix_spawn_file_actions_adddup2(&actions, feed_fds[1], STDIN_FILENO);
    else
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, output[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, output[1], STDERR_FILENO);
    pid_t pid = 0;
    int spawned = posix_spawnp(&pid, argv[0], &actions, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(output[1]);
    if (input)
        close(feed_fds[1]);
    line_reader reader = {.out = out, .out_ctx = out_ctx};
    if (spawned != 0) {
        close(output[0]);
        if (input)
            close(feed_fds[0]);
        char message[256];
        snprintf(message, sizeof(message), "cannot run %s: %s", argv[0], strerror(spawned));
        if (out)
            out(out_ctx, message);
        return NOT_RUN;
    }
    if (input) {
        size_t len = strlen(input), sent = 0;
        while (sent < len) {
            ssize_t n = send(feed_fds[0], input + sent, len - sent, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            sent += (size_t)n;
        }
        close(feed_fds[0]);
    }
    char chunk[4096];
    for (;;) {
        ssize_t n = read(output[0], chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        feed(&reader, chunk, (size_t)n);
    }
    flush_line(&reader);
    close(output[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return NOT_RUN;
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : NOT_RUN;
}

static const char *program_of(void *self)
{
    return self ? self : "docker";
}

static int docker_login(void *self, const char *registry, const char *username,
                        const char *password, sc_deploy_line_fn out, void *out_ctx)
{
    const char *argv[] = {program_of(self),   "login",  "--username", username,
                          "--password-stdin", registry, NULL};
    return run_program(argv, password, out, out_ctx);
}

static int docker_build(void *self, const sc_deploy_docker_build *build, sc_deploy_line_fn out,
                        void *out_ctx)
{
    size_t argc = 0, max = 14 + 2 * build->build_arg_count;
    const char **argv = calloc(max, sizeof(*argv));
    char **owned = calloc(build->build_arg_count + 1, sizeof(*owned));
    int status = NOT_RUN;
    bool ok = argv && owned;
    if (ok) {
        argv[argc++] = program_of(self);
        argv[argc++] = "build";
        argv[argc++] = "--file";
        argv[argc++] = build->dockerfile;
        for (size_t i = 0; i < build->build_arg_count && ok; i++) {
            sc_aws_buf arg = {0};
            sc_aws_buf_printf(&arg, "%s=%s", build->build_args[i].name,
                              build->build_args[i].value ? build->build_args[i].value : "");
            owned[i] = sc_aws_buf_take(&arg);
            ok = owned[i] != NULL;
            argv[argc++] = "--build-arg";
            argv[argc++] = owned[i];
        }
        if (build->target) {
            argv[argc++] = "--target";
            argv[argc++] = build->target;
        }
        /* An image built on an arm64 laptop for x86_64 tasks, or the other way round,
         * would stop with "exec format error": build for the tasks' platform. */
        if (build->platform) {
            argv[argc++] = "--platform";
            argv[argc++] = build->platform;
        }
        argv[argc++] = "--tag";
        argv[argc++] = build->image;
        argv[argc++] = build->context;
        argv[argc] = NULL;
    }
    if (ok)
        status = run_program(argv, NULL, out, out_ctx);
    else if (out)
        out(out_ctx, "out of memory");
    for (size_t i = 0; owned && i < build->build_arg_count; i++)
        free(owned[i]);
    free(owned);
    free(argv);
    return status;
}

static int docker_push(void *self, const char *image, sc_deploy_line_fn out, void *out_ctx)
{
    const char *argv[] = {program_of(self), "push", image, NULL};
    return run_program(argv, NULL, out, out_ctx);
}

/* `docker version` asks the daemon for its version: it fails when the daemon is down or
 * its socket is not ours to use, as a build would. */
static int docker_check(void *self, sc_deploy_line_fn out, void *out_ctx)
{
    const char *argv[] = {program_of(self), "version", "--format", "{{.Server.Version}}", NULL};
    return run_program(argv, NULL, out, out_ctx);
}

sc_deploy_docker sc_deploy_docker_command(const char *program)
{
    return (sc_deploy_docker){.self = (void *)program,
                              .login = docker_login,
                              .build = docker_build,
                              .push = docker_push,
                              .check = docker_check};
}
