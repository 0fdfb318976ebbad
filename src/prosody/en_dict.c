/* src/prosody/en_dict.c — the CMU pronouncing dictionary in memory: loading and O(1) lookup.
 *
 * The file (data/cmudict.txt, made by scripts/fetch-cmudict.sh) has one pronunciation per
 * line, "word PH ON ES", variants spelled "word(2)".  We read it with one read(), keep the
 * words in that buffer, encode the phonemes one byte each (see en_internal.h) and index the
 * words in an open-addressing hash table (FNV-1a, linear probing, load ≤ 1/2).  Loading
 * 135k entries takes a few milliseconds; after that the dictionary is read-only, so threads
 * may share it.  Every length read from the file is checked; a malformed line is an error
 * (we would rather say so than half-know English). */
#include "prosody/en_internal.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char en_phone_names[EN_NPHONES][3] = {
    "AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY",
    "F", "G", "HH", "IH", "IY", "JH", "K", "L", "M", "N", "NG", "OW", "OY",
    "P", "R", "S", "SH", "T", "TH", "UH", "UW", "V", "W", "Y", "Z", "ZH"};

int en_phone_is_vowel(int ph) {
    switch (ph) {
    case EN_AA: case EN_AE: case EN_AH: case EN_AO: case EN_AW: case EN_AY: case EN_EH:
    case EN_ER: case EN_EY: case EN_IH: case EN_IY: case EN_OW: case EN_OY: case EN_UH:
    case EN_UW: return 1;
    default: return 0;
    }
}

/* Symbol → phoneme index; -1 when unknown.  Two-letter lookup by a switch on the first. */
static int phone_index(const char *s, size_t n) {
    if (n < 1 || n > 2) return -1;
    for (int i = 0; i < EN_NPHONES; i++)
        if (en_phone_names[i][0] == s[0] && en_phone_names[i][1] == (n == 2 ? s[1] : 0)) return i;
    return -1;
}

int en_parse_phones(const char *s, size_t len, en_pron *p) {
    p->n = 0;
    size_t i = 0;
    while (i < len) {
        while (i < len && s[i] == ' ') i++;
        if (i >= len) break;
        size_t j = i;
        while (j < len && s[j] != ' ') j++;
        size_t n = j - i;
        int st = 0;
        if (n >= 2 && s[j - 1] >= '0' && s[j - 1] <= '2') { st = s[j - 1] - '0'; n--; }
        int ph = phone_index(s + i, n);
        if (ph < 0 || p->n >= EN_MAX_PHONES) return -1;
        if (!en_phone_is_vowel(ph)) st = 0;
        p->ph[p->n++] = EN_MK(ph, st);
        i = j;
    }
    return 0;
}

int en_pron_syllables(const en_pron *p) {
    int n = 0;
    for (int i = 0; i < p->n; i++) n += en_phone_is_vowel(EN_PH(p->ph[i]));
    return n;
}

typedef struct dict_word {
    uint32_t key;      /* offset of the word in buf (not NUL-terminated) */
    uint16_t keylen;
    uint8_t npron;
    uint32_t pron[EN_MAX_PRONS]; /* indices into prons */
} dict_word;

typedef struct dict_pron {
    uint32_t off;      /* into phones */
    uint8_t n;
} dict_pron;

struct en_dict {
    char *buf;         /* the file's bytes */
    size_t buflen;
    dict_word *words;
    size_t nwords;
    dict_pron *prons;
    size_t nprons;
    uint8_t *phones;
    size_t nphones;
    uint32_t *table;   /* word index + 1, 0 = empty */
    size_t mask;
    int guess_only;
    char path[PATH_MAX];
};

static uint32_t hash_bytes(const char *s, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) { h ^= (uint8_t)s[i]; h *= 16777619u; }
    return h;
}

static long find_word(const en_dict *d, const char *w, size_t n) {
    if (!d->table) return -1;
    for (size_t i = hash_bytes(w, n) & d->mask;; i = (i + 1) & d->mask) {
        uint32_t e = d->table[i];
        if (!e) return -1;
        const dict_word *dw = &d->words[e - 1];
        if (dw->keylen == n && memcmp(d->buf + dw->key, w, n) == 0) return (long)(e - 1);
    }
}

int en_dict_lookup(const en_dict *d, const char *w, size_t len, en_pron *out, int max) {
    if (!d || len == 0 || len > EN_MAX_WORD) return 0;
    long wi = find_word(d, w, len);
    if (wi < 0) return 0;
    const dict_word *dw = &d->words[wi];
    int k = 0;
    for (int i = 0; i < dw->npron && k < max; i++, k++) {
        const dict_pron *p = &d->prons[dw->pron[i]];
        out[k].n = p->n;
        memcpy(out[k].ph, d->phones + p->off, p->n);
    }
    return k;
}

static int read_file(const char *path, char **buf, size_t *len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return VERS_EIO;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (unsigned long long)st.st_size > (1ull << 30)) { close(fd); return VERS_EIO; }
    size_t n = (size_t)st.st_size;
    char *b = malloc(n + 1);
    if (!b) { close(fd); return VERS_ENOMEM; }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, b + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    if (got != n) { free(b); return VERS_EIO; }
    b[n] = 0;
    *buf = b; *len = n;
    return VERS_OK;
}

/* Builds the tables from d->buf.  Lines: "word PHONES"; "word(N)" is a variant. */
static int parse_dict(en_dict *d, vers_err *err) {
    size_t nlines = 0;
    for (size_t i = 0; i < d->buflen; i++) nlines += d->buf[i] == '\n';
    nlines++;
    if (nlines > (1u << 24)) return vers_errorf(err, VERS_EFORMAT, "%s: too many lines", d->path);
    d->words = malloc(nlines * sizeof *d->words);
    d->prons = malloc(nlines * sizeof *d->prons);
    d->phones = malloc(d->buflen / 2 + 1);   /* a phoneme takes at least 2 bytes of text */
    size_t tsize = 1024;
    while (tsize < 2 * nlines) tsize *= 2;
    d->table = calloc(tsize, sizeof *d->table);
    if (!d->words || !d->prons || !d->phones || !d->table)
        return vers_errorf(err, VERS_ENOMEM, "%s: out of memory", d->path);
    d->mask = tsize - 1;
    const char *s = d->buf, *end = d->buf + d->buflen;
    size_t lineno = 0;
    while (s < end) {
        lineno++;
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *le = nl ? nl : end;
        const char *sp = memchr(s, ' ', (size_t)(le - s));
        if (le == s || (le - s == 1 && *s == '\r')) { s = le + 1; continue; }
        if (!sp || sp == s)
            return vers_errorf(err, VERS_EFORMAT, "%s:%zu: expected 'word PHONEMES'", d->path, lineno);
        size_t wl = (size_t)(sp - s);
        /* strip the variant suffix "(N)" */
        if (wl > 3 && s[wl - 1] == ')') {
            size_t k = wl - 2;
            while (k > 0 && s[k] >= '0' && s[k] <= '9') k--;
            if (k > 0 && k < wl - 2 && s[k] == '(') wl = k;
        }
        if (wl > EN_MAX_WORD) { s = le + 1; continue; }  /* never looked up */
        const char *ps = sp + 1;
        size_t pl = (size_t)(le - ps);
        if (pl && ps[pl - 1] == '\r') pl--;
        en_pron p;
        if (en_parse_phones(ps, pl, &p) != 0 || p.n == 0)
            return vers_errorf(err, VERS_EFORMAT, "%s:%zu: bad phoneme string", d->path, lineno);
        dict_pron *dp = &d->prons[d->nprons];
        dp->off = (uint32_t)d->nphones;
        dp->n = (uint8_t)p.n;
        memcpy(d->phones + d->nphones, p.ph, (size_t)p.n);
        d->nphones += (size_t)p.n;
        long wi = find_word(d, s, wl);
        if (wi < 0) {
            dict_word *w = &d->words[d->nwords];
            w->key = (uint32_t)(s - d->buf);
            w->keylen = (uint16_t)wl;
            w->npron = 0;
            size_t h = hash_bytes(s, wl) & d->mask;
            while (d->table[h]) h = (h + 1) & d->mask;
            d->table[h] = (uint32_t)(++d->nwords);
            wi = (long)(d->nwords - 1);
        }
        dict_word *w = &d->words[wi];
        if (w->npron < EN_MAX_PRONS) w->pron[w->npron++] = (uint32_t)d->nprons;
        d->nprons++;
        s = le + 1;
    }
    return VERS_OK;
}

static int exe_dir(char *out, size_t size) {
    ssize_t n = readlink("/proc/self/exe", out, size - 1);
    if (n <= 0) return -1;
    out[n] = 0;
    char *slash = strrchr(out, '/');
    if (!slash) return -1;
    *slash = 0;
    return 0;
}

/* First readable file of the default locations into path; 0 when found. */
static int default_path(char *path, size_t size) {
    const char *env = getenv("VERS_CMUDICT");
    if (env && *env) { snprintf(path, size, "%s", env); return access(path, R_OK) == 0 ? 0 : -1; }
    char dir[PATH_MAX];
    static const char *const rel[] = {"/../data/cmudict.txt", "/data/cmudict.txt",
                                      "/../../data/cmudict.txt"};
    if (exe_dir(dir, sizeof dir) == 0) {
        for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
            if ((size_t)snprintf(path, size, "%s%s", dir, rel[i]) >= size) continue;
            if (access(path, R_OK) == 0) return 0;
        }
    }
    static const char *const abs_paths[] = {"data/cmudict.txt", "/usr/local/share/vers/cmudict.txt",
                                            "/usr/share/vers/cmudict.txt"};
    for (size_t i = 0; i < sizeof abs_paths / sizeof abs_paths[0]; i++) {
        snprintf(path, size, "%s", abs_paths[i]);
        if (access(path, R_OK) == 0) return 0;
    }
    return -1;
}

int en_dict_load(const char *path, en_dict **out, vers_err *err) {
    if (!out) return vers_errorf(err, VERS_EINVAL, "en_dict_load: out is NULL");
    *out = NULL;
    en_dict *d = calloc(1, sizeof *d);
    if (!d) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    if (!path) {
        if (default_path(d->path, sizeof d->path) != 0) {
            d->guess_only = 1;
            d->path[0] = 0;
            *out = d;
            vers_errorf(err, VERS_ENOTFOUND,
                        "CMU dictionary not found (run scripts/fetch-cmudict.sh or set VERS_CMUDICT); "
                        "English pronunciations are guessed from spelling");
            return VERS_OK;
        }
    } else {
        snprintf(d->path, sizeof d->path, "%s", path);
    }
    int rc = read_file(d->path, &d->buf, &d->buflen);
    if (rc != VERS_OK) {
        vers_errorf(err, rc, "%s: cannot read the pronouncing dictionary", d->path);
        en_dict_free(d);
        return rc;
    }
    rc = parse_dict(d, err);
    if (rc != VERS_OK) { en_dict_free(d); return rc; }
    *out = d;
    return VERS_OK;
}

void en_dict_free(en_dict *d) {
    if (!d) return;
    free(d->buf);
    free(d->words);
    free(d->prons);
    free(d->phones);
    free(d->table);
    free(d);
}

int en_dict_guess_only(const en_dict *d) { return !d || d->guess_only; }
const char *en_dict_path(const en_dict *d) { return d && !d->guess_only ? d->path : NULL; }
size_t en_dict_size(const en_dict *d) { return d ? d->nwords : 0; }
