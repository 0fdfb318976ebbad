/* src/prosody/rhyme_memo.c — rhyme scores of a poem's line pairs, each distinct pair of
 * endings computed once.
 *
 * Scheme detection compares every line with ~32 neighbours, and a score with the English
 * dictionary looks up every pronunciation of both words (~0.7 us): 25 s for a 10^6-line
 * stanza.  But the score depends only on a line's ending — language, last word, rhyme key,
 * modern-spelling key and gender (prosody.c: en_score, fr_score, eye_key read nothing
 * else) — and verse reuses its endings.  So lines are interned by ending (one hash table)
 * and recent scores kept per ordered pair of endings (a direct-mapped cache of N_PAIRS: a
 * new pair replaces the one in its slot, so the memory stays fixed and in cache, and a
 * poem that repeats its endings scores each pair once).  A pair not in the cache is scored
 * from prepared endings (rhyme_prep: dictionary keys, phonemes, eye key derived once per
 * ending while it is in a small cache, not once per comparison). */
#include "prosody/prosody_internal.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N_PAIRS (1u << 16)       /* pair scores kept: 768 KiB, about a core's L2 */
#define N_PREP 256               /* prepared endings kept (the window's lines, and the poem's
                                    frequent endings) */

struct rhyme_memo {
    const vers_prosody *p;
    const vers_line *L;
    int *end;                    /* per line: its ending's number (the first line with it) */
    uint64_t key[N_PAIRS];       /* pair cache: (a+1) << 32 | (b+1), 0 = empty */
    int val[N_PAIRS];
    int prep_of[N_PREP];         /* which ending each prepared slot holds, -1 none */
    rhyme_prep prep[N_PREP];
};

static uint64_t mix(uint64_t h) {             /* splitmix64's finaliser */
    h ^= h >> 30; h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27; h *= 0x94d049bb133111ebull;
    return h ^ (h >> 31);
}
static uint64_t hash_str(uint64_t h, const char *s, size_t cap) {
    for (size_t i = 0; i < cap && s[i]; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return mix(h);
}
static uint64_t ending_hash(const vers_line *x) {
    uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)(unsigned)x->lang ^ ((uint64_t)(unsigned char)x->gender << 8);
    h = hash_str(h, x->last_word, sizeof x->last_word);
    h = hash_str(h, x->rhyme_key, sizeof x->rhyme_key);
    return hash_str(h, x->alt_key, sizeof x->alt_key);
}
static int same_ending(const vers_line *a, const vers_line *b) {
    return a->lang == b->lang && a->gender == b->gender &&
           !strncmp(a->last_word, b->last_word, sizeof a->last_word) &&
           !strncmp(a->rhyme_key, b->rhyme_key, sizeof a->rhyme_key) &&
           !strncmp(a->alt_key, b->alt_key, sizeof a->alt_key);
}

rhyme_memo *rhyme_memo_new(const vers_prosody *p, const vers_line *L, int n) {
    rhyme_memo *m = calloc(1, sizeof *m);
    if (!m || n < 0) { free(m); return NULL; }
    m->p = p; m->L = L;
    for (int k = 0; k < N_PREP; k++) m->prep_of[k] = -1;
    size_t tcap = 16;
    while (tcap < (size_t)n * 2) tcap *= 2;
    int *slot = malloc(sizeof *slot * tcap);       /* ending table: a line index, -1 = empty */
    m->end = malloc(sizeof *m->end * ((size_t)n + 1));
    if (!slot || !m->end) { free(slot); rhyme_memo_free(m); return NULL; }
    for (size_t s = 0; s < tcap; s++) slot[s] = -1;
    for (int i = 0; i < n; i++) {
        size_t s = (size_t)ending_hash(&L[i]) & (tcap - 1);
        while (slot[s] >= 0 && !same_ending(&L[slot[s]], &L[i])) s = (s + 1) & (tcap - 1);
        if (slot[s] < 0) slot[s] = i;
        m->end[i] = slot[s];
    }
    free(slot);
    return m;
}

void rhyme_memo_free(rhyme_memo *m) {
    if (!m) return;
    free(m->end); free(m);
}

static int prep_slot(int e) { return (int)(((uint32_t)e * 2654435761u) >> 24) & (N_PREP - 1); }
static rhyme_prep *prep_get(rhyme_memo *m, int e, int slot) {
    if (m->prep_of[slot] != e) { rhyme_prep_init(&m->prep[slot], &m->L[e]); m->prep_of[slot] = e; }
    return &m->prep[slot];
}

int rhyme_memo_score(rhyme_memo *m, int i, int j) {
    int a = m->end[i], b = m->end[j];
    uint64_t k = ((uint64_t)(uint32_t)(a + 1) << 32) | (uint32_t)(b + 1);
    uint32_t s = (uint32_t)mix(k) & (N_PAIRS - 1);
    if (m->key[s] == k) return m->val[s];
    int sa = prep_slot(a), sb = prep_slot(b);
    rhyme_prep *pa = prep_get(m, a, sa), other, *pb;
    if (sb != sa || b == a) pb = prep_get(m, b, sb);
    else { rhyme_prep_init(&other, &m->L[b]); pb = &other; }   /* one slot, two endings */
    int sc = rhyme_score_prep(m->p, pa, pb);
    m->key[s] = k; m->val[s] = sc;
    return sc;
}
