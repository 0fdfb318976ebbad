/* tests/test_train_cli.c — the trainer's commands end to end: tokenizer-train, train
 * (with --export), SIGINT checkpoint + --resume, export, plot; bad input gives exit 2 and
 * one line on stderr. */
#include "test.h"
#include "vers/train.h"
#include "train/trainer.h"
#include <signal.h>
#include <sys/wait.h>

static int one_line(const char *s) { const char *nl = strchr(s, '\n'); return nl && nl[1] == 0; }
static const char *t_path_in(const char *dir, const char *name, char *buf) { snprintf(buf, 1024, "%s/%s", dir, name); return buf; }

int main(void) {
    static char out[1 << 16];
    const char *vers = getenv("VERS_BIN") ? getenv("VERS_BIN") : "build/vers";
    const char *dir = t_tmpdir();
    char cmd[8192], corpus[512];
    snprintf(corpus, sizeof corpus, "%s/c.txt", dir);
    FILE *f = fopen(corpus, "w");
    for (int i = 0; i < 60; i++)
        fprintf(f, "@@ id: p%d\n@@ lang: %s\n@@ kind: poem\n@@ title: Poème %d\n\nLe vent se lève, il faut tenter de vivre ;\n"
                   "The wind is rising — we must try to live.\nL’air immense ouvre et referme mon livre,\n"
                   "And waves dare burst in powder from the rocks!\n@@@\n", i, i % 2 ? "fr" : "en", i);
    fclose(f);
    T_CASE("cli: tokenizer-train writes a tokenizer") {
        snprintf(cmd, sizeof cmd, "cd %s && %s/%s tokenizer-train -v 620 -o tok.vtok c.txt 2>&1", dir, getcwd(out, 4096), vers);
        int rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 0 && strstr(out, "620 tokens"), "rc %d: %s", rc, out);
    }
    char bin[1024];
    snprintf(bin, sizeof bin, "%s/%s", getcwd(out, 1024), vers);
    const char *shape = "--dim 32 --layers 1 --heads 2 --hidden 64 --batch 2 --seq 32 --eval-every 5 --eval-batches 1 -t 1";
    T_CASE("cli: train --export writes a checkpoint, a log and a GGUF; plot draws the log") {
        snprintf(cmd, sizeof cmd, "cd %s && %s train --tokenizer tok.vtok %s --steps 10 --export m.gguf --json c.txt 2>/dev/null", dir, bin, shape);
        int rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 0 && strstr(out, "\"step\":10"), "train rc %d: %s", rc, out);
        snprintf(cmd, sizeof cmd, "cd %s && test -s train.ckpt && test -s m.gguf && test -s train.csv && %s plot train.csv 2>&1 && grep -c polyline train.csv.svg", dir, bin);
        rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 0 && strstr(out, "\n2\n"), "plot rc %d: %s", rc, out);
        snprintf(cmd, sizeof cmd, "cd %s && %s export train.ckpt q.gguf --type q8_0 2>&1 && %s info q.gguf 2>&1 | head -3", dir, bin, bin);
        rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 0, "export rc %d: %s", rc, out);
    }
    T_CASE("cli: plot of several logs: x in seconds, tokens or FLOPs, a legend, validation only") {
        /* log a: 10 steps of 1000 tokens, 10 s each, validation at 5 and 10; log b (JSONL):
         * 5 steps of 2000 tokens, 30 s each, validation at every step */
        FILE *a = fopen(t_path_in(dir, "a.csv", out), "w"), *b = NULL;
        if (a) {
            fprintf(a, "step,loss,val_loss,lr,grad_norm,tokens,elapsed_s,tok_per_s\n");
            for (int i = 1; i <= 10; i++) fprintf(a, "%d,%.2f,%s,0.001,1.0,%d,%d,100.0\n", i, 8.0 - 0.3 * i, i % 5 ? "" : "6.5", 1000 * i, 10 * i);
            fclose(a);
        }
        b = fopen(t_path_in(dir, "b.jsonl", out), "w");
        if (b) {
            for (int i = 1; i <= 5; i++)
                fprintf(b, "{\"step\":%d,\"loss\":%.2f,\"val_loss\":%.2f,\"lr\":0.001,\"grad_norm\":1.0,\"tokens\":%d,\"elapsed_s\":%d,\"tok_per_s\":66.7}\n",
                        i, 7.5 - 0.2 * i, 7.0 - 0.1 * i, 2000 * i, 30 * i);
            fclose(b);
        }
        snprintf(cmd, sizeof cmd, "cd %s && %s plot a.csv b.jsonl -o s.svg --x seconds --label 'A <tr>' --label B --color '#123456' --color red 2>&1"
                                  " && grep -c polyline s.svg && grep -c '<circle' s.svg && grep -o '>[0-9]*</text>' s.svg | tr '\\n' ' '", dir, bin);
        int rc = t_run(cmd, out, sizeof out);
        /* x from 10 to 150 s: ticks 10 38 66 94 122 150; 4 polylines, 2 + 5 validation points */
        T_CHECK(rc == 0 && strstr(out, "\n4\n7\n") && strstr(out, ">10</text>") && strstr(out, ">150</text>"), "seconds: rc %d: %s", rc, out);
        snprintf(cmd, sizeof cmd, "cd %s && grep -c 'A &lt;tr&gt;' s.svg && grep -c 'stroke=\"#123456\"' s.svg && grep -c 'seconds of training' s.svg", dir);
        rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 0 && !strcmp(out, "1\n3\n1\n"), "legend and colours: rc %d: %s", rc, out);
        snprintf(cmd, sizeof cmd, "cd %s && %s plot a.csv b.jsonl -o f.svg --x flops --flops-per-token 2 --flops-per-token 3 --val-only --json 2>&1"
                                  " && grep -c polyline f.svg && grep -o '>[0-9]*</text>' f.svg | tr '\\n' ' '", dir, bin);
        rc = t_run(cmd, out, sizeof out);
        /* validation points only: x from 3 x 2000 = 6000 (b's first; a's first row, at 2 x 1000, has none) to 3 x 10000 = 30000 */
        T_CHECK(rc == 0 && strstr(out, "{\"svg\":\"f.svg\",\"logs\":2,\"x\":\"flops\"}\n2\n") && strstr(out, ">6000</text>") &&
                strstr(out, ">30000</text>"), "flops: rc %d: %s", rc, out);
        snprintf(cmd, sizeof cmd, "cd %s && %s plot a.csv b.jsonl -o l.svg --x tokens --log-x 2>&1 && grep -o '>[0-9e+]*</text>' l.svg | tr '\\n' ' '", dir, bin);
        rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 0 && strstr(out, ">1e+03</text>") && strstr(out, ">1e+04</text>") && strstr(out, ">5e+03</text>"), "log x: rc %d: %s", rc, out);
        static const char *bad[][2] = {{"a.csv b.jsonl", "-o"}, {"a.csv --x flops", "--flops-per-token"}, {"a.csv -o z.svg --label x --label y", "--label"},
                                       {"a.csv -o z.svg --x hours", "--x"}, {"a.csv b.jsonl -o z.svg --x flops --flops-per-token 1,2", "--flops-per-token"},
                                       {"a.csv -o z.svg --color 'red\"'", "--color"}, {"a.csv -o z.svg --flops-per-token 3", "--flops-per-token"}};
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            snprintf(cmd, sizeof cmd, "cd %s && %s plot %s 2>&1 >/dev/null", dir, bin, bad[i][0]);
            rc = t_run(cmd, out, sizeof out);
            T_CHECK(rc == 2 && one_line(out) && !strncmp(out, "vers: plot: ", 12) && strstr(out, bad[i][1]), "plot %s: rc %d: %s", bad[i][0], rc, out);
        }
    }
    T_CASE("cli: bench train --peak --json: the measured peak of each precision, and its instruction") {
        snprintf(cmd, sizeof cmd, "%s bench train --peak --precision both -t 1 --json 2>&1", bin);
        int rc = t_run(cmd, out, sizeof out);
        const char *a = strstr(out, "\"precision\":\"fp32\",\"peak_gflops\":"), *b = strstr(out, "\"precision\":\"bf16\",\"peak_gflops\":");
        double pa = a ? atof(strchr(a + 20, ':') + 1) : 0, pb = b ? atof(strchr(b + 20, ':') + 1) : 0;
        T_CHECK(rc == 0 && !strncmp(out, "{\"threads\":1,\"results\":[", 24) && pa > 0 && pb > 0 && strstr(out, "\"peak_instruction\":"),
                "rc %d: %s", rc, out);
    }
    T_CASE("cli: a fine-tune (--init) keeps its start's recipe and corpus as vers.init.*, and its own command") {
        snprintf(cmd, sizeof cmd, "cd %s && %s train --init m.gguf -c ft.ckpt --log ft.csv --batch 2 --seq 32 --steps 2 -t 1 "
                                  "--export ft.gguf c.txt 2>/dev/null && %s info ft.gguf 2>&1", dir, bin, bin);
        int rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 0, "fine-tune rc %d: %s", rc, out);
        T_CHECK(strstr(out, "vers.init.train.steps") && strstr(out, "\"10\""), "start's steps missing: %s", out);
        T_CHECK(strstr(out, "vers.init.corpus.sha256") && strstr(out, "vers.init.train.recipe"), "start's corpus/recipe missing");
        T_CHECK(strstr(out, "vers.train.command") && strstr(out, "\"vers train --init m.gguf"), "own command missing");
        T_CHECK(strstr(out, "vers.train.init") && strstr(out, "\"m.gguf\""), "init name missing");
    }
    T_CASE("cli: SIGINT checkpoints and stops (exit 1); --resume continues") {
        snprintf(cmd, sizeof cmd, "cd %s && exec %s train --tokenizer tok.vtok %s --steps 100000 -c int.ckpt --log int.csv c.txt 2>int.err", dir, bin, shape);
        pid_t pid = fork();
        if (pid == 0) { execl("/bin/sh", "sh", "-c", cmd, (char *)NULL); _exit(127); }
        char logp[600]; snprintf(logp, sizeof logp, "%s/int.csv", dir);
        for (int i = 0; i < 300; i++) {   /* wait until some steps are logged */
            size_t n = 0; char *s = t_read_file(logp, &n); int rows = 0;
            for (size_t k = 0; s && k < n; k++) rows += s[k] == '\n';
            free(s);
            if (rows > 5) break;
            usleep(20000);
        }
        kill(pid, SIGINT);
        int st; waitpid(pid, &st, 0);
        T_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1, "exit status %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        snprintf(cmd, sizeof cmd, "cd %s && cat int.err | tail -1", dir);
        t_run(cmd, out, sizeof out);
        T_CHECK(strstr(out, "stopped at step") && strstr(out, "--resume"), "message: %s", out);
        snprintf(cmd, sizeof cmd, "cd %s && %s train --resume -c int.ckpt --log int.csv --steps 3000000 --json c.txt 2>/dev/null & "
                                  "sleep 0.3; kill -TERM $! ; wait $!; echo rc=$?", dir, bin);
        t_run(cmd, out, sizeof out);
        T_CHECK(strstr(out, "rc=1"), "resume then SIGTERM: %s", out);
    }
    T_CASE("cli: a new run refuses to replace a checkpoint (log kept) unless --force") {
        snprintf(cmd, sizeof cmd, "cd %s && cp train.ckpt keep.ckpt && wc -l < train.csv > rows.before && "
                                  "%s train --tokenizer tok.vtok %s --steps 3 c.txt 2>err.txt; echo rc=$?; cat err.txt; "
                                  "cmp train.ckpt keep.ckpt && wc -l < train.csv | cmp - rows.before && echo same", dir, bin, shape);
        t_run(cmd, out, sizeof out);
        T_CHECK(strstr(out, "rc=2") && strstr(out, "already there") && strstr(out, "--force") && strstr(out, "same"), "%s", out);
        snprintf(cmd, sizeof cmd, "cd %s && %s train --tokenizer tok.vtok %s --steps 3 -c f.ckpt --log f.csv c.txt 2>/dev/null && "
                                  "%s train --force --tokenizer tok.vtok %s --steps 2 -c f.ckpt --log f.csv c.txt 2>/dev/null; echo rc=$?; wc -l < f.csv",
                 dir, bin, shape, bin, shape);
        t_run(cmd, out, sizeof out);
        T_CHECK(strstr(out, "rc=0") && strstr(out, "\n3\n"), "--force: %s", out);
    }
    T_CASE("cli: a second vers train on the same checkpoint is refused while the first runs") {
        snprintf(cmd, sizeof cmd, "cd %s && (%s train --force --tokenizer tok.vtok %s --steps 100000 -c lk.ckpt --log lk.csv c.txt 2>/dev/null & "
                                  "p=$!; sleep 0.5; %s train --resume -c lk.ckpt --log lk.csv c.txt 2>&1; echo rc=$?; kill -INT $p; wait $p)", dir, bin, shape, bin);
        t_run(cmd, out, sizeof out);
        T_CHECK(strstr(out, "rc=2") && strstr(out, "in use by another vers train (pid "), "%s", out);
    }
    /* the start-up signal is sent as soon as vers train has blocked its signals (the first
     * thing it does, SigBlk in /proc): a signal before the program runs at all cannot be its
     * to handle, and a fixed 20 ms delay was that on a loaded machine */
    T_CASE("cli: SIGINT stops a long evaluation within seconds, and a signal at start-up is handled") {
        snprintf(cmd, sizeof cmd, "cd %s && (%s train --force --tokenizer tok.vtok --dim 32 --layers 1 --heads 2 --hidden 64 --batch 2 --seq 32 "
                                  "--eval-every 1 --eval-batches 1048576 -t 1 --steps 100 -c ev.ckpt --log ev.csv c.txt 2>ev.err & "
                                  "p=$!; sleep 1; kill -INT $p; s=$(date +%%s%%N); wait $p; echo rc=$?; e=$(date +%%s%%N); echo ms=$(( (e - s) / 1000000 ))); tail -1 ev.err", dir, bin);
        t_run(cmd, out, sizeof out);
        const char *ms = strstr(out, "ms=");
        T_CHECK(strstr(out, "rc=1") && ms && atoi(ms + 3) < 3000 && strstr(out, "stopped at step"), "%s", out);
        snprintf(cmd, sizeof cmd, "cd %s && (%s train --force --tokenizer tok.vtok %s --steps 100000 -c early.ckpt --log early.csv c.txt 2>early.err & "
                                  "p=$!; for i in $(seq 400); do grep -q '^SigBlk:.*[1-9a-f]' /proc/$p/status 2>/dev/null && break; sleep 0.005; done; "
                                  "kill -TERM $p; wait $p; echo rc=$?); tail -1 early.err", dir, bin, shape);
        t_run(cmd, out, sizeof out);
        T_CHECK(strstr(out, "rc=1") && strstr(out, "stopped at step"), "early signal: %s", out);
    }
    T_CASE("cli: a run stopped by SIGINT and resumed without its data options ends as the uninterrupted run, byte for byte") {
        /* the resume gives neither --val-frac nor --upsample: the run's own are kept */
        const char *rs = "--tokenizer tok.vtok --dim 32 --layers 1 --heads 2 --hidden 64 --batch 2 --seq 32 --accum 2 --steps 120 "
                         "--eval-every 30 --eval-batches 1 --val-frac 0.2 --upsample fr:poem=3 -t 1";
        snprintf(cmd, sizeof cmd, "cd %s && %s train --force %s -c u.ckpt --log u.csv c.txt 2>/dev/null; "
                                  "(%s train --force %s -c v.ckpt --log v.csv c.txt 2>v.err & p=$!; "
                                  "for i in $(seq 400); do [ -s v.csv ] && [ $(wc -l < v.csv) -gt 40 ] && break; sleep 0.02; done; kill -INT $p; wait $p); "
                                  "tail -1 v.err; %s train --resume -c v.ckpt --log v.csv c.txt 2>/dev/null; echo rc=$?; "
                                  "%s train --resume -c v.ckpt --log v.csv --val-frac 0.1 c.txt 2>&1 >/dev/null",
                 dir, bin, rs, bin, rs, bin, bin);
        t_run(cmd, out, sizeof out);
        T_CHECK(strstr(out, "stopped at step") && strstr(out, "rc=0") && strstr(out, "--val-frac 0.2"), "%s", out);
        char a[600], b[600];
        snprintf(a, sizeof a, "%s/u.ckpt", dir); snprintf(b, sizeof b, "%s/v.ckpt", dir);
        vers_train_opts o; vers_train_opts_default(&o); o.steps = 0; o.ckpt_every = -1; o.threads = 1;
        vers_trainer *x = NULL, *y = NULL; vers_err err;
        T_CHECK(!vers_trainer_resume(a, &o, &x, &err) && !vers_trainer_resume(b, &o, &y, &err), "%s", err.msg);
        if (x && y) {
            int64_t n = vers_tmodel_n_params(x->m);
            T_CHECK(x->step == 120 && y->step == 120 && !memcmp(x->m->params, y->m->params, 4 * n) && !memcmp(x->av, y->av, 4 * n),
                    "steps %lld %lld, weights differ", (long long)x->step, (long long)y->step);
        }
        vers_trainer_free(x); vers_trainer_free(y);
    }
    T_CASE("cli: an LSTM (--arch lstm) trains, exports as vers-lstm, and vers write keeps a form with it") {
        snprintf(cmd, sizeof cmd, "cd %s && %s train --force --arch lstm --tokenizer tok.vtok --dim 32 --layers 2 --batch 2 --seq 32 --steps 20 "
                                  "--eval-every 0 -t 1 -c l.ckpt --log l.csv --export l.gguf c.txt 2>&1 | tail -1 && %s info l.gguf 2>&1 | grep -c vers-lstm && "
                                  "%s write -m l.gguf --lang en --form haiku --seed 3 > l.txt 2>/dev/null && %s check --form haiku l.txt 2>&1 | tail -1", dir, bin, bin, bin, bin);
        int rc = t_run(cmd, out, sizeof out);
        T_CHECK(rc == 0 && strstr(out, "wrote l.gguf") && strstr(out, "haiku"), "rc %d: %s", rc, out);
    }
    T_CASE("cli: bad input is exit 2 with one line") {
        const char *bad[][2] = {
            {"train -c new.ckpt --tokenizer tok.vtok missing.txt", "missing.txt"},
            {"train -c new.ckpt --tokenizer c.txt c.txt", "c.txt"},
            {"train -c new.ckpt --init c.txt c.txt", "c.txt"},
            {"train --tokenizer tok.vtok c.txt", "already there"},
            {"train --resume --precision fp64 c.txt", "fp64"},
            {"train --resume -c c.txt c.txt", "c.txt"},
            {"tokenizer-train -v 100000 c.txt", "too large"},
            {"export nothere.ckpt x.gguf", "nothere.ckpt"},
            {"plot c.txt", "c.txt"},
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            snprintf(cmd, sizeof cmd, "cd %s && %s %s 2>&1 >/dev/null", dir, bin, bad[i][0]);
            int rc = t_run(cmd, out, sizeof out);
            T_CHECK(rc == 2 && one_line(out) && strstr(out, bad[i][1]) && !strncmp(out, "vers: ", 6), "'%s': rc %d: %s", bad[i][0], rc, out);
        }
    }
    T_DONE();
}
