/* src/cli/cmd_check.c — `vers check` (placeholder until its layer lands). */
#include "cli.h"
#include <string.h>
#include <stdio.h>

int cmd_check(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--help")) {
        printf("usage: vers check [options]\n(not yet available in this build)\n");
        return 0;
    }
    return cli_error("check", "not yet available in this build");
}
