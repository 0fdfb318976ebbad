/* src/prosody/en_poem.c — the metre of a whole English poem, from its lines' own scans.
 *
 * A line read alone is ambiguous between binary and triple metre: "There was a young lady
 * from Crewe" parses as well as iambs with an inversion as it does as anapests.  The poem
 * decides: when its lines, read alone, already lean on two-syllable dips far more than
 * iambic or trochaic verse does (an occasional anapestic substitution), it is in triple
 * metre, and its lines are scanned again with that as a prior (en_meter.c: two-syllable
 * dips cost nothing and their syllables are read light).
 *
 * The poem also says how many beats its lines have.  A rising poem lets two light
 * syllables open a line ("and the YEL-low"), but in a headless line of a four-beat poem
 * that reading loses a beat ("i was AN-gry with my FRIEND"); such a line is read again
 * without the allowance and keeps the reading that has the poem's beats (I WAS an-gry).
 * Both gold sets open these lines on a stress more often than not. */
#include "prosody/en_internal.h"
#include <stdlib.h>

void en_poem_metre(const en_line *lines, int n, en_prior *out) {
    long beats = 0, doubles = 0;
    int rising = 0, falling = 0;
    for (int i = 0; i < n; i++) {
        const en_line *l = &lines[i];
        if (l->beats < 2) continue;
        beats += l->beats;
        doubles += l->doubles;
        /* a line that opens on a weak syllable rises; one that opens on a stressed syllable
         * of a word falls; one that opens on a function word on the beat says nothing (that
         * is the very reading in doubt: "AND the yellow" or "and the YELLOW") */
        if (l->onset > 0) rising++;
        else if (l->first == 'P' || l->first == 'C' || l->first == 'S') falling++;
    }
    out->ternary = beats >= 6 && doubles * 4 >= beats;
    out->rising = rising > falling;
    /* the commonest number of beats among the lines read alone */
    int count[17] = {0}, best = 0;
    for (int i = 0; i < n; i++)
        if (lines[i].beats >= 2 && lines[i].beats <= 16) count[lines[i].beats]++;
    for (int b = 2; b <= 16; b++) if (count[b] > count[best]) best = b;
    out->beats = best;
}

/* A line that opened on two light syllables (onset 2) has one beat fewer than the poem's:
 * read it again as in a falling poem. */
int en_poem_reread(const en_prior *p, const en_line *l, en_prior *alt) {
    if (!p->rising || !p->beats || l->onset < 2 || l->beats >= p->beats) return 0;
    *alt = *p;
    alt->rising = 0;
    return 1;
}
