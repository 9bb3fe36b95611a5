/* Ordering that AWS requires but no validator checks, walked over every example's
 * templates: what a resource waits for is everything it reaches through Ref,
 * Fn::GetAtt, Fn::Sub and DependsOn. The rules are AWS's ("When a DependsOn attribute is
 * required") and what a Fargate task needs at boot, written here independently of the
 * standard library that is meant to satisfy them:
 *   - what needs the internet gateway attached (an internet-facing load balancer, an
 *     Elastic IP, a route through the gateway, a public database instance, a NAT
 *     gateway) waits for the VPC's gateway attachment;
 *   - an ECS service or a schedule that starts tasks waits for the database instances
 *     of every cluster it reaches and the target attachment of every secret it reads,
 *     the mount targets of every file system it mounts, the security-group rules that
 *     let traffic in to or out of its tasks, the policies attached to its roles, and
 *     the default routes of the subnets its tasks run in.
 * Only resources of one template are compared: a stack is deployed after the stacks
 * it reads, whole. A second test proves the walk finds a missing wait. */
#include "support.h"

#include <stackc/stackc.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROOT STACKC_REPO_ROOT

static const char *const programs[] = {
    ROOT "/examples/wordpress/site.stack",        ROOT "/examples/public-service/site.stack",
    ROOT "/examples/service-database/site.stack", ROOT "/examples/shop/site.stack",
    ROOT "/examples/nightly-report/site.stack",   ROOT "/examples/existing-vpc/site.stack",
    ROOT "/examples/two-services/site.stack",     ROOT "/tests/golden/ordering/main.stack",
};

static const char *type_of(const cJSON *resources, const char *id)
{
    const cJSON *r = cJSON_GetObjectItem(resources, id);
    const cJSON *type = r ? cJSON_GetObjectItem(r, "Type") : NULL;
    return cJSON_IsString(type) ? type->valuestring : "";
}

/* The resources of this template that `value` names. */
static void references(const cJSON *value, const cJSON *resources, cJSON *into)
{
    if (cJSON_IsString(value) || !value)
        return;
    const cJSON *ref = cJSON_IsObject(value) ? cJSON_GetObjectItem(value, "Ref") : NULL;
    const cJSON *getatt = cJSON_IsObject(value) ? cJSON_GetObjectItem(value, "Fn::GetAtt") : NULL;
    const cJSON *sub = cJSON_IsObject(value) ? cJSON_GetObjectItem(value, "Fn::Sub") : NULL;
    if (cJSON_IsString(ref) && cJSON_GetObjectItem(resources, ref->valuestring))
        cJSON_AddItemToArray(into, cJSON_CreateString(ref->valuestring));
    if (cJSON_IsArray(getatt) && cJSON_IsString(cJSON_GetArrayItem(getatt, 0)))
        cJSON_AddItemToArray(into, cJSON_CreateString(cJSON_GetArrayItem(getatt, 0)->valuestring));
    const cJSON *text = cJSON_IsArray(sub) ? cJSON_GetArrayItem(sub, 0) : sub;
    if (cJSON_IsString(text)) {
        for (const char *p = strstr(text->valuestring, "${"); p; p = strstr(p, "${")) {
            p += 2;
            char id[256];
            size_t n = strcspn(p, ".}");
            snprintf(id, sizeof(id), "%.*s", (int)(n < 255 ? n : 255), p);
            if (cJSON_GetObjectItem(resources, id))
                cJSON_AddItemToArray(into, cJSON_CreateString(id));
        }
    }
    const cJSON *child;
    cJSON_ArrayForEach(child, value) references(child, resources, into);
}

static bool listed(const cJSON *list, const char *id)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, list) if (cJSON_IsString(item) &&
                                       strcmp(item->valuestring, id) == 0) return true;
    return false;
}

/* Everything `id` waits for, itself excluded: the closure of its references and DependsOn. */
static cJSON *closure(const cJSON *resources, const char *id)
{
    cJSON *seen = cJSON_CreateArray(), *todo = cJSON_CreateArray();
    cJSON_AddItemToArray(todo, cJSON_CreateString(id));
    while (cJSON_GetArraySize(todo) > 0) {
        cJSON *next = cJSON_DetachItemFromArray(todo, 0);
        const cJSON *r = cJSON_GetObjectItem(resources, next->valuestring);
        cJSON *direct = cJSON_CreateArray();
        references(cJSON_GetObjectItem(r, "Properties"), resources, direct);
        const cJSON *depends = cJSON_GetObjectItem(r, "DependsOn");
        const cJSON *d;
        if (cJSON_IsString(depends))
            cJSON_AddItemToArray(direct, cJSON_CreateString(depends->valuestring));
        cJSON_ArrayForEach(d, depends) if (cJSON_IsString(d))
            cJSON_AddItemToArray(direct, cJSON_CreateString(d->valuestring));
        cJSON_ArrayForEach(d, direct)
        {
            if (strcmp(d->valuestring, id) == 0 || listed(seen, d->valuestring))
                continue;
            cJSON_AddItemToArray(seen, cJSON_CreateString(d->valuestring));
            cJSON_AddItemToArray(todo, cJSON_CreateString(d->valuestring));
        }
        cJSON_Delete(direct);
        cJSON_Delete(next);
    }
    cJSON_Delete(todo);
    return seen;
}

/* The resources of this template one property of `r` names. */
static cJSON *named_by(const cJSON *resources, const cJSON *r, const char *property)
{
    cJSON *out = cJSON_CreateArray();
    references(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "Properties"), property), resources, out);
    return out;
}

static bool names(const cJSON *resources, const cJSON *r, const char *property, const char *id)
{
    cJSON *ids = named_by(resources, r, property);
    bool found = listed(ids, id);
    cJSON_Delete(ids);
    return found;
}

typedef struct walk {
    const char *where;
    const cJSON *resources;
    int problems;
} walk;

static void require(walk *w, const char *waiter, const cJSON *waits, const char *needed,
                    const char *why)
{
    if (listed(waits, needed))
        return;
    fprintf(stderr, "\n%s: %s (%s) does not wait for %s (%s): %s\n", w->where, waiter,
            type_of(w->resources, waiter), needed, type_of(w->resources, needed), why);
    w->problems++;
}

static bool is_internet_bound(const cJSON *r, const char *type)
{
    const cJSON *props = cJSON_GetObjectItem(r, "Properties");
    if (strcmp(type, "AWS::ElasticLoadBalancingV2::LoadBalancer") == 0) {
        const cJSON *scheme = cJSON_GetObjectItem(props, "Scheme");
        return !cJSON_IsString(scheme) || strcmp(scheme->valuestring, "internal") != 0;
    }
    if (strcmp(type, "AWS::RDS::DBInstance") == 0)
        return cJSON_IsTrue(cJSON_GetObjectItem(props, "PubliclyAccessible"));
    if (strcmp(type, "AWS::EC2::Route") == 0)
        return cJSON_GetObjectItem(props, "GatewayId") != NULL;
    return strcmp(type, "AWS::EC2::EIP") == 0 || strcmp(type, "AWS::EC2::NatGateway") == 0;
}

/* The security groups a task-starting resource gives its tasks. */
static cJSON *task_groups(const cJSON *resources, const cJSON *r)
{
    cJSON *groups = cJSON_CreateArray();
    const cJSON *props = cJSON_GetObjectItem(r, "Properties");
    const cJSON *network = cJSON_GetObjectItem(props, "NetworkConfiguration");
    if (!network) /* a schedule's target */
        network = cJSON_GetObjectItem(
            cJSON_GetObjectItem(cJSON_GetObjectItem(props, "Target"), "EcsParameters"),
            "NetworkConfiguration");
    const cJSON *vpc = cJSON_GetObjectItem(network, "AwsvpcConfiguration");
    references(cJSON_GetObjectItem(vpc, "SecurityGroups"), resources, groups);
    return groups;
}

static cJSON *task_subnets(const cJSON *resources, const cJSON *r)
{
    cJSON *subnets = cJSON_CreateArray();
    const cJSON *props = cJSON_GetObjectItem(r, "Properties");
    const cJSON *network = cJSON_GetObjectItem(props, "NetworkConfiguration");
    if (!network)
        network = cJSON_GetObjectItem(
            cJSON_GetObjectItem(cJSON_GetObjectItem(props, "Target"), "EcsParameters"),
            "NetworkConfiguration");
    references(cJSON_GetObjectItem(cJSON_GetObjectItem(network, "AwsvpcConfiguration"), "Subnets"),
               resources, subnets);
    return subnets;
}

/* What a resource that starts tasks needs before its first task boots. */
static void check_task_starter(walk *w, const char *id, const cJSON *waits)
{
    const cJSON *resources = w->resources;
    const cJSON *starter = cJSON_GetObjectItem(resources, id);
    cJSON *groups = task_groups(resources, starter);
    cJSON *subnets = task_subnets(resources, starter);
    const cJSON *other;
    cJSON_ArrayForEach(other, resources)
    {
        const char *oid = other->string, *type = type_of(resources, oid);
        if (strcmp(type, "AWS::RDS::DBInstance") == 0) {
            cJSON *clusters = named_by(resources, other, "DBClusterIdentifier");
            const cJSON *c;
            cJSON_ArrayForEach(c, clusters) if (listed(waits, c->valuestring))
                require(w, id, waits, oid, "the database answers only once an instance exists");
            cJSON_Delete(clusters);
        } else if (strcmp(type, "AWS::SecretsManager::SecretTargetAttachment") == 0) {
            cJSON *secrets = named_by(resources, other, "SecretId");
            const cJSON *s;
            cJSON_ArrayForEach(s, secrets) if (listed(waits, s->valuestring)) require(
                w, id, waits, oid, "the secret's host and port are written by the attachment");
            cJSON_Delete(secrets);
        } else if (strcmp(type, "AWS::EFS::MountTarget") == 0) {
            cJSON *filesystems = named_by(resources, other, "FileSystemId");
            const cJSON *f;
            cJSON_ArrayForEach(f, filesystems) if (listed(waits, f->valuestring))
                require(w, id, waits, oid, "a task mounts through the mount target of its zone");
            cJSON_Delete(filesystems);
        } else if (strcmp(type, "AWS::EC2::SecurityGroupIngress") == 0) {
            const cJSON *g;
            cJSON_ArrayForEach(g, groups)
            {
                if (names(resources, other, "GroupId", g->valuestring) ||
                    names(resources, other, "SourceSecurityGroupId", g->valuestring))
                    require(w, id, waits, oid, "the tasks' traffic needs the rule from the start");
            }
        } else if (strcmp(type, "AWS::IAM::Policy") == 0 ||
                   strcmp(type, "AWS::IAM::RolePolicy") == 0) {
            cJSON *roles = named_by(resources, other,
                                    strcmp(type, "AWS::IAM::Policy") == 0 ? "Roles" : "RoleName");
            const cJSON *role;
            cJSON_ArrayForEach(role, roles) if (listed(waits, role->valuestring))
                require(w, id, waits, oid, "the tasks use their role's permissions from the start");
            cJSON_Delete(roles);
        } else if (strcmp(type, "AWS::EC2::SubnetRouteTableAssociation") == 0) {
            const cJSON *s;
            cJSON_ArrayForEach(s, subnets)
            {
                if (!names(resources, other, "SubnetId", s->valuestring))
                    continue;
                cJSON *tables = named_by(resources, other, "RouteTableId");
                const cJSON *route;
                cJSON_ArrayForEach(route, resources)
                {
                    const cJSON *t;
                    if (strcmp(type_of(resources, route->string), "AWS::EC2::Route") != 0)
                        continue;
                    cJSON_ArrayForEach(
                        t, tables) if (names(resources, route, "RouteTableId", t->valuestring))
                        require(w, id, waits, route->string,
                                "tasks pull their images through the subnet's default route");
                }
                cJSON_Delete(tables);
            }
        }
    }
    cJSON_Delete(groups);
    cJSON_Delete(subnets);
}

/* The problems of one template; each is printed. */
static int check_template(const char *where, const cJSON *template)
{
    walk w = {.where = where, .resources = cJSON_GetObjectItem(template, "Resources")};
    const char *attachment = NULL;
    const cJSON *r;
    cJSON_ArrayForEach(r, w.resources) if (strcmp(type_of(w.resources, r->string),
                                                  "AWS::EC2::VPCGatewayAttachment") == 0)
        attachment = r->string;
    cJSON_ArrayForEach(r, w.resources)
    {
        const char *type = type_of(w.resources, r->string);
        cJSON *waits = closure(w.resources, r->string);
        if (attachment && is_internet_bound(r, type))
            require(&w, r->string, waits, attachment,
                    "AWS refuses it while the VPC has no internet gateway");
        if (strcmp(type, "AWS::ECS::Service") == 0 || strcmp(type, "AWS::Scheduler::Schedule") == 0)
            check_task_starter(&w, r->string, waits);
        cJSON_Delete(waits);
    }
    return w.problems;
}

static void test_examples_are_ordered(void)
{
    size_t templates = 0;
    for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
        sc_context *ctx = sc_context_new(NULL);
        sc_context_set_stdlib_dir(ctx, ROOT "/stdlib");
        CU_ASSERT_TRUE(sc_build_file(ctx, programs[i], NULL));
        if (sc_error_count(ctx))
            sc_render_human(ctx, stderr, false);
        for (size_t o = 0; o < sc_output_count(ctx); o++) {
            const char *name = sc_output_name(ctx, o);
            if (!strstr(name, ".template.json"))
                continue;
            cJSON *template = cJSON_Parse(sc_output_data(ctx, o, NULL));
            CU_ASSERT_PTR_NOT_NULL_FATAL(template);
            char where[512];
            snprintf(where, sizeof(where), "%s: %s", programs[i] + strlen(ROOT) + 1, name);
            CU_ASSERT_EQUAL(check_template(where, template), 0);
            cJSON_Delete(template);
            templates++;
        }
        sc_context_free(ctx);
    }
    printf("\n  %zu templates walked\n", templates);
    CU_ASSERT_TRUE(templates >= 12);
}

/* The walk is not vacuous: WordPress's template without the waits stackc adds (its
 * DependsOn) breaks the rules it should, by name. */
static void test_missing_waits_are_found(void)
{
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_stdlib_dir(ctx, ROOT "/stdlib");
    CU_ASSERT_TRUE_FATAL(sc_build_file(ctx, ROOT "/examples/wordpress/site.stack", NULL));
    cJSON *template = NULL;
    for (size_t o = 0; o < sc_output_count(ctx); o++)
        if (strcmp(sc_output_name(ctx, o), "Wordpress.template.json") == 0)
            template = cJSON_Parse(sc_output_data(ctx, o, NULL));
    CU_ASSERT_PTR_NOT_NULL_FATAL(template);
    CU_ASSERT_EQUAL(check_template("wordpress as built", template), 0);
    cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(template, "Resources"))
        cJSON_DeleteItemFromObject(r, "DependsOn");
    fprintf(stderr, "\n(the problems below are expected)");
    /* The writer instance, the secret attachment, both mount targets, the rule from the
     * load balancer, the rule to the database and the rule to the file system. */
    CU_ASSERT_EQUAL(check_template("wordpress without DependsOn", template), 7);
    cJSON_Delete(template);
    sc_context_free(ctx);
}

int main(void)
{
    static const test_case cases[] = {
        {"every example waits for what AWS needs first", test_examples_are_ordered},
        {"a template without those waits fails the walk", test_missing_waits_are_found},
        {NULL, NULL},
    };
    return test_main("ordering", cases);
}
