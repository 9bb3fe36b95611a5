/* Image assets: for each asset a stack uses, the ECR repository is made sure of, the
 * registry logged in to (one authorization token and one `docker login` per run), and
 * the image built from its context and pushed under the asset's content hash, through
 * the run's Docker runner. An image pushed once in a run is not pushed again. */
#include "deploy/deploy.h"

#include "aws/ecr.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Turns the runner's output lines into DOCKER_OUTPUT events. */
typedef struct output_sink {
    const sc_deploy_run *run;
    const char *stack;
    const char *password; /* redacted from every line, should Docker ever echo it */
} output_sink;

static void forward_line(void *ctx, const char *line)
{
    const output_sink *sink = ctx;
    char *copy = sc_aws_strdup(line ? line : "");
    if (!copy)
        return;
    size_t len = sink->password ? strlen(sink->password) : 0;
    for (char *hit = len ? strstr(copy, sink->password) : NULL; hit;
         hit = strstr(hit + 1, sink->password))
        memset(hit, '*', len);
    sc_deploy_emit(sink->run, &(sc_deploy_event){.kind = SC_DEPLOY_EV_DOCKER_OUTPUT,
                                                 .stack = sink->stack,
                                                 .message = copy});
    free(copy);
}

/* The repository's URI, making the repository when it does not exist; once per run. */
static sc_deploy_result ensure_repository(sc_deploy_run *run, const char *stack, const char *name,
                                          const char **uri)
{
    for (size_t i = 0; i < run->repository_count; i++) {
        if (strcmp(run->repositories[i].name, name) == 0) {
            *uri = run->repositories[i].uri;
            return SC_DEPLOY_OK;
        }
    }
    sc_deploy_result r = sc_deploy_learn_account(run);
    if (r != SC_DEPLOY_OK)
        return r;
    sc_aws_ecr_repository repository = {0};
    sc_aws_error err = {0};
    sc_aws_status status =
        sc_aws_ecr_describe_repository(&run->client, run->account, name, &repository, &err);
    if (status == SC_AWS_ERR_SERVICE && err.code &&
        strcmp(err.code, "RepositoryNotFoundException") == 0) {
        sc_deploy_note(run, stack, "creating ECR repository %s for image assets", name);
        status = sc_aws_ecr_create_repository(&run->client, run->account, name, &repository, &err);
        /* ECR has no idempotency token: a creation retried after its answer was lost
         * finds the repository made; describe it again rather than fail. */
        if (status == SC_AWS_ERR_SERVICE && err.code &&
            strcmp(err.code, "RepositoryAlreadyExistsException") == 0) {
            sc_aws_error_clear(&err);
            status =
                sc_aws_ecr_describe_repository(&run->client, run->account, name, &repository, &err);
        }
    }
    if (status != SC_AWS_OK) {
        r = sc_deploy_error(run, stack, status, &err, "cannot use ECR repository %s", name);
        sc_aws_error_clear(&err);
        return r;
    }
    if (!repository.registry_id || strcmp(repository.registry_id, run->account) != 0) {
        r = sc_deploy_error(run, stack, SC_AWS_OK, NULL,
                            "ECR repository %s belongs to registry %s, not to account %s: "
                            "stackc will not push images there",
                            name, repository.registry_id ? repository.registry_id : "(none)",
                            run->account);
        sc_aws_ecr_repository_clear(&repository);
        return r;
    }
    sc_deploy_repository *grown =
        realloc(run->repositories, (run->repository_count + 1) * sizeof(*grown));
    char *name_copy = sc_aws_strdup(name);
    if (!grown || !name_copy) {
        free(name_copy);
        if (grown)
            run->repositories = grown;
        sc_aws_ecr_repository_clear(&repository);
        return sc_deploy_error(run, stack, SC_AWS_ERR_NOMEM, NULL, "out of memory");
    }
    run->repositories = grown;
    run->repositories[run->repository_count++] =
        (sc_deploy_repository){.name = name_copy, .uri = repository.uri};
    repository.uri = NULL;
    sc_aws_ecr_repository_clear(&repository);
    *uri = run->repositories[run->repository_count - 1].uri;
    return SC_DEPLOY_OK;
}

/* GetAuthorizationToken and `docker login`, once per run. The registry ECR hands the
 * login for must be the one the repository `uri` lives in: the password goes nowhere
 * else. */
static sc_deploy_result ensure_login(sc_deploy_run *run, const char *stack, const char *uri)
{
    if (run->registry)
        return SC_DEPLOY_OK;
    sc_aws_ecr_authorization auth = {0};
    sc_aws_error err = {0};
    sc_aws_status status = sc_aws_ecr_get_authorization_token(&run->client, &auth, &err);
    if (status != SC_AWS_OK) {
        sc_deploy_result r =
            sc_deploy_error(run, stack, status, &err, "cannot get a login for ECR");
        sc_aws_error_clear(&err);
        return r;
    }
    const char *endpoint = auth.proxy_endpoint ? auth.proxy_endpoint : "";
    const char *scheme = strstr(endpoint, "://");
    char *registry = sc_aws_strdup(scheme ? scheme + 3 : endpoint);
    if (registry &&
        (strncmp(uri, registry, strlen(registry)) != 0 || uri[strlen(registry)] != '/')) {
        sc_deploy_result r = sc_deploy_error(run, stack, SC_AWS_OK, NULL,
                                             "ECR handed a login for registry %s, but the "
                                             "repository is %s: no login attempted",
                                             registry, uri);
        free(registry);
        sc_aws_ecr_authorization_clear(&auth);
        return r;
    }
    run->registry_password = sc_aws_strdup(auth.password);
    if (!registry || !run->registry_password) {
        free(registry);
        sc_aws_ecr_authorization_clear(&auth);
        return sc_deploy_error(run, stack, SC_AWS_ERR_NOMEM, NULL, "out of memory");
    }
    output_sink sink = {.run = run, .stack = stack, .password = run->registry_password};
    int exit_status =
        run->docker.login(run->docker.self, registry, auth.username ? auth.username : "AWS",
                          auth.password, forward_line, &sink);
    sc_aws_ecr_authorization_clear(&auth);
    if (exit_status != 0) {
        sc_deploy_result r =
            sc_deploy_error(run, stack, SC_AWS_OK, NULL, "docker login to %s failed (status %d)",
                            registry, exit_status);
        free(registry);
        return r;
    }
    run->registry = registry;
    return SC_DEPLOY_OK;
}

static bool pushed_already(const sc_deploy_run *run, const char *image)
{
    for (size_t i = 0; i < run->pushed_count; i++) {
        if (strcmp(run->pushed[i], image) == 0)
            return true;
    }
    return false;
}

static void remember_pushed(sc_deploy_run *run, const char *image)
{
    char **grown = realloc(run->pushed, (run->pushed_count + 1) * sizeof(*grown));
    char *copy = sc_aws_strdup(image);
    if (grown)
        run->pushed = grown;
    if (!grown || !copy) {
        free(copy);
        return;
    }
    run->pushed[run->pushed_count++] = copy;
}

/* "a" + "/" + "b", without doubling a slash. A heap string or NULL. */
static char *join_path(const char *dir, const char *name)
{
    sc_aws_buf out = {0};
    if (name[0] == '/' || strcmp(dir, ".") == 0) {
        sc_aws_buf_puts(&out, name);
    } else {
        size_t len = strlen(dir);
        sc_aws_buf_printf(&out, "%s%s%s", dir, len && dir[len - 1] == '/' ? "" : "/", name);
    }
    return sc_aws_buf_take(&out);
}

static sc_deploy_result push_asset(sc_deploy_run *run, const sc_deploy_stack *stack,
                                   const sc_deploy_asset *asset)
{
    const char *uri = NULL;
    sc_deploy_result r = ensure_repository(run, stack->name, asset->repository, &uri);
    if (r != SC_DEPLOY_OK)
        return r;
    sc_aws_buf image = {0};
    sc_aws_buf_printf(&image, "%s:%s", uri, asset->tag);
    char *context = join_path(run->assets_dir, asset->context);
    char *dockerfile = context ? join_path(context, asset->dockerfile) : NULL;
    if (image.failed || !context || !dockerfile) {
        r = sc_deploy_error(run, stack->name, SC_AWS_ERR_NOMEM, NULL, "out of memory");
    } else if (!pushed_already(run, image.data)) {
        r = ensure_login(run, stack->name, uri);
        output_sink sink = {.run = run, .stack = stack->name, .password = run->registry_password};
        sc_deploy_event event = {.kind = SC_DEPLOY_EV_ASSET,
                                 .stack = stack->name,
                                 .asset_id = asset->id,
                                 .image = image.data,
                                 .source = asset->source,
                                 .asset_phase = SC_DEPLOY_ASSET_BUILDING};
        sc_deploy_docker_build build = {.context = context,
                                        .dockerfile = dockerfile,
                                        .build_args = asset->build_args,
                                        .build_arg_count = asset->build_arg_count,
                                        .target = asset->target,
                                        .platform = asset->platform,
                                        .image = image.data};
        int status = 0;
        if (r == SC_DEPLOY_OK && sc_deploy_cancelled(run))
            r = sc_deploy_interrupted(run, stack->name, "before an image was built");
        if (r == SC_DEPLOY_OK) {
            sc_deploy_emit(run, &event);
            status = run->docker.build(run->docker.self, &build, forward_line, &sink);
            if (status != 0 && sc_deploy_cancelled(run))
                r = sc_deploy_interrupted(run, stack->name, "while an image was built");
            else if (status != 0)
                r = sc_deploy_error(run, stack->name, SC_AWS_OK, NULL,
                                    "docker build of %s (%s, %s) failed (status %d)",
                                    asset->source ? asset->source : asset->id, context,
                                    asset->dockerfile, status);
        }
        if (r == SC_DEPLOY_OK && sc_deploy_cancelled(run))
            r = sc_deploy_interrupted(run, stack->name, "before an image was pushed");
        if (r == SC_DEPLOY_OK) {
            event.asset_phase = SC_DEPLOY_ASSET_PUSHING;
            sc_deploy_emit(run, &event);
            status = run->docker.push(run->docker.self, image.data, forward_line, &sink);
            if (status != 0 && sc_deploy_cancelled(run))
                r = sc_deploy_interrupted(run, stack->name, "while an image was pushed");
            else if (status != 0)
                r = sc_deploy_error(run, stack->name, SC_AWS_OK, NULL,
                                    "docker push of %s failed (status %d)", image.data, status);
        }
        if (r == SC_DEPLOY_OK) {
            event.asset_phase = SC_DEPLOY_ASSET_PUSHED;
            sc_deploy_emit(run, &event);
            remember_pushed(run, image.data);
        }
    }
    sc_aws_buf_free(&image);
    free(context);
    free(dockerfile);
    return r;
}

sc_deploy_result sc_deploy_push_assets(sc_deploy_run *run, const sc_deploy_stack *stack)
{
    for (size_t i = 0; i < stack->asset_count; i++) {
        sc_deploy_result r = push_asset(run, stack, stack->assets[i]);
        if (r != SC_DEPLOY_OK)
            return r;
    }
    return SC_DEPLOY_OK;
}

/* ---- before anything changes ------------------------------------------------------- */

/* The asset's context is a folder and its Dockerfile a readable file. */
static sc_deploy_result check_context(sc_deploy_run *run, const sc_deploy_stack *stack,
                                      const sc_deploy_asset *asset)
{
    char *context = join_path(run->assets_dir, asset->context);
    char *dockerfile = context ? join_path(context, asset->dockerfile) : NULL;
    struct stat info;
    sc_deploy_result r = SC_DEPLOY_OK;
    const char *where = asset->source ? asset->source : asset->id;
    if (!context || !dockerfile)
        r = sc_deploy_error(run, stack->name, SC_AWS_ERR_NOMEM, NULL, "out of memory");
    else if (stat(context, &info) != 0 || !S_ISDIR(info.st_mode))
        r = sc_deploy_error(run, stack->name, SC_AWS_OK, NULL,
                            "the build context %s of the image at %s (stack %s) is not a folder",
                            context, where, stack->name);
    else if (stat(dockerfile, &info) != 0 || !S_ISREG(info.st_mode) || access(dockerfile, R_OK))
        r = sc_deploy_error(run, stack->name, SC_AWS_OK, NULL,
                            "the Dockerfile %s of the image at %s (stack %s) cannot be read",
                            dockerfile, where, stack->name);
    free(context);
    free(dockerfile);
    return r;
}

/* Keeps the first lines Docker said, for the error. */
static void keep_line(void *ctx, const char *line)
{
    sc_aws_buf *said = ctx;
    if (said->len < 400 && line && *line)
        sc_aws_buf_printf(said, "%s%s", said->len ? " " : "", line);
}

sc_deploy_result sc_deploy_check_contexts(sc_deploy_run *run)
{
    sc_deploy_result r = SC_DEPLOY_OK;
    for (size_t i = 0; i < run->selected_count && r == SC_DEPLOY_OK; i++) {
        const sc_deploy_stack *stack = run->selected[i];
        for (size_t j = 0; j < stack->asset_count && r == SC_DEPLOY_OK; j++)
            r = check_context(run, stack, stack->assets[j]);
    }
    return r;
}

sc_deploy_result sc_deploy_check_docker(sc_deploy_run *run, size_t index)
{
    if (run->docker_checked)
        return SC_DEPLOY_OK;
    run->docker_checked = true;
    sc_aws_buf stacks = {0};
    for (size_t i = index; i < run->selected_count; i++) {
        if (run->selected[i]->asset_count)
            sc_aws_buf_printf(&stacks, "%s%s", stacks.len ? ", " : "", run->selected[i]->name);
    }
    sc_deploy_result r = SC_DEPLOY_OK;
    if (stacks.len && run->docker.check) {
        sc_aws_buf said = {0};
        int status = run->docker.check(run->docker.self, keep_line, &said);
        bool several = strchr(stacks.data, ',') != NULL;
        if (status != 0)
            r = sc_deploy_error(run, NULL, SC_AWS_OK, NULL,
                                "Docker cannot build images (`docker version` ended with "
                                "status %d%s%s), and stack%s %s need%s images built: start "
                                "Docker, or deploy the other stacks with --stack; no stack "
                                "was changed",
                                status, said.len ? ": " : "", said.len ? said.data : "",
                                several ? "s" : "", stacks.data, several ? "" : "s");
        sc_aws_buf_free(&said);
    }
    sc_aws_buf_free(&stacks);
    return r;
}
