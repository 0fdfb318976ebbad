/* src/cli/cli.h — what the command files of the CLI share: the command table, error
 * printing ("vers: FILE: message", exit 2) and the default model's location.
 * Each command lives in src/cli/cmd_NAME.c as  int cmd_NAME(int argc, char **argv);
 * argv[0] is the command name; getopt_long parses the rest.  Exit codes: 0 ok,
 * 1 the requested result does not hold, 2 bad usage or bad input. */
#ifndef VERS_CLI_H
#define VERS_CLI_H
#include "vers.h"
#include <stdio.h>
#include <stdint.h>

#define CLI_COMMANDS(X) \
    X(write,           "write poems in a form") \
    X(check,           "analyse a poem; check it against a form") \
    X(serve,           "a local web page and JSON API to write and check poems") \
    X(generate,        "plain text continuation from a prompt") \
    X(tokenize,        "print the tokens / ids of a text") \
    X(perplexity,      "perplexity and bits per byte of a model on a text") \
    X(info,            "a GGUF file's metadata and tensors") \
    X(bench,           "speed: pp512, tg128, bandwidth fraction; 'bench train'") \
    X(quantize,        "convert a model's tensors to F16/Q8_0/Q4_0/Q4_K/Q6_K ...") \
    X(tokenizer_train, "learn a byte-level BPE tokenizer from corpora") \
    X(train,           "pretrain or fine-tune a model (--init, --resume)") \
    X(export,          "checkpoint -> GGUF (F32/F16/Q8_0)") \
    X(plot,            "SVG of the loss curves of a training log")

#define CLI_DECLARE(name, help) int cmd_##name(int argc, char **argv);
CLI_COMMANDS(CLI_DECLARE)
#undef CLI_DECLARE

/* `vers bench train` (src/cli/bench_train.c), reached from cmd_bench. */
int cli_bench_train(int argc, char **argv);

/* Prints "vers: WHAT: message" on stderr and returns 2 (use: return cli_error(...)). */
int cli_error(const char *what, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* The one stderr line for an option getopt_long refused (main sets opterr = 0, so getopt
 * prints nothing itself): unknown option, or one missing its value.  shortopts is the
 * command's getopt string.  Returns 2 (use: default: return cli_bad_option(...)). */
int cli_bad_option(const char *cmd, const char *shortopts, char **argv);
/* Writes s (n bytes) to f as a JSON string, quotes included, through util/json (escapes,
 * invalid UTF-8 as U+FFFD): the CLI's only JSON string writer.  0, or -1 when out of
 * memory or the write failed. */
int cli_put_json(FILE *f, const char *s, size_t n);
/* Path of the shipped default model: $VERS_MODEL, else models/vers-default.gguf next to
 * the executable's directory (or its parent), else the same under the install prefix.
 * Returns a static buffer (NULL if none found). */
const char *cli_default_model(void);
/* Parses a non-negative integer / float option; returns 0 ok, -1 on junk. */
int cli_parse_int(const char *s, long lo, long hi, long *out);
int cli_parse_float(const char *s, double *out);
/* Refuses outputs that are the same file (device and inode) as an input, or as another
 * output, before anything is read or written: prints the one-line error and returns 2;
 * 0 when all are distinct.  NULL entries are skipped. */
int cli_check_outputs(const char *const *outs, int n_out, const char *const *ins, int n_in);
/* A library error about WHAT: "vers: WHAT: msg", or "vers: msg" when the message already
 * starts with "WHAT:" (library messages about a file begin with its path).  Returns 2. */
int cli_lib_error(const char *what, const char *msg);
/* English without the CMU dictionary: pronunciations are guessed from spelling, and the
 * user should know (one line on stderr, once per run; nothing when the dictionary loaded). */
void cli_dict_warning(const vers_prosody *p);
/* 1 when path is standard output's file (-o /dev/stdout, or the file stdout is redirected
 * to): the command then prints no summary there, which would land inside its output. */
int cli_is_stdout(const char *path);
/* A seed: decimal digits only, 0 .. 2^64-1 (no sign, no wrap-around); 0 ok, -1 otherwise. */
int cli_parse_u64(const char *s, uint64_t *out);
#endif
