/* src/write/tokens.c — what each token of a model is, for the writer: a word piece (does
 * it begin a new word, how many vowel groups, which first letter), punctuation, the line
 * break, or something a poem must never contain (control tokens, digits, stray bytes).
 * Built once per model; the masks of constraints.c read it at every step. */
#include "write/wr.h"
#include "util/utf8.h"
#include <stdlib.h>
#include <string.h>

/* util/utf8.h's strict decoder, in the writer's int-length form. */
uint32_t wr_utf8_next(const char *s, int len, int *adv) {
    if (len <= 0) { *adv = 0; return 0; }
    uint32_t c;
    size_t k = utf8_decode((const unsigned char *)s, (size_t)len, &c);
    if (!k) { *adv = 1; return UTF8_REPLACEMENT; }
    *adv = (int)k;
    return c;
}

uint32_t wr_lower(uint32_t c) {
    if (c >= 'A' && c <= 'Z') return c + 32;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;   /* Latin-1 capitals */
    if (c == 0x152) return 0x153;                             /* Œ */
    if (c == 0x178) return 0xFF;                              /* Ÿ */
    return c;
}

int wr_is_letter(uint32_t c) {
    c = wr_lower(c);
    if (c >= 'a' && c <= 'z') return 1;
    if (c >= 0xDF && c <= 0xFF && c != 0xF7) return 1;
    if (c == 0x153 || c == 0xE6) return 1;
    return 0;
}

int wr_is_vowel(uint32_t c, int lang) {
    c = wr_lower(c);
    switch (c) {
    case 'a': case 'e': case 'i': case 'o': case 'u': case 'y':
    case 0xE0: case 0xE2: case 0xE4: case 0xE9: case 0xE8: case 0xEA: case 0xEB:
    case 0xEE: case 0xEF: case 0xF4: case 0xF6: case 0xF9: case 0xFB: case 0xFC:
    case 0xFF: case 0x153: case 0xE6:
        return 1;
    }
    (void)lang;
    return 0;
}

int wr_u8_pair_ok(unsigned lead, unsigned cont) {
    if (lead == 0xC3) return cont >= 0x80 && cont <= 0xBF && cont != 0x97 && cont != 0xB7;
    if (lead == 0xC5) return cont == 0x92 || cont == 0x93 || cont == 0xB8;
    return 0;
}

static int is_upper(uint32_t c) { return wr_lower(c) != c; }

static int is_apostrophe(uint32_t c) { return c == '\'' || c == 0x2019; }

int wr_word_estimate(const char *w, int len, int lang) {
    int groups = 0, prev_v = 0, n_letters = 0;
    uint32_t last = 0, before_last = 0;
    for (int i = 0; i < len;) {
        int adv; uint32_t c = wr_lower(wr_utf8_next(w + i, len - i, &adv));
        if (adv <= 0) break;
        i += adv;
        if (!wr_is_letter(c)) { prev_v = 0; continue; }
        int v = wr_is_vowel(c, lang);
        if (v && !prev_v) groups++;
        prev_v = v; n_letters++;
        before_last = last; last = c;
    }
    /* a final e after a consonant is mute in English (and line-final in French) */
    if (groups > 1 && last == 'e' && before_last && !wr_is_vowel(before_last, lang) &&
        !(lang == WR_LANG_EN && before_last == 'l'))
        groups--;
    if (groups == 0 && n_letters > 0) groups = 1;
    return groups;
}

static int classify(wr_tokinfo *ti, const char *b, int n, int lang) {
    memset(ti, 0, sizeof *ti);
    ti->n_bytes = (uint8_t)(n > 255 ? 255 : n);
    if (n <= 0 || n > 255) return WR_TOK_BAD;
    if (n == 1 && b[0] == '\n') return WR_TOK_NEWLINE;
    int i = 0;
    /* continuation bytes first: the tail of a character begun by the previous token */
    while (i < n && ((unsigned char)b[i] & 0xC0) == 0x80 && i < 3) i++;
    ti->u8_in = (uint8_t)i;
    if (i > 1) return WR_TOK_BAD;                                  /* only 2-byte letters split */
    if (i == 1) { ti->u8_cont = (uint8_t)b[0]; ti->n_letters = 1; }
    if (i == 0 && b[0] == ' ') { ti->lead_space = 1; i = 1; }
    if (i >= n && ti->u8_in == 0) return WR_TOK_BAD;               /* a bare space */
    if (ti->lead_space && n == 2 && strchr(",.;:!?", b[1]) && b[1]) return WR_TOK_BAD;
    if (!ti->lead_space && ti->u8_in == 0 && n == 1 && strchr(",.;:!?", b[0])) {
        ti->punct = (uint8_t)b[0];
        return WR_TOK_PUNCT;
    }
    int prev_v = 0, letters = 0;
    uint32_t last = 0, before_last = 0;
    if (ti->u8_in) letters = 1;                                    /* tail of a letter */
    while (i < n) {
        const unsigned char *u = (const unsigned char *)b + i;
        int need = (int)utf8_lead_length(u[0]);
        if (need == 0) return WR_TOK_BAD;                          /* stray continuation, bad lead */
        if (i + need > n) {                                        /* character left open */
            if (need != 2 || (u[0] != 0xC3 && u[0] != 0xC5)) return WR_TOK_BAD; /* only Latin letters */
            ti->u8_out = 1;
            ti->u8_lead = u[0];
            if (ti->n_letters < 255) ti->n_letters++;
            letters++;
            prev_v = 0;
            break;
        }
        int adv; uint32_t c = wr_utf8_next(b + i, n - i, &adv);
        if (c == 0xFFFD || adv <= 0) return WR_TOK_BAD;
        i += adv;
        if (wr_is_letter(c)) {
            uint32_t lc = wr_lower(c);
            if (is_upper(c)) { if (letters == 0) ti->caps_first = 1; else ti->caps_inside = 1; }
            if (ti->n_letters < 255) ti->n_letters++;
            if (!ti->first_letter && letters == 0) ti->first_letter = lc;
            int v = wr_is_vowel(lc, lang);
            if (letters == 0) ti->v_first = (uint8_t)v;
            if (v && !prev_v) ti->vg++;
            prev_v = v; letters++;
            before_last = last; last = lc;
        } else if (is_apostrophe(c) || (c == '-' && letters > 0)) {
            prev_v = 0;                                            /* l'âme, peut-être */
            before_last = last; last = c;
        } else {
            return WR_TOK_BAD;                                     /* digits, symbols, spaces */
        }
    }
    if (letters == 0 && !ti->u8_out) return WR_TOK_BAD;
    ti->v_last = (uint8_t)prev_v;
    ti->silent_e = (uint8_t)(last == 'e' && before_last && wr_is_letter(before_last) &&
                             !wr_is_vowel(before_last, lang));
    return WR_TOK_WORD;
}

int wr_tokens_build(wr_tokens *tt, const wr_lm *lm, int lang, vers_err *err) {
    memset(tt, 0, sizeof *tt);
    int nv = lm->n_vocab;
    if (nv <= 0) return vers_errorf(err, VERS_EINVAL, "model has no vocabulary");
    tt->n = nv;
    tt->info = calloc((size_t)nv, sizeof *tt->info);
    tt->off = calloc((size_t)nv + 1, sizeof *tt->off);
    size_t cap = (size_t)nv * 8 + 64, used = 0;
    tt->bytes = malloc(cap);
    if (!tt->info || !tt->off || !tt->bytes) { wr_tokens_free(tt); return vers_errorf(err, VERS_ENOMEM, "out of memory"); }
    tt->newline = -1;
    uint64_t h = 0xcbf29ce484222325ull;
    char buf[512];
    for (int t = 0; t < nv; t++) {
        int n = lm->token_bytes(lm->ud, t, buf, (int)sizeof buf);
        if (n > (int)sizeof buf) n = -1;
        if (used + 257 > cap) {
            char *nb = realloc(tt->bytes, cap * 2);
            if (!nb) { wr_tokens_free(tt); return vers_errorf(err, VERS_ENOMEM, "out of memory"); }
            tt->bytes = nb; cap *= 2;
        }
        tt->off[t] = (uint32_t)used;
        if (n < 0) {
            tt->info[t].kind = WR_TOK_BAD;
            h = (h ^ 0xFF) * 0x100000001b3ull;
        } else {
            int keep = n > 255 ? 255 : n;
            memcpy(tt->bytes + used, buf, (size_t)keep);
            tt->bytes[used + keep] = 0;
            used += (size_t)keep + 1;
            tt->info[t].kind = (uint8_t)classify(&tt->info[t], buf, n, lang);
            if (tt->info[t].kind == WR_TOK_NEWLINE && tt->newline < 0) tt->newline = t;
            for (int i = 0; i < n; i++) h = (h ^ (unsigned char)buf[i]) * 0x100000001b3ull;
        }
        h = (h ^ 0x1F) * 0x100000001b3ull;
    }
    tt->off[nv] = (uint32_t)used;
    tt->checksum = h ^ (uint64_t)nv ^ ((uint64_t)lang << 56);
    if (tt->newline < 0) {
        wr_tokens_free(tt);
        return vers_errorf(err, VERS_EUNSUPPORTED, "the model has no token for a line break");
    }
    return VERS_OK;
}

void wr_tokens_free(wr_tokens *tt) {
    free(tt->info); free(tt->bytes); free(tt->off);
    memset(tt, 0, sizeof *tt);
}
