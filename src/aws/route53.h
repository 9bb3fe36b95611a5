/* Route 53's one call stackc makes: ListHostedZonesByName, to turn a hosted zone's name
 * into its id. A REST-XML service with one global endpoint (route53.amazonaws.com,
 * signed for us-east-1; route53.amazonaws.com.cn for China's regions). Result strings
 * are heap-owned by the result and released by its _clear function. Internal to
 * libstackc_aws. */
#ifndef STACKC_AWS_ROUTE53_H
#define STACKC_AWS_ROUTE53_H

#include "aws/client.h"

typedef struct sc_aws_route53_zone {
    char *id;   /* "Z0123456789ABCDEFGHIJ", without Route 53's "/hostedzone/" */
    char *name; /* as Route 53 writes it: "example.com." */
    bool private_zone;
} sc_aws_route53_zone;

typedef struct sc_aws_route53_zones {
    sc_aws_route53_zone *items;
    size_t count;
} sc_aws_route53_zones;

void sc_aws_route53_zones_clear(sc_aws_route53_zones *zones);

/* Every hosted zone of the account named exactly `name` ("example.com", the final dot
 * and case not mattering), public and private: Route 53 allows several of one name.
 * Reads ListHostedZonesByName's pages from `name` until the names differ. */
sc_aws_status sc_aws_route53_zones_named(const sc_aws_client *client, const char *name,
                                         sc_aws_route53_zones *out, sc_aws_error *err);

#endif
