/* src/cli/cmd_plot.c — `vers plot LOG...`: SVG of the training and validation loss curves,
 * of one run or of several on the same axes (x in steps, tokens, FLOPs or seconds). */
#include "cli.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f) {
    fprintf(f,
        "usage: vers plot LOG... [-o OUT.svg] [--x step|tokens|flops|seconds] [--label NAME]...\n"
        "                 [--color C]... [--flops-per-token F]... [--val-only] [--log-x] [--title TEXT] [--json]\n"
        "  LOG: the CSV or JSONL log of vers train (--log).  One log: its training curve and its\n"
        "  validation points (default OUT: LOG.svg).  Several logs: one colour each on the same\n"
        "  axes, validation thick, training pale, and a legend (-o required).\n"
        "  -o, --output FILE        the SVG to write ('-': standard output)\n"
        "  --x step|tokens|flops|seconds\n"
        "                           x axis: the step (default), the tokens seen, the training\n"
        "                           FLOPs (tokens x --flops-per-token), or the log's elapsed_s\n"
        "                           (seconds of training steps, evaluations left out)\n"
        "  --label NAME             the legend's name of a log, once per log in the logs' order\n"
        "                           (default: the log's path)\n"
        "  --color C                the SVG colour of a log (#4477aa, red), once per log in order\n"
        "  --flops-per-token F      FLOPs per token for --x flops: once (all logs) or once per log\n"
        "  --val-only               draw the validation curves only\n"
        "  --log-x                  logarithmic x axis\n"
        "  --title TEXT             the plot's title (default: \"training loss (nats/token)\")\n"
        "  --json                   print {\"svg\": OUT, \"logs\": N, \"x\": AXIS} instead of OUT\n");
}

int cmd_plot(int argc, char **argv) {
    enum { O_X = 256, O_LABEL, O_FPT, O_VAL, O_LOGX, O_TITLE, O_JSON, O_COLOR };
    static const struct option opts[] = {{"output", required_argument, 0, 'o'}, {"x", required_argument, 0, O_X},
                                         {"label", required_argument, 0, O_LABEL}, {"flops-per-token", required_argument, 0, O_FPT},
                                         {"val-only", no_argument, 0, O_VAL}, {"log-x", no_argument, 0, O_LOGX},
                                         {"title", required_argument, 0, O_TITLE}, {"json", no_argument, 0, O_JSON},
                                         {"color", required_argument, 0, O_COLOR},
                                         {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    static const char *const axes[] = {"step", "tokens", "flops", "seconds"};
    const char *out = NULL; int c, json = 0, n_labels = 0, n_fpt = 0, n_colors = 0;
    vers_plot_opts po;
    vers_plot_opts_default(&po);
    const char **labels = calloc((size_t)argc + 1, sizeof *labels), **colors = calloc((size_t)argc + 1, sizeof *colors);
    double *fpt = calloc((size_t)argc + 1, sizeof *fpt);
    if (!labels || !fpt || !colors) { free(labels); free(fpt); free(colors); return cli_error("plot", "out of memory"); }
    int rc = 2;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case O_X: {
            int k = -1;
            for (int i = 0; i < 4; i++) if (!strcmp(optarg, axes[i])) k = i;
            if (k < 0) { cli_error("plot", "bad --x '%s' (step, tokens, flops or seconds)", optarg); goto done; }
            po.x = k;
            break;
        }
        case O_LABEL: labels[n_labels++] = optarg; break;
        case O_COLOR:
            /* a name or #hex: nothing that could end the attribute */
            if (!*optarg || strspn(optarg, "#0123456789abcdefABCDEFghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ") != strlen(optarg)) {
                cli_error("plot", "bad --color '%s' (#rrggbb or a colour name)", optarg); goto done;
            }
            colors[n_colors++] = optarg;
            break;
        case O_FPT:
            if (cli_parse_float(optarg, &fpt[n_fpt]) || !(fpt[n_fpt] > 0)) { cli_error("plot", "bad --flops-per-token '%s'", optarg); goto done; }
            n_fpt++;
            break;
        case O_VAL: po.val_only = 1; break;
        case O_LOGX: po.log_x = 1; break;
        case O_TITLE: po.title = optarg; break;
        case O_JSON: json = 1; break;
        case 'h': usage(stdout); rc = 0; goto done;
        default: rc = cli_bad_option("plot", "o:h", argv); goto done;
        }
    }
    int n_logs = argc - optind;
    const char *const *logs = (const char *const *)argv + optind;
    if (n_logs < 1) { cli_error("plot", "expected a training log (vers plot LOG...)"); goto done; }
    if (n_labels && n_labels != n_logs) { cli_error("plot", "%d --label for %d logs (give one per log, in order)", n_labels, n_logs); goto done; }
    if (n_colors && n_colors != n_logs) { cli_error("plot", "%d --color for %d logs (give one per log, in order)", n_colors, n_logs); goto done; }
    if (n_fpt && n_fpt != 1 && n_fpt != n_logs) { cli_error("plot", "%d --flops-per-token for %d logs (give one, or one per log)", n_fpt, n_logs); goto done; }
    if (po.x == VERS_PLOT_X_FLOPS && !n_fpt) { cli_error("plot", "--x flops needs --flops-per-token"); goto done; }
    if (n_fpt && po.x != VERS_PLOT_X_FLOPS) { cli_error("plot", "--flops-per-token goes with --x flops"); goto done; }
    for (int i = n_fpt; n_fpt == 1 && i < n_logs; i++) fpt[i] = fpt[0];
    if (n_labels) po.labels = labels;
    if (n_colors) po.colors = colors;
    if (n_fpt) po.flops_per_token = fpt;
    char def[4200];
    if (!out) {
        if (n_logs > 1) { cli_error("plot", "several logs: give the SVG to write with -o"); goto done; }
        snprintf(def, sizeof def, "%s.svg", logs[0]); out = def;
    }
    if (cli_check_outputs(&out, 1, logs, n_logs)) goto done;
    vers_err err;
    if (vers_plot_logs(logs, n_logs, &po, out, &err)) { fprintf(stderr, "vers: %s\n", err.msg); goto done; }
    if (json) {
        printf("{\"svg\":"); cli_put_json(stdout, out, strlen(out));
        printf(",\"logs\":%d,\"x\":\"%s\"}\n", n_logs, axes[po.x]);
    } else if (!cli_is_stdout(out)) printf("%s\n", out);
    rc = 0;
done:
    free(labels); free(fpt); free(colors);
    return rc;
}
