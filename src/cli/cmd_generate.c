/* src/cli/cmd_generate.c — `vers generate` (placeholder until its layer lands). */
#include "cli.h"
#include <string.h>
#include <stdio.h>

int cmd_generate(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--help")) {
        printf("usage: vers generate [options]\n(not yet available in this build)\n");
        return 0;
    }
    return cli_error("generate", "not yet available in this build");
}
