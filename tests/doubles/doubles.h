/* tests/doubles/doubles.h — test doubles for the writer's search (linked into the tests
 * only, never into the library): a fake language model and a spelling-rule ear, so that
 * the search can be tested without a GGUF file and apart from src/prosody. */
#ifndef VERS_TEST_DOUBLES_H
#define VERS_TEST_DOUBLES_H
#include "write/wr.h"

/* A small word-piece language model over a fixed English/French word list with seeded
 * pseudo-random bigram logits: exercises the search without a GGUF file. */
int  wr_fake_lm_new(wr_lm *lm, int lang, uint64_t seed, vers_err *err);
void wr_fake_lm_free(wr_lm *lm);
/* A spelling-rule ear (vowel groups, mute e, last vowel group as rhyme key); check_poem
 * verifies the plan itself (vers_plan), independently of src/prosody. */
void wr_simple_oracle(wr_oracle *or, int lang);
#endif
