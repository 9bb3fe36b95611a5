/* See shared_stdlib.h. */
#include "shared_stdlib.h"

#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);

static sc_stdlib *stdlib;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    stdlib = sc_stdlib_new(STACKC_FUZZ_STDLIB);
    if (!stdlib)
        abort(); /* the standard library itself does not check: nothing to fuzz */
    return 0;
}

const sc_stdlib *fuzz_stdlib(void)
{
    return stdlib;
}
