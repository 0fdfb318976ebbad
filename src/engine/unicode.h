/* src/engine/unicode.h — the Unicode facts the tokenizers need: UTF-8 decoding with
 * llama.cpp's rules, the general category and White_Space of a code point (tables of
 * Unicode 15.1, as llama.cpp b4747 has them), and GPT-2's byte <-> character mapping. */
#ifndef VERS_UNICODE_H
#define VERS_UNICODE_H
#include <stdint.h>
#include <stddef.h>

/* Category numbers (bits 0-2 of a flags byte), one per general-category group. */
enum {
    VU_UNDEFINED = 0,   /* Cn: unassigned */
    VU_NUMBER = 1,      /* N*  \p{N} */
    VU_LETTER = 2,      /* L*  \p{L} */
    VU_SEPARATOR = 3,   /* Z*  */
    VU_MARK = 4,        /* M*  \p{M} */
    VU_PUNCT = 5,       /* P*  \p{P} */
    VU_SYMBOL = 6,      /* S*  \p{S} */
    VU_CONTROL = 7,     /* Cc Cf Co Cs */
    VU_CAT_MASK = 7,
    VU_WHITESPACE = 8   /* White_Space property (\s) */
};

#define VU_MAX_CODEPOINT 0x10FFFFu
#define VU_REPLACEMENT   0xFFFDu

extern const uint16_t vers_unicode_stage1[];
extern const uint8_t vers_unicode_stage2[][256];

/* Flags of a code point; code points past U+10FFFF are undefined. */
static inline unsigned vu_flags(uint32_t cp) {
    if (cp > VU_MAX_CODEPOINT) return VU_UNDEFINED;
    return vers_unicode_stage2[vers_unicode_stage1[cp >> 8]][cp & 255];
}
static inline int vu_is_letter(uint32_t cp) { return (vu_flags(cp) & VU_CAT_MASK) == VU_LETTER; }
static inline int vu_is_number(uint32_t cp) { return (vu_flags(cp) & VU_CAT_MASK) == VU_NUMBER; }
static inline int vu_is_space(uint32_t cp)  { return (vu_flags(cp) & VU_WHITESPACE) != 0; }

/* Length of the UTF-8 sequence a lead byte announces, from its high nibble only
 * (llama.cpp's unicode_len_utf8: continuation bytes count 1, 0xF8..0xFF count 4). */
static inline size_t vu_len_utf8(uint8_t lead) {
    static const uint8_t lookup[16] = { 1,1,1,1,1,1,1,1, 1,1,1,1, 2,2, 3, 4 };
    return lookup[lead >> 4];
}

/* Decodes one code point at s[*pos] (pos < len) and advances *pos.  As llama.cpp's
 * unicode_cpts_from_utf8: a malformed sequence yields U+FFFD and advances one byte;
 * overlong forms and surrogates are accepted as they decode.  A value past U+10FFFF
 * (lead bytes F4 90.. to F7) also yields U+FFFD and one byte (llama.cpp throws there). */
uint32_t vu_decode(const uint8_t *s, size_t len, size_t *pos);

/* Writes the UTF-8 form of cp (<= U+10FFFF) to out (4 bytes room); returns its length. */
size_t vu_encode(uint32_t cp, uint8_t *out);

/* GPT-2 bytes_to_unicode: the code point that stands for byte b in byte-level BPE tokens. */
uint32_t vu_byte_to_cp(uint8_t b);
/* Inverse: the byte a code point stands for, or -1 if it stands for none. */
int vu_cp_to_byte(uint32_t cp);

#endif
