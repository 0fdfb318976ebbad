/* fuzz/fuzz_json_parse.c — libFuzzer target for the strict JSON reader of vers serve's
 * request bodies (src/util/json_parse.c; make fuzz, docs/RELIABILITY.md).
 *
 *   build-fuzz/fuzz_json_parse -max_len=70000 fuzz/corpus/json
 *
 * Every input is either refused with a one-line message or read into fields whose strings
 * are NUL-terminated, of their stated length, without a NUL inside, and valid UTF-8 (the
 * body was).  ASan/UBSan catch reads outside the input. */
#include "util/json_parse.h"
#include "util/utf8.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check(int cond, const char *what) {
    if (!cond) { fprintf(stderr, "fuzz_json_parse: invariant broken: %s\n", what); abort(); }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    json_object o;
    char msg[256] = "";
    if (json_parse_object((const char *)data, size, 16, &o, msg, sizeof msg)) {
        check(msg[0] && !strchr(msg, '\n'), "a refusal has a one-line message");
        return 0;
    }
    check(o.n <= 16, "at most the fields asked");
    for (int i = 0; i < o.n; i++) {
        const json_field *f = &o.f[i];
        check(json_get(&o, f->key) == f, "keys are unique");
        if (f->type != JSON_STRING) continue;
        check(strlen(f->str) == f->len, "no NUL inside a string");
        for (size_t k = 0; k < f->len;) {
            size_t n = utf8_decode((const unsigned char *)f->str + k, f->len - k, NULL);
            check(n > 0, "strings are valid UTF-8");
            k += n;
        }
    }
    json_object_free(&o);
    return 0;
}
