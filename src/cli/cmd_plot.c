/* src/cli/cmd_plot.c — `vers plot LOG`: SVG of the training and validation loss curves. */
#include "cli.h"
#include <getopt.h>
#include <stdio.h>
#include <string.h>

int cmd_plot(int argc, char **argv) {
    static const struct option opts[] = {{"output", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *out = NULL; int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        if (c == 'o') out = optarg;
        else if (c == 'h') { printf("usage: vers plot LOG [-o OUT.svg]   (LOG: the CSV/JSONL of vers train; default OUT: LOG.svg)\n"); return 0; }
        else return cli_bad_option("plot", "o:h", argv);
    }
    if (optind != argc - 1) return cli_error("plot", "expected one training log (vers plot LOG)");
    const char *log = argv[optind];
    char def[4200];
    if (!out) { snprintf(def, sizeof def, "%s.svg", log); out = def; }
    if (cli_check_outputs(&out, 1, &log, 1)) return 2;
    vers_err err;
    if (vers_plot_log(log, out, &err)) { fprintf(stderr, "vers: %s\n", err.msg); return 2; }
    if (!cli_is_stdout(out)) printf("%s\n", out);
    return 0;
}
