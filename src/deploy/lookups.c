/* Values a template leaves for the deploy to look up in the account: a certificate's
 * hosted zone given by name (stdlib/certificate.stack) is written
 * "{{stackc:hosted-zone:public:NAME}}", so `stackc build` needs no AWS access and the
 * template says what it needs; plan and apply replace it with the id of the account's
 * one public zone of that name, from Route 53's ListHostedZonesByName. */
#include "deploy/deploy.h"

#include "aws/route53.h"

#include <stdlib.h>
#include <string.h>

#define LOOKUP_PREFIX "{{stackc:"
#define PUBLIC_ZONE "{{stackc:hosted-zone:public:"

bool sc_deploy_has_lookups(const char *text, size_t len)
{
    size_t prefix = strlen(LOOKUP_PREFIX);
    for (size_t i = 0; text && i + prefix <= len; i++)
        if (text[i] == '{' && memcmp(text + i, LOOKUP_PREFIX, prefix) == 0)
            return true;
    return false;
}

/* Where a lookup is written, for its errors: "Certificate at site.stack:14". */
static void describe_place(sc_aws_buf *out, const sc_deploy_stack *stack, const char *nested,
                           const char *logical_id)
{
    const sc_deploy_resource *r = sc_deploy_resource_find(stack, logical_id);
    sc_aws_buf_printf(out, "%s%s%s", nested ? nested : "", nested ? "/" : "", logical_id);
    if (r && r->source)
        sc_aws_buf_printf(out, " at %s", r->source);
}

/* The id of the one public zone named `name`; NULL after reporting why there is none. */
static const char *public_zone(sc_deploy_run *run, const sc_deploy_stack *stack, const char *name,
                               const char *place)
{
    for (size_t i = 0; i < run->zone_count; i++)
        if (strcmp(run->zones[i].name, name) == 0)
            return run->zones[i].value;
    sc_aws_route53_zones zones = {0};
    sc_aws_error err = {0};
    sc_aws_status status = sc_aws_route53_zones_named(&run->client, name, &zones, &err);
    if (status != SC_AWS_OK) {
        sc_deploy_error(run, stack->name, status, &err,
                        "cannot look up the Route 53 hosted zone %s, which %s names", name, place);
        sc_aws_error_clear(&err);
        return NULL;
    }
    sc_aws_buf public_ids = {0}, private_ids = {0};
    size_t public_count = 0;
    const char *found = NULL;
    for (size_t i = 0; i < zones.count; i++) {
        sc_aws_buf *list = zones.items[i].private_zone ? &private_ids : &public_ids;
        sc_aws_buf_printf(list, "%s%s", list->len ? ", " : "", zones.items[i].id);
        if (!zones.items[i].private_zone) {
            public_count++;
            found = zones.items[i].id;
        }
    }
    const char *id = NULL;
    if (public_count == 1) {
        sc_deploy_value *grown = realloc(run->zones, (run->zone_count + 1) * sizeof(*grown));
        char *copy = sc_aws_strdup(found), *name_copy = sc_aws_strdup(name);
        if (grown)
            run->zones = grown;
        if (grown && copy && name_copy) {
            run->zones[run->zone_count++] = (sc_deploy_value){.name = name_copy, .value = copy};
            id = copy;
            sc_deploy_note(run, stack->name, "the Route 53 hosted zone %s, which %s names, is %s",
                           name, place, copy);
        } else {
            free(copy);
            free(name_copy);
            sc_deploy_error(run, stack->name, SC_AWS_ERR_NOMEM, NULL, "out of memory");
        }
    } else if (public_count > 1) {
        sc_deploy_error(run, stack->name, SC_AWS_ERR_INVALID, NULL,
                        "%zu public Route 53 hosted zones are named %s (%s), which %s names: "
                        "give the one to use by its zone_id",
                        public_count, name, public_ids.data, place);
    } else if (private_ids.len) {
        sc_deploy_error(run, stack->name, SC_AWS_ERR_INVALID, NULL,
                        "the Route 53 hosted zone named %s, which %s names, is private (%s): "
                        "ACM validates a certificate through public DNS, so it needs the "
                        "public zone of that name; create it, or give zone_id",
                        name, place, private_ids.data);
    } else {
        sc_deploy_error(run, stack->name, SC_AWS_ERR_INVALID, NULL,
                        "no Route 53 hosted zone of this account is named %s, which %s names: "
                        "create it (or check the name), or give zone_id",
                        name, place);
    }
    sc_aws_buf_free(&public_ids);
    sc_aws_buf_free(&private_ids);
    sc_aws_route53_zones_clear(&zones);
    return id;
}

/* Replaces the lookups under `node`, a part of resource `logical_id`. */
static sc_deploy_result resolve(sc_deploy_run *run, const sc_deploy_stack *stack,
                                const char *nested, const char *logical_id, cJSON *node)
{
    if (cJSON_IsString(node) &&
        strncmp(node->valuestring, LOOKUP_PREFIX, strlen(LOOKUP_PREFIX)) == 0) {
        const char *text = node->valuestring;
        size_t len = strlen(text);
        sc_aws_buf place = {0};
        describe_place(&place, stack, nested, logical_id);
        sc_deploy_result r = SC_DEPLOY_OK;
        if (strncmp(text, PUBLIC_ZONE, strlen(PUBLIC_ZONE)) != 0 || len < strlen(PUBLIC_ZONE) + 3 ||
            strcmp(text + len - 2, "}}") != 0) {
            r = sc_deploy_error(run, stack->name, SC_AWS_ERR_INVALID, NULL,
                                "%s asks to look up %s, which this stackc does not know: build it "
                                "with the stackc that deploys it",
                                place.data, text);
        } else {
            char *name = sc_aws_strndup(text + strlen(PUBLIC_ZONE), len - strlen(PUBLIC_ZONE) - 2);
            const char *id = name ? public_zone(run, stack, name, place.data) : NULL;
            if (id && !cJSON_SetValuestring(node, id))
                id = NULL;
            if (!id)
                r = SC_DEPLOY_FAILED;
            free(name);
        }
        sc_aws_buf_free(&place);
        return r;
    }
    cJSON *child;
    cJSON_ArrayForEach(child, node)
    {
        sc_deploy_result r = resolve(run, stack, nested, logical_id, child);
        if (r != SC_DEPLOY_OK)
            return r;
    }
    return SC_DEPLOY_OK;
}

sc_deploy_result sc_deploy_resolve_lookups(sc_deploy_run *run, const sc_deploy_stack *stack,
                                           const char *nested, cJSON *tree)
{
    cJSON *resource;
    cJSON_ArrayForEach(resource, cJSON_GetObjectItemCaseSensitive(tree, "Resources"))
    {
        sc_deploy_result r = resolve(run, stack, nested, resource->string, resource);
        if (r != SC_DEPLOY_OK)
            return r;
    }
    return SC_DEPLOY_OK;
}
