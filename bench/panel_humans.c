/* bench/panel_humans.c — human poems for the blind panel (docs/panel/PLAN.md): from the
 * documents `vers train` holds out of the corpus files given (in training order), picks
 * at random (fixed seed) sonnets and limericks by their form header and quatrains (the
 * first stanza of a poem whose stanzas all have 4 lines), per language, and prints them
 * as "### id form lang" followed by the body (titles and authors are not printed).
 *   build/bench/panel_humans [--seed N] [--fr-sonnet N] [--fr-quatrain N] [--en-sonnet N]
 *                            [--en-quatrain N] [--en-limerick N] FILE...               */
#include "vers/train.h"
#include "train/internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FR_SONNET, FR_QUATRAIN, EN_SONNET, EN_QUATRAIN, EN_LIMERICK, NCAT };
static const char *cat_name[NCAT] = {"sonnet fr", "quatrain fr", "sonnet en", "quatrain en", "limerick en"};

typedef struct { char *id; char *body; } poem;
typedef struct { poem *v; int n, cap; } plist;
static plist cats[NCAT];

static int eqs(const char *s, size_t n, const char *lit) { return strlen(lit) == n && !memcmp(s, lit, n); }

/* 4 when every stanza has 4 lines (at least 2 stanzas), and the first stanza's length */
static int all_quatrains(const char *b, size_t n, size_t *first_len) {
    int lines = 0, stanzas = 0, ok = 1;
    size_t i = 0; *first_len = 0;
    while (i <= n) {
        const char *nl = i < n ? memchr(b + i, '\n', n - i) : NULL;
        size_t e = nl ? (size_t)(nl - b) : n;
        int blank = e == i;
        if (!blank) lines++;
        if ((blank || e >= n) && lines) {
            if (lines != 4) ok = 0;
            if (!stanzas) *first_len = e;
            stanzas++; lines = 0;
        }
        if (e >= n) break;
        i = e + 1;
    }
    return ok && stanzas >= 2;
}

static void add(int c, const vers_doc *d, size_t len) {
    plist *l = &cats[c];
    if (l->n == l->cap) { l->cap = l->cap ? 2 * l->cap : 64; l->v = realloc(l->v, sizeof *l->v * l->cap); if (!l->v) exit(2); }
    char id[64];
    snprintf(id, sizeof id, "%.*s", (int)(d->title_len < 40 ? d->title_len : 40), d->title);
    l->v[l->n].id = strdup(id);
    l->v[l->n].body = strndup(d->body, len);
    l->n++;
}

static int each(const vers_doc *d, int file_no, int64_t doc_no, void *ctx) {
    (void)file_no; (void)doc_no; (void)ctx;
    if (!eqs(d->kind, d->kind_len, "poem")) return 0;
    int fr = eqs(d->lang, d->lang_len, "fr"), en = eqs(d->lang, d->lang_len, "en");
    if (!fr && !en) return 0;
    size_t first;
    if (eqs(d->form, d->form_len, "sonnet")) add(fr ? FR_SONNET : EN_SONNET, d, d->body_len);
    else if (en && eqs(d->form, d->form_len, "limerick")) add(EN_LIMERICK, d, d->body_len);
    else if (all_quatrains(d->body, d->body_len, &first)) add(fr ? FR_QUATRAIN : EN_QUATRAIN, d, first);
    return 0;
}

int main(int argc, char **argv) {
    int want[NCAT] = {3, 3, 2, 2, 2};
    uint64_t seed = 7;
    int i = 1;
    for (; i + 1 < argc && !strncmp(argv[i], "--", 2); i += 2) {
        long v = atol(argv[i + 1]);
        if (!strcmp(argv[i], "--seed")) seed = (uint64_t)v;
        else if (!strcmp(argv[i], "--fr-sonnet")) want[FR_SONNET] = (int)v;
        else if (!strcmp(argv[i], "--fr-quatrain")) want[FR_QUATRAIN] = (int)v;
        else if (!strcmp(argv[i], "--en-sonnet")) want[EN_SONNET] = (int)v;
        else if (!strcmp(argv[i], "--en-quatrain")) want[EN_QUATRAIN] = (int)v;
        else if (!strcmp(argv[i], "--en-limerick")) want[EN_LIMERICK] = (int)v;
        else { fprintf(stderr, "panel_humans: unknown option %s\n", argv[i]); return 2; }
    }
    if (i >= argc) { fprintf(stderr, "usage: panel_humans [options] CORPUS_FILE...\n"); return 2; }
    vers_err err;
    if (vers_heldout_each((const char *const *)argv + i, argc - i, 1, 0.02, each, NULL, &err)) {
        fprintf(stderr, "panel_humans: %s\n", err.msg);
        return 2;
    }
    trng r; trng_seed(&r, seed);
    for (int c = 0; c < NCAT; c++) {
        fprintf(stderr, "panel_humans: %s: %d held-out candidates, %d taken\n", cat_name[c], cats[c].n, want[c] < cats[c].n ? want[c] : cats[c].n);
        for (int k = 0; k < want[c] && k < cats[c].n; k++) {   /* partial Fisher-Yates */
            int j = k + (int)trng_below(&r, (uint64_t)(cats[c].n - k));
            poem t = cats[c].v[k]; cats[c].v[k] = cats[c].v[j]; cats[c].v[j] = t;
            printf("### %s | %s\n%s\n", cat_name[c], cats[c].v[k].id, cats[c].v[k].body);
        }
    }
    return 0;
}
