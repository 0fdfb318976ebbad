/* tests/test_util.c — src/util: the one strict UTF-8 decoder (utf8.h) and the JSON string
 * writer (json.h) that the CLI and the prosody layer share. */
#include "test.h"
#include "util/utf8.h"
#include "util/json.h"
#include <stdint.h>

static size_t dec(const char *s, size_t n, uint32_t *cp) { return utf8_decode((const unsigned char *)s, n, cp); }

int main(void) {
    T_CASE("utf8: valid sequences of 1 to 4 bytes") {
        uint32_t cp = 0;
        T_CHECK(dec("A", 1, &cp) == 1 && cp == 'A', "A");
        T_CHECK(dec("\xc3\xa9", 2, &cp) == 2 && cp == 0xE9, "é %x", cp);
        T_CHECK(dec("\xe2\x80\x99", 3, &cp) == 3 && cp == 0x2019, "’ %x", cp);
        T_CHECK(dec("\xf0\x9f\x98\x80", 4, &cp) == 4 && cp == 0x1F600, "emoji %x", cp);
        T_CHECK(dec("\xf4\x8f\xbf\xbf", 4, &cp) == 4 && cp == 0x10FFFF, "U+10FFFF");
        T_CHECK(dec("\xc3\xa9", 2, NULL) == 2, "cp may be NULL");
    }
    T_CASE("utf8: invalid sequences are length 0") {
        const char *bad[] = {"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xed\xa0\x80",
                             "\xf0\x80\x80\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xc3\x41"};
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
            T_CHECK(dec(bad[i], strlen(bad[i]), NULL) == 0, "bad %zu accepted", i);
        T_CHECK(dec("\xe2\x80", 2, NULL) == 0 && dec("\xc3\xa9", 1, NULL) == 0, "truncated");
        T_CHECK(dec("A", 0, NULL) == 0 && dec(NULL, 3, NULL) == 0, "empty / NULL");
    }
    T_CASE("utf8: utf8_next walks a string, U+FFFD and one byte for an invalid one") {
        const unsigned char s[] = "a\xc3\xa9\xff\xe2\x80\x99";
        size_t n = sizeof s - 1, i = 0;
        uint32_t want[] = {'a', 0xE9, UTF8_REPLACEMENT, 0x2019};
        size_t at[] = {1, 3, 4, 7};
        for (int k = 0; k < 4; k++) {
            uint32_t cp = utf8_next(s, n, &i);
            T_CHECK(cp == want[k] && i == at[k], "step %d: %x at %zu", k, cp, i);
        }
    }
    T_CASE("utf8: utf8_lead_length is the length utf8_decode accepts, 0 where no character starts") {
        T_CHECK(utf8_lead_length('a') == 1 && utf8_lead_length(0xC3) == 2 && utf8_lead_length(0xE2) == 3 &&
                utf8_lead_length(0xF0) == 4, "1..4");
        T_CHECK(utf8_lead_length(0x80) == 0 && utf8_lead_length(0xBF) == 0, "continuation bytes");
        T_CHECK(utf8_lead_length(0xC0) == 0 && utf8_lead_length(0xC1) == 0 && utf8_lead_length(0xF5) == 0 &&
                utf8_lead_length(0xFF) == 0, "bytes that never lead");
        const char *good[] = {"A", "\xc3\xa9", "\xe2\x80\x99", "\xf0\x9f\x98\x80"};
        for (size_t i = 0; i < 4; i++)
            T_CHECK(utf8_lead_length((unsigned char)good[i][0]) == dec(good[i], strlen(good[i]), NULL), "%zu", i);
    }
    T_CASE("json: strings escaped, invalid UTF-8 repaired") {
        json_buf b;
        json_init(&b);
        const char in[] = "a\"b\\c\n\x01\xc3\xa9\xff";
        json_string(&b, in, sizeof in - 1);
        T_CHECK(!b.oom && b.n == strlen("\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\\ufffd\"") &&
                !memcmp(b.p, "\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\\ufffd\"", b.n), "got %.*s", (int)b.n, b.p);
        json_free(&b);
    }
    T_DONE();
}
