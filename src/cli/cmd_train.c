/* src/cli/cmd_train.c — `vers train`: pretrains a llama model from corpus files with a
 * learned tokenizer, fine-tunes a GGUF (--init), or continues a checkpoint (--resume).
 * SIGINT/SIGTERM write a checkpoint and stop; --export writes the GGUF at the end. */
#include "cli.h"
#include "engine/tensor.h"
#include "vers/prosody.h"
#include "train/dist.h"
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The first SIGINT/SIGTERM asks the loop to checkpoint and return (it checks between
 * micro-batches and evaluation batches); a second one ends the process at once, the last
 * checkpoint kept. */
static volatile sig_atomic_t g_stop;
static void on_signal(int sig) {
    if (g_stop) { signal(sig, SIG_DFL); raise(sig); return; }
    g_stop = 1;
}
static void install_handlers(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* main blocked them until now (a signal that came meanwhile is delivered here) */
    sigset_t s;
    sigemptyset(&s); sigaddset(&s, SIGINT); sigaddset(&s, SIGTERM);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
}

/* One run per checkpoint: an exclusive lock on CHECKPOINT.lock, held until exit (the
 * checkpoint itself is replaced by rename, so it cannot carry the lock). */
static int lock_checkpoint(const char *ckpt) {
    char path[4200];
    snprintf(path, sizeof path, "%s.lock", ckpt);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return cli_error(ckpt, "cannot create the lock file %s: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB)) {
        char pid[32] = "";
        ssize_t k = pread(fd, pid, sizeof pid - 1, 0);
        if (k > 0) { pid[k] = 0; pid[strcspn(pid, "\n")] = 0; }
        close(fd);
        return cli_error(ckpt, "in use by another vers train%s%s%s", pid[0] ? " (pid " : "", pid, pid[0] ? ")" : "");
    }
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) == 0 && pwrite(fd, buf, (size_t)n, 0) < 0) { /* the lock holds without the pid */ }
    return 0;   /* fd stays open: the lock lasts until the process ends */
}

static void usage(FILE *f) {
    fprintf(f,
        "usage: vers train [options] CORPUS...\n"
        "  start:   --tokenizer FILE.vtok (new model) | --init MODEL.gguf (fine-tune) | --resume\n"
        "  files:   -c, --checkpoint FILE (train.ckpt)  --log FILE (train.csv; .jsonl for JSON lines)\n"
        "           --tokens FILE (token cache; CHECKPOINT.tokens)  --export OUT.gguf  --export-type f32|f16|q8_0\n"
        "  model:   --dim 384 --layers 6 --heads 6 --kv-heads H --hidden 1024 --ctx T --rope-theta 10000\n"
        "           --arch llama|lstm (lstm: --layers stacked LSTM layers of width --dim; no export yet)\n"
        "           --untied (separate output matrix; default tied to the embedding)\n"
        "  train:   --batch 8 --seq 256 --accum 1 --steps 1000 --warmup 100 --lr 1e-3 --min-lr 0.1 (fraction)\n"
        "           --wd 0.1 --decay-all --clip 1.0 --eval-every 100 --eval-batches 8 --ckpt-every 200\n"
        "           --val-frac 0.02 --upsample fr:poem=3,... --seed 1 -t, --threads N --json\n"
        "           --precision fp32|bf16 (matrix products; default bf16 where the CPU has AVX512_BF16)\n"
        "           --struct-codes: poems get <syl:N><rh:K> before each line and <stanza> between stanzas\n"
        "           (fine-tuning; the rhyme table is counted from the corpus and kept with the run)\n"
        "  safety:  a new run refuses to replace an existing checkpoint unless --force; --resume keeps\n"
        "           the run's precision, checkpoint interval and thread count unless given; results are\n"
        "           the same at any thread count.  Ctrl-C: checkpoint and stop; twice: stop at once.\n"
        "  ranks:   mpirun -np N vers train ... trains data-parallel: --batch is the global batch (a multiple\n"
        "           of N), -t threads per rank, rank 0 logs and writes checkpoints, any N resumes any run;\n"
        "           several machines: mpirun --hostfile HOSTS (ssh between them), docs/TRAINING.md\n");
}

enum { O_TOK = 1000, O_INIT, O_RESUME, O_LOG, O_TOKENS, O_EXPORT, O_EXPTYPE, O_DIM, O_LAYERS, O_HEADS, O_KVH,
       O_HIDDEN, O_CTX, O_THETA, O_UNTIED, O_BATCH, O_SEQ, O_ACCUM, O_STEPS, O_WARMUP, O_LR, O_MINLR, O_WD,
       O_DECAYALL, O_CLIP, O_EVAL, O_EVALB, O_CKEVERY, O_VALFRAC, O_UPS, O_SEED, O_JSON, O_FORCE, O_PREC, O_STRUCT, O_ARCH };

static int bad(const char *opt) { return cli_error("train", "%s: bad value", opt); }
static int bad_range(const char *opt, const char *val, long lo, long hi) {
    return cli_error("train", "%s: '%s' is not a whole number from %ld to %ld", opt, val, lo, hi);
}
static int lib_error(const vers_err *e) { fprintf(stderr, "vers: %s\n", e->msg); return 2; }

static int cmd_train_run(int argc, char **argv, vers_dist_ops *dist);

int cmd_train(int argc, char **argv) {
    /* first: a signal from here on is a stop request, also while loading */
    g_stop = 0;
    install_handlers();
    /* under mpirun: one rank of a data-parallel run (src/train/dist.h) */
    vers_dist_ops *dist = NULL;
    if (vers_dist_launched()) {
        vers_err derr;
        if (vers_dist_open(NULL, NULL, &dist, &derr)) return cli_error("train", "%s", derr.msg);
    }
    int rc_main = cmd_train_run(argc, argv, dist);
    vers_dist_close(dist);
    return rc_main;
}

static int cmd_train_run(int argc, char **argv, vers_dist_ops *dist) {
    static const struct option opts[] = {
        {"tokenizer", required_argument, 0, O_TOK}, {"init", required_argument, 0, O_INIT},
        {"resume", no_argument, 0, O_RESUME}, {"checkpoint", required_argument, 0, 'c'},
        {"log", required_argument, 0, O_LOG}, {"tokens", required_argument, 0, O_TOKENS},
        {"export", required_argument, 0, O_EXPORT}, {"export-type", required_argument, 0, O_EXPTYPE},
        {"dim", required_argument, 0, O_DIM}, {"layers", required_argument, 0, O_LAYERS},
        {"heads", required_argument, 0, O_HEADS}, {"kv-heads", required_argument, 0, O_KVH},
        {"hidden", required_argument, 0, O_HIDDEN}, {"ctx", required_argument, 0, O_CTX},
        {"rope-theta", required_argument, 0, O_THETA}, {"untied", no_argument, 0, O_UNTIED},
        {"batch", required_argument, 0, O_BATCH}, {"seq", required_argument, 0, O_SEQ},
        {"accum", required_argument, 0, O_ACCUM}, {"steps", required_argument, 0, O_STEPS},
        {"warmup", required_argument, 0, O_WARMUP}, {"lr", required_argument, 0, O_LR},
        {"min-lr", required_argument, 0, O_MINLR}, {"wd", required_argument, 0, O_WD},
        {"decay-all", no_argument, 0, O_DECAYALL}, {"clip", required_argument, 0, O_CLIP},
        {"eval-every", required_argument, 0, O_EVAL}, {"eval-batches", required_argument, 0, O_EVALB},
        {"ckpt-every", required_argument, 0, O_CKEVERY}, {"val-frac", required_argument, 0, O_VALFRAC},
        {"upsample", required_argument, 0, O_UPS}, {"seed", required_argument, 0, O_SEED},
        {"threads", required_argument, 0, 't'}, {"json", no_argument, 0, O_JSON},
        {"force", no_argument, 0, O_FORCE}, {"precision", required_argument, 0, O_PREC},
        {"struct-codes", no_argument, 0, O_STRUCT}, {"arch", required_argument, 0, O_ARCH},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const int rank = dist ? dist->rank : 0;
    vers_train_opts o;
    vers_train_opts_default(&o);
    o.threads = vers_n_cores() > 2 ? 2 : vers_n_cores();
    vers_tconfig cfg = {384, 6, 6, 0, 1024, 0, 0, 10000.0f, 1e-5f, 1, VERS_ARCH_LLAMA};
    const char *tokp = NULL, *init = NULL, *ckpt = "train.ckpt", *logp = "train.csv", *tokens = NULL, *exportp = NULL, *ups = NULL;
    int resume = 0, json = 0, exptype = VT_F16, c, steps_given = 0, force = 0, prec = -1, ckpt_given = 0, threads_given = 0, struct_codes = 0;
    double valfrac = 0.02;
    int valfrac_given = 0;
    long v; double d;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:t:h", opts, NULL)) != -1) {
        switch (c) {
        case O_TOK: tokp = optarg; break;
        case O_INIT: init = optarg; break;
        case O_RESUME: resume = 1; break;
        case 'c': ckpt = optarg; break;
        case O_LOG: logp = optarg; break;
        case O_TOKENS: tokens = optarg; break;
        case O_EXPORT: exportp = optarg; break;
        case O_EXPTYPE:
            if (!strcasecmp(optarg, "f32")) exptype = VT_F32;
            else if (!strcasecmp(optarg, "f16")) exptype = VT_F16;
            else if (!strcasecmp(optarg, "q8_0")) exptype = VT_Q8_0;
            else return bad("--export-type");
            break;
#define INTOPT(K, name, field, lo, hi) case K: if (cli_parse_int(optarg, lo, hi, &v)) return bad_range(name, optarg, lo, hi); field = (int)v; break;
        INTOPT(O_DIM, "--dim", cfg.dim, 2, 65536)
        INTOPT(O_LAYERS, "--layers", cfg.n_layers, 1, 1024)
        INTOPT(O_HEADS, "--heads", cfg.n_heads, 1, 1024)
        INTOPT(O_KVH, "--kv-heads", cfg.n_kv_heads, 1, 1024)
        INTOPT(O_HIDDEN, "--hidden", cfg.hidden_dim, 1, 1 << 20)
        INTOPT(O_CTX, "--ctx", cfg.ctx_len, 2, 1 << 20)
        INTOPT(O_BATCH, "--batch", o.batch, 1, 1 << 16)
        INTOPT(O_SEQ, "--seq", o.seq_len, 2, 1 << 20)
        INTOPT(O_ACCUM, "--accum", o.accum, 1, 1 << 16)
        INTOPT(O_EVAL, "--eval-every", o.eval_every, 0, 1 << 30)
        INTOPT(O_EVALB, "--eval-batches", o.eval_batches, 1, 1 << 20)
        INTOPT(O_SEED, "--seed", o.seed, 0, 0x7fffffffL)
#undef INTOPT
        case O_CKEVERY: if (cli_parse_int(optarg, 0, 1 << 30, &v)) return bad("--ckpt-every"); o.ckpt_every = (int)v; ckpt_given = 1; break;
        case 't': if (cli_parse_int(optarg, 1, 256, &v)) return bad("--threads"); o.threads = (int)v; threads_given = 1; break;
        case O_FORCE: force = 1; break;
        case O_STRUCT: struct_codes = 1; break;
        case O_ARCH:
            if (!strcmp(optarg, "llama")) cfg.arch = VERS_ARCH_LLAMA;
            else if (!strcmp(optarg, "lstm")) cfg.arch = VERS_ARCH_LSTM;
            else return cli_error("train", "--arch: '%s' is not llama or lstm", optarg);
            break;
        case O_PREC:
            if (!strcmp(optarg, "fp32")) prec = VERS_PREC_FP32;
            else if (!strcmp(optarg, "bf16")) prec = VERS_PREC_BF16;
            else return cli_error("train", "--precision: '%s' is not fp32 or bf16", optarg);
            break;
        case O_STEPS: if (cli_parse_int(optarg, 1, 1L << 40, &v)) return bad("--steps"); o.steps = v; steps_given = 1; break;
        case O_WARMUP: if (cli_parse_int(optarg, 0, 1L << 40, &v)) return bad("--warmup"); o.warmup = v; break;
        case O_THETA: if (cli_parse_float(optarg, &d) || !(d > 0)) return bad("--rope-theta"); cfg.rope_theta = (float)d; break;
        case O_LR: if (cli_parse_float(optarg, &d) || !(d > 0)) return bad("--lr"); o.lr = (float)d; break;
        case O_MINLR: if (cli_parse_float(optarg, &d) || !(d >= 0 && d <= 1)) return bad("--min-lr"); o.min_lr_frac = (float)d; break;
        case O_WD: if (cli_parse_float(optarg, &d) || !(d >= 0)) return bad("--wd"); o.weight_decay = (float)d; break;
        case O_CLIP: if (cli_parse_float(optarg, &d) || !(d >= 0)) return bad("--clip"); o.clip = (float)d; break;
        case O_VALFRAC: if (cli_parse_float(optarg, &d) || !(d >= 0 && d < 1)) return bad("--val-frac"); valfrac = d; valfrac_given = 1; break;
        case O_UNTIED: cfg.tied = 0; break;
        case O_DECAYALL: o.decay_all = 1; break;
        case O_UPS: ups = optarg; break;
        case O_JSON: json = 1; break;
        case 'h': usage(stdout); return 0;
        default: return cli_bad_option("train", "c:t:h", argv);
        }
    }
    int nf = argc - optind;
    if (nf <= 0) return cli_error("train", "no corpus files given (vers train --help)");
    if ((resume != 0) + (init != NULL) + (tokp != NULL) != 1)
        return cli_error("train", "give exactly one of --tokenizer (new model), --init MODEL.gguf or --resume");
    char tokbuf[4200];
    if (!tokens) { snprintf(tokbuf, sizeof tokbuf, "%s.tokens", ckpt); tokens = tokbuf; }
    {   /* an output that is an input (or another output) would overwrite it: refuse first */
        const char *outs[] = {ckpt, logp, tokens, exportp}, *more[] = {tokp, init};
        if (cli_check_outputs(outs, 4, (const char *const *)argv + optind, nf) || cli_check_outputs(outs, 4, more, 2)) return 2;
    }
    int had_tokens = access(tokens, F_OK) == 0;   /* a cache this run creates goes if it fails */
    o.ckpt_path = ckpt; o.log_path = logp; o.stop_flag = (volatile int *)&g_stop;
    o.progress = stderr; o.progress_tty = isatty(2);
    o.dist = dist;
    if (rank > 0) { o.log_path = NULL; o.progress = NULL; }   /* rank 0 logs and reports */
    o.precision = prec >= 0 ? prec : vers_train_bf16_native() ? VERS_PREC_BF16 : VERS_PREC_FP32;

    struct stat st;
    if (!resume && !force && stat(ckpt, &st) == 0)
        return cli_error(ckpt, "a checkpoint is already there: continue it with --resume, or start over with --force");
    if (rank == 0 && lock_checkpoint(ckpt)) return 2;
    vers_err err;
    vers_trainer *t = NULL;
    if (resume) {
        vers_train_opts ro = o;
        if (!steps_given) ro.steps = 0;
        if (!ckpt_given) ro.ckpt_every = -1;   /* keep the run's */
        if (!threads_given) ro.threads = 0;
        if (vers_trainer_resume(ckpt, &ro, &t, &err)) return lib_error(&err);
        int rp = vers_tmodel_precision(vers_trainer_model(t));
        if (prec >= 0 && prec != rp) {
            vers_trainer_free(t);
            return cli_error(ckpt, "the run trains in %s: its precision cannot change on resume", vers_prec_name(rp));
        }
    } else if (init) {
        if (vers_trainer_new_from_gguf(init, &o, &t, &err)) return lib_error(&err);
    } else {
        vers_bpe *tok = NULL;
        if (vers_bpe_load(tokp, &tok, &err)) return lib_error(&err);
        cfg.vocab_size = vers_bpe_vocab_size(tok);
        if (cfg.arch == VERS_ARCH_LSTM) { cfg.n_heads = cfg.n_kv_heads = 1; cfg.hidden_dim = cfg.dim; }   /* unused */
        if (!cfg.n_kv_heads) cfg.n_kv_heads = cfg.n_heads;
        if (!cfg.ctx_len) cfg.ctx_len = o.seq_len;
        int rc = vers_trainer_new(&cfg, &o, tok, &t, &err);
        vers_bpe_free(tok);
        if (rc) return cli_error("train", "%s", err.msg);
    }
    /* the data of a resumed run are the run's: its validation share and upsampling (kept in
     * its notes) unless the same are given again; other values would train on other data */
    if (resume) {
        const char *nv = vers_trainer_note(t, "vers.train.val_frac"), *nu = vers_trainer_note(t, "vers.corpus.upsample");
        if (nv) {
            double rv = atof(nv);
            if (valfrac_given && fabs(rv - valfrac) > 1e-12) {
                vers_trainer_free(t);
                return cli_error(ckpt, "the run holds out --val-frac %g: give the same or none", rv);
            }
            valfrac = rv;
        }
        if (ups && (!nu || strcmp(nu, ups))) {
            vers_trainer_free(t);
            return cli_error(ckpt, "the run was started with %s%s: give the same --upsample or none", nu ? "--upsample " : "no --upsample", nu ? nu : "");
        }
        if (nu) ups = nu;
    }
    char vfbuf[32];
    snprintf(vfbuf, sizeof vfbuf, "%.17g", valfrac);
    vers_trainer_set_note(t, "vers.train.val_frac", vfbuf);
    vers_data_opts dopt = {(const char *const *)argv + optind, nf, valfrac, 1, tokens, ups, NULL, NULL};
    /* structure codes: asked for, or a resumed run that has them (its table in its notes) */
    vers_prosody *pros = NULL;
    vers_struct_table *codes = NULL;
    {
        const char *nfr = vers_trainer_note(t, "vers.struct.rhyme.fr"), *nen = vers_trainer_note(t, "vers.struct.rhyme.en");
        if (struct_codes || nfr || nen) {
            const vers_bpe *bt = vers_trainer_tokenizer(t);
            int rc2 = 0;
            if (!bt || vers_bpe_struct_id(bt, VERS_STRUCT_STANZA) < 0)
                rc2 = cli_error(ckpt, "--struct-codes: the run's tokenizer has no structure codes (learned before they were reserved)");
            else if (vers_prosody_open(NULL, &pros, &err)) rc2 = lib_error(&err);
            else if (nfr || nen ? vers_struct_table_from_notes(nfr, nen, &codes, &err) : vers_struct_table_build(pros, &dopt, &codes, &err))
                rc2 = lib_error(&err);
            if (rc2) { vers_prosody_close(pros); vers_trainer_free(t); return rc2; }
            if (vers_prosody_warning(pros) && rank == 0) fprintf(stderr, "vers: train: %s\n", vers_prosody_warning(pros));
            char *a = vers_struct_table_note(codes, VERS_LANG_FR), *b2 = vers_struct_table_note(codes, VERS_LANG_EN);
            if (!a || !b2 || vers_trainer_set_note(t, "vers.struct.rhyme.fr", a) || vers_trainer_set_note(t, "vers.struct.rhyme.en", b2)) {
                free(a); free(b2); vers_struct_table_free(codes); vers_prosody_close(pros); vers_trainer_free(t);
                return cli_error("train", "out of memory");
            }
            free(a); free(b2);
            if (rank == 0) fprintf(stderr, "vers train: structure codes in poems; rhyme table %d French and %d English keys\n",
                    vers_struct_table_count(codes, VERS_LANG_FR), vers_struct_table_count(codes, VERS_LANG_EN));
            dopt.codes = codes; dopt.prosody = pros;
        }
    }
    vers_tokens data;
    /* rank 0 builds (and caches) the tokens first; the others then read its cache */
    if (dist && rank > 0 && dist->barrier(dist)) { vers_trainer_free(t); return cli_error("train", "MPI barrier failed"); }
    int brc = vers_trainer_tokens_build(t, &dopt, &data, &err);
    if (dist && rank == 0 && dist->barrier(dist)) brc = vers_errorf(&err, VERS_EIO, "MPI barrier failed");
    if (brc) { vers_struct_table_free(codes); vers_prosody_close(pros); vers_trainer_free(t); return lib_error(&err); }
    /* provenance for the GGUF */
    {
        char buf[64 * 66 + 64] = "", names[8192] = "";
        for (int i = 0; i < data.n_files; i++) {
            const char *b = strrchr(argv[optind + i], '/'); b = b ? b + 1 : argv[optind + i];
            size_t l = strlen(buf);
            snprintf(buf + l, sizeof buf - l, "%s%s", i ? "," : "", data.sha256[i]);
            l = strlen(names);
            snprintf(names + l, sizeof names - l, "%s%s", i ? "," : "", b);
        }
        vers_trainer_set_note(t, "vers.corpus.files", names);
        vers_trainer_set_note(t, "vers.corpus.sha256", buf);
        char tk[96];
        snprintf(tk, sizeof tk, "%zu train / %zu val tokens, %lld / %lld documents", data.n_train, data.n_val,
                 (long long)data.n_docs_train, (long long)data.n_docs_val);
        vers_trainer_set_note(t, "vers.corpus.tokens", tk);
        if (ups) vers_trainer_set_note(t, "vers.corpus.upsample", ups);
        if (!resume) {   /* the command that started the run (a resume keeps the original) */
            char cmd[1024] = "vers train";
            for (int i = 1; i < argc; i++) {
                const char *a = argv[i], *b = strrchr(a, '/');
                if (i >= optind && b) a = b + 1;   /* corpus files by name, as vers.corpus.files */
                size_t l = strlen(cmd);
                if (l + strlen(a) + 6 >= sizeof cmd) { snprintf(cmd + l, sizeof cmd - l, " ..."); break; }
                snprintf(cmd + l, sizeof cmd - l, " %s", a);
            }
            vers_trainer_set_note(t, "vers.train.command", cmd);
        }
    }
    vers_tmodel *m = vers_trainer_model(t);
    const vers_tconfig *mc = vers_tmodel_config(m);
    const vers_train_opts *ro = vers_trainer_opts(t);
    int rprec = vers_tmodel_precision(m);
    vers_trainer_set_note(t, "vers.train.precision", vers_prec_name(rprec));
    if (rprec == VERS_PREC_BF16 && !vers_train_bf16_native() && rank == 0)
        fprintf(stderr, "vers: train: this CPU has no AVX512_BF16: the run's BF16 products run through an exact emulation, slowly\n");
    long long tps = (long long)ro->batch * ro->seq_len * ro->accum;
    if (dist && rank == 0)
        fprintf(stderr, "vers train: %d ranks (%s), %d sequences per rank per micro-batch, %d thread%s each\n", dist->size, dist->name,
                vers_trainer_opts(t)->batch / dist->size, vers_trainer_opts(t)->threads, vers_trainer_opts(t)->threads > 1 ? "s" : "");
    if (rank == 0 && mc->arch == VERS_ARCH_LSTM)
        fprintf(stderr, "vers train: LSTM, %d layers of width %d, vocab %d%s\n", mc->n_layers, mc->dim, mc->vocab_size, mc->tied ? ", tied" : "");
    if (rank == 0) fprintf(stderr, "vers train: %.2fM parameters (dim %d, %d layers, %d/%d heads, ffn %d, vocab %d%s); "
                    "%lld tokens/step; %s products (%s); %d thread%s; data %zu train / %zu val tokens; from step %lld of %lld\n",
            vers_tmodel_n_params(m) / 1e6, mc->dim, mc->n_layers, mc->n_heads, mc->n_kv_heads, mc->hidden_dim,
            mc->vocab_size, mc->tied ? ", tied" : "", tps, vers_prec_name(rprec), vers_train_kernel_name(rprec),
            ro->threads, ro->threads > 1 ? "s" : "", data.n_train, data.n_val, (long long)vers_trainer_step(t), (long long)ro->steps);
    int stopped = 0, early = g_stop;
    if (dist) dist->max_i32(dist, &early);   /* the ranks agree */
    int rc = early ? (stopped = 1, rank == 0 ? vers_trainer_save(t, ckpt, &err) : 0) : vers_trainer_run(t, &data, &stopped, &err);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    int ret = 0;
    if (rc == VERS_EFAIL) { fprintf(stderr, "vers: train: %s\n", err.msg); ret = 1; }
    else if (rc) ret = lib_error(&err);
    else if (stopped) {
        if (rank == 0) fprintf(stderr, "vers train: stopped at step %lld; checkpoint %s (continue with --resume)\n", (long long)vers_trainer_step(t), ckpt);
        ret = 1;
    } else if (exportp && rank == 0) {
        if (vers_trainer_export(t, exportp, exptype, &err)) ret = lib_error(&err);
        else fprintf(stderr, "vers train: wrote %s\n", exportp);
    }
    if (json && !rc && rank == 0)
        printf("{\"step\":%lld,\"val_loss\":%.6f,\"checkpoint\":\"%s\",\"stopped\":%s}\n", (long long)vers_trainer_step(t),
               isfinite(vers_trainer_last_val(t)) ? vers_trainer_last_val(t) : -1.0, ckpt, stopped ? "true" : "false");
    if (ret && !stopped && !had_tokens) unlink(tokens);   /* a stopped run resumes with it */
    vers_tokens_free(&data);
    vers_struct_table_free(codes);
    vers_prosody_close(pros);
    vers_trainer_free(t);
    return ret;
}
