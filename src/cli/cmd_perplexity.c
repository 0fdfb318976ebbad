/* src/cli/cmd_perplexity.c — `vers perplexity` (placeholder until its layer lands). */
#include "cli.h"
#include <string.h>
#include <stdio.h>

int cmd_perplexity(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--help")) {
        printf("usage: vers perplexity [options]\n(not yet available in this build)\n");
        return 0;
    }
    return cli_error("perplexity", "not yet available in this build");
}
