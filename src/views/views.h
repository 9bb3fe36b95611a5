/* Views of a checked program other than CloudFormation: the architecture as a graph
 * (graph.c: Graphviz dot or Mermaid) and a docker-compose.yml that runs the site on a
 * laptop (compose.c). Both read the checked program (sema), not the expanded
 * resource graph: they are about instances and references, not AWS resources.
 * Outputs are sc_artifact (emit/emit.h) appended to `artifacts`, in the arena. */
#ifndef STACKC_VIEWS_VIEWS_H
#define STACKC_VIEWS_VIEWS_H

#include "emit/emit.h"

/* Draws stacks as clusters, instances and raw resources as nodes, and references,
 * nested-block references (mounts, routes), `allow` rules and cross-stack reads as
 * edges. Writes one artifact, "graph.dot" or "graph.mmd". Deterministic. */
bool sc_graph(sc_context *ctx, sc_program *program, sc_graph_format format, sc_ptr_list *artifacts);

/* Writes "docker-compose.yml" and ".env" for the program's standard components.
 * Returns false (with diagnostics) when a container needs a value that has no local
 * equivalent. */
bool sc_compose(sc_context *ctx, sc_program *program, const sc_compose_options *options,
                sc_ptr_list *artifacts);

#endif
