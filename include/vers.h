/* include/vers.h — the public API of libvers.
 *
 * Four layers (see docs/DESIGN.md): the engine (GGUF models, tokenizers, forward pass,
 * KV cache, samplers), prosody (syllables, stress, rhyme, schemes, forms), the writer
 * (constrained decoding of poems) and the trainer.  Each layer's API is in its own header
 * below; this file is the one a program includes. */
#ifndef VERS_H
#define VERS_H
#include "vers/common.h"
#include "vers/engine.h"
#include "vers/prosody.h"
#include "vers/write.h"
#include "vers/train.h"
#include "vers/tokenizer.h"
#endif
