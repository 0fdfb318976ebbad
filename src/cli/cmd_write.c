/* src/cli/cmd_write.c — `vers write` (placeholder until its layer lands). */
#include "cli.h"
#include <string.h>
#include <stdio.h>

int cmd_write(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--help")) {
        printf("usage: vers write [options]\n(not yet available in this build)\n");
        return 0;
    }
    return cli_error("write", "not yet available in this build");
}
