/* src/cli/cmd_export.c — `vers export` (placeholder until its layer lands). */
#include "cli.h"
#include <string.h>
#include <stdio.h>

int cmd_export(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--help")) {
        printf("usage: vers export [options]\n(not yet available in this build)\n");
        return 0;
    }
    return cli_error("export", "not yet available in this build");
}
