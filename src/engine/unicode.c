/* src/engine/unicode.c — UTF-8 decoding with llama.cpp's rules and GPT-2's byte-level
 * character mapping.  The category tables are in unicode_tables.c (generated). */
#include "unicode.h"

uint32_t vu_decode(const uint8_t *s, size_t len, size_t *pos) {
    size_t i = *pos;
    uint8_t c = s[i];
    uint32_t cp;
    size_t n;
    if (!(c & 0x80)) { *pos = i + 1; return c; }
    if (!(c & 0x40)) goto bad;                              /* stray continuation byte */
    if (!(c & 0x20)) { n = 2; cp = c & 0x1f; }
    else if (!(c & 0x10)) { n = 3; cp = c & 0x0f; }
    else if (!(c & 0x08)) { n = 4; cp = c & 0x07; }
    else goto bad;                                          /* 0xF8..0xFF */
    if (i + n > len) goto bad;
    for (size_t k = 1; k < n; k++) {
        if ((s[i + k] & 0xc0) != 0x80) goto bad;
        cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if (cp > VU_MAX_CODEPOINT) goto bad;
    *pos = i + n;
    return cp;
bad:
    *pos = i + 1;
    return VU_REPLACEMENT;
}

size_t vu_encode(uint32_t cp, uint8_t *out) {
    if (cp <= 0x7f) { out[0] = (uint8_t)cp; return 1; }
    if (cp <= 0x7ff) {
        out[0] = (uint8_t)(0xc0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp <= 0xffff) {
        out[0] = (uint8_t)(0xe0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (uint8_t)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (uint8_t)(0xf0 | ((cp >> 18) & 0x07));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (uint8_t)(0x80 | (cp & 0x3f));
    return 4;
}

/* Printable Latin-1 bytes stand for themselves; the 68 others (0x00-0x20, 0x7F-0xA0,
 * 0xAD) take U+0100.. in byte order. */
uint32_t vu_byte_to_cp(uint8_t b) {
    if (b <= 0x20) return 256u + b;
    if (b >= 0x7f && b <= 0xa0) return 256u + 33 + (b - 0x7fu);
    if (b == 0xad) return 256u + 67;
    return b;
}

int vu_cp_to_byte(uint32_t cp) {
    if (cp < 256) return (cp <= 0x20 || (cp >= 0x7f && cp <= 0xa0) || cp == 0xad) ? -1 : (int)cp;
    if (cp < 256 + 33) return (int)(cp - 256);
    if (cp < 256 + 67) return (int)(cp - 256 - 33 + 0x7f);
    if (cp == 256 + 67) return 0xad;
    return -1;
}
