/* AWS's resource schema in stdlib/schema: real facts about real types, lazy loading of
 * service files, did-you-mean, checking values against shapes, and every file of the
 * generator's output parsing with no dangling property type names. */
#include "support.h"

#include "schema/schema.h"

#include <cjson/cJSON.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHEMA_DIR STACKC_REPO_ROOT "/stdlib/schema"

/* A file reader that remembers what it was asked for, and can serve a broken file. */
typedef struct reads {
    size_t count;
    char paths[16][512];
    const char *broken;   /* a file name whose contents are served as `contents` */
    const char *contents; /* NULL: invalid JSON */
} reads;

static char *counting_reader(void *user, const char *path, size_t *len)
{
    reads *r = user;
    if (r->count < 16)
        snprintf(r->paths[r->count], sizeof(r->paths[0]), "%s", path);
    r->count++;
    const char *slash = strrchr(path, '/');
    if (r->broken && slash && strcmp(slash + 1, r->broken) == 0) {
        const char *contents = r->contents ? r->contents : "{\"resou";
        *len = strlen(contents);
        char *text = malloc(*len + 1);
        memcpy(text, contents, *len + 1);
        return text;
    }
    return test_read_file(path, len);
}

static bool read_file_named(const reads *r, size_t index, const char *name)
{
    if (index >= r->count || index >= 16)
        return false;
    const char *slash = strrchr(r->paths[index], '/');
    return slash && strcmp(slash + 1, name) == 0;
}

static sc_schema *open_schema(sc_context **ctx)
{
    *ctx = sc_context_new(NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(*ctx);
    sc_schema *schema = sc_schema_new(*ctx, SCHEMA_DIR);
    CU_ASSERT_PTR_NOT_NULL_FATAL(schema);
    CU_ASSERT_PTR_NULL(sc_schema_error(schema));
    if (sc_schema_error(schema))
        fprintf(stderr, "%s\n", sc_schema_error(schema));
    return schema;
}

static void test_index_records_its_source(void)
{
    sc_context *ctx;
    sc_schema *schema = open_schema(&ctx);
    sc_schema_source source = sc_schema_source_info(schema);
    CU_ASSERT_STRING_EQUAL(source.package, "@aws-cdk/aws-service-spec");
    CU_ASSERT(strlen(source.version) > 0);
    CU_ASSERT(sc_schema_type_count(schema) > 1000);
    for (size_t i = 1; i < sc_schema_type_count(schema); i++)
        CU_ASSERT(strcmp(sc_schema_type_at(schema, i - 1), sc_schema_type_at(schema, i)) < 0);
    const char *needed[] = {
        "AWS::EC2::VPC",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "AWS::ECS::Service",
        "AWS::EFS::FileSystem",
        "AWS::RDS::DBCluster",
        "AWS::SecretsManager::Secret",
        "AWS::IAM::Role",
        "AWS::Logs::LogGroup",
        "AWS::ECR::Repository",
        "AWS::ApplicationAutoScaling::ScalableTarget",
        "AWS::KMS::Key",
        "AWS::S3::Bucket",
        "AWS::CertificateManager::Certificate",
        "AWS::Route53::RecordSet",
        "AWS::CloudWatch::Alarm",
        "AWS::SQS::Queue",
        "AWS::SNS::Topic",
        "AWS::Lambda::Function",
    };
    for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
        CU_ASSERT(sc_schema_knows_type(schema, needed[i]));
        CU_ASSERT_PTR_NOT_NULL(sc_schema_resource(schema, needed[i]));
    }
    sc_context_free(ctx);
}

static void test_vpc(void)
{
    sc_context *ctx;
    sc_schema *schema = open_schema(&ctx);
    const sc_resource_schema *vpc = sc_schema_resource(schema, "AWS::EC2::VPC");
    CU_ASSERT_PTR_NOT_NULL_FATAL(vpc);
    CU_ASSERT_STRING_EQUAL(vpc->type, "AWS::EC2::VPC");
    const sc_schema_property *cidr = sc_schema_lookup_property(&vpc->properties, "CidrBlock");
    CU_ASSERT_PTR_NOT_NULL_FATAL(cidr);
    CU_ASSERT_EQUAL(cidr->shape->kind, SHAPE_STRING);
    CU_ASSERT_FALSE(cidr->required);
    CU_ASSERT_EQUAL(cidr->update, UPDATE_IMMUTABLE);
    CU_ASSERT(sc_schema_replaces(cidr));
    const sc_schema_property *dns = sc_schema_lookup_property(&vpc->properties, "EnableDnsSupport");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dns);
    CU_ASSERT_EQUAL(dns->shape->kind, SHAPE_BOOLEAN);
    CU_ASSERT_FALSE(sc_schema_replaces(dns));

    const sc_schema_attribute *attr = sc_schema_lookup_attribute(vpc, "CidrBlock");
    CU_ASSERT_PTR_NOT_NULL_FATAL(attr);
    CU_ASSERT_EQUAL(attr->shape->kind, SHAPE_STRING);
    attr = sc_schema_lookup_attribute(vpc, "Ipv6CidrBlocks");
    CU_ASSERT_PTR_NOT_NULL_FATAL(attr);
    CU_ASSERT_EQUAL(attr->shape->kind, SHAPE_LIST);
    CU_ASSERT_EQUAL(attr->shape->element->kind, SHAPE_STRING);
    CU_ASSERT_PTR_NULL(sc_schema_lookup_attribute(vpc, "Arn"));

    /* CidrBlock is both a property and an attribute; VpcId only an attribute. */
    CU_ASSERT_FALSE(sc_schema_is_read_only(vpc, "CidrBlock"));
    CU_ASSERT(sc_schema_is_read_only(vpc, "VpcId"));
    CU_ASSERT_FALSE(sc_schema_is_read_only(vpc, "Nonsense"));

    /* Tags are CloudFormation's global Tag type: Key and Value, both required. */
    const sc_schema_property *tags = sc_schema_lookup_property(&vpc->properties, "Tags");
    CU_ASSERT_PTR_NOT_NULL_FATAL(tags);
    CU_ASSERT_EQUAL_FATAL(tags->shape->kind, SHAPE_LIST);
    CU_ASSERT_EQUAL_FATAL(tags->shape->element->kind, SHAPE_OBJECT);
    CU_ASSERT_STRING_EQUAL(tags->shape->element->type_name, "Tag");
    const sc_schema_object *tag = tags->shape->element->object;
    CU_ASSERT_PTR_NOT_NULL_FATAL(tag);
    CU_ASSERT_PTR_EQUAL(tag, sc_schema_property_type(schema, "Tag"));
    CU_ASSERT_EQUAL(tag->required_count, 2);
    sc_context_free(ctx);
}

static void test_rds_cluster_endpoint_attributes(void)
{
    sc_context *ctx;
    sc_schema *schema = open_schema(&ctx);
    const sc_resource_schema *cluster = sc_schema_resource(schema, "AWS::RDS::DBCluster");
    CU_ASSERT_PTR_NOT_NULL_FATAL(cluster);
    const sc_schema_attribute *address = sc_schema_lookup_attribute(cluster, "Endpoint.Address");
    CU_ASSERT_PTR_NOT_NULL_FATAL(address);
    CU_ASSERT_EQUAL(address->shape->kind, SHAPE_STRING);
    CU_ASSERT_PTR_NOT_NULL(sc_schema_lookup_attribute(cluster, "Endpoint.Port"));
    CU_ASSERT_PTR_NOT_NULL(sc_schema_lookup_attribute(cluster, "ReadEndpoint.Address"));
    const char *suggestion = sc_schema_suggest_attribute(cluster, "Endpoint.Adress");
    CU_ASSERT_PTR_NOT_NULL_FATAL(suggestion);
    CU_ASSERT_STRING_EQUAL(suggestion, "Endpoint.Address");
    /* Engine replaces the cluster in some cases only. */
    const sc_schema_property *engine = sc_schema_lookup_property(&cluster->properties, "Engine");
    CU_ASSERT_PTR_NOT_NULL_FATAL(engine);
    CU_ASSERT_EQUAL(engine->update, UPDATE_CONDITIONAL);
    sc_context_free(ctx);
}

static void test_task_definition_container_definitions(void)
{
    sc_context *ctx;
    sc_schema *schema = open_schema(&ctx);
    const sc_resource_schema *task = sc_schema_resource(schema, "AWS::ECS::TaskDefinition");
    CU_ASSERT_PTR_NOT_NULL_FATAL(task);
    const sc_schema_property *defs =
        sc_schema_lookup_property(&task->properties, "ContainerDefinitions");
    CU_ASSERT_PTR_NOT_NULL_FATAL(defs);
    CU_ASSERT_EQUAL_FATAL(defs->shape->kind, SHAPE_LIST);
    const sc_shape *element = defs->shape->element;
    CU_ASSERT_EQUAL_FATAL(element->kind, SHAPE_OBJECT);
    CU_ASSERT_STRING_EQUAL(element->type_name, "AWS::ECS::TaskDefinition.ContainerDefinition");
    const sc_schema_object *container =
        sc_schema_property_type(schema, "AWS::ECS::TaskDefinition.ContainerDefinition");
    CU_ASSERT_PTR_NOT_NULL_FATAL(container);
    CU_ASSERT_PTR_EQUAL(container, element->object);
    /* The spec requires Image and Name, nothing else. */
    CU_ASSERT_EQUAL_FATAL(container->required_count, 2);
    CU_ASSERT_STRING_EQUAL(container->required[0]->name, "Image");
    CU_ASSERT_STRING_EQUAL(container->required[1]->name, "Name");
    const sc_schema_property *ports = sc_schema_lookup_property(container, "PortMappings");
    CU_ASSERT_PTR_NOT_NULL_FATAL(ports);
    CU_ASSERT_STRING_EQUAL(ports->shape->text, "List<AWS::ECS::TaskDefinition.PortMapping>");
    CU_ASSERT_PTR_NULL(sc_schema_property_type(schema, "AWS::ECS::TaskDefinition.Nope"));
    sc_context_free(ctx);
}

static void test_unknown_type_and_suggestions(void)
{
    sc_context *ctx;
    sc_schema *schema = open_schema(&ctx);
    CU_ASSERT_PTR_NULL(sc_schema_resource(schema, "AWS::EC2::VCP"));
    CU_ASSERT_FALSE(sc_schema_knows_type(schema, "AWS::EC2::VCP"));
    const char *type = sc_schema_suggest_type(schema, "AWS::EC2::VCP");
    CU_ASSERT_PTR_NOT_NULL_FATAL(type);
    CU_ASSERT_STRING_EQUAL(type, "AWS::EC2::VPC");
    type = sc_schema_suggest_type(schema, "aws::s3::bucket");
    CU_ASSERT_PTR_NOT_NULL_FATAL(type);
    CU_ASSERT_STRING_EQUAL(type, "AWS::S3::Bucket");
    CU_ASSERT_PTR_NULL(sc_schema_suggest_type(schema, "Custom::Thing"));
    CU_ASSERT_PTR_NULL(sc_schema_error(schema));

    const sc_resource_schema *vpc = sc_schema_resource(schema, "AWS::EC2::VPC");
    CU_ASSERT_PTR_NOT_NULL_FATAL(vpc);
    const char *property = sc_schema_suggest_property(&vpc->properties, "CidrBlok");
    CU_ASSERT_PTR_NOT_NULL_FATAL(property);
    CU_ASSERT_STRING_EQUAL(property, "CidrBlock");
    property = sc_schema_suggest_property(&vpc->properties, "cidrblock");
    CU_ASSERT_PTR_NOT_NULL_FATAL(property);
    CU_ASSERT_STRING_EQUAL(property, "CidrBlock");
    CU_ASSERT_PTR_NULL(sc_schema_suggest_property(&vpc->properties, "Zzzzzzzz"));
    sc_context_free(ctx);
}

static void test_service_files_are_read_lazily(void)
{
    reads r = {0};
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_file_reader(ctx, counting_reader, &r);
    sc_schema *schema = sc_schema_new(ctx, SCHEMA_DIR);
    CU_ASSERT_PTR_NOT_NULL_FATAL(schema);
    CU_ASSERT_EQUAL(r.count, 1);
    CU_ASSERT(read_file_named(&r, 0, "index.json"));

    /* A type's file follows from its name: an unknown EC2 type reads EC2.json only. */
    CU_ASSERT_PTR_NULL(sc_schema_resource(schema, "AWS::EC2::VCP"));
    CU_ASSERT_EQUAL(r.count, 2);
    CU_ASSERT(read_file_named(&r, 1, "EC2.json"));
    /* Suggesting a type reads the list of types, once. */
    CU_ASSERT_PTR_NOT_NULL(sc_schema_suggest_type(schema, "AWS::EC2::VCP"));
    CU_ASSERT_EQUAL(r.count, 3);
    CU_ASSERT(read_file_named(&r, 2, "types.json"));

    /* The rest of EC2 is already there. */
    CU_ASSERT_PTR_NOT_NULL(sc_schema_resource(schema, "AWS::EC2::VPC"));
    CU_ASSERT_PTR_NOT_NULL(sc_schema_resource(schema, "AWS::EC2::SecurityGroup"));
    CU_ASSERT_PTR_NOT_NULL(sc_schema_property_type(schema, "AWS::EC2::SecurityGroup.Ingress"));
    CU_ASSERT_EQUAL(r.count, 3);

    /* A property type alone brings in its service. */
    CU_ASSERT_PTR_NOT_NULL(sc_schema_property_type(schema, "AWS::IAM::Role.Policy"));
    CU_ASSERT_EQUAL(r.count, 4);
    CU_ASSERT(read_file_named(&r, 3, "IAM.json"));
    CU_ASSERT_PTR_NOT_NULL(sc_schema_resource(schema, "AWS::IAM::Role"));
    CU_ASSERT_EQUAL(r.count, 4);
    CU_ASSERT_PTR_NULL(sc_schema_error(schema));
    sc_context_free(ctx);
}

static void test_unreadable_files(void)
{
    /* No index: the schema knows no type and says why. */
    sc_context *ctx = sc_context_new(NULL);
    sc_schema *schema = sc_schema_new(ctx, STACKC_REPO_ROOT "/no/such/dir");
    CU_ASSERT_PTR_NOT_NULL_FATAL(schema);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc_schema_error(schema));
    CU_ASSERT_PTR_NOT_NULL(strstr(sc_schema_error(schema), "index.json"));
    CU_ASSERT_EQUAL(sc_schema_type_count(schema), 0);
    CU_ASSERT_PTR_NULL(sc_schema_resource(schema, "AWS::EC2::VPC"));
    sc_context_free(ctx);

    /* A broken service file: reported once, not read again, other services unharmed. */
    reads r = {.broken = "EC2.json"};
    ctx = sc_context_new(NULL);
    sc_context_set_file_reader(ctx, counting_reader, &r);
    schema = sc_schema_new(ctx, SCHEMA_DIR);
    CU_ASSERT_PTR_NOT_NULL_FATAL(schema);
    CU_ASSERT_PTR_NULL(sc_schema_resource(schema, "AWS::EC2::VPC"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc_schema_error(schema));
    CU_ASSERT_PTR_NOT_NULL(strstr(sc_schema_error(schema), "EC2.json"));
    CU_ASSERT_PTR_NULL(sc_schema_resource(schema, "AWS::EC2::Subnet"));
    CU_ASSERT_EQUAL(r.count, 2);
    CU_ASSERT_PTR_NOT_NULL(sc_schema_resource(schema, "AWS::SQS::Queue"));
    sc_context_free(ctx);
}

/* Service files are indexed by line and only the entries asked for are parsed: a broken
 * entry fails alone and says where it is; a file not laid out one entry per line fails
 * whole. */
static void test_entries_are_parsed_one_by_one(void)
{
    reads r = {.broken = "SQS.json",
               .contents = "{\"resources\":{\n"
                           "\"AWS::SQS::Queue\":{\"properties\":{\"QueueName\":\"string\","
                           "\"RedrivePolicy\":\"AWS::SQS::Queue.Redrive\"}},\n"
                           "\"AWS::SQS::QueuePolicy\":{\"properties\":{\"Queues\": [}},\n"
                           "\"AWS::SQS::QueueInlinePolicy\":{}\n"
                           "},\n"
                           "\"types\":{\n"
                           "\"AWS::SQS::Queue.Redrive\":{\"properties\":{\"Arn\":\"string\"}}\n"
                           "}}\n"};
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_file_reader(ctx, counting_reader, &r);
    sc_schema *schema = sc_schema_new(ctx, SCHEMA_DIR);
    CU_ASSERT_PTR_NOT_NULL_FATAL(schema);

    const sc_resource_schema *queue = sc_schema_resource(schema, "AWS::SQS::Queue");
    CU_ASSERT_PTR_NOT_NULL_FATAL(queue);
    const sc_schema_property *redrive =
        sc_schema_lookup_property(&queue->properties, "RedrivePolicy");
    CU_ASSERT_PTR_NOT_NULL_FATAL(redrive);
    CU_ASSERT_PTR_NOT_NULL_FATAL(redrive->shape->object);
    CU_ASSERT_STRING_EQUAL(redrive->shape->object->name, "AWS::SQS::Queue.Redrive");
    CU_ASSERT_PTR_NULL(sc_schema_error(schema));

    CU_ASSERT(sc_schema_knows_type(schema, "AWS::SQS::QueuePolicy"));
    CU_ASSERT_PTR_NULL(sc_schema_resource(schema, "AWS::SQS::QueuePolicy"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc_schema_error(schema));
    CU_ASSERT_STRING_EQUAL(sc_schema_error(schema),
                           "the AWS schema file " SCHEMA_DIR "/SQS.json is malformed at "
                           "AWS::SQS::QueuePolicy");
    CU_ASSERT_PTR_NOT_NULL(sc_schema_resource(schema, "AWS::SQS::QueueInlinePolicy"));
    CU_ASSERT_FALSE(sc_schema_knows_type(schema, "AWS::SQS::Queue.Redrive"));
    CU_ASSERT_EQUAL(r.count, 2);
    sc_context_free(ctx);

    /* Two entries on one line is not the layout the generator writes. */
    static const char *const misshapen[] = {
        "{\"resources\":{\"AWS::SQS::Queue\":{}},\n\"types\":{}}\n",
        ("{\"resources\":{\n\"AWS::SQS::Queue\":{},\"AWS::SQS::QueuePolicy\":{}\n},\n\"types\":{}}"
         "\n"),
        "{\"resources\":{\n\"AWS::SQS::Queue\":{}\n},\n\"types\":{\n",
        "{\"resources\":{\n\"AWS::SQS::Queue\"\n},\n\"types\":{}}\n",
        "{\"resources\":{\n\"AWS::SQS::Queue\":{}\n},\n\"types\":{}}\nmore\n",
    };
    for (size_t i = 0; i < sizeof(misshapen) / sizeof(misshapen[0]); i++) {
        reads bad = {.broken = "SQS.json", .contents = misshapen[i]};
        ctx = sc_context_new(NULL);
        sc_context_set_file_reader(ctx, counting_reader, &bad);
        schema = sc_schema_new(ctx, SCHEMA_DIR);
        CU_ASSERT_PTR_NULL(sc_schema_resource(schema, "AWS::SQS::Queue"));
        CU_ASSERT_PTR_NOT_NULL_FATAL(sc_schema_error(schema));
        const char *expected = "the AWS schema file " SCHEMA_DIR "/SQS.json is malformed";
        CU_ASSERT_NSTRING_EQUAL(sc_schema_error(schema), expected, strlen(expected));
        sc_context_free(ctx);
    }
}

/* ---- checking values --------------------------------------------------------------------- */

/* Checks `json` as the Properties of `type`; returns the problems (in ctx's arena). */
static sc_ptr_list check(sc_schema *schema, const char *type, const char *json)
{
    sc_ptr_list problems = {0};
    const sc_resource_schema *resource = sc_schema_resource(schema, type);
    CU_ASSERT_PTR_NOT_NULL_FATAL(resource);
    cJSON *value = json ? cJSON_Parse(json) : NULL;
    if (json)
        CU_ASSERT_PTR_NOT_NULL_FATAL(value);
    sc_schema_check_properties(schema, resource, &sc_schema_cjson_reader, value, &problems);
    cJSON_Delete(value);
    return problems;
}

static void print_problems(const sc_ptr_list *problems)
{
    for (size_t i = 0; i < problems->count; i++) {
        const sc_schema_problem *p = problems->items[i];
        fprintf(stderr, "  problem: %s: %s\n", p->path, p->message);
    }
}

static void assert_clean(sc_schema *schema, const char *type, const char *json)
{
    sc_ptr_list problems = check(schema, type, json);
    CU_ASSERT_EQUAL(problems.count, 0);
    if (problems.count) {
        fprintf(stderr, "\nunexpected problems in %s\n", json);
        print_problems(&problems);
    }
}

/* Exactly one problem, at `path`, whose message contains `message`. */
static const sc_schema_problem *assert_one(sc_schema *schema, const char *type, const char *json,
                                           const char *path, const char *message)
{
    sc_ptr_list problems = check(schema, type, json);
    CU_ASSERT_EQUAL(problems.count, 1);
    if (problems.count != 1) {
        fprintf(stderr, "\nexpected one problem at %s in %s\n", path, json ? json : "(none)");
        print_problems(&problems);
        return NULL;
    }
    const sc_schema_problem *p = problems.items[0];
    CU_ASSERT_STRING_EQUAL(p->path, path);
    CU_ASSERT_PTR_NOT_NULL(strstr(p->message, message));
    if (strcmp(p->path, path) != 0 || !strstr(p->message, message))
        fprintf(stderr, "\n  got %s: %s\n", p->path, p->message);
    return p;
}

static const char task_ok[] =
    "{\"Family\": \"web\", \"Cpu\": \"256\", \"Memory\": 512,"
    " \"RequiresCompatibilities\": [\"FARGATE\"], \"NetworkMode\": \"awsvpc\","
    " \"ExecutionRoleArn\": {\"Fn::GetAtt\": [\"ExecRole\", \"Arn\"]},"
    " \"ContainerDefinitions\": [{"
    "   \"Name\": \"app\", \"Image\": {\"Fn::Sub\": \"${Repo}:latest\"}, \"Essential\": \"true\","
    "   \"PortMappings\": [{\"ContainerPort\": \"80\", \"Protocol\": \"tcp\"},"
    "                      {\"ContainerPort\": {\"Ref\": \"Port\"}}],"
    "   \"Environment\": [{\"Name\": \"DB_HOST\","
    "                      \"Value\": {\"Fn::GetAtt\": [\"Db\", \"Endpoint.Address\"]}},"
    "                     {\"Fn::If\": [\"Debug\", {\"Name\": \"DEBUG\", \"Value\": 1},"
    "                                  {\"Ref\": \"AWS::NoValue\"}]}],"
    "   \"LogConfiguration\": {\"LogDriver\": \"awslogs\","
    "     \"Options\": {\"awslogs-group\": {\"Ref\": \"Logs\"}, \"awslogs-region\": "
    "{\"Ref\": \"AWS::Region\"}}}"
    " }],"
    " \"Tags\": [{\"Key\": \"app\", \"Value\": \"web\"}]}";

static void test_check_accepts_a_real_task_definition(void)
{
    sc_context *ctx;
    sc_schema *schema = open_schema(&ctx);
    assert_clean(schema, "AWS::ECS::TaskDefinition", task_ok);
    sc_context_free(ctx);
}

static void test_check_structure(void)
{
    sc_context *ctx;
    sc_schema *schema = open_schema(&ctx);
    const char *task = "AWS::ECS::TaskDefinition";
    /* A list where an object is expected. */
    assert_one(schema, task,
               "{\"ContainerDefinitions\": [{\"Name\": \"a\", \"Image\": \"i\","
               " \"LogConfiguration\": [{\"LogDriver\": \"awslogs\"}]}]}",
               "ContainerDefinitions[0].LogConfiguration",
               "expected an object of type AWS::ECS::TaskDefinition.LogConfiguration, "
               "found a list");
    /* An object where a list is expected. */
    assert_one(schema, task, "{\"ContainerDefinitions\": {\"Name\": \"a\", \"Image\": \"i\"}}",
               "ContainerDefinitions",
               "expected a list (List<AWS::ECS::TaskDefinition.ContainerDefinition>), "
               "found an object");
    /* An unknown nested property, with did-you-mean. */
    const sc_schema_problem *p =
        assert_one(schema, task,
                   "{\"ContainerDefinitions\": [{\"Name\": \"a\", \"Image\": \"i\","
                   " \"PortMappings\": [{\"ContainerPortt\": 80}]}]}",
                   "ContainerDefinitions[0].PortMappings[0].ContainerPortt",
                   "unknown property `ContainerPortt` of AWS::ECS::TaskDefinition.PortMapping");
    if (p) {
        CU_ASSERT_PTR_NOT_NULL_FATAL(p->suggestion);
        CU_ASSERT_STRING_EQUAL(p->suggestion, "ContainerPort");
    }
    /* A missing required nested property: the problem is the object lacking it. */
    assert_one(schema, task, "{\"ContainerDefinitions\": [{\"Name\": \"a\"}]}",
               "ContainerDefinitions[0]",
               "missing required property `Image` of AWS::ECS::TaskDefinition.ContainerDefinition");
    /* Missing required top-level properties, also when there are no Properties at all. */
    assert_one(schema, "AWS::EC2::SecurityGroup", "{\"VpcId\": \"vpc-1\"}", "",
               "missing required property `GroupDescription` of AWS::EC2::SecurityGroup");
    assert_one(schema, "AWS::EC2::SecurityGroup", NULL, "",
               "missing required property `GroupDescription`");
    /* A read-only attribute set as a property. */
    assert_one(schema, "AWS::IAM::Role",
               "{\"AssumeRolePolicyDocument\": {}, \"Arn\": \"arn:aws:iam::1:role/x\"}", "Arn",
               "`Arn` is read-only");
    /* Maps check their values. */
    assert_one(schema, "AWS::Lambda::Function",
               "{\"Role\": \"r\", \"Code\": {\"ZipFile\": \"x\"},"
               " \"Environment\": {\"Variables\": {\"A\": \"1\", \"B\": [\"no\"]}}}",
               "Environment.Variables.B", "expected a string, found a list");
    sc_context_free(ctx);
}

static void test_check_primitives_coerce_like_cloudformation(void)
{
    sc_context *ctx;
    sc_schema *schema = open_schema(&ctx);
    const char *sg = "AWS::EC2::SecurityGroup";
    assert_clean(schema, sg,
                 "{\"GroupDescription\": 42, \"SecurityGroupIngress\": ["
                 " {\"IpProtocol\": \"tcp\", \"FromPort\": \"80\", \"ToPort\": 80},"
                 " {\"IpProtocol\": -1, \"FromPort\": \"-1\", \"ToPort\": 443.0}]}");
    assert_one(schema, sg,
               "{\"GroupDescription\": \"d\", \"SecurityGroupIngress\": ["
               " {\"IpProtocol\": \"tcp\", \"FromPort\": \"eighty\"}]}",
               "SecurityGroupIngress[0].FromPort",
               "expected an integer, found the string \"eighty\"");
    assert_one(schema, sg,
               "{\"GroupDescription\": \"d\", \"SecurityGroupIngress\": ["
               " {\"IpProtocol\": \"tcp\", \"FromPort\": 1.5}]}",
               "SecurityGroupIngress[0].FromPort", "expected an integer, found the number 1.5");
    assert_one(schema, sg, "{\"GroupDescription\": null}", "GroupDescription",
               "null is not allowed");
    assert_one(schema, sg, "{\"GroupDescription\": [\"d\"]}", "GroupDescription",
               "expected a string, found a list");

    const char *vpc = "AWS::EC2::VPC";
    assert_clean(schema, vpc, "{\"EnableDnsSupport\": \"true\", \"EnableDnsHostnames\": false}");
    assert_one(schema, vpc, "{\"EnableDnsSupport\": \"yes\"}", "EnableDnsSupport",
               "expected a boolean, found the string \"yes\"");
    assert_one(schema, vpc, "{\"EnableDnsSupport\": 1}", "EnableDnsSupport",
               "expected a boolean, found the number 1");

    /* Doubles accept numbers and numeric strings only. */
    const char *alarm = "{\"ComparisonOperator\": \"GreaterThanThreshold\","
                        " \"EvaluationPeriods\": 1, \"Threshold\": %s}";
    char text[256];
    snprintf(text, sizeof(text), alarm, "\"0.5\"");
    assert_clean(schema, "AWS::CloudWatch::Alarm", text);
    snprintf(text, sizeof(text), alarm, "\"0x10\"");
    assert_one(schema, "AWS::CloudWatch::Alarm", text, "Threshold",
               "expected a number, found the string \"0x10\"");
    sc_context_free(ctx);
}

static void test_check_intrinsics(void)
{
    sc_context *ctx;
    sc_schema *schema = open_schema(&ctx);
    const char *subnet = "AWS::EC2::Subnet";
    /* Scalars from any scalar-giving function; lists from GetAZs, Split, Ref, GetAtt. */
    assert_clean(schema, subnet,
                 "{\"VpcId\": {\"Fn::ImportValue\": \"net-vpc\"},"
                 " \"Ipv6CidrBlock\": {\"Fn::GetStackOutput\": {\"StackName\": \"Net\","
                 " \"OutputName\": \"Ipv6\"}},"
                 " \"CidrBlock\": {\"Fn::Select\": [0, {\"Fn::Cidr\": [\"10.0.0.0/16\", 4, 8]}]},"
                 " \"AvailabilityZone\": {\"Fn::Select\": [0, {\"Fn::GetAZs\": \"\"}]},"
                 " \"MapPublicIpOnLaunch\": {\"Fn::If\": [\"Public\", true, \"false\"]},"
                 " \"Ipv6Native\": {\"Ref\": \"AWS::NoValue\"}}");
    const char *lb = "AWS::ElasticLoadBalancingV2::LoadBalancer";
    assert_clean(schema, lb, "{\"Subnets\": {\"Fn::Split\": [\",\", {\"Ref\": \"Ids\"}]}}");
    assert_clean(schema, lb, "{\"Subnets\": {\"Ref\": \"SubnetIds\"}}");
    assert_clean(schema, lb,
                 "{\"SecurityGroups\": [{\"Fn::GetAtt\": [\"Sg\", \"GroupId\"]}],"
                 " \"Subnets\": {\"Fn::GetAtt\": [\"Net\", \"Outputs.Subnets\"]}}");
    assert_clean(schema, lb, "{\"Subnets\": {\"Fn::GetAZs\": \"\"}}");
    /* A string-giving function where a list is expected. */
    assert_one(schema, lb, "{\"Subnets\": {\"Fn::Join\": [\",\", [\"a\", \"b\"]]}}", "Subnets",
               "found Fn::Join, which gives a string");
    /* Unknown functions, with did-you-mean, also deep inside JSON. */
    const sc_schema_problem *p =
        assert_one(schema, subnet, "{\"VpcId\": {\"Fn::Joinn\": [\"\", [\"a\"]]}}", "VpcId",
                   "unknown intrinsic function `Fn::Joinn`");
    if (p) {
        CU_ASSERT_PTR_NOT_NULL_FATAL(p->suggestion);
        CU_ASSERT_STRING_EQUAL(p->suggestion, "Fn::Join");
    }
    assert_one(schema, "AWS::IAM::Role",
               "{\"AssumeRolePolicyDocument\": {\"Statement\": [{\"Resource\": "
               "{\"Fn::Subb\": \"x\"}}]}}",
               "AssumeRolePolicyDocument.Statement[0].Resource",
               "unknown intrinsic function `Fn::Subb`");
    assert_one(schema, subnet, "{\"VpcId\": {\"Fn::Equals\": [\"a\", \"b\"]}}", "VpcId",
               "can only be used in a condition");
    /* Each branch of Fn::If is checked. */
    assert_one(schema, subnet,
               "{\"VpcId\": \"v\", \"MapPublicIpOnLaunch\": {\"Fn::If\": [\"C\", true, [1]]}}",
               "MapPublicIpOnLaunch.Fn::If[2]", "expected a boolean, found a list");
    assert_one(schema, subnet, "{\"VpcId\": {\"Fn::If\": [\"C\", \"a\"]}}", "VpcId.Fn::If",
               "Fn::If takes a list of three");
    /* An intrinsic standing for a whole property type object. */
    assert_clean(schema, "AWS::ECS::TaskDefinition",
                 "{\"ContainerDefinitions\": [{\"Fn::If\": [\"C\","
                 " {\"Name\": \"a\", \"Image\": \"i\"}, {\"Ref\": \"AWS::NoValue\"}]}]}");
    assert_one(schema, "AWS::ECS::TaskDefinition",
               "{\"ContainerDefinitions\": [{\"Fn::Sub\": \"x\"}]}", "ContainerDefinitions[0]",
               "found Fn::Sub, which gives a string");
    sc_context_free(ctx);
}

static void test_check_unions_and_unknown_values(void)
{
    sc_context *ctx;
    sc_schema *schema = open_schema(&ctx);
    /* AssumeRolePolicyDocument is json|string. */
    assert_clean(schema, "AWS::IAM::Role",
                 "{\"AssumeRolePolicyDocument\": {\"Version\": \"2012-10-17\"}}");
    assert_clean(schema, "AWS::IAM::Role", "{\"AssumeRolePolicyDocument\": \"{}\"}");
    /* TopicARN is string|List<string>: a list-giving function fits, a map does not. */
    const char *asg = "AWS::AutoScaling::AutoScalingGroup";
    assert_clean(schema, asg,
                 "{\"MaxSize\": 2, \"MinSize\": \"1\", \"NotificationConfigurations\": ["
                 " {\"TopicARN\": {\"Fn::Split\": [\",\", \"a,b\"]}},"
                 " {\"TopicARN\": [\"a\", {\"Ref\": \"Topic\"}]}, {\"TopicARN\": \"c\"}]}");
    assert_one(schema, asg,
               "{\"MaxSize\": 2, \"MinSize\": 1,"
               " \"NotificationConfiguration\": {\"TopicARN\": {\"a\": 1}}}",
               "NotificationConfiguration.TopicARN",
               "expected one of string|List<string>, found an object");
    assert_one(schema, asg,
               "{\"MaxSize\": 2, \"MinSize\": 1,"
               " \"NotificationConfiguration\": {\"TopicARN\": [\"a\", [\"b\"]]}}",
               "NotificationConfiguration.TopicARN[1]", "expected a string, found a list");
    /* A value the caller cannot show is accepted anywhere. */
    const sc_resource_schema *vpc = sc_schema_resource(schema, "AWS::EC2::VPC");
    CU_ASSERT_PTR_NOT_NULL_FATAL(vpc);
    cJSON *props = cJSON_CreateObject();
    cJSON_AddItemToObject(props, "CidrBlock", cJSON_CreateRaw("unknown"));
    sc_ptr_list problems = {0};
    CU_ASSERT_EQUAL(
        sc_schema_check_properties(schema, vpc, &sc_schema_cjson_reader, props, &problems), 0);
    cJSON_Delete(props);

    /* sc_schema_check_value on a single shape. */
    const sc_schema_property *tags = sc_schema_lookup_property(&vpc->properties, "Tags");
    CU_ASSERT_PTR_NOT_NULL_FATAL(tags);
    cJSON *value = cJSON_Parse("[{\"Key\": \"a\"}]");
    CU_ASSERT_EQUAL(
        sc_schema_check_value(schema, tags->shape, &sc_schema_cjson_reader, value, &problems), 1);
    CU_ASSERT_EQUAL_FATAL(problems.count, 1);
    const sc_schema_problem *p = problems.items[0];
    CU_ASSERT_STRING_EQUAL(p->path, "[0]");
    CU_ASSERT_STRING_EQUAL(p->message, "missing required property `Value` of Tag");
    CU_ASSERT_PTR_EQUAL(p->value, cJSON_GetArrayItem(value, 0));
    cJSON_Delete(value);
    sc_context_free(ctx);
}

/* ---- the generator's whole output ------------------------------------------------------------ */

typedef struct walk {
    sc_context *ctx;
    sc_map seen; /* property type names walked */
    size_t shapes;
    size_t dangling;
} walk;

static void walk_object(walk *w, const sc_schema_object *object);

static void walk_shape(walk *w, const sc_shape *shape, const char *where)
{
    w->shapes++;
    switch (shape->kind) {
    case SHAPE_LIST:
    case SHAPE_MAP:
        CU_ASSERT_PTR_NOT_NULL_FATAL(shape->element);
        walk_shape(w, shape->element, where);
        break;
    case SHAPE_UNION:
        CU_ASSERT(shape->alternative_count >= 2);
        for (size_t i = 0; i < shape->alternative_count; i++)
            walk_shape(w, shape->alternatives[i], where);
        break;
    case SHAPE_OBJECT:
        if (!shape->object) {
            w->dangling++;
            fprintf(stderr, "\n  dangling type %s in %s\n", shape->type_name, where);
        } else {
            walk_object(w, shape->object);
        }
        break;
    default:
        break;
    }
}

static void walk_object(walk *w, const sc_schema_object *object)
{
    if (sc_map_get(&w->seen, object->name))
        return;
    sc_map_put(&w->ctx->arena, &w->seen, object->name, (void *)object);
    for (size_t i = 0; i < object->property_count; i++) {
        const sc_schema_property *p = &object->properties[i];
        CU_ASSERT(i == 0 || strcmp(object->properties[i - 1].name, p->name) < 0);
        CU_ASSERT_PTR_EQUAL(sc_schema_lookup_property(object, p->name), p);
        walk_shape(w, p->shape, object->name);
    }
}

static void test_every_service_file_parses_and_resolves(void)
{
    sc_context *ctx;
    sc_schema *schema = open_schema(&ctx);
    walk w = {.ctx = ctx};
    size_t count = sc_schema_type_count(schema), loaded = 0;
    for (size_t i = 0; i < count; i++) {
        const char *type = sc_schema_type_at(schema, i);
        const sc_resource_schema *resource = sc_schema_resource(schema, type);
        CU_ASSERT_PTR_NOT_NULL(resource);
        if (!resource) {
            fprintf(stderr, "\n  %s: %s\n", type, sc_schema_error(schema));
            continue;
        }
        loaded++;
        CU_ASSERT_STRING_EQUAL(resource->type, type);
        walk_object(&w, &resource->properties);
        for (size_t j = 0; j < resource->attribute_count; j++) {
            const sc_schema_attribute *a = &resource->attributes[j];
            CU_ASSERT_PTR_EQUAL(sc_schema_lookup_attribute(resource, a->name), a);
            walk_shape(&w, a->shape, type);
        }
    }
    CU_ASSERT_EQUAL(loaded, count);
    CU_ASSERT_EQUAL(w.dangling, 0);
    CU_ASSERT_PTR_NULL(sc_schema_error(schema));
    CU_ASSERT(w.seen.count > count);
    sc_context_free(ctx);
}

int main(void)
{
    static const test_case cases[] = {
        {"index records its source", test_index_records_its_source},
        {"AWS::EC2::VPC", test_vpc},
        {"RDS cluster endpoint attributes", test_rds_cluster_endpoint_attributes},
        {"ECS container definitions", test_task_definition_container_definitions},
        {"unknown type and suggestions", test_unknown_type_and_suggestions},
        {"service files are read lazily", test_service_files_are_read_lazily},
        {"unreadable files", test_unreadable_files},
        {"entries are parsed one by one", test_entries_are_parsed_one_by_one},
        {"check accepts a real task definition", test_check_accepts_a_real_task_definition},
        {"check structure", test_check_structure},
        {"check primitives coerce like CloudFormation",
         test_check_primitives_coerce_like_cloudformation},
        {"check intrinsics", test_check_intrinsics},
        {"check unions and unknown values", test_check_unions_and_unknown_values},
        {"every service file parses and resolves", test_every_service_file_parses_and_resolves},
        {NULL, NULL},
    };
    return test_main("schema", cases);
}
