/* Docker build assets: `build(...)` becomes an image in the ECR repository
 * `stackc-assets`, tagged with the SHA-256 of everything that goes into the build. */
#ifndef STACKC_EXPAND_ASSETS_H
#define STACKC_EXPAND_ASSETS_H

#include "expand/expand.h"

#define SC_ASSET_REPOSITORY "stackc-assets"

/* Registers the asset that `placeholder` (a build() value) describes and returns the
 * image URI to write into `stack`'s template. Sets *failed and reports at `span` when
 * the build context cannot be read. */
sc_value *sc_asset_image(sc_context *ctx, sc_cfn_program *out, sc_cfn_stack *stack,
                         const sc_value *placeholder, sc_span span, bool *failed);

/* Whether `dir` (the build context the user wrote as `context`) is a directory holding
 * `dockerfile`; if not, reports E0304 at `span`. The compose target checks with it too. */
bool sc_asset_context_usable(sc_context *ctx, const char *dir, const char *context,
                             const char *dockerfile, sc_span span);

#endif
