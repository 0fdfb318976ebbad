/* src/cli/cmd_quantize.c — `vers quantize IN OUT TYPE`: converts a model's weights
 * (src/engine/gguf_quantize.c does the work; per-tensor choices as llama-quantize). */
#include "cli.h"
#include "engine/gguf.h"
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f) {
    fprintf(f,
            "usage: vers quantize [options] IN.gguf OUT.gguf TYPE\n"
            "Converts the 2-D weights of a GGUF model to TYPE; norms, biases and other 1-D\n"
            "tensors stay as they are.  Types: %s\n"
            "(Q4_K_M / Q5_K_M: llama-quantize's mixes, e.g. Q6_K for attn_v, ffn_down, output).\n"
            "The output is written atomically (temporary file, then rename).\n"
            "  -t, --threads N   threads (default: number of cores)\n"
            "      --json        print a summary as JSON\n"
            "  -h, --help        this help\n",
            gguf_quantize_types());
}

int cmd_quantize(int argc, char **argv) {
    static const struct option opts[] = {
        {"threads", required_argument, 0, 't'}, {"json", no_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    long threads = vers_n_cores();
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "t:h", opts, NULL)) != -1) {
        switch (c) {
        case 't':
            if (cli_parse_int(optarg, 1, 1024, &threads)) return cli_error("quantize", "bad --threads '%s'", optarg);
            break;
        case 'j': json = 1; break;
        case 'h': usage(stdout); return 0;
        default: return cli_bad_option("quantize", "t:h", argv);
        }
    }
    if (argc - optind != 3) return cli_error("quantize", "expected IN OUT TYPE (see vers quantize --help)");
    const char *in = argv[optind], *out = argv[optind + 1], *type = argv[optind + 2];
    if (cli_check_outputs(&out, 1, &in, 1)) return 2;    /* same file by device and inode, not only by name */
    gguf_quantize_stats st;
    vers_err err = {0};
    int rc = gguf_quantize(in, out, type, (int)threads, &st, &err);
    if (rc) {
        const char *what = rc == VERS_EINVAL ? type : (strstr(err.msg, "write") || strstr(err.msg, "temporary")) ? out : in;
        return cli_lib_error(what, err.msg);
    }
    if (cli_is_stdout(out)) return 0;      /* the model went to stdout: no summary into it */
    if (json) {
        printf("{\"input\":"); cli_put_json(stdout, in, strlen(in));
        printf(",\"output\":"); cli_put_json(stdout, out, strlen(out));
        printf(",\"type\":"); cli_put_json(stdout, type, strlen(type));
        printf(",\"quantized\":%d,\"copied\":%d,\"fallback\":%d}\n", st.n_quantized, st.n_copied, st.n_fallback);
    } else
        printf("%s: %d tensors converted, %d copied%s\n", out, st.n_quantized, st.n_copied,
               st.n_fallback ? " (some rows not a multiple of the block size: Q8_0/F16 used)" : "");
    return 0;
}
