/* src/prosody/en_poem.c — the metre of a whole English poem, from its lines' own scans.
 *
 * A line read alone is ambiguous between binary and triple metre: "There was a young lady
 * from Crewe" parses as well as iambs with an inversion as it does as anapests.  The poem
 * decides: when its lines, read alone, already lean on two-syllable dips far more than
 * iambic or trochaic verse does (an occasional anapestic substitution), it is in triple
 * metre, and its lines are scanned again with that as a prior (en_meter.c: two-syllable
 * dips cost nothing and their syllables are read light). */
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
}
