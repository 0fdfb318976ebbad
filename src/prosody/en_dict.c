/* src/prosody/en_dict.c — the CMU pronouncing dictionary in memory: loading and O(1) lookup.
 *
 * The file (data/cmudict.txt, made by scripts/fetch-cmudict.sh) has one pronunciation per
 * line, "word PH ON ES", variants spelled "word(2)".  We read it with one read(), keep the
 * words in that buffer, encode the phonemes one byte each (see en_internal.h) and index the
 * words in an open-addressing hash table (FNV-1a, linear probing, load ≤ 1/2).  That takes
 * ~30-70 ms for 135k entries, so the tables are also written once as a binary image beside
 * the text (data/cmudict.bin) that later loads map in well under a millisecond.  After
 * loading the dictionary is read-only, so threads may share it.  Every length read from the file is checked; a malformed line is an error
 * (we would rather say so than half-know English). */
#include "prosody/en_internal.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

/* Symbol → phoneme index: a direct table on the symbol's one or two capital letters. */
#define PH_SLOT(a, b) (((a) - 'A') * 27 + ((b) ? (b) - 'A' + 1 : 0))
static const signed char phone_slots[26 * 27] = {
    [PH_SLOT('A', 'A')] = EN_AA + 1,
    [PH_SLOT('A', 'E')] = EN_AE + 1,
    [PH_SLOT('A', 'H')] = EN_AH + 1,
    [PH_SLOT('A', 'O')] = EN_AO + 1,
    [PH_SLOT('A', 'W')] = EN_AW + 1,
    [PH_SLOT('A', 'Y')] = EN_AY + 1,
    [PH_SLOT('B', 0)] = EN_B + 1,
    [PH_SLOT('C', 'H')] = EN_CH + 1,
    [PH_SLOT('D', 0)] = EN_D + 1,
    [PH_SLOT('D', 'H')] = EN_DH + 1,
    [PH_SLOT('E', 'H')] = EN_EH + 1,
    [PH_SLOT('E', 'R')] = EN_ER + 1,
    [PH_SLOT('E', 'Y')] = EN_EY + 1,
    [PH_SLOT('F', 0)] = EN_F + 1,
    [PH_SLOT('G', 0)] = EN_G + 1,
    [PH_SLOT('H', 'H')] = EN_HH + 1,
    [PH_SLOT('I', 'H')] = EN_IH + 1,
    [PH_SLOT('I', 'Y')] = EN_IY + 1,
    [PH_SLOT('J', 'H')] = EN_JH + 1,
    [PH_SLOT('K', 0)] = EN_K + 1,
    [PH_SLOT('L', 0)] = EN_L + 1,
    [PH_SLOT('M', 0)] = EN_M + 1,
    [PH_SLOT('N', 0)] = EN_N + 1,
    [PH_SLOT('N', 'G')] = EN_NG + 1,
    [PH_SLOT('O', 'W')] = EN_OW + 1,
    [PH_SLOT('O', 'Y')] = EN_OY + 1,
    [PH_SLOT('P', 0)] = EN_P + 1,
    [PH_SLOT('R', 0)] = EN_R + 1,
    [PH_SLOT('S', 0)] = EN_S + 1,
    [PH_SLOT('S', 'H')] = EN_SH + 1,
    [PH_SLOT('T', 0)] = EN_T + 1,
    [PH_SLOT('T', 'H')] = EN_TH + 1,
    [PH_SLOT('U', 'H')] = EN_UH + 1,
    [PH_SLOT('U', 'W')] = EN_UW + 1,
    [PH_SLOT('V', 0)] = EN_V + 1,
    [PH_SLOT('W', 0)] = EN_W + 1,
    [PH_SLOT('Y', 0)] = EN_Y + 1,
    [PH_SLOT('Z', 0)] = EN_Z + 1,
    [PH_SLOT('Z', 'H')] = EN_ZH + 1,
};

static int phone_index(const char *s, size_t n) {
    if (n < 1 || n > 2 || s[0] < 'A' || s[0] > 'Z') return -1;
    if (n == 2 && (s[1] < 'A' || s[1] > 'Z')) return -1;
    return phone_slots[PH_SLOT(s[0], n == 2 ? s[1] : 0)] - 1;
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
    uint32_t key;      /* offset of the word in keys (not NUL-terminated) */
    uint16_t keylen;
    uint8_t npron;
    uint8_t pad;
    uint32_t pron[EN_MAX_PRONS]; /* indices into prons */
} dict_word;

typedef struct dict_pron {
    uint32_t off;      /* into phones */
    uint32_t n;
} dict_pron;

typedef struct dict_slot { uint32_t hash, word; } dict_slot;   /* word = index + 1, 0 = empty */

/* The binary cache (data/cmudict.bin, written beside the text on first load): this header,
 * then words, prons, table, phones, keys — the in-memory arrays as they are, so that
 * loading is one mmap.  It is rebuilt when the text's size or mtime differ, and every
 * offset in it is checked before use, like any file we read. */
#define CACHE_MAGIC "VERSCMU1"
typedef struct cache_header {
    char magic[8];
    uint32_t version, nwords, nprons, nphones, tsize, keys_size;
    uint64_t src_size;
    int64_t src_mtime_sec, src_mtime_nsec;
} cache_header;

struct en_dict {
    char *buf;         /* the text file's bytes (text load), or NULL */
    size_t buflen;
    void *map;         /* the mapped cache (cache load), or NULL */
    size_t maplen;
    const char *keys;
    size_t keys_size;
    dict_word *words;
    size_t nwords;
    dict_pron *prons;
    size_t nprons;
    uint8_t *phones;
    size_t nphones;
    dict_slot *table;
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
    uint32_t h = hash_bytes(w, n);
    size_t i = h & d->mask;
    for (size_t probes = 0; probes <= d->mask; probes++, i = (i + 1) & d->mask) {
        const dict_slot *e = &d->table[i];
        if (!e->word) return -1;
        if (e->hash != h || e->word > d->nwords) continue;
        const dict_word *dw = &d->words[e->word - 1];
        if (dw->keylen == n && (size_t)dw->key + n <= d->keys_size && memcmp(d->keys + dw->key, w, n) == 0)
            return (long)(e->word - 1);
    }
    return -1;
}

int en_dict_lookup(const en_dict *d, const char *w, size_t len, en_pron *out, int max) {
    if (!d || len == 0 || len > EN_MAX_WORD) return 0;
    long wi = find_word(d, w, len);
    if (wi < 0) return 0;
    const dict_word *dw = &d->words[wi];
    int k = 0;
    for (int i = 0; i < dw->npron && i < EN_MAX_PRONS && k < max; i++) {
        if (dw->pron[i] >= d->nprons) continue;
        const dict_pron *p = &d->prons[dw->pron[i]];
        if (p->n == 0 || p->n > EN_MAX_PHONES || (size_t)p->off + p->n > d->nphones) continue;
        const uint8_t *ph = d->phones + p->off;
        int ok = 1;
        for (uint32_t j = 0; j < p->n; j++) ok &= EN_PH(ph[j]) < EN_NPHONES && EN_ST(ph[j]) <= 2;
        if (!ok) continue;   /* only a damaged cache can hold these */
        out[k].n = (int)p->n;
        memcpy(out[k].ph, ph, p->n);
        k++;
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
    size_t nlines = 1;
    for (const char *p = d->buf, *e = d->buf + d->buflen; (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++) nlines++;
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
    d->keys = d->buf;
    d->keys_size = d->buflen;
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
        dp->n = (uint32_t)p.n;
        memcpy(d->phones + d->nphones, p.ph, (size_t)p.n);
        d->nphones += (size_t)p.n;
        /* a variant follows its word (same spelling as the previous entry): no lookup;
         * elsewhere a repeated spelling is looked up so that it joins its word */
        long wi = -1;
        if (d->nwords > 0) {
            const dict_word *pw = &d->words[d->nwords - 1];
            if (pw->keylen == wl && memcmp(d->keys + pw->key, s, wl) == 0) wi = (long)(d->nwords - 1);
        }
        if (wi < 0 && (size_t)(sp - s) != wl) wi = find_word(d, s, wl);
        if (wi < 0) {
            dict_word *w = &d->words[d->nwords];
            w->key = (uint32_t)(s - d->buf);
            w->keylen = (uint16_t)wl;
            w->npron = 0;
            w->pad = 0;
            memset(w->pron, 0, sizeof w->pron);
            uint32_t hv = hash_bytes(s, wl);
            size_t h = hv & d->mask;
            while (d->table[h].word) h = (h + 1) & d->mask;
            d->table[h].hash = hv;
            d->table[h].word = (uint32_t)(++d->nwords);
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

/* data/cmudict.txt → data/cmudict.bin (any other name: NAME.bin). */
static int cache_path(const char *text, char *out, size_t size) {
    size_t n = strlen(text);
    if (n >= 4 && strcmp(text + n - 4, ".txt") == 0) n -= 4;
    return (size_t)snprintf(out, size, "%.*s.bin", (int)n, text) < size ? 0 : -1;
}

static size_t align8(size_t x) { return (x + 7) & ~(size_t)7; }

/* Offsets of the arrays in a cache image with header h; 0 when the sizes overflow. */
static size_t cache_layout(const cache_header *h, size_t off[5]) {
    size_t o = align8(sizeof *h);
    off[0] = o; o = align8(o + (size_t)h->nwords * sizeof(dict_word));
    off[1] = o; o = align8(o + (size_t)h->nprons * sizeof(dict_pron));
    off[2] = o; o = align8(o + (size_t)h->tsize * sizeof(dict_slot));
    off[3] = o; o = align8(o + h->nphones);
    off[4] = o; o += h->keys_size;
    return o;
}

/* Maps a valid cache for the text file whose stat is st; 0 on success. */
static int cache_load(en_dict *d, const char *cpath, const struct stat *st) {
    int fd = open(cpath, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat cs;
    if (fstat(fd, &cs) != 0 || !S_ISREG(cs.st_mode) || (size_t)cs.st_size < sizeof(cache_header)) { close(fd); return -1; }
    size_t len = (size_t)cs.st_size;
    void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) return -1;
    const cache_header *h = m;
    size_t off[5];
    if (memcmp(h->magic, CACHE_MAGIC, 8) != 0 || h->version != 1 || h->src_size != (uint64_t)st->st_size ||
        h->src_mtime_sec != (int64_t)st->st_mtim.tv_sec || h->src_mtime_nsec != (int64_t)st->st_mtim.tv_nsec ||
        h->nwords > (1u << 24) || h->nprons > (1u << 24) || h->nphones > (1u << 28) || h->keys_size > (1u << 30) ||
        h->tsize < 2 || h->tsize > (1u << 26) || (h->tsize & (h->tsize - 1)) != 0 || h->nwords >= h->tsize ||
        cache_layout(h, off) != len) {
        munmap(m, len);
        return -1;
    }
    char *base = m;
    d->map = m;
    d->maplen = len;
    d->words = (dict_word *)(void *)(base + off[0]);
    d->nwords = h->nwords;
    d->prons = (dict_pron *)(void *)(base + off[1]);
    d->nprons = h->nprons;
    d->table = (dict_slot *)(void *)(base + off[2]);
    d->mask = h->tsize - 1;
    d->phones = (uint8_t *)(base + off[3]);
    d->nphones = h->nphones;
    d->keys = base + off[4];
    d->keys_size = h->keys_size;
    return 0;
}

/* Writes the cache beside the text (best effort: a read-only directory just means the
 * text is parsed each time).  Written to a temporary name and renamed, so a concurrent
 * reader sees the old file or the whole new one. */
static void cache_write(const en_dict *d, const char *cpath, const struct stat *st) {
    cache_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, CACHE_MAGIC, 8);
    h.version = 1;
    h.nwords = (uint32_t)d->nwords;
    h.nprons = (uint32_t)d->nprons;
    h.nphones = (uint32_t)d->nphones;
    h.tsize = (uint32_t)(d->mask + 1);
    h.src_size = (uint64_t)st->st_size;
    h.src_mtime_sec = (int64_t)st->st_mtim.tv_sec;
    h.src_mtime_nsec = (int64_t)st->st_mtim.tv_nsec;
    for (size_t i = 0; i < d->nwords; i++) h.keys_size += d->words[i].keylen;
    size_t off[5];
    size_t len = cache_layout(&h, off);
    char *img = calloc(1, len);
    if (!img) return;
    memcpy(img, &h, sizeof h);
    dict_word *w = (dict_word *)(void *)(img + off[0]);
    char *keys = img + off[4];
    size_t k = 0;
    for (size_t i = 0; i < d->nwords; i++) {
        w[i] = d->words[i];
        memcpy(keys + k, d->keys + d->words[i].key, d->words[i].keylen);
        w[i].key = (uint32_t)k;
        k += d->words[i].keylen;
    }
    memcpy(img + off[1], d->prons, d->nprons * sizeof(dict_pron));
    memcpy(img + off[2], d->table, (d->mask + 1) * sizeof(dict_slot));
    memcpy(img + off[3], d->phones, d->nphones);
    char tmp[PATH_MAX + 32];
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", cpath, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
        size_t done = 0;
        while (done < len) {
            ssize_t r = write(fd, img + done, len - done);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
            done += (size_t)r;
        }
        if (close(fd) == 0 && done == len) { if (rename(tmp, cpath) != 0) unlink(tmp); }
        else unlink(tmp);
    }
    free(img);
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
    struct stat st;
    char cpath[PATH_MAX + 8];
    int have_cache_path = stat(d->path, &st) == 0 && cache_path(d->path, cpath, sizeof cpath) == 0;
    if (have_cache_path && cache_load(d, cpath, &st) == 0) { *out = d; return VERS_OK; }
    int rc = read_file(d->path, &d->buf, &d->buflen);
    if (rc != VERS_OK) {
        vers_errorf(err, rc, "%s: cannot read the pronouncing dictionary", d->path);
        en_dict_free(d);
        return rc;
    }
    rc = parse_dict(d, err);
    if (rc != VERS_OK) { en_dict_free(d); return rc; }
    if (have_cache_path) cache_write(d, cpath, &st);
    *out = d;
    return VERS_OK;
}

void en_dict_free(en_dict *d) {
    if (!d) return;
    if (d->map) {
        munmap(d->map, d->maplen);
    } else {
        free(d->words);
        free(d->prons);
        free(d->phones);
        free(d->table);
    }
    free(d->buf);
    free(d);
}

int en_dict_guess_only(const en_dict *d) { return !d || d->guess_only; }
const char *en_dict_path(const en_dict *d) { return d && !d->guess_only ? d->path : NULL; }
size_t en_dict_size(const en_dict *d) { return d ? d->nwords : 0; }
