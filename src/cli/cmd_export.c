/* src/cli/cmd_export.c — `vers export CHECKPOINT OUT.gguf [--type f32|f16|q8_0]`. */
#include "cli.h"
#include "engine/tensor.h"
#include <getopt.h>
#include <stdio.h>
#include <string.h>

int cmd_export(int argc, char **argv) {
    static const struct option opts[] = {{"type", required_argument, 0, 'T'}, {"help", no_argument, 0, 'h'},
                                         {"json", no_argument, 0, 'j'}, {0, 0, 0, 0}};
    int type = VT_F16, c, json = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'T') {
            if (!strcasecmp(optarg, "f32")) type = VT_F32;
            else if (!strcasecmp(optarg, "f16")) type = VT_F16;
            else if (!strcasecmp(optarg, "q8_0")) type = VT_Q8_0;
            else return cli_error("export", "--type: expected f32, f16 or q8_0");
        } else if (c == 'j') json = 1;
        else if (c == 'h') { printf("usage: vers export CHECKPOINT OUT.gguf [--type f32|f16|q8_0] [--json]\n"); return 0; }
        else return cli_bad_option("export", "h", argv);
    }
    if (argc - optind != 2) return cli_error("export", "expected CHECKPOINT and OUT.gguf");
    if (cli_check_outputs((const char *const *)argv + optind + 1, 1, (const char *const *)argv + optind, 1)) return 2;
    vers_train_opts o;
    vers_train_opts_default(&o);
    o.steps = 0; o.threads = 1;
    vers_trainer *t = NULL;
    vers_err err;
    if (vers_trainer_resume(argv[optind], &o, &t, &err)) { fprintf(stderr, "vers: %s\n", err.msg); return 2; }
    int rc = vers_trainer_export(t, argv[optind + 1], type, &err);
    if (rc) fprintf(stderr, "vers: %s\n", err.msg);
    else if (cli_is_stdout(argv[optind + 1])) { }     /* the model went to stdout: no summary into it */
    else if (json) printf("{\"output\":\"%s\",\"type\":\"%s\",\"step\":%lld}\n", argv[optind + 1], vers_type_name(type), (long long)vers_trainer_step(t));
    else printf("%s: step %lld, %s\n", argv[optind + 1], (long long)vers_trainer_step(t), vers_type_name(type));
    vers_trainer_free(t);
    return rc ? 2 : 0;
}
