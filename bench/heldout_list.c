/* bench/heldout_list.c — the documents `vers train` holds out (seed 1, 2%) of the corpus
 * files given in training order, one per line: file name, record number, language, kind,
 * title.  `make eval-model` prints the SHA-256 of this list: the held-out set the model
 * figures are computed on, frozen since commit 1c68094 (docs/EVALUATION.md).
 *   build/bench/heldout_list FILE...                                                  */
#include "vers/train.h"
#include <stdio.h>
#include <string.h>

static const char *const *g_files;

static int each(const vers_doc *d, int file_no, int64_t doc_no, void *ctx) {
    (void)ctx;
    const char *b = strrchr(g_files[file_no], '/');
    printf("%s\t%lld\t%.*s\t%.*s\t%.*s\n", b ? b + 1 : g_files[file_no], (long long)doc_no, (int)d->lang_len, d->lang,
           (int)d->kind_len, d->kind, (int)d->title_len, d->title);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: heldout_list CORPUS_FILE...\n"); return 2; }
    g_files = (const char *const *)argv + 1;
    vers_err err;
    if (vers_heldout_each(g_files, argc - 1, 1, 0.02, each, NULL, &err)) { fprintf(stderr, "heldout_list: %s\n", err.msg); return 2; }
    return 0;
}
