/* src/cli/cmd_info.c — `vers info` (placeholder until its layer lands). */
#include "cli.h"
#include <string.h>
#include <stdio.h>

int cmd_info(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--help")) {
        printf("usage: vers info [options]\n(not yet available in this build)\n");
        return 0;
    }
    return cli_error("info", "not yet available in this build");
}
