/* tests/doubles/fake_lm.c — a small stand-in language model for the writer's tests.
 *
 * Its vocabulary has what makes real tokenizers hard for the writer: whole words with a
 * leading space, the same words cut into two pieces, single letters that can spell any
 * word, punctuation, the line break, a control token, a digit, a stray UTF-8 byte and a
 * bare space.  Its logits are a seeded hash of the last two tokens and the candidate, with
 * a preference for whole words: deterministic, cheap, and wrong in the way a weak model is.
 * The "KV cache" is the token history; truncation shortens it. */
#include "doubles.h"
#include <stdlib.h>
#include <string.h>

static const char *words_en[] = {
    "the", "sea", "night", "light", "day", "way", "sky", "high", "fire", "desire", "heart", "art",
    "love", "above", "moon", "soon", "tune", "rose", "snows", "goes", "flows", "time", "rhyme",
    "chime", "dream", "stream", "gleam", "seem", "wind", "mind", "kind", "find", "blind", "song",
    "long", "strong", "along", "bright", "white", "delight", "flight", "sight", "stone", "alone",
    "bone", "tone", "grey", "stay", "play", "away", "gold", "old", "cold", "hold", "told", "bold",
    "rain", "again", "pain", "plain", "lane", "tree", "free", "see", "me", "be", "river", "ever",
    "never", "forever", "shore", "more", "door", "before", "floor", "and", "a", "in", "of", "my",
    "your", "her", "his", "with", "from", "under", "over", "quiet", "slowly", "little", "morning",
    "evening", "garden", "silver", "green", "deep", "sleep", "keep", "weep", "sweet", "feet",
    "meet", "street", "heavy", "gentle", "water", "summer", "winter", "autumn", "shadow", "window",
    "bird", "word", "heard", "is", "was", "will", "can", "we", "you", "they", "all", "fall",
    "call", "small", "wall", "hall", "tall", "dance", "chance", "glance", "smile", "while", "mile",
    NULL};
static const char *words_fr[] = {
    "la", "le", "les", "mer", "amer", "hiver", "fer", "ciel", "miel", "sel", "nuit", "bruit",
    "fuit", "luit", "jour", "amour", "tour", "retour", "toujours", "rivage", "visage", "orage",
    "nuage", "sage", "âme", "flamme", "lame", "femme", "rose", "chose", "pose", "ose", "ombre",
    "sombre", "nombre", "vent", "souvent", "temps", "printemps", "étang", "sang", "blanc",
    "flanc", "lune", "une", "brune", "dune", "fortune", "étoile", "voile", "toile", "belle",
    "elle", "aile", "ruisseau", "oiseau", "beau", "eau", "tombeau", "flambeau", "cœur", "fleur",
    "douceur", "pleur", "heure", "demeure", "pleure", "meure", "et", "de", "un", "dans", "sur",
    "sous", "mon", "ton", "son", "ma", "ta", "sa", "qui", "que", "au", "doux", "tout", "plus",
    "encore", "aurore", "dore", "sonore", "vague", "bague", "soir", "espoir", "noir", "voir",
    "ciel", "terre", "pierre", "lumière", "prière", "rivière", "chanson", "frisson", "maison",
    "saison", "raison", "horizon", "silence", "danse", "lance", "immense", "songe", "plonge",
    "image", "page", "voyage", "plage", "cage", "mirage", "feuillage", "moisson", "buisson",
    "gazon", "prison", "vallon", "glaçon", "pardon", "tendre", "cendre", "descendre", "attendre",
    NULL};

typedef struct fake {
    int lang;
    uint64_t seed;
    int n_vocab;
    char **tok;          /* token texts; NULL = control */
    int *hist; int n_hist, cap_hist;
} fake;

static uint64_t mix(uint64_t x) {
    x ^= x >> 33; x *= 0xff51afd7ed558ccdull; x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ull; x ^= x >> 33;
    return x;
}

static void fake_logits(fake *f, float *out) {
    int a = f->n_hist > 0 ? f->hist[f->n_hist - 1] : -1;
    int b = f->n_hist > 1 ? f->hist[f->n_hist - 2] : -1;
    for (int t = 0; t < f->n_vocab; t++) {
        uint64_t h = mix(f->seed ^ ((uint64_t)(a + 7) << 20) ^ ((uint64_t)(b + 3) << 40) ^ (uint64_t)t);
        float u = (float)((h >> 11) & 0xFFFF) / 65536.0f;
        float v = 4.0f * u - 2.0f;
        const char *s = f->tok[t];
        if (s && s[0] == ' ' && strlen(s) > 2) v += 1.5f;            /* whole words */
        if (s && s[0] == '\n') v += 0.5f;
        out[t] = v;
    }
}

static int fake_eval(void *ud, const int *toks, int n, float *logits, vers_err *err) {
    fake *f = ud;
    if (f->n_hist + n > f->cap_hist) return vers_errorf(err, VERS_EINVAL, "fake model: context full");
    for (int i = 0; i < n; i++) {
        if (toks[i] < 0 || toks[i] >= f->n_vocab) return vers_errorf(err, VERS_EINVAL, "fake model: bad token %d", toks[i]);
        f->hist[f->n_hist++] = toks[i];
    }
    fake_logits(f, logits);
    return VERS_OK;
}

static int fake_truncate(void *ud, int n) {
    fake *f = ud;
    if (n < 0 || n > f->n_hist) return VERS_EINVAL;
    f->n_hist = n;
    return VERS_OK;
}

static int fake_n_past(void *ud) { return ((fake *)ud)->n_hist; }

/* greedy longest match */
static int fake_tokenize(void *ud, const char *text, int len, int *out, int cap) {
    fake *f = ud;
    int n = 0, i = 0;
    while (i < len) {
        int best = -1, bl = 0;
        for (int t = 0; t < f->n_vocab; t++) {
            const char *s = f->tok[t];
            if (!s) continue;
            int l = (int)strlen(s);
            if (l > bl && l <= len - i && !memcmp(s, text + i, (size_t)l)) { best = t; bl = l; }
        }
        if (best < 0) { i++; continue; }                         /* unknown byte: dropped */
        if (n >= cap) return -1;
        out[n++] = best;
        i += bl;
    }
    return n;
}

static int fake_token_bytes(void *ud, int t, char *buf, int cap) {
    fake *f = ud;
    if (t < 0 || t >= f->n_vocab || !f->tok[t]) return -1;
    int l = (int)strlen(f->tok[t]);
    if (l > cap) l = cap;
    memcpy(buf, f->tok[t], (size_t)l);
    return l;
}

static int fake_special(void *ud, const char *text) {
    fake *f = ud;
    if (!strcmp(text, "<ctl>")) return f->n_vocab - 1;
    return -1;
}

static char *dup2(const char *a, const char *b, int bl) {
    size_t al = strlen(a);
    char *s = malloc(al + (size_t)bl + 1);
    if (!s) return NULL;
    memcpy(s, a, al); memcpy(s + al, b, (size_t)bl); s[al + (size_t)bl] = 0;
    return s;
}

int wr_fake_lm_new(wr_lm *lm, int lang, uint64_t seed, vers_err *err) {
    memset(lm, 0, sizeof *lm);
    fake *f = calloc(1, sizeof *f);
    if (!f) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    f->lang = lang; f->seed = seed;
    const char **W = lang == WR_LANG_FR ? words_fr : words_en;
    int nw = 0;
    while (W[nw]) nw++;
    int cap = nw * 3 + 128;
    f->tok = calloc((size_t)cap, sizeof *f->tok);
    f->cap_hist = 4096;
    f->hist = malloc(sizeof(int) * (size_t)f->cap_hist);
    if (!f->tok || !f->hist) { free(f->tok); free(f->hist); free(f); return vers_errorf(err, VERS_ENOMEM, "out of memory"); }
    int n = 0;
    static const char *fixed[] = {"\n", ",", ".", "!", "?", ";", " ", "7", "\xC3", "A", "T", "L", "poem", "about", "Un", "poème", "sur", NULL};
    for (int i = 0; fixed[i]; i++) f->tok[n++] = dup2(fixed[i], "", 0);
    for (char c = 'a'; c <= 'z'; c++) { char s[2] = {c, 0}; f->tok[n++] = dup2(s, "", 0); }
    for (int i = 0; i < nw; i++) {
        const char *w = W[i];
        int l = (int)strlen(w);
        f->tok[n++] = dup2(" ", w, l);                                /* whole word */
        if (l >= 4 && i % 3 == 2) {                                  /* and in two pieces */
            int cut = l / 2;
            while (cut < l && ((unsigned char)w[cut] & 0xC0) == 0x80) cut++;
            int have = 0;
            for (int t = 0; t < n; t++) if (f->tok[t] && (int)strlen(f->tok[t]) == cut + 1 && !memcmp(f->tok[t] + 1, w, (size_t)cut) && f->tok[t][0] == ' ') have = 1;
            if (!have) f->tok[n++] = dup2(" ", w, cut);
            have = 0;
            for (int t = 0; t < n; t++) if (f->tok[t] && !strcmp(f->tok[t], w + cut)) have = 1;
            if (!have) f->tok[n++] = dup2("", w + cut, l - cut);
        }
    }
    f->tok[n++] = NULL;                                              /* "<ctl>": control token */
    for (int t = 0; t < n - 1; t++) if (!f->tok[t]) { for (int k = 0; k < t; k++) free(f->tok[k]); free(f->tok); free(f->hist); free(f); return vers_errorf(err, VERS_ENOMEM, "out of memory"); }
    f->n_vocab = n;
    lm->ud = f;
    lm->n_vocab = n;
    lm->n_ctx = f->cap_hist;
    lm->bos = -1;
    lm->eval = fake_eval;
    lm->truncate = fake_truncate;
    lm->n_past = fake_n_past;
    lm->tokenize = fake_tokenize;
    lm->token_bytes = fake_token_bytes;
    lm->special = fake_special;
    return VERS_OK;
}

void wr_fake_lm_free(wr_lm *lm) {
    fake *f = lm->ud;
    if (!f) return;
    for (int t = 0; t < f->n_vocab; t++) free(f->tok[t]);
    free(f->tok); free(f->hist); free(f);
    memset(lm, 0, sizeof *lm);
}
