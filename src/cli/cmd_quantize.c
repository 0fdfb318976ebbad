/* src/cli/cmd_quantize.c — `vers quantize` (placeholder until its layer lands). */
#include "cli.h"
#include <string.h>
#include <stdio.h>

int cmd_quantize(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--help")) {
        printf("usage: vers quantize [options]\n(not yet available in this build)\n");
        return 0;
    }
    return cli_error("quantize", "not yet available in this build");
}
