/* src/cli/cmd_bench.c — `vers bench` (placeholder until its layer lands). */
#include "cli.h"
#include <string.h>
#include <stdio.h>

int cmd_bench(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--help")) {
        printf("usage: vers bench [options]\n(not yet available in this build)\n");
        return 0;
    }
    return cli_error("bench", "not yet available in this build");
}
