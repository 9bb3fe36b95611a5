/* Every golden template, checked by code that shares nothing with emission: parsed
 * back with cJSON, every resource's properties checked against the committed schema,
 * every Ref, Fn::GetAtt (with an attribute the type has) and DependsOn naming
 * something the template declares, no dependency cycle, and every cross-stack read
 * naming an output another golden template of the same build declares. */
#include "support.h"

#include "schema/schema.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GOLDEN STACKC_REPO_ROOT "/tests/golden"

typedef struct template_file {
    char name[256];
    cJSON *root;
    char stack[256]; /* the deployed stack name the manifest gives the template */
} template_file;

static bool is_pseudo(const char *name)
{
    return strncmp(name, "AWS::", 5) == 0;
}

/* Collects the resources a value refers to (Ref, GetAtt, ${X} in Fn::Sub) and checks
 * each reference. `deps` receives resource names for the cycle search. */
static int check_refs(const cJSON *value, const cJSON *resources, const cJSON *params,
                      sc_schema *schema, const char *where, cJSON *deps)
{
    int problems = 0;
    if (!cJSON_IsObject(value) && !cJSON_IsArray(value))
        return 0;
    const cJSON *ref = cJSON_IsObject(value) ? cJSON_GetObjectItem(value, "Ref") : NULL;
    const cJSON *getatt = cJSON_IsObject(value) ? cJSON_GetObjectItem(value, "Fn::GetAtt") : NULL;
    if (ref && cJSON_IsString(ref)) {
        const char *target = ref->valuestring;
        if (cJSON_GetObjectItem(resources, target))
            cJSON_AddItemToArray(deps, cJSON_CreateString(target));
        else if (!is_pseudo(target) && !(params && cJSON_GetObjectItem(params, target))) {
            fprintf(stderr, "\n%s: Ref to undeclared `%s`\n", where, target);
            problems++;
        }
        return problems;
    }
    if (getatt && cJSON_IsArray(getatt) && cJSON_GetArraySize(getatt) == 2) {
        const char *target = cJSON_GetArrayItem(getatt, 0)->valuestring;
        const char *attribute = cJSON_GetArrayItem(getatt, 1)->valuestring;
        const cJSON *resource = cJSON_GetObjectItem(resources, target);
        if (!resource) {
            fprintf(stderr, "\n%s: Fn::GetAtt of undeclared `%s`\n", where, target);
            return 1;
        }
        cJSON_AddItemToArray(deps, cJSON_CreateString(target));
        const char *type = cJSON_GetObjectItem(resource, "Type")->valuestring;
        const sc_resource_schema *rs = sc_schema_resource(schema, type);
        /* a nested stack's outputs: the nested stack's template declares them */
        bool nested_output = strcmp(type, "AWS::CloudFormation::Stack") == 0 &&
                             strncmp(attribute, "Outputs.", 8) == 0;
        if (rs && !nested_output && !sc_schema_lookup_attribute(rs, attribute)) {
            fprintf(stderr, "\n%s: %s has no attribute `%s`\n", where, type, attribute);
            problems++;
        }
        return problems;
    }
    const cJSON *child;
    cJSON_ArrayForEach(child, value) problems +=
        check_refs(child, resources, params, schema, where, deps);
    return problems;
}

/* Depth-first search for a cycle through DependsOn and references. */
static bool has_cycle(const cJSON *graph, const char *node, cJSON *state)
{
    const cJSON *mark = cJSON_GetObjectItem(state, node);
    if (mark)
        return mark->valueint == 1;
    cJSON_AddNumberToObject(state, node, 1);
    const cJSON *edges = cJSON_GetObjectItem(graph, node), *edge;
    cJSON_ArrayForEach(edge, edges) if (has_cycle(graph, edge->valuestring, state)) return true;
    cJSON_ReplaceItemInObject(state, node, cJSON_CreateNumber(2));
    return false;
}

static int check_template(const template_file *t, sc_schema *schema)
{
    int problems = 0;
    const cJSON *resources = cJSON_GetObjectItem(t->root, "Resources");
    const cJSON *params = cJSON_GetObjectItem(t->root, "Parameters");
    cJSON *graph = cJSON_CreateObject();
    const cJSON *resource;
    cJSON_ArrayForEach(resource, resources)
    {
        const char *type = cJSON_GetObjectItem(resource, "Type")->valuestring;
        const sc_resource_schema *rs = sc_schema_resource(schema, type);
        if (!rs) {
            fprintf(stderr, "\n%s: %s has unknown type %s\n", t->name, resource->string, type);
            problems++;
            continue;
        }
        sc_ptr_list found = {0};
        const cJSON *props = cJSON_GetObjectItem(resource, "Properties");
        sc_schema_check_properties(schema, rs, &sc_schema_cjson_reader, props, &found);
        for (size_t i = 0; i < found.count; i++) {
            const sc_schema_problem *p = found.items[i];
            fprintf(stderr, "\n%s: %s.%s: %s\n", t->name, resource->string, p->path, p->message);
        }
        problems += (int)found.count;
        cJSON *deps = cJSON_CreateArray();
        char where[512];
        snprintf(where, sizeof(where), "%.200s: %.200s", t->name, resource->string);
        problems += check_refs(props, resources, params, schema, where, deps);
        const cJSON *depends = cJSON_GetObjectItem(resource, "DependsOn"), *dep;
        cJSON_ArrayForEach(dep, depends)
        {
            if (!cJSON_GetObjectItem(resources, dep->valuestring)) {
                fprintf(stderr, "\n%s: DependsOn undeclared `%s`\n", where, dep->valuestring);
                problems++;
            }
            cJSON_AddItemToArray(deps, cJSON_CreateString(dep->valuestring));
        }
        cJSON_AddItemToObject(graph, resource->string, deps);
    }
    cJSON *state = cJSON_CreateObject();
    cJSON_ArrayForEach(resource, resources) if (has_cycle(graph, resource->string, state))
    {
        fprintf(stderr, "\n%s: dependency cycle through %s\n", t->name, resource->string);
        problems++;
        break;
    }
    cJSON *outputs_deps = cJSON_CreateArray();
    problems += check_refs(cJSON_GetObjectItem(t->root, "Outputs"), resources, params, schema,
                           t->name, outputs_deps);
    cJSON_Delete(outputs_deps);
    cJSON_Delete(state);
    cJSON_Delete(graph);
    return problems;
}

/* Fn::GetStackOutput and Fn::ImportValue must name an output a sibling template has. */
static int check_cross_stack(const cJSON *value, const template_file *all, size_t count,
                             const char *where)
{
    int problems = 0;
    if (!cJSON_IsObject(value) && !cJSON_IsArray(value))
        return 0;
    const cJSON *read =
        cJSON_IsObject(value) ? cJSON_GetObjectItem(value, "Fn::GetStackOutput") : NULL;
    const cJSON *import =
        cJSON_IsObject(value) ? cJSON_GetObjectItem(value, "Fn::ImportValue") : NULL;
    if (read) {
        const char *stack = cJSON_GetObjectItem(read, "StackName")->valuestring;
        const char *output = cJSON_GetObjectItem(read, "OutputName")->valuestring;
        for (size_t i = 0; i < count; i++)
            if (strcmp(all[i].stack, stack) == 0 &&
                cJSON_GetObjectItem(cJSON_GetObjectItem(all[i].root, "Outputs"), output))
                return 0;
        fprintf(stderr, "\n%s: reads %s.%s, which no template declares\n", where, stack, output);
        return 1;
    }
    if (import) {
        for (size_t i = 0; i < count; i++) {
            const cJSON *output;
            cJSON_ArrayForEach(output, cJSON_GetObjectItem(all[i].root, "Outputs"))
            {
                const cJSON *name =
                    cJSON_GetObjectItem(cJSON_GetObjectItem(output, "Export"), "Name");
                if (name && strcmp(name->valuestring, import->valuestring) == 0)
                    return 0;
            }
        }
        fprintf(stderr, "\n%s: imports %s, which no template exports\n", where,
                import->valuestring);
        return 1;
    }
    const cJSON *child;
    cJSON_ArrayForEach(child, value) problems += check_cross_stack(child, all, count, where);
    return problems;
}

/* Each template's stack as deployed (the app's name first), from the manifest beside it. */
static void name_stacks(const char *dir, template_file *templates, size_t count)
{
    char path[1400];
    snprintf(path, sizeof(path), "%s/manifest.json", dir);
    char *text = test_read_file(path, NULL);
    cJSON *manifest = text ? cJSON_Parse(text) : NULL;
    free(text);
    CU_ASSERT_PTR_NOT_NULL(manifest);
    const cJSON *stack;
    cJSON_ArrayForEach(stack, cJSON_GetObjectItem(manifest, "stacks"))
    {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(stack, "name"));
        const char *file = cJSON_GetStringValue(cJSON_GetObjectItem(stack, "template"));
        for (size_t i = 0; name && file && i < count; i++)
            if (strcmp(templates[i].name, file) == 0)
                snprintf(templates[i].stack, sizeof(templates[i].stack), "%s", name);
    }
    cJSON_Delete(manifest);
}

static void test_golden_templates_are_valid(void)
{
    sc_context *ctx = sc_context_new(NULL);
    sc_schema *schema = sc_schema_new(ctx, STACKC_REPO_ROOT "/stdlib/schema");
    CU_ASSERT_PTR_NOT_NULL_FATAL(schema);
    DIR *golden = opendir(GOLDEN);
    CU_ASSERT_PTR_NOT_NULL_FATAL(golden);
    struct dirent *entry;
    size_t checked = 0;
    while ((entry = readdir(golden))) {
        if (entry->d_name[0] == '.')
            continue;
        char dir_path[1024];
        snprintf(dir_path, sizeof(dir_path), "%s/%s/expected", GOLDEN, entry->d_name);
        DIR *dir = opendir(dir_path);
        template_file templates[16];
        size_t count = 0;
        struct dirent *file;
        while (dir && (file = readdir(dir)) && count < 16) {
            size_t len = strlen(file->d_name);
            if (len < 14 || strcmp(file->d_name + len - 14, ".template.json") != 0)
                continue;
            char path[1400];
            snprintf(path, sizeof(path), "%s/%s", dir_path, file->d_name);
            char *text = test_read_file(path, NULL);
            snprintf(templates[count].name, sizeof(templates[count].name), "%s", file->d_name);
            templates[count].root = text ? cJSON_Parse(text) : NULL;
            free(text);
            CU_ASSERT_PTR_NOT_NULL(templates[count].root);
            if (templates[count].root)
                count++;
        }
        if (dir)
            closedir(dir);
        name_stacks(dir_path, templates, count);
        for (size_t i = 0; i < count; i++) {
            CU_ASSERT_EQUAL(check_template(&templates[i], schema), 0);
            CU_ASSERT_EQUAL(
                check_cross_stack(templates[i].root, templates, count, templates[i].name), 0);
            checked++;
        }
        for (size_t i = 0; i < count; i++)
            cJSON_Delete(templates[i].root);
    }
    closedir(golden);
    printf("\n  %zu golden templates checked\n", checked);
    CU_ASSERT_TRUE(checked >= 8);
    sc_context_free(ctx);
}

int main(void)
{
    static const test_case cases[] = {
        {"golden templates: schema, references, no cycles, cross-stack reads",
         test_golden_templates_are_valid},
        {NULL, NULL},
    };
    return test_main("template_check", cases);
}
