/* src/serve/server.c — `vers serve`'s HTTP side on libmicrohttpd: one thread per connection
 * (a connection may wait for its poem, or stream it, without holding anyone else), routes
 * GET / (the embedded page), GET /api/forms, GET /api/status, POST /api/check and
 * POST /api/write, and refuses early what should not reach the library: a Host or Origin
 * that is not this server's (DNS rebinding, cross-site POSTs), a Content-Type other than
 * JSON, a body over 64 KB.  Every refusal is a 4xx/5xx with {"error": one line}. */
#include "serve/serve.h"
#include "serve/api.h"
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>

#define MAX_BODY (64 * 1024)

typedef struct server {
    const serve_opts *o;
    int port;                      /* the port bound */
    serve_queue q;
    vers_prosody *check_p;         /* POST /api/check's ear, one at a time */
    pthread_mutex_t check_mu;
    char *forms_json;
    size_t forms_len;
} server;

enum { R_NONE, R_PAGE, R_FORMS, R_STATUS, R_CHECK, R_WRITE };

typedef struct conn {
    int route;
    char *body;
    size_t n;
    int too_big;
    int refused;                   /* a response is queued already */
    serve_job *job;                /* /api/write: the job, one reference */
    size_t sent;                   /* SSE bytes sent */
    int fd;
    server *s;
} conn;

/* ---- responses ------------------------------------------------------------------- */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type, const void *data, size_t n,
                             enum MHD_ResponseMemoryMode mode) {
    struct MHD_Response *r = MHD_create_response_from_buffer(n, (void *)data, mode);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned status, const char *msg) {
    size_t n;
    char *js = serve_error_json(msg, &n);
    if (!js) return reply(c, 500, "text/plain", "out of memory\n", 14, MHD_RESPMEM_PERSISTENT);
    struct MHD_Response *r = MHD_create_response_from_buffer(n, js, MHD_RESPMEM_MUST_FREE);
    if (!r) { free(js); return MHD_NO; }
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (status == 503) MHD_add_response_header(r, "Retry-After", "1");   /* a full queue: come back */
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* ---- Host and Origin ------------------------------------------------------------- */

/* "name" or "name:port" (name may be "[v6]"): 1 when name is this server's — localhost, an
 * address literal (a rebinding attack needs a name it controls, never a literal), or the
 * --host given — and the port is ours (absent: 80). */
static int host_ok(const server *s, const char *h, size_t n) {
    char name[256];
    int port = 80;
    const char *colon = NULL;
    if (n == 0 || n >= sizeof name) return 0;
    if (h[0] == '[') {
        const char *e = memchr(h, ']', n);
        if (!e) return 0;
        if ((size_t)(e - h) + 1 < n) { if (e[1] != ':') return 0; colon = e + 1; }
        memcpy(name, h + 1, (size_t)(e - h - 1));
        name[e - h - 1] = 0;
        unsigned char buf[16];
        if (inet_pton(AF_INET6, name, buf) != 1) return 0;
    } else {
        colon = memchr(h, ':', n);
        size_t l = colon ? (size_t)(colon - h) : n;
        memcpy(name, h, l);
        name[l] = 0;
        unsigned char buf[4];
        if (strcasecmp(name, "localhost") && inet_pton(AF_INET, name, buf) != 1 &&
            strcasecmp(name, s->o->host)) return 0;
    }
    if (colon) {
        size_t pl = n - (size_t)(colon + 1 - h);
        if (pl == 0 || pl > 5) return 0;
        port = 0;
        for (size_t i = 0; i < pl; i++) {
            char d = colon[1 + i];
            if (d < '0' || d > '9') return 0;
            port = port * 10 + (d - '0');
        }
    }
    return port == s->port;
}

static const char *security_refusal(const server *s, struct MHD_Connection *c) {
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    if (!host || !host_ok(s, host, strlen(host)))
        return "Host header is not this server's (use http://127.0.0.1:PORT/ or http://localhost:PORT/)";
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    if (origin) {
        if (strncmp(origin, "http://", 7) || !host_ok(s, origin + 7, strlen(origin + 7)))
            return "cross-origin requests are refused (Origin is not this server)";
    }
    return NULL;
}

/* application/json, with parameters (charset=utf-8) allowed after ';' */
static int json_type(const char *t) {
    if (!t) return 0;
    while (*t == ' ') t++;
    size_t l = strlen("application/json");
    if (strncasecmp(t, "application/json", l)) return 0;
    t += l;
    while (*t == ' ') t++;
    return *t == 0 || *t == ';';
}

/* ---- /api/write ------------------------------------------------------------------ */

/* 1 when the client hung up: its socket reports end of stream (it sends nothing more on
 * an API request, and a browser or curl never half-closes while waiting). */
static int client_gone(int fd) {
    if (fd < 0) return 0;
    struct pollfd p = {fd, POLLRDHUP, 0};
    return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

static void wait_changed(serve_queue *q) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_nsec += 200 * 1000 * 1000;
    if (t.tv_nsec >= 1000000000L) { t.tv_sec++; t.tv_nsec -= 1000000000L; }
    pthread_cond_timedwait(&q->changed, &q->mu, &t);
}

static unsigned status_of(int rc, const serve_job *j) {
    if (rc == VERS_OK) return 200;
    if (rc == VERS_EINVAL || rc == VERS_ENOTFOUND) return 400;
    if (rc == VERS_EFAIL) return 422;                  /* no poem within the search budget */
    if (rc == VERS_ECANCEL) return j->timed_out ? 504 : 503;
    return 500;
}

/* SSE: the job's events as they come; blocking is allowed (a thread per connection) */
static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max) {
    (void)pos;
    conn *cn = cls;
    serve_queue *q = &cn->s->q;
    serve_job *j = cn->job;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        if (j->ev.n > cn->sent) {
            size_t k = j->ev.n - cn->sent;
            if (k > max) k = max;
            memcpy(buf, j->ev.p + cn->sent, k);
            cn->sent += k;
            pthread_mutex_unlock(&q->mu);
            return (ssize_t)k;
        }
        if (j->state == JOB_DONE) { pthread_mutex_unlock(&q->mu); return MHD_CONTENT_READER_END_OF_STREAM; }
        if (client_gone(cn->fd)) {
            atomic_store(&j->cancel, 1);
            pthread_mutex_unlock(&q->mu);
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        wait_changed(q);
    }
}

static enum MHD_Result do_write(server *s, struct MHD_Connection *c, conn *cn) {
    serve_job *j = calloc(1, sizeof *j);
    if (!j) return reply_error(c, 500, "out of memory");
    char msg[600];
    if (serve_parse_write(cn->body ? cn->body : "", cn->n, j, msg, sizeof msg)) {
        free(j);
        return reply_error(c, 400, msg);
    }
    if (serve_queue_add(&s->q, j, msg, sizeof msg)) {
        serve_job_free_request(j);
        free(j);
        return reply_error(c, 503, msg);
    }
    cn->job = j;
    const char *acc = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
    if (acc && strstr(acc, "text/event-stream")) {
        struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, sse_read, cn, NULL);
        if (!r) return MHD_NO;
        MHD_add_response_header(r, "Content-Type", "text/event-stream; charset=utf-8");
        MHD_add_response_header(r, "Cache-Control", "no-store");
        MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
        enum MHD_Result ret = MHD_queue_response(c, 200, r);
        MHD_destroy_response(r);
        return ret;
    }
    /* one JSON answer: wait here (this connection's own thread) for the poem */
    serve_queue *q = &s->q;
    pthread_mutex_lock(&q->mu);
    while (j->state != JOB_DONE) {
        if (client_gone(cn->fd)) atomic_store(&j->cancel, 1);
        wait_changed(q);
    }
    int rc = j->rc;
    unsigned st = status_of(rc, j);
    char *js = NULL;
    size_t jl = 0;
    if (rc == VERS_OK && (js = malloc(j->json_len + 1))) {
        memcpy(js, j->json, j->json_len);
        js[j->json_len] = '\n';                         /* one line, as vers write --json */
        jl = j->json_len + 1;
    }
    snprintf(msg, sizeof msg, "%s", j->msg);
    pthread_mutex_unlock(&q->mu);
    if (rc == VERS_OK && js) return reply(c, 200, "application/json", js, jl, MHD_RESPMEM_MUST_FREE);
    return reply_error(c, rc == VERS_OK ? 500 : st, rc == VERS_OK ? "out of memory" : msg);
}

/* ---- the handler ----------------------------------------------------------------- */

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **con_cls) {
    (void)version;
    server *s = cls;
    conn *cn = *con_cls;
    if (!cn) {
        cn = calloc(1, sizeof *cn);
        if (!cn) return MHD_NO;
        cn->s = s;
        cn->fd = -1;
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (ci) cn->fd = ci->connect_fd;
        *con_cls = cn;
        int get = !strcmp(method, "GET") || !strcmp(method, "HEAD"), post = !strcmp(method, "POST");
        if (!strcmp(url, "/") || !strcmp(url, "/index.html")) cn->route = get ? R_PAGE : R_NONE;
        else if (!strcmp(url, "/api/forms")) cn->route = get ? R_FORMS : R_NONE;
        else if (!strcmp(url, "/api/status")) cn->route = get ? R_STATUS : R_NONE;
        else if (!strcmp(url, "/api/check")) cn->route = post ? R_CHECK : R_NONE;
        else if (!strcmp(url, "/api/write")) cn->route = post ? R_WRITE : R_NONE;
        else { cn->refused = 1; return reply_error(c, 404, "no such page (GET /, /api/forms; POST /api/write, /api/check)"); }
        const char *why = security_refusal(s, c);
        if (why) { cn->refused = 1; return reply_error(c, 403, why); }
        if (cn->route == R_NONE) { cn->refused = 1; return reply_error(c, 405, "method not allowed here"); }
        if (post) {
            if (!json_type(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type"))) {
                cn->refused = 1;
                return reply_error(c, 400, "Content-Type must be application/json");
            }
            const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
            if (cl && strtoull(cl, NULL, 10) > MAX_BODY) {
                cn->refused = 1;
                return reply_error(c, 413, "request body over 64 KB");
            }
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!cn->refused && !cn->too_big) {
            if (cn->n + *upload_size > MAX_BODY) { cn->too_big = 1; free(cn->body); cn->body = NULL; cn->n = 0; }
            else {
                char *b = realloc(cn->body, cn->n + *upload_size + 1);
                if (!b) { cn->too_big = 1; free(cn->body); cn->body = NULL; cn->n = 0; }
                else { memcpy(b + cn->n, upload, *upload_size); cn->n += *upload_size; b[cn->n] = 0; cn->body = b; }
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (cn->refused) return MHD_YES;
    if (cn->too_big) return reply_error(c, 413, "request body over 64 KB");
    switch (cn->route) {
    case R_PAGE: {
        struct MHD_Response *r = MHD_create_response_from_buffer(serve_page_html_len, (void *)serve_page_html, MHD_RESPMEM_PERSISTENT);
        if (!r) return MHD_NO;
        MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
        MHD_add_response_header(r, "Cache-Control", "no-store");
        MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
        MHD_add_response_header(r, "Content-Security-Policy",
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
            "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
        enum MHD_Result ret = MHD_queue_response(c, 200, r);
        MHD_destroy_response(r);
        return ret;
    }
    case R_FORMS:
        return reply(c, 200, "application/json", s->forms_json, s->forms_len, MHD_RESPMEM_PERSISTENT);
    case R_STATUS: {
        char *b = malloc(512);
        if (!b) return reply_error(c, 500, "out of memory");
        pthread_mutex_lock(&s->q.mu);
        int n = snprintf(b, 512, "{\"queue\":%d,\"waiting\":%d,\"writing\":%d,\"served\":%ld,\"failed\":%ld,"
                         "\"cancelled\":%ld,\"timeouts\":%ld,\"rejected\":%ld}\n", s->q.max_waiting, s->q.waiting,
                         s->q.running ? 1 : 0, s->q.served, s->q.failed, s->q.cancelled, s->q.timeouts, s->q.rejected);
        pthread_mutex_unlock(&s->q.mu);
        return reply(c, 200, "application/json", b, (size_t)n, MHD_RESPMEM_MUST_FREE);
    }
    case R_CHECK: {
        char msg[600], *js = NULL;
        size_t jl = 0;
        pthread_mutex_lock(&s->check_mu);
        int rc = serve_check(s->check_p, cn->body ? cn->body : "", cn->n, &js, &jl, msg, sizeof msg);
        pthread_mutex_unlock(&s->check_mu);
        if (rc) return reply_error(c, 400, msg);
        return reply(c, 200, "application/json", js, jl, MHD_RESPMEM_MUST_FREE);
    }
    case R_WRITE:
        return do_write(s, c, cn);
    }
    return reply_error(c, 500, "internal: no route");
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe) {
    (void)c; (void)toe;
    server *s = cls;
    conn *cn = *con_cls;
    if (!cn) return;
    serve_job_release(&s->q, cn->job);          /* cancels it when not done: the client left */
    free(cn->body);
    free(cn);
    *con_cls = NULL;
}

/* ---- run ------------------------------------------------------------------------- */

static int loopback(const struct sockaddr *sa) {
    if (sa->sa_family == AF_INET) return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
    }
    return 0;
}

/* Descriptors the process holds besides its connections: stdio, the listening socket,
 * libmicrohttpd's wake-up pipes, the model and dictionary while they load, and slack. */
#define FD_RESERVE 64

int serve_connection_limit(int want) {
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r)) return want;                     /* unknown: as asked */
    /* a soft limit below the hard one is a default, not a choice: raise it, as far as the
     * connections need (an unlimited hard limit is not taken literally) */
    rlim_t need = (rlim_t)want + FD_RESERVE;
    if (r.rlim_cur != RLIM_INFINITY && r.rlim_cur < need && r.rlim_cur < r.rlim_max) {
        struct rlimit n = r;
        n.rlim_cur = r.rlim_max == RLIM_INFINITY || r.rlim_max > need ? need : r.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &n) == 0) r = n;
    }
    if (r.rlim_cur == RLIM_INFINITY || r.rlim_cur >= need) return want;
    long room = (long)r.rlim_cur - FD_RESERVE;
    return room < 8 ? 8 : (int)room;
}

int serve_run(const serve_opts *o) {
    server s;
    memset(&s, 0, sizeof s);
    s.o = o;
    vers_err err = {0};
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    char ps[16];
    snprintf(ps, sizeof ps, "%d", o->port);
    int gr = getaddrinfo(o->host, ps, &hints, &ai);
    if (gr || !ai) { fprintf(stderr, "vers: serve: --host '%s': %s\n", o->host, gai_strerror(gr)); return 2; }
    if (!loopback(ai->ai_addr))
        fprintf(stderr, "vers serve: WARNING: --host %s is not a loopback address: anyone who can reach this "
                        "machine can use the server (no authentication)\n", o->host);
    if (serve_forms_json(&s.forms_json, &s.forms_len)) { freeaddrinfo(ai); fprintf(stderr, "vers: serve: out of memory\n"); return 2; }
    vers_writer *w = NULL;
    if (vers_writer_open(o->model, o->threads, &w, &err)) {
        freeaddrinfo(ai); free(s.forms_json);
        fprintf(stderr, "vers: %s: %s\n", o->model, err.msg);
        return 2;
    }
    if (vers_prosody_open(NULL, &s.check_p, &err)) {
        freeaddrinfo(ai); free(s.forms_json); vers_writer_close(w);
        fprintf(stderr, "vers: serve: %s\n", err.msg);
        return 2;
    }
    pthread_mutex_init(&s.check_mu, NULL);
    if (serve_queue_start(&s.q, w, o->queue, o->timeout_s, &err)) {
        freeaddrinfo(ai); free(s.forms_json); vers_writer_close(w); vers_prosody_close(s.check_p);
        fprintf(stderr, "vers: serve: %s\n", err.msg);
        return 2;
    }
    /* poll(), not select(): with hundreds of connections descriptors pass FD_SETSIZE */
    unsigned flags = MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_THREAD_PER_CONNECTION;
    if (ai->ai_family == AF_INET6) flags |= MHD_USE_IPv6;
    /* Every connection within the limit is answered: served, or 503 at once when the queue
     * is full.  Beyond it libmicrohttpd closes the connection unanswered, so the limit is
     * set well above the queue (default 1024), as far as the descriptors allow. */
    int want = o->connections > 0 ? o->connections : 1024, limit = serve_connection_limit(want);
    struct MHD_Daemon *d = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL, handle, &s,
        MHD_OPTION_SOCK_ADDR, ai->ai_addr,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)limit,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)limit,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024),
        MHD_OPTION_NOTIFY_COMPLETED, completed, &s,
        MHD_OPTION_END);
    freeaddrinfo(ai);
    int rc = 0;
    if (!d) {
        fprintf(stderr, "vers: serve: cannot listen on %s port %d (in use, or not an address of this machine)\n", o->host, o->port);
        rc = 2;
    } else {
        const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
        s.port = di ? di->port : o->port;
        int v6 = strchr(o->host, ':') != NULL;
        fprintf(stderr, "vers serve: listening on http://%s%s%s:%d/ (model %s, queue %d, time limit %g s, "
                        "%d connections)\n", v6 ? "[" : "", o->host, v6 ? "]" : "", s.port, o->model, o->queue,
                o->timeout_s, limit);
        if (want > limit)
            fprintf(stderr, "vers serve: %d connections asked, %d allowed (the file-descriptor limit, ulimit -n)\n",
                    want, limit);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        int sig = 0;
        sigwait(&set, &sig);
        fprintf(stderr, "vers serve: %s: stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    }
    serve_queue_stop(&s.q);                     /* jobs cancelled, waiters woken, worker joined */
    if (d) MHD_stop_daemon(d);                  /* connection threads finish and are joined */
    serve_queue_destroy(&s.q);
    pthread_mutex_destroy(&s.check_mu);
    vers_prosody_close(s.check_p);
    vers_writer_close(w);
    free(s.forms_json);
    if (d) fprintf(stderr, "vers serve: stopped (%ld poems written)\n", s.q.served);
    return rc;
}
