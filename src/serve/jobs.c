/* src/serve/jobs.c — the write queue and its worker (jobs.h).  Generation is serialised:
 * the model and its caches belong to the worker alone, so two requests never share a KV
 * cache, and a poem for a seed is the same bytes as `vers write`'s (each poem starts from
 * its own seed, whatever came before). */
#include "serve/jobs.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double serve_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void serve_job_free_request(serve_job *j) {
    for (size_t i = 0; i < sizeof j->strs / sizeof j->strs[0]; i++) { free(j->strs[i]); j->strs[i] = NULL; }
    vers_form_free(j->spec);
    j->spec = NULL;
}

static void job_free(serve_job *j) {
    serve_job_free_request(j);
    json_free(&j->ev);
    free(j->json);
    free(j);
}

/* under q->mu */
static void unref(serve_job *j) {
    if (--j->refs == 0) job_free(j);
}

void serve_job_release(serve_queue *q, serve_job *j) {
    if (!j) return;
    pthread_mutex_lock(&q->mu);
    if (j->state != JOB_DONE) atomic_store(&j->cancel, 1);
    unref(j);
    pthread_mutex_unlock(&q->mu);
}

/* one event: "event: NAME\ndata: JSON\n\n" (the JSON is on one line) — under q->mu */
static void event(serve_queue *q, serve_job *j, const char *name, const char *data, size_t n) {
    json_raw(&j->ev, "event: ");
    json_raw(&j->ev, name);
    json_raw(&j->ev, "\ndata: ");
    json_rawn(&j->ev, data, n);
    json_raw(&j->ev, "\n\n");
    pthread_cond_broadcast(&q->changed);
}

typedef struct progress { serve_queue *q; serve_job *j; } progress;

static void on_line(void *ud, int index, const char *text, int syllables) {
    progress *p = ud;
    json_buf b;
    json_init(&b);
    if (text) {
        json_raw(&b, "{\"index\":"); json_int(&b, index);
        json_raw(&b, ",\"text\":"); json_cstr(&b, text);
        json_raw(&b, ",\"syllables\":"); json_int(&b, syllables);
        json_raw(&b, "}");
    } else {
        json_raw(&b, "{\"from\":"); json_int(&b, index); json_raw(&b, "}");
    }
    pthread_mutex_lock(&p->q->mu);
    if (!b.oom) event(p->q, p->j, text ? "line" : "retract", b.p, b.n);
    pthread_mutex_unlock(&p->q->mu);
    json_free(&b);
}

static int cancelled(void *ud) {
    progress *p = ud;
    if (atomic_load(&p->j->cancel)) return 1;
    if (serve_now() > p->j->deadline) { p->j->timed_out = 1; return 1; }
    return 0;
}

static void finish(serve_queue *q, serve_job *j, int rc, const char *msg) {
    pthread_mutex_lock(&q->mu);
    j->rc = rc;
    if (rc == VERS_OK) {
        q->served++;
        event(q, j, "poem", j->json, j->json_len);
    } else {
        snprintf(j->msg, sizeof j->msg, "%s", msg);
        if (rc == VERS_ECANCEL && j->timed_out) q->timeouts++;
        else if (rc == VERS_ECANCEL) q->cancelled++;
        else q->failed++;
        json_buf b;
        json_init(&b);
        json_raw(&b, "{\"error\":"); json_cstr(&b, j->msg); json_raw(&b, "}");
        if (!b.oom) event(q, j, "error", b.p, b.n);
        json_free(&b);
    }
    j->state = JOB_DONE;
    q->running = NULL;
    pthread_cond_broadcast(&q->changed);
    unref(j);                                   /* the queue's reference */
    pthread_mutex_unlock(&q->mu);
}

static void *worker(void *arg) {
    serve_queue *q = arg;
    for (;;) {
        pthread_mutex_lock(&q->mu);
        while (!q->stop && !q->head) pthread_cond_wait(&q->work, &q->mu);
        serve_job *j = q->head;
        if (!j) { pthread_mutex_unlock(&q->mu); break; }   /* stopping, nothing left */
        q->head = j->next;
        if (!q->head) q->tail = NULL;
        q->waiting--;
        j->state = JOB_RUNNING;
        q->running = j;
        if (q->stop) atomic_store(&j->cancel, 1);
        pthread_mutex_unlock(&q->mu);

        char tmo[128];
        snprintf(tmo, sizeof tmo, "the time limit (%g s) ran out", q->timeout_s);
        if (atomic_load(&j->cancel)) { finish(q, j, VERS_ECANCEL, "cancelled"); continue; }
        if (serve_now() > j->deadline) { j->timed_out = 1; finish(q, j, VERS_ECANCEL, tmo); continue; }
        progress p = {q, j};
        j->o.on_line = on_line;
        j->o.cancelled = cancelled;
        j->o.progress_ud = &p;
        vers_poem_out out;
        vers_err err = {0};
        int rc = vers_write(q->w, &j->o, 0, &out, &err);
        if (rc == VERS_OK) rc = vers_poem_json(&out, j->o.seed, 0, &j->json, &j->json_len, &err);
        vers_poem_out_free(&out);
        finish(q, j, rc, rc == VERS_ECANCEL && j->timed_out ? tmo : err.msg);
    }
    return NULL;
}

int serve_queue_start(serve_queue *q, vers_writer *w, int max_waiting, double timeout_s, vers_err *err) {
    memset(q, 0, sizeof *q);
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->work, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);   /* waits with a timeout use serve_now */
    pthread_cond_init(&q->changed, &ca);
    pthread_condattr_destroy(&ca);
    q->w = w;
    q->max_waiting = max_waiting;
    q->timeout_s = timeout_s;
    if (pthread_create(&q->th, NULL, worker, q)) return vers_errorf(err, VERS_ENOMEM, "cannot start the writer thread");
    q->started = 1;
    return VERS_OK;
}

void serve_queue_stop(serve_queue *q) {
    if (!q->started) return;
    pthread_mutex_lock(&q->mu);
    q->stop = 1;
    for (serve_job *j = q->head; j; j = j->next) atomic_store(&j->cancel, 1);
    if (q->running) atomic_store(&q->running->cancel, 1);
    pthread_cond_broadcast(&q->work);
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->th, NULL);
    q->started = 0;
}

void serve_queue_destroy(serve_queue *q) {
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->work);
    pthread_cond_destroy(&q->changed);
}

int serve_queue_add(serve_queue *q, serve_job *j, char *msg, size_t cap) {
    pthread_mutex_lock(&q->mu);
    if (q->stop) {
        pthread_mutex_unlock(&q->mu);
        snprintf(msg, cap, "the server is shutting down");
        return VERS_EFAIL;
    }
    if (q->waiting >= q->max_waiting) {
        q->rejected++;
        snprintf(msg, cap, "busy: the queue is full (%d waiting, %d writing); try again later",
                 q->waiting, q->running ? 1 : 0);
        pthread_mutex_unlock(&q->mu);
        return VERS_EFAIL;
    }
    j->refs = 2;
    j->state = JOB_WAITING;
    j->deadline = serve_now() + q->timeout_s;
    j->next = NULL;
    if (q->tail) q->tail->next = j; else q->head = j;
    q->tail = j;
    q->waiting++;
    char d[64];
    int n = snprintf(d, sizeof d, "{\"ahead\":%d}", q->waiting - 1 + (q->running ? 1 : 0));
    event(q, j, "queued", d, (size_t)n);
    pthread_cond_signal(&q->work);
    pthread_mutex_unlock(&q->mu);
    return VERS_OK;
}
