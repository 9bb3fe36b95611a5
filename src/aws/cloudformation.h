/* CloudFormation's calls (query protocol, API version 2010-05-15), their answers as
 * plain structs, and waits that poll them.
 *
 * Inputs borrow the caller's strings. Every string in a result is heap-owned by the
 * result and released by the result's _clear function, which also empties it; absent
 * fields are NULL (times 0). Statuses, actions and reasons are CloudFormation's own
 * words, verbatim ("CREATE_COMPLETE", "Modify", "True"), so nothing is lost when
 * AWS adds one. An AWS error comes back as SC_AWS_ERR_SERVICE with its code and
 * message (see sc_aws_error). Internal to libstackc_aws. */
#ifndef STACKC_AWS_CLOUDFORMATION_H
#define STACKC_AWS_CLOUDFORMATION_H

#include "aws/client.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* ---- change sets --------------------------------------------------------------------- */

typedef enum sc_aws_cfn_change_set_type {
    SC_AWS_CFN_CHANGE_SET_CREATE, /* a new stack (it waits in REVIEW_IN_PROGRESS) */
    SC_AWS_CFN_CHANGE_SET_UPDATE, /* an existing stack */
} sc_aws_cfn_change_set_type;

/* A parameter value to pass; strings borrowed. */
typedef struct sc_aws_cfn_parameter {
    const char *key;
    const char *value; /* ignored when use_previous */
    bool use_previous; /* keep the value the stack has */
} sc_aws_cfn_parameter;

typedef struct sc_aws_cfn_tag {
    const char *key;
    const char *value;
} sc_aws_cfn_tag;

/* CreateChangeSet's input; every pointer borrowed. */
typedef struct sc_aws_cfn_change_set_input {
    const char *stack_name;
    const char *change_set_name;
    sc_aws_cfn_change_set_type type;
    const char *template_body; /* exactly one of the body and the URL */
    const char *template_url;  /* e.g. from sc_aws_s3_object_url, for big templates */
    const sc_aws_cfn_parameter *parameters;
    size_t parameter_count;
    const char *const *capabilities; /* e.g. "CAPABILITY_IAM" */
    size_t capability_count;
    const sc_aws_cfn_tag *tags;
    size_t tag_count;
    const char *description;    /* optional */
    const char *client_token;   /* optional; makes a repeated request harmless */
    bool include_nested_stacks; /* also a change set per nested stack, named in its change */
} sc_aws_cfn_change_set_input;

/* What CreateChangeSet answers. */
typedef struct sc_aws_cfn_change_set_ids {
    char *change_set_id;
    char *stack_id;
} sc_aws_cfn_change_set_ids;

void sc_aws_cfn_change_set_ids_clear(sc_aws_cfn_change_set_ids *ids);

sc_aws_status sc_aws_cfn_create_change_set(const sc_aws_client *client,
                                           const sc_aws_cfn_change_set_input *input,
                                           sc_aws_cfn_change_set_ids *out, sc_aws_error *err);

/* Why one resource changes, e.g. property CidrBlock, RequiresRecreation Always. */
typedef struct sc_aws_cfn_change_detail {
    char *attribute;           /* Properties, Metadata, Tags, ... */
    char *name;                /* the property's name; NULL for other attributes */
    char *requires_recreation; /* Never, Conditionally, Always */
    char *evaluation;          /* Static, Dynamic */
    char *change_source;       /* DirectModification, ParameterReference, ResourceReference, ... */
    char *causing_entity;      /* e.g. "Vpc" or "Vpc.Arn"; NULL when none */
} sc_aws_cfn_change_detail;

/* One resource change of a change set. */
typedef struct sc_aws_cfn_change {
    char *action; /* Add, Modify, Remove, Import, Dynamic */
    char *logical_id;
    char *physical_id; /* NULL for Add */
    char *resource_type;
    char *replacement;   /* Modify only: True, False or Conditional */
    char *change_set_id; /* a nested stack's change set (IncludeNestedStacks); NULL otherwise */
    sc_aws_cfn_change_detail *details;
    size_t detail_count;
} sc_aws_cfn_change;

typedef struct sc_aws_cfn_change_set {
    char *change_set_id;
    char *change_set_name;
    char *stack_id;
    char *stack_name;
    char *status;           /* CREATE_PENDING, CREATE_IN_PROGRESS, CREATE_COMPLETE, FAILED, ... */
    char *execution_status; /* UNAVAILABLE, AVAILABLE, EXECUTE_IN_PROGRESS, EXECUTE_COMPLETE, ... */
    char *status_reason;    /* NULL when none */
    sc_aws_cfn_change *changes; /* every page's */
    size_t change_count;
} sc_aws_cfn_change_set;

void sc_aws_cfn_change_set_clear(sc_aws_cfn_change_set *change_set);

/* Describes a change set, named by `change_set_name` with `stack_name`, or by its ARN
 * (then `stack_name` may be NULL); follows NextToken so `out` holds every change. */
sc_aws_status sc_aws_cfn_describe_change_set(const sc_aws_client *client, const char *stack_name,
                                             const char *change_set_name,
                                             sc_aws_cfn_change_set *out, sc_aws_error *err);

/* True for a change set that FAILED only because it would change nothing ("The
 * submitted information didn't contain changes..."): nothing to deploy. */
bool sc_aws_cfn_change_set_is_empty(const sc_aws_cfn_change_set *change_set);

/* `client_request_token` (optional) tags the stack events this execution causes. */
sc_aws_status sc_aws_cfn_execute_change_set(const sc_aws_client *client, const char *stack_name,
                                            const char *change_set_name,
                                            const char *client_request_token, sc_aws_error *err);

sc_aws_status sc_aws_cfn_delete_change_set(const sc_aws_client *client, const char *stack_name,
                                           const char *change_set_name, sc_aws_error *err);

/* ---- stacks -------------------------------------------------------------------------- */

typedef struct sc_aws_cfn_output {
    char *key;
    char *value;
    char *description; /* NULL when none */
    char *export_name; /* NULL when not exported */
} sc_aws_cfn_output;

typedef struct sc_aws_cfn_stack_parameter {
    char *key;
    char *value;
} sc_aws_cfn_stack_parameter;

typedef struct sc_aws_cfn_stack {
    char *stack_id;
    char *stack_name;
    char *status; /* e.g. CREATE_COMPLETE, ROLLBACK_COMPLETE, UPDATE_IN_PROGRESS */
    char *status_reason;
    char *description;
    time_t creation_time;
    time_t last_updated_time; /* 0 when never updated */
    time_t deletion_time;     /* 0 unless deleted */
    sc_aws_cfn_stack_parameter *parameters;
    size_t parameter_count;
    sc_aws_cfn_output *outputs; /* present once the stack is complete */
    size_t output_count;
    sc_aws_cfn_stack_parameter *tags; /* the stack's tags, as key and value */
    size_t tag_count;
} sc_aws_cfn_stack;

void sc_aws_cfn_stack_clear(sc_aws_cfn_stack *stack);

/* Describes one stack, by name or by id (a deleted stack is found by id only). A stack
 * that does not exist is SC_AWS_ERR_SERVICE "ValidationError: Stack with id NAME does
 * not exist"; sc_aws_cfn_is_missing_stack recognises it. */
sc_aws_status sc_aws_cfn_describe_stack(const sc_aws_client *client, const char *stack_name,
                                        sc_aws_cfn_stack *out, sc_aws_error *err);

/* True when `err` says the stack does not exist. */
bool sc_aws_cfn_is_missing_stack(const sc_aws_error *err);

/* The value of output `key`, owned by `stack`; NULL when it has none. */
const char *sc_aws_cfn_output_value(const sc_aws_cfn_stack *stack, const char *key);

/* The value of tag `key`, owned by `stack`; NULL when it has none. */
const char *sc_aws_cfn_tag_value(const sc_aws_cfn_stack *stack, const char *key);

/* `client_request_token` (optional) tags the stack events of the deletion. Deleting a
 * stack that does not exist succeeds, as in AWS. */
sc_aws_status sc_aws_cfn_delete_stack(const sc_aws_client *client, const char *stack_name,
                                      const char *client_request_token, sc_aws_error *err);

/* ContinueUpdateRollback: a stack left UPDATE_ROLLBACK_FAILED takes up its rollback;
 * the resources of `resources_to_skip` (logical ids; may be NULL) are left as they are.
 * `client_request_token` (optional) tags the stack events it causes. */
sc_aws_status sc_aws_cfn_continue_update_rollback(const sc_aws_client *client,
                                                  const char *stack_name,
                                                  const char *client_request_token,
                                                  const char *const *resources_to_skip,
                                                  size_t skip_count, sc_aws_error *err);

/* The template in force (stage Original). On SC_AWS_OK `*body` is a heap string the
 * caller frees. */
sc_aws_status sc_aws_cfn_get_template(const sc_aws_client *client, const char *stack_name,
                                      char **body, sc_aws_error *err);

typedef struct sc_aws_cfn_stack_summary {
    char *stack_id;
    char *stack_name;
    char *status;
    char *status_reason;
    time_t creation_time;
    time_t deletion_time; /* 0 unless deleted */
} sc_aws_cfn_stack_summary;

typedef struct sc_aws_cfn_stack_list {
    sc_aws_cfn_stack_summary *items;
    size_t count;
} sc_aws_cfn_stack_list;

void sc_aws_cfn_stack_list_clear(sc_aws_cfn_stack_list *list);

/* ListStacks, every page: the stacks whose status is one of `statuses` (all stacks,
 * deleted ones included, when `status_count` is 0). */
sc_aws_status sc_aws_cfn_list_stacks(const sc_aws_client *client, const char *const *statuses,
                                     size_t status_count, sc_aws_cfn_stack_list *out,
                                     sc_aws_error *err);

/* ---- events -------------------------------------------------------------------------- */

typedef struct sc_aws_cfn_event {
    char *event_id;
    char *stack_id;
    char *stack_name;
    char *logical_id; /* the stack's own name for events about the stack */
    char *physical_id;
    char *resource_type; /* AWS::CloudFormation::Stack for the stack itself */
    char *status;
    char *status_reason; /* NULL when none; the root cause of a failure is here */
    char *client_request_token;
    time_t timestamp;
} sc_aws_cfn_event;

/* Events newest first. */
typedef struct sc_aws_cfn_events {
    sc_aws_cfn_event *items;
    size_t count;
    char *next_token; /* the next (older) page; NULL after the last */
} sc_aws_cfn_events;

void sc_aws_cfn_events_clear(sc_aws_cfn_events *events);

/* One page of DescribeStackEvents; `next_token` NULL for the newest page. */
sc_aws_status sc_aws_cfn_describe_stack_events(const sc_aws_client *client, const char *stack_name,
                                               const char *next_token, sc_aws_cfn_events *out,
                                               sc_aws_error *err);

/* The events newer than the one whose id is `after_event_id` (every event when NULL),
 * newest first, reading pages until that event, the last page, or `max_pages` pages.
 * This is the step of streaming progress: remember the newest id, ask again later.
 * `out->next_token` is NULL. */
sc_aws_status sc_aws_cfn_stack_events_since(const sc_aws_client *client, const char *stack_name,
                                            const char *after_event_id, unsigned max_pages,
                                            sc_aws_cfn_events *out, sc_aws_error *err);

/* ---- waiting ------------------------------------------------------------------------- */

/* Where a stack status stands. */
typedef enum sc_aws_cfn_outcome {
    SC_AWS_CFN_IN_PROGRESS, /* ends in _IN_PROGRESS: ask again later */
    SC_AWS_CFN_SUCCEEDED,   /* CREATE_COMPLETE, UPDATE_COMPLETE, DELETE_COMPLETE, IMPORT_COMPLETE */
    SC_AWS_CFN_FAILED,      /* ROLLBACK_COMPLETE, UPDATE_ROLLBACK_COMPLETE, *_FAILED, ... */
} sc_aws_cfn_outcome;

sc_aws_cfn_outcome sc_aws_cfn_stack_outcome(const char *status);

/* How often to ask and when to give up. */
typedef struct sc_aws_cfn_wait {
    uint64_t poll_interval_ms; /* between two polls (AWS's CLI waits 30 s; 5 s is plenty) */
    uint64_t timeout_ms;       /* SC_AWS_ERR_TIMEOUT after this long */
} sc_aws_cfn_wait;

/* Polls DescribeStacks until the stack's status no longer ends in _IN_PROGRESS; `out`
 * then holds the stack, whatever the outcome (see sc_aws_cfn_stack_outcome). To wait
 * for a deletion pass the stack's id: by name a deleted stack is "missing". On
 * SC_AWS_ERR_TIMEOUT `out` holds the last status seen. The waits between polls go
 * through the client's retry policy's sleep, so tests can make them instant; the
 * number of polls is bounded by timeout/interval whatever the clock says. */
sc_aws_status sc_aws_cfn_wait_stack(const sc_aws_client *client, const char *stack_name,
                                    sc_aws_cfn_wait wait, sc_aws_cfn_stack *out, sc_aws_error *err);

/* Polls DescribeChangeSet until its status is no longer CREATE_PENDING or
 * CREATE_IN_PROGRESS; `out` then holds it (CREATE_COMPLETE, or FAILED with a reason). */
sc_aws_status sc_aws_cfn_wait_change_set(const sc_aws_client *client, const char *stack_name,
                                         const char *change_set_name, sc_aws_cfn_wait wait,
                                         sc_aws_cfn_change_set *out, sc_aws_error *err);

#endif
