/* src/prosody/rhyme_memo.c — rhyme scores of a poem's line pairs, each distinct pair of
 * endings computed once.
 *
 * Scheme detection compares every line with ~32 neighbours, and a score with the English
 * dictionary looks up every pronunciation of both words (~0.7 us): 25 s for a 10^6-line
 * stanza.  But the score depends only on a line's ending — language, last word, rhyme key,
 * modern-spelling key and gender (prosody.c: en_score, fr_score, eye_key read nothing
 * else) — and verse reuses its endings.  So lines are interned by ending (one hash table)
 * and scores kept per ordered pair of endings (a second one, at most MAX_PAIRS entries;
 * past that, pairs are scored without being kept: still linear, only slower). */
#include "prosody/prosody_internal.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PAIRS (1u << 22)     /* 4M pairs kept: 48 MiB */

struct rhyme_memo {
    const vers_prosody *p;
    const vers_line *L;
    int *end;                    /* per line: its ending's number (the first line with it) */
    uint64_t *key;               /* pair table: (a+1) << 32 | (b+1), 0 = empty */
    int *val;
    uint32_t cap, used;
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
    free(m->end); free(m->key); free(m->val); free(m);
}

/* Doubles the pair table (from 0 to 1024); 0, or -1 when it is at its limit or memory is short. */
static int grow(rhyme_memo *m) {
    uint32_t nc = m->cap ? m->cap * 2 : 1024;
    if (nc > MAX_PAIRS || nc < m->cap) return -1;
    uint64_t *k = calloc(nc, sizeof *k);
    int *v = malloc(sizeof *v * nc);
    if (!k || !v) { free(k); free(v); return -1; }
    for (uint32_t s = 0; s < m->cap; s++) {
        if (!m->key[s]) continue;
        uint32_t t = (uint32_t)mix(m->key[s]) & (nc - 1);
        while (k[t]) t = (t + 1) & (nc - 1);
        k[t] = m->key[s]; v[t] = m->val[s];
    }
    free(m->key); free(m->val);
    m->key = k; m->val = v; m->cap = nc;
    return 0;
}

int rhyme_memo_score(rhyme_memo *m, int i, int j) {
    int a = m->end[i], b = m->end[j];
    uint64_t k = ((uint64_t)(uint32_t)(a + 1) << 32) | (uint32_t)(b + 1);
    if (m->cap) {
        uint32_t s = (uint32_t)mix(k) & (m->cap - 1);
        for (; m->key[s]; s = (s + 1) & (m->cap - 1))
            if (m->key[s] == k) return m->val[s];
    }
    int sc = rhyme_score_in(m->p, &m->L[a], &m->L[b]);
    if ((m->used + 1) * 2 > m->cap && grow(m)) return sc;    /* kept at most half full */
    uint32_t s = (uint32_t)mix(k) & (m->cap - 1);
    while (m->key[s]) s = (s + 1) & (m->cap - 1);
    m->key[s] = k; m->val[s] = sc; m->used++;
    return sc;
}
