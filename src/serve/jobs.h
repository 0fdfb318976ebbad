/* src/serve/jobs.h — vers serve's write queue: one model, one worker thread that writes the
 * poems one after another (the writer is not shared between threads), a bounded list of
 * waiting requests, and per request the events a client reads while its poem is written
 * (queued, line, retract, then poem or error).  Connection threads enqueue, wait and read;
 * the worker writes.  Everything shared is under the queue's one mutex. */
#ifndef VERS_SERVE_JOBS_H
#define VERS_SERVE_JOBS_H
#include "vers.h"
#include "util/json.h"
#include <pthread.h>
#include <stdatomic.h>

typedef struct serve_job {
    /* the request, owned (api.c fills it) */
    vers_write_opts o;
    char *strs[8];                 /* the strings o points into */
    vers_form *spec;
    /* state, under the queue's mutex */
    int refs;                      /* the connection's and the queue's */
    int state;                     /* JOB_WAITING, JOB_RUNNING, JOB_DONE */
    atomic_int cancel;             /* the client went away (or the server stops) */
    double deadline;               /* monotonic seconds: the per-request time limit */
    int timed_out;
    json_buf ev;                   /* Server-Sent Events so far (text/event-stream bytes) */
    int rc;                        /* VERS_OK or the error, once done */
    char msg[512];                 /* the error's one line */
    char *json;                    /* the poem's object (vers_poem_json), once done */
    size_t json_len;
    struct serve_job *next;
} serve_job;

enum { JOB_WAITING, JOB_RUNNING, JOB_DONE };

typedef struct serve_queue {
    pthread_mutex_t mu;
    pthread_cond_t work;           /* the worker waits for a job */
    pthread_cond_t changed;        /* any job gained an event or finished */
    serve_job *head, *tail;
    int waiting, max_waiting;
    serve_job *running;
    int stop;
    double timeout_s;
    vers_writer *w;
    pthread_t th;
    int started;
    long served, failed, cancelled, timeouts, rejected;
} serve_queue;

double serve_now(void);            /* monotonic seconds */
/* Starts the worker over an open writer (the queue does not own it). */
int  serve_queue_start(serve_queue *q, vers_writer *w, int max_waiting, double timeout_s, vers_err *err);
/* Asks every job to stop, wakes every waiter, joins the worker. */
void serve_queue_stop(serve_queue *q);
void serve_queue_destroy(serve_queue *q);
/* Adds a job (its request filled, refs 0): VERS_OK with the job holding two references
 * (the caller's and the queue's), or VERS_EFAIL when the queue is full (msg says so; the job
 * is not taken) or the server is stopping. */
int  serve_queue_add(serve_queue *q, serve_job *j, char *msg, size_t cap);
/* Drops the caller's reference (cancelling the job when it is not done yet). */
void serve_job_release(serve_queue *q, serve_job *j);
void serve_job_free_request(serve_job *j);
#endif
