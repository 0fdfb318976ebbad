/* src/cli/cmd_plot.c — `vers plot` (placeholder until its layer lands). */
#include "cli.h"
#include <string.h>
#include <stdio.h>

int cmd_plot(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--help")) {
        printf("usage: vers plot [options]\n(not yet available in this build)\n");
        return 0;
    }
    return cli_error("plot", "not yet available in this build");
}
