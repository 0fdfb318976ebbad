/* src/cli/cmd_train.c — `vers train` (placeholder until its layer lands). */
#include "cli.h"
#include <string.h>
#include <stdio.h>

int cmd_train(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--help")) {
        printf("usage: vers train [options]\n(not yet available in this build)\n");
        return 0;
    }
    return cli_error("train", "not yet available in this build");
}
