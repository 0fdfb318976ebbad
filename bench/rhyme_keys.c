/* bench/rhyme_keys.c — the rhyme key vers hears for each word of a list, for the offline
 * cross-check with espeak-ng (French) and CMUdict (English): scripts/rhyme-crosscheck.py.
 *
 *   build/bench/rhyme_keys --lang fr|en [--dict CMUDICT] < words.txt
 *
 * Reads one word a line (a tab and anything after it ignored, '#' lines skipped) and prints
 * "word<TAB>rhyme key<TAB>gender<TAB>syllables", the word scanned alone as a line's last word
 * (vers_scan_line, the scan `vers check` makes). */
#include "vers.h"
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    int lang = VERS_LANG_FR;
    const char *dict = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--lang") && i + 1 < argc) lang = vers_lang_parse(argv[++i]);
        else if (!strcmp(argv[i], "--dict") && i + 1 < argc) dict = argv[++i];
        else { fprintf(stderr, "usage: rhyme_keys --lang fr|en [--dict FILE] < words\n"); return 2; }
    }
    if (lang != VERS_LANG_FR && lang != VERS_LANG_EN) { fprintf(stderr, "rhyme_keys: --lang fr or en\n"); return 2; }
    vers_err err = {0};
    vers_prosody *p = NULL;
    if (vers_prosody_open(dict, &p, &err)) { fprintf(stderr, "rhyme_keys: %s\n", err.msg); return 2; }
    char line[512];
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strcspn(line, "\t\r\n");
        if (n == 0 || line[0] == '#') continue;
        line[n] = 0;
        vers_line vl;
        if (vers_scan_line(p, lang, line, n, 0, &vl)) continue;
        printf("%s\t%s\t%c\t%d\n", line, vl.rhyme_key, vl.gender ? vl.gender : '-', vl.syllables);
    }
    vers_prosody_close(p);
    return 0;
}
