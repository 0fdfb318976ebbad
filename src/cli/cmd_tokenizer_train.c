/* src/cli/cmd_tokenizer_train.c — `vers tokenizer-train` (placeholder until its layer lands). */
#include "cli.h"
#include <string.h>
#include <stdio.h>

int cmd_tokenizer_train(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--help")) {
        printf("usage: vers tokenizer-train [options]\n(not yet available in this build)\n");
        return 0;
    }
    return cli_error("tokenizer-train", "not yet available in this build");
}
