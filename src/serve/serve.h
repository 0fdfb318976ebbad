/* src/serve/serve.h — `vers serve`: the HTTP server (server.c, on libmicrohttpd), built only
 * when libmicrohttpd is there (the Makefile defines VERS_HAVE_MHD); src/cli/cmd_serve.c
 * parses the options and calls serve_run. */
#ifndef VERS_SERVE_H
#define VERS_SERVE_H

typedef struct serve_opts {
    const char *host;          /* address to bind (default 127.0.0.1) */
    int port;                  /* 0: any free port (the one chosen is printed) */
    const char *model;
    int threads;               /* the writer's threads (0: it chooses) */
    int queue;                 /* write requests that may wait (beyond: 503) */
    double timeout_s;          /* per-request time limit, waiting included */
    int connections;           /* connections at once (beyond: closed unanswered); cut to
                                  what the file-descriptor limit allows */
} serve_opts;

/* The connections serve_run allows at once: want, cut to the file-descriptor limit (whose
 * soft value it first raises to the hard one) less what the process needs besides. */
int serve_connection_limit(int want);
/* Loads the model, listens, prints "vers serve: listening on http://HOST:PORT/" on stderr,
 * serves until SIGINT or SIGTERM (which the caller has blocked in every thread: serve_run
 * waits for them with sigwait), then stops cleanly.  Returns the exit status (0, or 2 with
 * the one-line error printed). */
int serve_run(const serve_opts *o);
/* The embedded page (src/serve/page.html, generated into the build). */
extern const unsigned char serve_page_html[];
extern const unsigned long serve_page_html_len;
#endif
