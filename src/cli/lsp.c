/* `stackc lsp [--stdlib DIR] [--stdio]`: the language server on standard input and output
 * (src/lsp). --stdio, which some clients add, names the only transport there is. */
#include "cli/cli.h"
#include "lsp/lsp.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_run_lsp(int argc, char **argv)
{
    const char *stdlib_dir = getenv("STACKC_STDLIB");
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--stdlib") == 0 && i + 1 < argc) {
            stdlib_dir = argv[++i];
        } else if (strcmp(argv[i], "--stdio") != 0) {
            fprintf(stderr,
                    "stackc: unknown option for lsp: %s\n"
                    "usage: stackc lsp [--stdlib DIR] [--stdio]\n",
                    argv[i]);
            return SC_EXIT_USAGE;
        }
    }
    sc_lsp_options options = {.stdlib_dir = stdlib_dir ? stdlib_dir : STACKC_DEFAULT_STDLIB,
                              .version = STACKC_VERSION,
                              .log = stderr};
    return sc_lsp_serve(STDIN_FILENO, stdout, &options);
}
