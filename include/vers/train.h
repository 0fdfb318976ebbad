/* include/vers/train.h — public API of the train layer: byte-level BPE learning, corpus
 * preparation, the llama trainer (pretraining and fine-tuning), checkpoints, GGUF export
 * and loss plots.  See docs/TRAINING.md for the command-line side. */
#ifndef VERS_TRAIN_H
#define VERS_TRAIN_H
#include "vers/common.h"
#include "vers/engine.h"
#include <stdint.h>
#include <stdio.h>

/* ---- model shape (llama architecture) ---- */
typedef struct vers_tconfig {
    int dim;          /* embedding width D */
    int n_layers;
    int n_heads;      /* head_dim = dim / n_heads */
    int n_kv_heads;   /* grouped-query attention: n_heads % n_kv_heads == 0 */
    int hidden_dim;   /* SwiGLU inner width */
    int vocab_size;
    int ctx_len;      /* context length recorded in the GGUF (>= training seq_len) */
    float rope_theta;
    float norm_eps;
    int tied;         /* output projection shares the token embedding */
    int arch;         /* vers_arch (engine.h): VERS_ARCH_LLAMA (0) or VERS_ARCH_LSTM (3: dim is
                         the LSTM's width; heads and hidden_dim unused) */
} vers_tconfig;

/* A model being trained: parameters, gradients and activations for B x T tokens. */
typedef struct vers_tmodel vers_tmodel;

/* Number of parameters of a model of this shape (the checkpoint loader checks the file's
 * length with it before allocating); -1 when the shape is invalid. */
int64_t vers_tconfig_n_params(const vers_tconfig *c);

/* The largest values a run accepts, from the command line or from a checkpoint header. */
typedef struct vers_train_limits {
    int dim, layers, heads, hidden, ctx, batch, seq, accum, eval_every, eval_batches, ckpt_every, threads;
    int64_t steps, batch_tokens;
} vers_train_limits;
const vers_train_limits *vers_train_limits_get(void);

/* Allocates a model (parameters initialised from seed: N(0, 0.02), residual projections
 * scaled by 1/sqrt(2L), norms 1).  B, T: the largest batch the model will run. */
int vers_tmodel_new(const vers_tconfig *c, int B, int T, uint64_t seed, vers_tmodel **out, vers_err *err);
void vers_tmodel_free(vers_tmodel *m);
const vers_tconfig *vers_tmodel_config(const vers_tmodel *m);
int64_t vers_tmodel_n_params(const vers_tmodel *m);
/* Parameters in FLOPs accounting: every weight that takes part in a matrix product
 * (non-embedding weights plus the output head).  Training costs 6 * this per token. */
int64_t vers_tmodel_n_flop_params(const vers_tmodel *m);
float *vers_tmodel_params(vers_tmodel *m);
float *vers_tmodel_grads(vers_tmodel *m);
/* Forward over tokens[B*T] (B <= the B given at creation).  With targets (-1 = ignore),
 * returns the mean cross-entropy; without, returns 0 and leaves logits (see below). */
float vers_tmodel_forward(vers_tmodel *m, const int32_t *tokens, const int32_t *targets, int B, int T);
/* The token that starts a document (<|bos|>): from it on, a row attends only to its own
 * document inside a training window.  -1 (the default): each window is one text. */
void vers_tmodel_set_doc_token(vers_tmodel *m, int32_t id);
/* Backward of the last forward (which must have had targets); adds into the gradients
 * the gradient of loss * grad_scale (grad_scale = 1/accumulation steps). */
void vers_tmodel_backward(vers_tmodel *m, const int32_t *tokens, const int32_t *targets, float grad_scale);
void vers_tmodel_zero_grad(vers_tmodel *m);
/* Profiling: when on, the forward, backward and optimizer add the wall time of each kind
 * of work (matmul, attention, norm, swiglu, rope, residual, loss, embedding, optimizer) to
 * counters, reset when it is turned on.  Returns the number of kinds. */
void vers_tmodel_profile(vers_tmodel *m, int on);
int vers_tmodel_profile_times(const vers_tmodel *m, const char *const **names, const double **seconds);
/* Logits of the last forward without targets: [B*T, vocab]. */
const float *vers_tmodel_logits(const vers_tmodel *m);

/* Parameter tensors in GGUF naming ("token_embd.weight", "blk.0.attn_q.weight", ...). */
typedef struct vers_tparam {
    char name[48];
    int64_t offset;   /* into the parameter array */
    int64_t ne0, ne1; /* GGUF dims: ne0 = row length (inputs), ne1 = rows (1 for vectors) */
    int decay;        /* AdamW weight decay applies (matrices other than the embedding) */
} vers_tparam;
/* Number of tensors, and tensor i (0 <= i < n). */
int vers_tmodel_n_tensors(const vers_tmodel *m);
const vers_tparam *vers_tmodel_tensor(const vers_tmodel *m, int i);

/* Uses at most n threads (OpenMP and OpenBLAS). */
void vers_train_set_threads(int n);

/* ---- tokenizer (byte-level BPE, GGUF "gpt2" model, "gpt-2" pre-tokenizer) ---- */
typedef struct vers_bpe vers_bpe;
#define VERS_BPE_N_SPECIAL 19
/* The special tokens, in id order 0..18: <|bos|> <|eos|> <fr> <en> <prose> <poem> <sonnet>
 * <haiku> <limerick> <quatrain> <villanelle> <rondeau> <couplets> <ballad> <ode> <free>
 * <title> </title> <|pad|>  (byte tokens follow, then merges). */
extern const char *const vers_bpe_specials[VERS_BPE_N_SPECIAL];
enum { VERS_TOK_BOS = 0, VERS_TOK_EOS = 1, VERS_TOK_FR = 2, VERS_TOK_EN = 3,
       VERS_TOK_PROSE = 4, VERS_TOK_POEM = 5, VERS_TOK_TITLE = 16, VERS_TOK_TITLE_END = 17 };

/* Structure codes (PoeLM-style), reserved by vers_bpe_train right after the 19 tags, for
 * fine-tuning on poems with each line's shape written before it: <syl:1> .. <syl:24> (the
 * line's syllable count), <rh:0> .. <rh:255> (its end rhyme, as an index into the
 * language's table of its most frequent rhyme keys), <rh:other> (a rarer rhyme), <stanza>
 * (a stanza break).  Index i of the VERS_BPE_N_STRUCT codes is spelled by
 * vers_bpe_struct_spelling. */
#define VERS_BPE_N_SYL 24
#define VERS_BPE_N_RHYME 256
#define VERS_BPE_N_STRUCT (VERS_BPE_N_SYL + VERS_BPE_N_RHYME + 2)
enum { VERS_STRUCT_SYL = 0,                                   /* + (syllables - 1) */
       VERS_STRUCT_RHYME = VERS_BPE_N_SYL,                     /* + rhyme index */
       VERS_STRUCT_RHYME_OTHER = VERS_BPE_N_SYL + VERS_BPE_N_RHYME,
       VERS_STRUCT_STANZA = VERS_BPE_N_SYL + VERS_BPE_N_RHYME + 1 };
/* Writes the spelling of structure code i (0 <= i < VERS_BPE_N_STRUCT) into buf; returns buf. */
const char *vers_bpe_struct_spelling(int i, char buf[16]);
/* Id of structure code i in this vocabulary, or -1 (tokenizers made before the codes). */
int vers_bpe_struct_id(const vers_bpe *b, int i);

/* Learns merges from text chunks until vocab_size tokens (specials, structure codes, 256
 * bytes, merges).
 * Fails (VERS_EINVAL) when the text cannot support that many merges. */
int vers_bpe_train(const char *const *texts, const size_t *lens, int n_texts, int vocab_size,
                   vers_bpe **out, vers_err *err);
/* Loads tokens/types/merges (bytes_to_unicode spelling, as in GGUF). */
int vers_bpe_from_vocab(const char *const *tokens, const size_t *tok_lens, const int32_t *types,
                        int n_tokens, const char *const *merges, const size_t *merge_lens,
                        int n_merges, vers_bpe **out, vers_err *err);
void vers_bpe_free(vers_bpe *b);
int vers_bpe_vocab_size(const vers_bpe *b);
/* Encodes ordinary text (special-token spellings are NOT recognised).  Appends to *ids
 * (realloc'd, *n and *cap updated). */
int vers_bpe_encode(const vers_bpe *b, const char *text, size_t len, int32_t **ids, size_t *n, size_t *cap);
/* Decodes ids into bytes (specials are written as their spelling).  Returns the byte count
 * (which may exceed cap: then call again with a larger buffer). */
size_t vers_bpe_decode(const vers_bpe *b, const int32_t *ids, size_t n, char *out, size_t cap);
/* Id of a special-token or structure-code spelling, or -1. */
int vers_bpe_special_id(const vers_bpe *b, const char *spelling);
/* Views for GGUF export: token i's spelling (bytes_to_unicode form), type, merge j. */
int vers_bpe_n_merges(const vers_bpe *b);
const char *vers_bpe_token(const vers_bpe *b, int id, size_t *len);
int32_t vers_bpe_token_type(const vers_bpe *b, int id);
const char *vers_bpe_merge(const vers_bpe *b, int j, size_t *len);
/* Serialises into / from a flat buffer (used by checkpoints and the tokenizer file). */
int vers_bpe_save(const vers_bpe *b, const char *path, vers_err *err);   /* GGUF-free .vtok */
int vers_bpe_load(const char *path, vers_bpe **out, vers_err *err);
uint64_t vers_bpe_hash(const vers_bpe *b);

/* ---- corpus ---- */
/* One training document's pieces.  Filled by the record parser. */
typedef struct vers_doc {
    const char *lang, *kind, *form, *title;   /* NUL-terminated, may be "" */
    size_t lang_len, kind_len, form_len, title_len;
    const char *body; size_t body_len;
} vers_doc;
/* Calls fn for every record of a corpus file in memory (plain text without "@@" headers is
 * one document).  Returns VERS_EFORMAT with the line number on malformed records, or what
 * fn returns if non-zero. */
int vers_corpus_parse(const char *buf, size_t len, int (*fn)(const vers_doc *d, void *ctx),
                      void *ctx, vers_err *err);
/* Reads a corpus file, checking it is non-empty UTF-8 text (binary files refused). */
int vers_corpus_read(const char *path, char **buf, size_t *len, vers_err *err);
/* Tokenizes a document as <|bos|><lang><form><title>title</title>\nbody<|eos|>. */
int vers_doc_tokenize(const vers_bpe *b, const vers_doc *d, int32_t **ids, size_t *n, size_t *cap);

/* Token file: every document tokenized once, split train/val by document. */
typedef struct vers_tokens {
    int32_t *train; size_t n_train;
    int32_t *val; size_t n_val;
    int64_t n_docs_train, n_docs_val;
    uint64_t key;            /* hash of tokenizer, corpus contents and split settings */
    char sha256[64][65];     /* hex SHA-256 of each corpus file (first 64) */
    int n_files;
} vers_tokens;
struct vers_prosody;
struct vers_struct_table;
typedef struct vers_data_opts {
    const char *const *files; int n_files;
    double val_frac;          /* share of documents held out (0.02) */
    uint64_t seed;            /* document split seed */
    const char *cache_path;   /* token file (reused when its key matches); NULL: none */
    const char *upsample;     /* e.g. "fr:poem=3": repeat matching documents (train only) */
    /* structure codes (below): poems get them when both are set (our tokenizer only) */
    const struct vers_struct_table *codes;
    const struct vers_prosody *prosody;
} vers_data_opts;

/* ---- structure codes in poems (fine-tuning; see VERS_BPE_N_STRUCT) ---- */
/* The VERS_BPE_N_RHYME most frequent rhyme keys of each language's poem lines in the
 * training documents of o's corpus files (the trainer's split), by the prosody's scanner;
 * ties broken by the key's bytes. */
typedef struct vers_struct_table vers_struct_table;
int vers_struct_table_build(const struct vers_prosody *p, const vers_data_opts *o, vers_struct_table **out, vers_err *err);
void vers_struct_table_free(vers_struct_table *t);
int vers_struct_table_count(const vers_struct_table *t, int lang);           /* VERS_LANG_FR / _EN */
const char *vers_struct_table_key(const vers_struct_table *t, int lang, int i);
/* Index (0 .. count-1) of a rhyme key, or -1 (the line gets <rh:other>). */
int vers_struct_table_rhyme(const vers_struct_table *t, int lang, const char *key);
uint64_t vers_struct_table_hash(const vers_struct_table *t);
/* The table as the notes vers.struct.rhyme.fr / .en ("k1|k2|...", malloc'd) and back. */
char *vers_struct_table_note(const vers_struct_table *t, int lang);
int vers_struct_table_from_notes(const char *fr, const char *en, vers_struct_table **out, vers_err *err);
/* A document as vers_doc_tokenize lays it out, and for a French or English poem, the
 * codes <syl:N><rh:K> before each line and <stanza> before each stanza after the first,
 * inserted between the body's own tokens (the text's tokens are unchanged). */
int vers_doc_tokenize_struct(const vers_bpe *b, const vers_struct_table *t, const struct vers_prosody *p,
                             const vers_doc *d, int32_t **ids, size_t *n, size_t *cap);

int vers_tokens_build(const vers_bpe *b, const vers_data_opts *o, vers_tokens *out, vers_err *err);
/* The same with the engine's tokenizer of a model that is not ours (fine-tuning a model
 * with, e.g., a SentencePiece vocabulary): <|bos|>/<|eos|> are its bos/eos, our control
 * tags are used only where its vocabulary has them, title and body are one text. */
struct vers_tokenizer;
int vers_tokens_build_engine(const struct vers_tokenizer *t, const vers_data_opts *o, vers_tokens *out, vers_err *err);
void vers_tokens_free(vers_tokens *t);
/* The trainer's train/validation split: 1 when record doc_no (0-based, in file order) of
 * corpus file file_no (0-based position in the corpus list) is held out for validation.
 * vers_tokens_build* and held-out evaluation both decide with this function. */
int vers_doc_is_val(uint64_t seed, double val_frac, int file_no, int64_t doc_no);

/* ---- held-out evaluation (vers perplexity --heldout; heldout.c) ---- */
/* Calls fn for every held-out document of the corpus files (the trainer's split for that
 * seed and share), in file and record order; files are read one at a time. */
int vers_heldout_each(const char *const *files, int n_files, uint64_t seed, double val_frac,
                      int (*fn)(const vers_doc *d, int file_no, int64_t doc_no, void *ctx),
                      void *ctx, vers_err *err);
/* How documents are laid out for a model.  A byte-level BPE vocabulary with our control
 * tokens (<|bos|> <fr> <en> <poem> <prose> <title> </title>) gets the trainer's format,
 * made by vers_doc_tokenize; any other vocabulary gets BOS + "TITLE\nBODY" as one text
 * (BOS + "BODY" without a title). */
struct gguf_file;
typedef struct vers_doc_format vers_doc_format;
int vers_doc_format_new(const struct gguf_file *g, const struct vers_tokenizer *t,
                        vers_doc_format **out, vers_err *err);
void vers_doc_format_free(vers_doc_format *f);
int vers_doc_format_is_vers(const vers_doc_format *f);   /* 1: the trainer's control format */
/* Tokens of d (appended to *ids from *n = 0), with ids[*body_start, *body_end) the tokens
 * of its body (a token straddling the title/body boundary counts as body). */
int vers_doc_format_tokens(const vers_doc_format *f, const vers_doc *d, int32_t **ids, size_t *n,
                           size_t *cap, size_t *body_start, size_t *body_end);
/* Adds to *nll and *count the -log p (nats) of ids[first, last) given the tokens before
 * them.  A sequence longer than window is read in windows of window tokens whose starts
 * advance by stride (0: window / 2); each token is scored once, in the first window where
 * it is not at the start, so it sees at least window - stride tokens of context (all of
 * them when it is within the first window).  Windows are raw slices (no BOS added), as
 * the trainer's training windows. */
struct vers_ctx;
int vers_score_tokens(struct vers_ctx *c, const int32_t *ids, size_t n, size_t first, size_t last,
                      int window, int stride, double *nll, size_t *count, vers_err *err);
/* The same, and per token j of ids (arrays of n entries, either may be NULL): pos[j] = its
 * index in the window that scored it (the number of tokens before it in that window, which
 * is what it was conditioned on: 1 for the token right after the window's first), -1 when
 * it was not scored; tok_nll[j] = its -log p (NaN when not scored).  stride = window - 1
 * reads non-overlapping windows: each window's first token is the previous one's last
 * (context only, as the first token of a training window), every token is scored at a
 * position from 1 to window - 1. */
int vers_score_tokens_at(struct vers_ctx *c, const int32_t *ids, size_t n, size_t first, size_t last,
                         int window, int stride, double *nll, size_t *count, int32_t *pos, double *tok_nll,
                         vers_err *err);

/* ---- training ---- */
/* Precision of the matrix products: FP32, or BF16 operands with FP32 sums (master weights,
 * gradients, norms, softmax and AdamW stay FP32 either way). */
enum { VERS_PREC_FP32 = 0, VERS_PREC_BF16 = 1 };
const char *vers_prec_name(int prec);            /* "fp32" / "bf16" */
/* 1 when BF16 products run on the CPU's own instruction (AVX512_BF16); elsewhere they run
 * through a bit-exact emulation, slowly. */
int vers_train_bf16_native(void);
/* The kernels the products run on ("avx512", "avx2", "scalar", "avx512bf16"). */
const char *vers_train_kernel_name(int prec);
void vers_tmodel_set_precision(vers_tmodel *m, int prec);
int vers_tmodel_precision(const vers_tmodel *m);

typedef struct vers_train_opts {
    int batch, seq_len, accum;        /* tokens per step = batch * seq_len * accum */
    int64_t steps, warmup;
    float lr, min_lr_frac, weight_decay, beta1, beta2, eps, clip;
    int decay_all;                    /* also decay norms and embeddings */
    int eval_every, eval_batches;     /* validation loss every N steps over M batches */
    int ckpt_every;                   /* steps between checkpoints (0: only at end/signal; on resume,
                                         < 0 keeps the checkpoint's) */
    uint64_t seed;
    int threads;                      /* per rank; on resume, 0 keeps the checkpoint's */
    struct vers_dist_ops *dist;       /* data-parallel ranks (src/train/dist.h); NULL: one process.
                                         batch is the global batch, split over the ranks */
    int precision;                    /* VERS_PREC_FP32 (default) or VERS_PREC_BF16 */
    const char *ckpt_path;            /* checkpoint file (written atomically) */
    const char *log_path;             /* CSV (".csv") or JSONL (else) per-step log; NULL none */
    FILE *progress;                   /* progress output (stderr); NULL silent */
    int progress_tty;                 /* 1: one updating line; 0: plain log lines */
    int log_every;                    /* plain progress line every N steps */
    volatile int *stop_flag;          /* set by a signal handler: checkpoint and return */
    int64_t stop_after;               /* testing: stop (with checkpoint) after this step; 0 none */
} vers_train_opts;
void vers_train_opts_default(vers_train_opts *o);

/* The state of a run: model, optimizer, step, RNG, tokenizer, recipe text. */
typedef struct vers_trainer vers_trainer;
int vers_trainer_new(const vers_tconfig *c, const vers_train_opts *o, const vers_bpe *tok,
                     vers_trainer **out, vers_err *err);
/* Starts from the weights of a llama GGUF (F32/F16/BF16), its tokenizer taken over. */
int vers_trainer_new_from_gguf(const char *path, const vers_train_opts *o, vers_trainer **out,
                               vers_err *err);
int vers_trainer_resume(const char *ckpt_path, const vers_train_opts *o, vers_trainer **out,
                        vers_err *err);
void vers_trainer_free(vers_trainer *t);
vers_tmodel *vers_trainer_model(vers_trainer *t);
const vers_bpe *vers_trainer_tokenizer(const vers_trainer *t);
/* Tokenizes corpus files with the run's tokenizer (ours, or the init model's). */
int vers_trainer_tokens_build(const vers_trainer *t, const vers_data_opts *o, vers_tokens *out, vers_err *err);
int64_t vers_trainer_step(const vers_trainer *t);
/* The run's options (after a resume: the checkpoint's, with what the caller overrode). */
const vers_train_opts *vers_trainer_opts(const vers_trainer *t);
/* Records free-form provenance (corpus checksums, recipe) stored in checkpoints/GGUF. */
int vers_trainer_set_note(vers_trainer *t, const char *key, const char *value);
/* A note's value, or NULL. */
const char *vers_trainer_note(const vers_trainer *t, const char *key);
/* Trains on data until opts.steps; returns VERS_OK, VERS_EFAIL on non-finite loss (the
 * last good checkpoint kept, message says the step), or an I/O error.  *stopped is set
 * when a stop flag ended the run early. */
int vers_trainer_run(vers_trainer *t, const vers_tokens *data, int *stopped, vers_err *err);
/* Mean validation loss over the fixed evaluation windows. */
float vers_trainer_eval(vers_trainer *t, const vers_tokens *data);
float vers_trainer_last_val(const vers_trainer *t);
/* Checkpoint: weights, AdamW moments, step, RNG, options; atomic and checksummed. */
int vers_trainer_save(vers_trainer *t, const char *path, vers_err *err);

/* ---- export and plots ---- */
/* Writes a GGUF v3 llama model (type: VT_F32, VT_F16 or VT_Q8_0 for the matrices). */
int vers_trainer_export(vers_trainer *t, const char *path, int type, vers_err *err);
/* SVG of the train/val loss curves of a training log (CSV or JSONL written by the run). */
int vers_plot_log(const char *log_path, const char *svg_path, vers_err *err);
/* Several logs on the same axes (src/train/plot.c): x in steps, tokens, training FLOPs
 * (tokens x flops_per_token[k], one per log) or the trainer's elapsed_s. */
enum { VERS_PLOT_X_STEP = 0, VERS_PLOT_X_TOKENS, VERS_PLOT_X_FLOPS, VERS_PLOT_X_SECONDS };
typedef struct vers_plot_opts {
    int x;                              /* VERS_PLOT_X_* */
    const char *const *labels;          /* per log (NULL, or a NULL entry: the log's path) */
    const char *const *colors;          /* per log, SVG colours (NULL: a palette of 12) */
    const double *flops_per_token;      /* per log; needed for VERS_PLOT_X_FLOPS */
    int val_only;                       /* validation curves only */
    int log_x;                          /* logarithmic x axis (x <= 0 left out) */
    const char *title;                  /* NULL: "training loss (nats/token)" */
} vers_plot_opts;
void vers_plot_opts_default(vers_plot_opts *o);
int vers_plot_logs(const char *const *logs, int n_logs, const vers_plot_opts *o, const char *svg_path, vers_err *err);

/* ---- benchmark ---- */
typedef struct vers_train_bench {
    double tokens_per_s, gflops, peak_rss_mb, step_s;   /* mean over the timed steps */
    double best_step_s;         /* fastest step */
    double cpu_s;               /* process CPU seconds per step (all threads) */
    double gflops_per_cpu_s;    /* work per CPU second: / per-core peak = MFU while running */
    int64_t flop_params;
    int n_parts;                /* where the timed steps' time went (vers_tmodel_profile) */
    const char *part_name[16];
    double part_s[16];          /* seconds per step */
} vers_train_bench;
/* FMA peak of n_threads cores measured with an FMA loop (GFLOP/s): 256-bit AVX2 FMA, and
 * 512-bit AVX-512 FMA (0 when the CPU has none). */
double vers_fma_peak_gflops(int n_threads);
double vers_fma_peak_wide_gflops(int n_threads);
/* Per-core FMA peak per second of thread CPU time (wide: AVX-512), robust to other load. */
double vers_fma_core_peak_gflops(int wide);
/* Peak GFLOP/s of n_threads cores for a precision, on the widest instruction the CPU has
 * for it (AVX-512 FMA, else AVX2 FMA; BF16: vdpbf16ps where present), measured with all
 * threads running at once; *instr names the instruction. */
double vers_train_peak_gflops(int prec, int n_threads, const char **instr);
/* Trains the given shape for `steps` steps on random tokens (after one warm-up step). */
int vers_bench_train(const vers_tconfig *c, int B, int T, int steps, int threads, int precision,
                     vers_train_bench *out, vers_err *err);
#endif
