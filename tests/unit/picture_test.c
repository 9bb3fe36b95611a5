/* The picture sema hands `stackc graph` (sema/tree.h, sc_sema_picture): per declaration
 * what the compiler decides — an `if` true, false or undecided, a `for`'s count, an
 * instance's inside and `graph` view, an `allow`'s ends and port — and, per frame, what
 * names resolve to and the branch a decided conditional takes. Undecided `if`s are
 * recorded, not reported. */
#include "support.h"

#include "sema/tree.h"

#include <stackc/stackc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROOT STACKC_REPO_ROOT

static sc_context *new_context(void)
{
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_stdlib_dir(ctx, ROOT "/stdlib");
    return ctx;
}

/* The entry of the declaration labelled `name` in `f`, or NULL. */
static const sc_picture_decl *decl_named(const sc_picture_frame *f, const char *name)
{
    for (size_t i = 0; f && i < f->decls.count; i++) {
        const sc_picture_decl *d = f->decls.items[i];
        const sc_item *item = d->item;
        const char *own = item->kind == ITEM_BLOCK ? item->label.name : item->name.name;
        if (own && strcmp(own, name) == 0)
            return d;
    }
    return NULL;
}

static const sc_picture_decl *decl_of_kind(const sc_picture_frame *f, sc_item_kind kind)
{
    for (size_t i = 0; f && i < f->decls.count; i++) {
        const sc_picture_decl *d = f->decls.items[i];
        if (d->item->kind == kind)
            return d;
    }
    return NULL;
}

static void test_graph_features(void)
{
    sc_context *ctx = new_context();
    sc_program *program = sc_sema_check(ctx, ROOT "/tests/golden-views/graph-features/main.stack");
    CU_ASSERT_PTR_NOT_NULL_FATAL(program);
    const sc_picture *picture = sc_sema_picture(ctx, program);
    CU_ASSERT_PTR_NOT_NULL_FATAL(picture);
    CU_ASSERT_PTR_EQUAL(sc_sema_picture(ctx, program), picture); /* made once */
    CU_ASSERT_EQUAL_FATAL(picture->stacks.count, 2);
    const sc_picture_frame *base = picture->stacks.items[0], *app = picture->stacks.items[1];
    CU_ASSERT_STRING_EQUAL(base->stack->name, "Base");
    CU_ASSERT_PTR_NULL(base->path);

    const sc_picture_decl *disks = decl_named(base, "disks");
    CU_ASSERT_PTR_NOT_NULL_FATAL(disks);
    CU_ASSERT_TRUE(disks->counted);
    CU_ASSERT_EQUAL(disks->count, 3);
    CU_ASSERT_EQUAL(disks->when, SC_PICTURE_TRUE);

    /* `if Base.environment == "prod"` reads a param: undecided, drawn, not an error. */
    const sc_picture_decl *batch = decl_named(app, "batch");
    CU_ASSERT_PTR_NOT_NULL_FATAL(batch);
    CU_ASSERT_EQUAL(batch->when, SC_PICTURE_UNDECIDED);
    CU_ASSERT_EQUAL(sc_error_count(ctx), 0);

    /* A service's view says show_inside = false: its task is not drawn inside it. */
    const sc_picture_decl *api = decl_named(app, "api");
    CU_ASSERT_PTR_NOT_NULL_FATAL(api);
    CU_ASSERT_PTR_NULL(api->inside);
    const sc_value *show = sc_value_map_get(api->view, "show_inside");
    CU_ASSERT_TRUE(show && show->kind == VAL_BOOL && !show->b);

    const sc_picture_decl *allow = decl_of_kind(app, ITEM_ALLOW);
    CU_ASSERT_PTR_NOT_NULL_FATAL(allow);
    CU_ASSERT_TRUE(allow->allow_from && strcmp(allow->allow_from->name, "batch") == 0);
    CU_ASSERT_TRUE(allow->allow_to && strcmp(allow->allow_to->name, "api") == 0);
    CU_ASSERT_PTR_EQUAL(allow->allow_to_frame, app);
    CU_ASSERT_TRUE(allow->port && allow->port->kind == VAL_INT && allow->port->i == 9000);

    /* `let net = Base.vpc` names the other stack's instance. */
    const sc_picture_decl *net = decl_named(app, "net");
    CU_ASSERT_PTR_NOT_NULL_FATAL(net);
    const sc_symbol *vpc = sc_picture_symbol(app, net->item->value);
    CU_ASSERT_TRUE(vpc && vpc->kind == SYM_INSTANCE && strcmp(vpc->name, "vpc") == 0);
    sc_context_free(ctx);
}

static void test_decided_and_inside(void)
{
    char dir[] = "/tmp/stackc_picture_XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char path[512];
    snprintf(path, sizeof(path), "%s/main.stack", dir);
    static const char source[] = "component pair {\n"
                                 "  input zones: int = 2\n"
                                 "  network a { zones = zones }\n"
                                 "  network b { zones = zones }\n"
                                 "}\n"
                                 "stack S {\n"
                                 "  let big = true\n"
                                 "  network vpc { zones = big ? 3 : 2 }\n"
                                 "  network small if !big { zones = 2 }\n"
                                 "  pair twins {}\n"
                                 "}\n";
    CU_ASSERT_EQUAL_FATAL(test_write_file(path, source, strlen(source)), 0);
    sc_context *ctx = new_context();
    sc_program *program = sc_sema_check(ctx, path);
    if (!program || sc_error_count(ctx))
        sc_render_human(ctx, stderr, false);
    CU_ASSERT_PTR_NOT_NULL_FATAL(program);
    const sc_picture *picture = sc_sema_picture(ctx, program);
    CU_ASSERT_PTR_NOT_NULL_FATAL(picture);
    const sc_picture_frame *s = picture->stacks.items[0];

    const sc_picture_decl *small = decl_named(s, "small");
    CU_ASSERT_TRUE(small && small->when == SC_PICTURE_FALSE);

    /* `big ? 3 : 2` takes its first branch. */
    const sc_picture_decl *vpc = decl_named(s, "vpc");
    CU_ASSERT_PTR_NOT_NULL_FATAL(vpc);
    const sc_expr *zones = ((const sc_item *)vpc->item->items.items[0])->value;
    CU_ASSERT_EQUAL_FATAL(zones->kind, EXPR_COND);
    CU_ASSERT_PTR_EQUAL(sc_picture_branch(s, zones), zones->left);

    /* A component that declares instances is drawn with them: a frame of its own. */
    const sc_picture_decl *twins = decl_named(s, "twins");
    CU_ASSERT_PTR_NOT_NULL_FATAL(twins);
    CU_ASSERT_PTR_NOT_NULL_FATAL(twins->inside);
    CU_ASSERT_STRING_EQUAL(twins->inside->path, "twins");
    CU_ASSERT_PTR_EQUAL(twins->inside->outer, s);
    CU_ASSERT_PTR_NOT_NULL(decl_named(twins->inside, "a"));
    CU_ASSERT_PTR_NOT_NULL(decl_named(twins->inside, "b"));
    sc_context_free(ctx);
    remove(path);
    remove(dir);
}

int main(void)
{
    static const test_case cases[] = {
        {"the picture of graph-features: counts, undecided ifs, views, allows, names",
         test_graph_features},
        {"decided ifs and conditionals, and the inside of a component", test_decided_and_inside},
        {NULL, NULL},
    };
    return test_main("picture", cases);
}
