/* src/util/utf8.c — strict UTF-8 decoding (see utf8.h). */
#include "util/utf8.h"

size_t utf8_lead_length(unsigned char c) {
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return 2;
    if (c >= 0xE0 && c <= 0xEF) return 3;
    if (c >= 0xF0 && c <= 0xF4) return 4;
    return 0;
}

size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
    if (!s || !n) return 0;
    unsigned c = s[0];
    size_t k;
    uint32_t min, v;
    if (c < 0x80) { if (cp) *cp = c; return 1; }
    k = utf8_lead_length((unsigned char)c);
    if (k == 2) { min = 0x80; v = c & 0x1F; }
    else if (k == 3) { min = 0x800; v = c & 0x0F; }
    else if (k == 4) { min = 0x10000; v = c & 0x07; }
    else return 0;
    if (n < k) return 0;
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    if (cp) *cp = v;
    return k;
}

uint32_t utf8_next(const unsigned char *s, size_t n, size_t *i) {
    uint32_t cp;
    size_t k = *i < n ? utf8_decode(s + *i, n - *i, &cp) : 0;
    if (!k) { (*i)++; return UTF8_REPLACEMENT; }
    *i += k;
    return cp;
}
