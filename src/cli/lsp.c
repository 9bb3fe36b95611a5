/* `stackc lsp`: the language server (src/lsp) on standard input and output, with the
 * standard library the command line found. */
#include "cli/cli.h"
#include "lsp/lsp.h"

#include <unistd.h>

int cli_run_lsp(const cli_options *opts)
{
    sc_lsp_options options = {
        .stdlib_dir = opts->stdlib_dir, .version = STACKC_VERSION, .log = stderr};
    return sc_lsp_serve(STDIN_FILENO, stdout, &options);
}
