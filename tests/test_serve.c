/* tests/test_serve.c — `vers serve` over a real socket: the page, GET /api/forms, POST
 * /api/write (the same poem and JSON as `vers write --json`, plain and streamed), POST
 * /api/check (vers check --json's object), bad requests (400 with a one-line message),
 * oversize bodies (413), Host/Origin refusals (403), a full queue (503), a client that
 * hangs up (its poem cancelled), 500 connections at once (each answered: 503 beyond the
 * queue, none dropped), 1,000 malformed requests (never a crash, always a 4xx
 * with a message), and SIGTERM (a clean exit 0).  Skips when vers was built without
 * libmicrohttpd or the shipped model is absent. */
#include "test.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

static const char *vers = "build/vers";

/* runs "vers ARGS" through the shell, stdout into out */
static int run_vers(const char *args, char *out, size_t cap) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s %s", vers, args);
    return t_run(cmd, out, cap);
}
static int port;
static pid_t server_pid = -1;
static FILE *server_err;

/* Starts vers serve on a free port; the port from its "listening on" line. */
static int start_server(const char *bin, const char *extra) {
    int pfd[2];
    if (pipe(pfd)) return -1;
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        dup2(pfd[1], 2);
        close(pfd[0]); close(pfd[1]);
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "exec %s serve --port 0 %s", bin, extra);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(pfd[1]);
    server_pid = pid;
    server_err = fdopen(pfd[0], "r");
    char line[1024];
    while (fgets(line, sizeof line, server_err)) {
        char *p = strstr(line, "listening on http://127.0.0.1:");
        if (p) { port = atoi(p + strlen("listening on http://127.0.0.1:")); return port > 0 ? 0 : -1; }
        if (strstr(line, "built without the server")) return 1;
        fputs(line, stdout);
    }
    return -1;
}

static int connect_server(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a)) { close(fd); return -1; }
    return fd;
}

static int send_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k <= 0) return -1;
        p += k; n -= (size_t)k;
    }
    return 0;
}

/* Sends a request (HTTP/1.0: the answer ends when the server closes) with optional extra
 * header lines; returns the status, the body in *body (malloc'd). */
static int request_fd(int fd, const char *method, const char *path, const char *headers, const char *body, size_t blen) {
    char head[2048];
    int hn = snprintf(head, sizeof head, "%s %s HTTP/1.0\r\nHost: 127.0.0.1:%d\r\n%s%sContent-Length: %zu\r\n\r\n",
                      method, path, port, headers ? headers : "", headers && *headers ? "" : "", blen);
    if (send_all(fd, head, (size_t)hn)) return -1;
    if (blen && send_all(fd, body, blen)) return -1;
    return 0;
}

static int read_answer(int fd, char **body) {
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap + 1);
    for (;;) {
        if (n == cap) { cap *= 2; b = realloc(b, cap + 1); }
        ssize_t k = recv(fd, b + n, cap - n, 0);
        if (k <= 0) break;
        n += (size_t)k;
    }
    b[n] = 0;
    int status = -1;
    if (n > 12 && !strncmp(b, "HTTP/1.", 7)) status = atoi(b + 9);
    char *e = strstr(b, "\r\n\r\n");
    char *out = strdup(e ? e + 4 : "");
    if (body) *body = out; else free(out);
    free(b);
    return status;
}

static int http(const char *method, const char *path, const char *headers, const char *body, size_t blen, char **out) {
    int fd = connect_server();
    if (fd < 0) { if (out) *out = strdup(""); return -1; }
    int st = -1;
    if (request_fd(fd, method, path, headers, body, blen) == 0) st = read_answer(fd, out);
    else if (out) *out = strdup("");
    close(fd);
    return st;
}

#define JSON_CT "Content-Type: application/json\r\n"

static int post(const char *path, const char *body, char **out) {
    return http("POST", path, JSON_CT, body, strlen(body), out);
}

/* {"error":"..."} on one line */
static int one_line_error(const char *b) {
    size_t n = strlen(b);
    return !strncmp(b, "{\"error\":\"", 10) && n > 13 && !strcmp(b + n - 3, "\"}\n") && !memchr(b, '\n', n - 1);
}

/* the value of "text" in a poem object, as it is written (escaped) */
static char *field_text(const char *js) {
    const char *p = strstr(js, "{\"text\":\"");
    if (!p) return NULL;
    p += 9;
    const char *e = strstr(p, "\",\"form\":");
    return e ? strndup(p, (size_t)(e - p)) : NULL;
}

static const char *after(const char *js, const char *key) {
    const char *p = strstr(js, key);
    return p ? p + strlen(key) : "";
}

static long status_field(const char *name) {
    char *b = NULL;
    http("GET", "/api/status", NULL, "", 0, &b);
    char key[64];
    snprintf(key, sizeof key, "\"%s\":", name);
    const char *p = strstr(b ? b : "", key);
    long v = p ? atol(p + strlen(key)) : -1;
    free(b);
    return v;
}

/* ---- 1,000 malformed requests: each malformed by construction ----------------------- */
static unsigned long long rs = 88172645463325252ull;
static unsigned rnd(unsigned n) { rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17; return (unsigned)(rs % n); }

static void hostile(int *bad_status, int *bad_msg, int *crashed) {
    static const char *valid[] = {
        "{\"text\":\"Le chat dort sur le mur\\nEt le chien aussi\\n\",\"form\":\"quatrain-fr\",\"lang\":\"fr\"}",
        "{\"text\":\"The cat sat\\non the mat\",\"scheme\":\"AA\",\"syllables\":\"3\"}",
        "{\"lang\":\"fr\",\"form\":\"sonnet\",\"seed\":7,\"theme\":\"la mer\"}",
    };
    static const char *paths[] = {"/api/check", "/api/check", "/api/write"};
    char body[4096];
    for (int i = 0; i < 1000; i++) {
        int v = (int)rnd(3);
        const char *src = valid[v];
        size_t n = strlen(src);
        const char *ct = JSON_CT;
        int kind = (int)rnd(11);
        switch (kind) {
        case 0: n = rnd((unsigned)n); memcpy(body, src, n); break;                  /* truncated */
        case 1: {                                                                     /* invalid UTF-8 */
            static const unsigned char badb[] = {0x80, 0xBF, 0xC0, 0xC1, 0xF5, 0xFF, 0xE0, 0xED};
            size_t at = rnd((unsigned)n);
            memcpy(body, src, at);
            body[at] = (char)badb[rnd(8)];
            if (body[at] == (char)0xE0) { body[at + 1] = (char)0x80; memcpy(body + at + 2, src + at, n - at); n += 2; }
            else if (body[at] == (char)0xED) { body[at + 1] = (char)0xA0; body[at + 2] = (char)0x80; memcpy(body + at + 3, src + at, n - at); n += 3; }
            else { memcpy(body + at + 1, src + at, n - at); n += 1; }
            break;
        }
        case 2: n = (size_t)snprintf(body, sizeof body, "{\"x%u\":1,%s", rnd(100000), src + 1); break;   /* unknown field */
        case 3: {                                                                     /* wrong types */
            static const char *w[] = {"\"form\":12", "\"lang\":true", "\"lines\":\"abc\"", "\"seed\":-1",
                                      "\"seed\":1.5", "\"text\":[1,2]", "\"theme\":{\"a\":1}", "\"temp\":99",
                                      "\"syllables\":0", "\"lines\":1e999", "\"seed\":\"18446744073709551616\""};
            n = (size_t)snprintf(body, sizeof body, "{%s}", w[rnd(11)]);
            if (v != 2 && strstr(body, "seed")) n = (size_t)snprintf(body, sizeof body, "{\"text\":\"a\",\"form\":7}");
            break;
        }
        case 4: n = (size_t)snprintf(body, sizeof body, "%s%s", src, rnd(2) ? "}" : ",{}"); break;     /* trailing */
        case 5: {                                                                     /* wrong Content-Type */
            static const char *t[] = {"Content-Type: text/plain\r\n", "Content-Type: application/x-www-form-urlencoded\r\n",
                                      "Content-Type: multipart/form-data; boundary=x\r\n", "", "Content-Type: application/jsonx\r\n"};
            ct = t[rnd(5)];
            memcpy(body, src, n);
            break;
        }
        case 6: n = (size_t)snprintf(body, sizeof body, "{\"text\":\"x\",\"lang\":\"fr\",\"form\":\"nope%u\"}", rnd(1000)); break;
        case 7: { size_t at = 10 + rnd(5); memcpy(body, src, n); body[at] = (char)(1 + rnd(31)); break; }   /* control char */
        case 8: n = (size_t)snprintf(body, sizeof body, "{\"form\":\"a\",\"form\":\"b\"}"); break;           /* duplicate */
        case 9: n = 1 + rnd(200); for (size_t k = 0; k < n; k++) body[k] = rnd(2) ? (char)rnd(256) : "{}[]\":,\\"[rnd(9)]; body[0] = rnd(2) ? '[' : 'x'; break;
        default: n = (size_t)snprintf(body, sizeof body, "{\"text\":\"\\ud800\",\"lang\":\"%s\"}", rnd(2) ? "fr" : "xx"); break;
        }
        char *out = NULL;
        int st = http("POST", paths[v], ct, body, n, &out);
        if (st < 0) { (*crashed)++; free(out); if (kill(server_pid, 0)) return; continue; }
        if (st < 400 || st > 499) { (*bad_status)++; if (*bad_status < 5) printf("hostile %d (kind %d): status %d: %.*s\n", i, kind, st, (int)n, body); }
        else if (!one_line_error(out)) { (*bad_msg)++; if (*bad_msg < 5) printf("hostile %d: message '%s'\n", i, out); }
        free(out);
    }
}

int main(void) {
    /* the sanitizer run (VERS_SANITIZE=1) serves from its own build: the server under ASan */
    if (getenv("VERS_SANITIZE") && access("build-san/vers", X_OK) == 0) vers = "build-san/vers";
    if (getenv("VERS_BIN")) vers = getenv("VERS_BIN");
    if (access(vers, X_OK)) { T_SKIP("serve", "vers not built"); T_DONE(); }
    if (access("models/vers-default.gguf", R_OK)) { T_SKIP("serve", "models/vers-default.gguf absent"); T_DONE(); }
    signal(SIGPIPE, SIG_IGN);
    int s = start_server(vers, "--queue 1");
    if (s == 1) { T_SKIP("serve", "vers was built without libmicrohttpd (install libmicrohttpd-dev)"); waitpid(server_pid, NULL, 0); T_DONE(); }
    if (s) { T_CASE("serve: starts") T_CHECK(0, "vers serve did not start"); T_DONE(); }
    char *b = NULL;

    T_CASE("serve: GET / is the page, self-contained") {
        int st = http("GET", "/", NULL, "", 0, &b);
        T_CHECK(st == 200, "status %d", st);
        T_CHECK(strstr(b, "<!doctype html>") && strstr(b, "/api/write"), "not the page");
        T_CHECK(!strstr(b, "src=\"http") && !strstr(b, "href=\"http") && !strstr(b, "url(http"), "the page fetches from elsewhere");
        free(b);
    }
    T_CASE("serve: GET /api/forms") {
        int st = http("GET", "/api/forms", NULL, "", 0, &b);
        T_CHECK(st == 200 && b[0] == '[' && strstr(b, "\"name\":\"sonnet-fr\"") && strstr(b, "\"description\":"), "%d %.200s", st, b);
        free(b);
    }
    T_CASE("serve: POST /api/write is vers write --json's poem") {
        char cli[65536];
        run_vers(" write --lang fr --form quatrain --seed 5 --theme 'la mer' --json 2>/dev/null", cli, sizeof cli);
        int st = post("/api/write", "{\"lang\":\"fr\",\"form\":\"quatrain\",\"seed\":5,\"theme\":\"la mer\"}", &b);
        T_CHECK(st == 200, "status %d: %s", st, b);
        char *t1 = field_text(cli), *t2 = field_text(b);
        T_CHECK(t1 && t2 && !strcmp(t1, t2), "texts differ:\ncli   %s\nserve %s", t1 ? t1 : "(none)", t2 ? t2 : "(none)");
        T_CHECK(!strcmp(after(cli, "\"analysis\":"), after(b, "\"analysis\":")), "analyses differ");
        T_CHECK(strstr(b, "\"seed\":5,\"index\":0,\"scores\":{") != NULL, "not vers write's object: %.200s", b);
        free(t1); free(t2); free(b);
    }
    T_CASE("serve: POST /api/write streamed (Server-Sent Events) ends with the same poem") {
        char cli[65536];
        run_vers(" write --lang fr --form quatrain --seed 9 --json 2>/dev/null", cli, sizeof cli);
        const char *sse_req = "{\"lang\":\"fr\",\"form\":\"quatrain\",\"seed\":\"9\"}";
        int st = http("POST", "/api/write", JSON_CT "Accept: text/event-stream\r\n", sse_req, strlen(sse_req), &b);
        T_CHECK(st == 200, "status %d", st);
        T_CHECK(strstr(b, "event: queued\n") && strstr(b, "event: line\ndata: {\"index\":0,\"text\":"), "no line events: %.300s", b);
        const char *pe = strstr(b, "event: poem\ndata: ");
        T_CHECK(pe != NULL, "no poem event");
        char *t1 = field_text(cli), *t2 = pe ? field_text(pe) : NULL;
        T_CHECK(t1 && t2 && !strcmp(t1, t2), "texts differ");
        /* the last line events (after the last retraction) are the poem's lines */
        const char *last3 = NULL;
        for (const char *p = b; (p = strstr(p, "\"index\":3,\"text\":\"")); p++) last3 = p + 18;
        T_CHECK(last3 && t1 && strstr(t1, "\\n") && !strncmp(strstr(t1, "\\n") ? last3 : "", last3, 1), "no fourth line");
        free(t1); free(t2); free(b);
    }
    T_CASE("serve: POST /api/check is vers check --json's object; the violation on its line") {
        /* Baudelaire's "Correspondances", line 3 one syllable short (the rest keeps the form) */
        const char *poem = "La Nature est un temple où de vivants piliers\\nLaissent parfois sortir de confuses paroles ;\\n"
                           "L’homme y passe à travers des bois de symboles\\nQui l’observent avec des regards familiers.\\n";
        char body[1024];
        snprintf(body, sizeof body, "{\"text\":\"%s\",\"form\":\"quatrain-fr\"}", poem);
        int st = post("/api/check", body, &b);
        T_CHECK(st == 200, "status %d %s", st, b);
        T_CHECK(strstr(b, "\"ok\":false") && strstr(b, "\"violations\":[\n{\"line\":3,\"what\":\"syllables\",\"expected\":\"12 syllables\",\"found\":\"11\"}]"),
                "not one violation, on line 3: %s", b);
        char cli[65536], cmd[1024];
        snprintf(cmd, sizeof cmd, "printf '%s' | %s check --json --form quatrain-fr", poem, vers);
        t_run(cmd, cli, sizeof cli);
        T_CHECK(!strcmp(cli, b), "differs from vers check --json:\n%s\n%s", cli, b);
        free(b);
    }
    T_CASE("serve: bad requests are 400 with a one-line message") {
        struct { const char *ct, *body, *want; } cases[] = {
            {JSON_CT, "{\"lang\":\"fr\",", "invalid JSON"},
            {JSON_CT, "{\"text\":\"\xff\"}", "invalid UTF-8"},
            {JSON_CT, "{\"text\":\"a\",\"colour\":\"red\"}", "unknown field 'colour'"},
            {"Content-Type: text/plain\r\n", "{\"text\":\"a\"}", "Content-Type"},
            {JSON_CT, "{\"text\":\"a\",\"form\":\"no-such-form\"}", "no-such-form"},
            {JSON_CT, "{}", "'text'"},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            int st = http("POST", "/api/check", cases[i].ct, cases[i].body, strlen(cases[i].body), &b);
            T_CHECK(st == 400 && one_line_error(b) && strstr(b, cases[i].want), "case %zu: %d %s", i, st, b);
            free(b);
        }
        int st = post("/api/write", "{\"form\":\"sonnet\",\"lines\":3}", &b);
        T_CHECK(st == 400 && one_line_error(b), "write with a bad form: %d %s", st, b);
        free(b);
        st = post("/api/write", "{\"form\":\"sonnet\",\"seed\":\"x\"}", &b);
        T_CHECK(st == 400 && strstr(b, "seed"), "bad seed: %d %s", st, b);
        free(b);
        st = http("GET", "/nope", NULL, "", 0, &b);
        T_CHECK(st == 404 && one_line_error(b), "404: %d", st);
        free(b);
        st = http("GET", "/api/write", NULL, "", 0, &b);
        T_CHECK(st == 405 && one_line_error(b), "405: %d", st);
        free(b);
    }
    T_CASE("serve: a body over 64 KB is refused (413), declared or not") {
        size_t n = 70 * 1024;
        char *big = malloc(n + 32);
        memset(big, 'a', n + 32);
        memcpy(big, "{\"text\":\"", 9);
        memcpy(big + n - 2, "\"}", 2);
        int st = http("POST", "/api/check", JSON_CT, big, n, &b);
        T_CHECK(st == 413 && one_line_error(b), "declared: %d %s", st, b);
        free(b);
        /* chunked, no Content-Length: counted as it comes */
        int fd = connect_server();
        char head[256];
        int hn = snprintf(head, sizeof head, "POST /api/check HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" JSON_CT
                          "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n", port);
        send_all(fd, head, (size_t)hn);
        for (int k = 0; k < 9; k++) {
            char ch[32];
            int cn = snprintf(ch, sizeof ch, "2000\r\n");
            send_all(fd, ch, (size_t)cn);
            send_all(fd, big + 9, 0x2000);
            send_all(fd, "\r\n", 2);
        }
        send_all(fd, "0\r\n\r\n", 5);
        st = read_answer(fd, &b);
        close(fd);
        T_CHECK(st == 413, "chunked: %d %s", st, b);
        free(b);
        free(big);
    }
    T_CASE("serve: Host and Origin are this server's (no DNS rebinding, no cross-site POST)") {
        int fd = connect_server();
        const char *r = "GET / HTTP/1.0\r\nHost: evil.example:8080\r\n\r\n";
        send_all(fd, r, strlen(r));
        int st = read_answer(fd, &b);
        close(fd);
        T_CHECK(st == 403 && one_line_error(b), "rebinding Host: %d", st);
        free(b);
        st = http("POST", "/api/check", JSON_CT "Origin: http://evil.example\r\n", "{\"text\":\"a\"}", 12, &b);
        T_CHECK(st == 403, "cross-site Origin: %d", st);
        free(b);
        char o[128];
        snprintf(o, sizeof o, JSON_CT "Origin: http://localhost:%d\r\n", port);
        st = http("POST", "/api/check", o, "{\"text\":\"a\"}", 12, &b);
        T_CHECK(st == 200, "same-origin: %d %s", st, b);
        free(b);
        snprintf(o, sizeof o, JSON_CT "Origin: http://127.0.0.1:%d\r\n", port + 1);
        st = http("POST", "/api/check", o, "{\"text\":\"a\"}", 12, &b);
        T_CHECK(st == 403, "another port: %d", st);
        free(b);
    }
    T_CASE("serve: beyond the queue 503; a client that hangs up has its poem cancelled") {
        /* --queue 1: one poem written, one waiting, the third refused */
        const char *req = "{\"lang\":\"fr\",\"form\":\"sonnet\",\"seed\":11}";
        int fds[2];
        for (int k = 0; k < 2; k++) {
            fds[k] = connect_server();
            request_fd(fds[k], "POST", "/api/write", JSON_CT, req, strlen(req));
            /* the first taken by the writer, then the second waiting */
            for (int w = 0; w < 200 && status_field(k ? "waiting" : "writing") != 1; w++) usleep(10000);
        }
        int st = post("/api/write", req, &b);
        T_CHECK(st == 503 && one_line_error(b) && strstr(b, "queue is full"), "third: %d %s", st, b);
        free(b);
        /* 500 connections at once, all sent before any is read: each is answered (a 503 at
         * once, or served if a place frees meanwhile); none closed unanswered, as past
         * libmicrohttpd's connection limit (it was 2 x queue + 64) */
        enum { MANY = 500 };
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < MANY + 64 && rl.rlim_max >= MANY + 64) {
            rl.rlim_cur = MANY + 64;
            setrlimit(RLIMIT_NOFILE, &rl);
        }
        static int many[MANY];
        int opened = 0, n503 = 0, served = 0, unanswered = 0, badmsg = 0;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int k = 0; k < MANY; k++) {
            many[k] = connect_server();
            if (many[k] < 0) continue;
            opened++;
            struct timeval tv = {60, 0};
            setsockopt(many[k], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        }
        for (int k = 0; k < MANY; k++)
            if (many[k] >= 0 && request_fd(many[k], "POST", "/api/write", JSON_CT, req, strlen(req))) { close(many[k]); many[k] = -1; }
        for (int k = 0; k < MANY; k++) {
            if (many[k] < 0) { unanswered++; continue; }
            char *body = NULL;
            int s2 = read_answer(many[k], &body);
            close(many[k]);
            if (s2 == 503) { n503++; if (!one_line_error(body) || !strstr(body, "queue is full")) badmsg++; }
            else if (s2 == 200 || s2 == 422) served++;
            else unanswered++;
            free(body);
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("  %d connections at once: %d answered 503, %d served, %d unanswered, in %.2f s\n", MANY, n503, served,
               unanswered, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9);
        T_CHECK(opened == MANY && unanswered == 0, "%d opened, %d without an answer", opened, unanswered);
        T_CHECK(n503 > MANY / 2 && badmsg == 0, "%d 503s, %d without the queue's message", n503, badmsg);
        long c0 = status_field("cancelled");
        close(fds[0]); close(fds[1]);           /* both clients leave */
        long c1 = c0;
        for (int w = 0; w < 250 && c1 < c0 + 2; w++) { usleep(20000); c1 = status_field("cancelled"); }
        T_CHECK(c1 == c0 + 2, "cancelled %ld -> %ld", c0, c1);
        T_CHECK(status_field("writing") == 0 && status_field("waiting") == 0, "the queue did not empty");
        /* and the server still writes */
        st = post("/api/write", "{\"lang\":\"fr\",\"form\":\"quatrain\",\"seed\":5,\"theme\":\"la mer\"}", &b);
        T_CHECK(st == 200, "after: %d", st);
        free(b);
    }
    T_CASE("serve: a streaming client that hangs up has its poem stopped") {
        long c0 = status_field("cancelled");
        const char *req = "{\"lang\":\"fr\",\"form\":\"sonnet\",\"seed\":12}";
        int fd = connect_server();
        request_fd(fd, "POST", "/api/write", JSON_CT "Accept: text/event-stream\r\n", req, strlen(req));
        char buf[4096];
        size_t n = 0;
        /* read until the first line is streamed, then leave */
        while (n + 1 < sizeof buf) {
            ssize_t k = recv(fd, buf + n, sizeof buf - 1 - n, 0);
            if (k <= 0) break;
            n += (size_t)k;
            buf[n] = 0;
            if (strstr(buf, "event: line\n")) break;
        }
        T_CHECK(strstr(buf, "event: line\n") != NULL, "no line streamed: %s", buf);
        close(fd);
        long c1 = c0;
        for (int w = 0; w < 250 && c1 < c0 + 1; w++) { usleep(20000); c1 = status_field("cancelled"); }
        T_CHECK(c1 == c0 + 1 && status_field("writing") == 0, "cancelled %ld -> %ld, writing %ld", c0, c1, status_field("writing"));
    }
    T_CASE("serve: 1,000 malformed requests: no crash, each a 4xx with a message") {
        int bad_status = 0, bad_msg = 0, crashed = 0;
        hostile(&bad_status, &bad_msg, &crashed);
        T_CHECK(crashed == 0 && kill(server_pid, 0) == 0, "%d requests got no answer", crashed);
        T_CHECK(bad_status == 0, "%d not a 4xx", bad_status);
        T_CHECK(bad_msg == 0, "%d without a one-line message", bad_msg);
        T_CHECK(http("GET", "/api/forms", NULL, "", 0, NULL) == 200, "server gone");
    }
    T_CASE("serve: SIGTERM stops it cleanly") {
        kill(server_pid, SIGTERM);
        int wst = 0;
        waitpid(server_pid, &wst, 0);
        T_CHECK(WIFEXITED(wst) && WEXITSTATUS(wst) == 0, "exit status %d", wst);
        char line[512];
        int stopped = 0;
        while (fgets(line, sizeof line, server_err)) if (strstr(line, "stopped")) stopped = 1;
        T_CHECK(stopped, "no 'stopped' line");
    }
    T_CASE("serve: the per-request time limit (504; streamed: an error event)") {
        fclose(server_err);
        int started = start_server(vers, "--timeout 0.5") == 0;
        T_CHECK(started, "second server did not start");
        if (started) {
        int st = post("/api/write", "{\"lang\":\"fr\",\"form\":\"sonnet\",\"seed\":3}", &b);
        T_CHECK(st == 504 && one_line_error(b) && strstr(b, "time limit"), "%d %s", st, b);
        free(b);
        const char *req = "{\"lang\":\"fr\",\"form\":\"sonnet\",\"seed\":4}";
        st = http("POST", "/api/write", JSON_CT "Accept: text/event-stream\r\n", req, strlen(req), &b);
        T_CHECK(st == 200 && strstr(b, "event: error\ndata: {\"error\":\"the time limit"), "%d %s", st, b);
        free(b);
        T_CHECK(status_field("timeouts") == 2, "timeouts %ld", status_field("timeouts"));
        kill(server_pid, SIGTERM);
        int wst = 0;
        waitpid(server_pid, &wst, 0);
        T_CHECK(WIFEXITED(wst) && WEXITSTATUS(wst) == 0, "exit status %d", wst);
        }
    }
    T_CASE("serve: --host not loopback warns") {
        char out[4096];
        int rc = run_vers(" serve --host 0.0.0.0 --port 0 -m /nonexistent.gguf 2>&1", out, sizeof out);
        T_CHECK(rc == 2 && strstr(out, "WARNING") && strstr(out, "not a loopback"), "%d %s", rc, out);
        rc = run_vers(" serve --port 99999 2>&1", out, sizeof out);
        T_CHECK(rc == 2 && strstr(out, "vers: serve: --port"), "%d %s", rc, out);
    }
    fclose(server_err);
    T_DONE();
}
