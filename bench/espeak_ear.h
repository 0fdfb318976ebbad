/* bench/espeak_ear.h — an independent ear for the writer's evaluation (bench_write): do the
 * lines vers says rhyme end on the same sounds in espeak-ng's phonemes?
 *
 * A word's ending is espeak-ng's IPA for it from the last vowel on (a nasal vowel with its
 * tilde), stress and length marks dropped, and the distinctions verse does not make at the
 * rhyme folded (ɔ/o, ɑ/a, œ̃/ɛ̃, ɪ/i) — the same reading as scripts/rhyme-crosscheck.py.  Two
 * line-end words rhyme for this ear when their endings are equal.  Linked with
 * -lespeak-ng (a build dependency of the benches only; vers itself never calls espeak). */
#ifndef VERS_BENCH_ESPEAK_EAR_H
#define VERS_BENCH_ESPEAK_EAR_H
#include <espeak-ng/speak_lib.h>
#include <stdint.h>
#include <string.h>

static int ear_ready = -1;            /* -1 not tried, 0 unavailable, 1 ready */
static char ear_voice[8] = "";

static int ear_init(void) {
    if (ear_ready < 0) ear_ready = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, NULL, 0) > 0;
    return ear_ready;
}

static int ear_is_vowel(uint32_t c) {
    static const uint32_t v[] = {'a', 'e', 'i', 'o', 'u', 'y', 0x251, 0x250, 0x25B, 0x259, 0x25A, 0x25C, 0x26A,
                                 0x254, 0x28A, 0x28F, 0xF8, 0x153, 0xE6, 0x252, 0x28C, 0x268, 0x1D7B};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) if (v[i] == c) return 1;
    return 0;
}

static uint32_t ear_next(const unsigned char *s, int *adv) {
    if (s[0] < 0x80) { *adv = 1; return s[0]; }
    if ((s[0] & 0xE0) == 0xC0 && s[1]) { *adv = 2; return (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F); }
    if ((s[0] & 0xF0) == 0xE0 && s[1] && s[2]) { *adv = 3; return (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F); }
    if ((s[0] & 0xF8) == 0xF0 && s[1] && s[2] && s[3]) { *adv = 4; return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 | (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F); }
    *adv = 1; return 0xFFFD;
}

/* The ending of a word in code points (out, at most cap); returns its length, 0 when espeak
 * gives nothing, -1 when espeak is unavailable. */
static int ear_ending(const char *lang, const char *word, uint32_t *out, int cap) {
    if (!ear_init()) return -1;
    if (strcmp(ear_voice, lang)) {
        /* American English: the pronunciations CMUdict, vers's English ear, gives */
        if (espeak_SetVoiceByName(strcmp(lang, "en") ? lang : "en-us") != EE_OK) return -1;
        snprintf(ear_voice, sizeof ear_voice, "%s", lang);
    }
    const void *p = word;
    const char *ipa = espeak_TextToPhonemes(&p, espeakCHARS_UTF8, 0x02);
    if (!ipa) return 0;
    uint32_t cp[256];
    int n = 0;
    for (const unsigned char *s = (const unsigned char *)ipa; *s && n < 255;) {
        int adv; uint32_t c = ear_next(s, &adv);
        s += adv;
        if (c == 0x2C8 || c == 0x2CC || c == 0x2D0 || c == '-') continue;   /* stress, length */
        if (c == ' ' || c == '_') { n = 0; continue; }                       /* the last word only */
        cp[n++] = c;
    }
    int m = 0;
    for (int i = 0; i < n; i++) {                                             /* fold */
        uint32_t c = cp[i];
        int nasal = i + 1 < n && cp[i + 1] == 0x303;
        if (c == 0x254 && !nasal) c = 'o';
        else if (c == 0x251 && !nasal) c = 'a';
        else if (c == 0x153 && nasal) c = 0x25B;
        else if (c == 0x26A) c = 'i';
        cp[m++] = c;
    }
    int v = m - 1;
    while (v >= 0 && !ear_is_vowel(cp[v])) v--;
    if (v < 0) v = 0;
    int k = 0;
    for (int i = v; i < m && k < cap; i++) out[k++] = cp[i];
    return k;
}

/* 1 when espeak hears the two words rhyme, 0 when not, -1 when it cannot tell. */
static int ear_rhymes(const char *lang, const char *a, const char *b) {
    uint32_t x[64], y[64];
    int nx = ear_ending(lang, a, x, 64), ny = ear_ending(lang, b, y, 64);
    if (nx < 0 || ny < 0) return -1;
    return nx > 0 && nx == ny && !memcmp(x, y, sizeof(uint32_t) * (size_t)nx);
}
#endif
