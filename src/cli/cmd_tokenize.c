/* src/cli/cmd_tokenize.c — `vers tokenize` (placeholder until its layer lands). */
#include "cli.h"
#include <string.h>
#include <stdio.h>

int cmd_tokenize(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--help")) {
        printf("usage: vers tokenize [options]\n(not yet available in this build)\n");
        return 0;
    }
    return cli_error("tokenize", "not yet available in this build");
}
