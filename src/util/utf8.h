/* src/util/utf8.h — the one UTF-8 decoder of the program outside the tokenizers (any layer
 * may use it).  Strict: a stray continuation byte, a lead byte C0, C1 or F5..FF, a
 * truncated sequence, an overlong form, a surrogate or a value past U+10FFFF is invalid,
 * so a decoded ASCII value always comes from that one ASCII byte.
 * (src/engine/unicode.h keeps its own decoder on purpose: it reproduces llama.cpp's
 * tokenizer input, which accepts overlong forms and surrogates.) */
#ifndef VERS_UTIL_UTF8_H
#define VERS_UTIL_UTF8_H
#include <stddef.h>
#include <stdint.h>

#define UTF8_REPLACEMENT 0xFFFDu

/* Length (1..4) of the valid UTF-8 sequence at s[0..n), its code point in *cp (cp may be
 * NULL); 0 when the bytes there are not valid UTF-8, or n is 0. */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Length (1..4) of the sequence that lead byte c announces; 0 for a continuation byte
 * or a byte that never leads (C0, C1, F5..FF).  For text cut mid-character: whether the
 * bytes present can be the start of one character. */
size_t utf8_lead_length(unsigned char c);

/* The code point at s[*i] (*i < n), advancing *i past it; an invalid byte gives U+FFFD
 * and advances one byte. */
uint32_t utf8_next(const unsigned char *s, size_t n, size_t *i);
#endif
