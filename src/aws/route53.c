/* Route 53's ListHostedZonesByName (route53.h). */
#include "aws/route53.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const sc_aws_service route53 = {
    .id = "Route 53", /* AWS_ENDPOINT_URL_ROUTE_53 */
    .host_prefix = "route53",
    .signing_name = "route53",
};

enum { MAX_PAGES = 20 }; /* 100 zones a page: a name held by more is not a lookup */

void sc_aws_route53_zones_clear(sc_aws_route53_zones *zones)
{
    for (size_t i = 0; i < zones->count; i++) {
        free(zones->items[i].id);
        free(zones->items[i].name);
    }
    free(zones->items);
    *zones = (sc_aws_route53_zones){0};
}

/* Names compare without case and without the final dot. */
static bool same_name(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    la -= la && a[la - 1] == '.';
    lb -= lb && b[lb - 1] == '.';
    if (la != lb)
        return false;
    for (size_t i = 0; i < la; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return false;
    return true;
}

/* The global endpoint, unless AWS_ENDPOINT_URL (or a setting) says otherwise, and the
 * region its signatures name. */
static sc_aws_status locate(const sc_aws_client *client, char **endpoint, const char **region,
                            sc_aws_error *err)
{
    bool china = client->region && strncmp(client->region, "cn-", 3) == 0;
    *region = china ? "cn-northwest-1" : "us-east-1";
    bool configured = false;
    sc_aws_status status =
        sc_aws_resolve_endpoint(client->env, client->config, client->profile, route53.id,
                                route53.host_prefix, *region, endpoint, &configured, err);
    if (status != SC_AWS_OK || configured)
        return status;
    free(*endpoint);
    *endpoint =
        sc_aws_strdup(china ? "https://route53.amazonaws.com.cn" : "https://route53.amazonaws.com");
    return *endpoint ? SC_AWS_OK : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
}

/* One page from (`name`, `zone_id`); appends the zones named `name` to `out` and says
 * whether the next page may hold more. */
static sc_aws_status read_page(const sc_aws_client *client, const char *endpoint, const char *name,
                               const char *zone_id, sc_aws_route53_zones *out, char **next_zone_id,
                               sc_aws_error *err)
{
    *next_zone_id = NULL;
    sc_aws_buf query = {0};
    sc_aws_buf_puts(&query, "dnsname=");
    sc_aws_uri_encode(&query, name, strlen(name), false);
    if (zone_id) {
        sc_aws_buf_puts(&query, "&hostedzoneid=");
        sc_aws_uri_encode(&query, zone_id, strlen(zone_id), false);
    }
    sc_aws_buf_puts(&query, "&maxitems=100");
    sc_aws_request *req =
        query.failed ? NULL
                     : sc_aws_request_new("GET", "/2013-04-01/hostedzonesbyname", query.data);
    sc_aws_buf_free(&query);
    if (!req)
        return sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    sc_aws_response resp = {0};
    sc_aws_status status = sc_aws_client_send(client, &route53, endpoint, req, &resp, err);
    sc_aws_request_free(req);
    if (status != SC_AWS_OK)
        return status;
    sc_aws_xml *doc = sc_aws_xml_parse(resp.body, resp.body_len);
    sc_aws_response_clear(&resp);
    const sc_aws_xml *zones = sc_aws_xml_child(doc, "HostedZones");
    if (!doc || strcmp(doc->name, "ListHostedZonesByNameResponse") != 0) {
        sc_aws_xml_free(doc);
        return sc_aws_fail(err, SC_AWS_ERR_PROTOCOL,
                           "ListHostedZonesByName answered something else than its response");
    }
    bool ok = true, past = false;
    for (size_t i = 0; zones && i < zones->child_count && ok; i++) {
        const sc_aws_xml *zone = zones->children[i];
        const char *zone_name = sc_aws_xml_text(zone, "Name");
        const char *id = sc_aws_xml_text(zone, "Id");
        if (!zone_name || !id || !same_name(zone_name, name)) {
            past = true; /* sorted by name: the zones of `name` come first */
            continue;
        }
        const char *slash = strrchr(id, '/');
        sc_aws_route53_zone *grown = realloc(out->items, (out->count + 1) * sizeof(*grown));
        if (!grown) {
            ok = false;
            break;
        }
        out->items = grown;
        const char *is_private = sc_aws_xml_text(zone, "Config/PrivateZone");
        out->items[out->count++] =
            (sc_aws_route53_zone){.id = sc_aws_copy(slash ? slash + 1 : id, &ok),
                                  .name = sc_aws_copy(zone_name, &ok),
                                  .private_zone = is_private && strcmp(is_private, "true") == 0};
    }
    const char *truncated = sc_aws_xml_text(doc, "IsTruncated");
    const char *next_name = sc_aws_xml_text(doc, "NextDNSName");
    if (ok && !past && truncated && strcmp(truncated, "true") == 0 && next_name &&
        same_name(next_name, name))
        *next_zone_id = sc_aws_copy_xml(doc, "NextHostedZoneId", &ok);
    sc_aws_xml_free(doc);
    return ok ? SC_AWS_OK : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
}

sc_aws_status sc_aws_route53_zones_named(const sc_aws_client *client, const char *name,
                                         sc_aws_route53_zones *out, sc_aws_error *err)
{
    *out = (sc_aws_route53_zones){0};
    char *endpoint = NULL;
    const char *region = NULL;
    sc_aws_status status = locate(client, &endpoint, &region, err);
    if (status != SC_AWS_OK)
        return status;
    sc_aws_client global = *client; /* the same credentials, the signing region of Route 53 */
    global.region = region;
    char *zone_id = NULL;
    for (unsigned page = 0; status == SC_AWS_OK && page < MAX_PAGES; page++) {
        char *next = NULL;
        status = read_page(&global, endpoint, name, zone_id, out, &next, err);
        free(zone_id);
        zone_id = next;
        if (!zone_id)
            break;
    }
    free(zone_id);
    free(endpoint);
    if (status != SC_AWS_OK)
        sc_aws_route53_zones_clear(out);
    return status;
}
