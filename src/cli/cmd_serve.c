/* src/cli/cmd_serve.c — `vers serve`: a local web page and JSON API to write and check poems
 * (src/serve/).  Parses the options, blocks SIGINT/SIGTERM in every thread (serve_run waits
 * for them), and runs the server; in a build without libmicrohttpd it says so and exits 2. */
#include "cli.h"
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef VERS_HAVE_MHD
#include "serve/serve.h"
#endif

static void usage(FILE *f) {
    fprintf(f,
        "usage: vers serve [--port 8080] [--host 127.0.0.1] [-m MODEL] [--queue N] [--timeout S]\n"
        "                  [--connections N] [-t THREADS]\n"
        "  A local web page (http://127.0.0.1:8080/) to write poems and see their scansion, and\n"
        "  its JSON API: POST /api/write (the fields of vers write's options: lang, form, spec,\n"
        "  theme, scheme, syllables, lines, acrostic, seed, temp; the object vers write --json\n"
        "  prints, or with Accept: text/event-stream the lines as they are written), POST\n"
        "  /api/check (text and vers check's options: vers check --json's object), GET\n"
        "  /api/forms, GET /api/status.  One model, loaded once; poems are written one at a\n"
        "  time, in order.  SIGINT or SIGTERM stop it.\n"
        "  --port N          port (default 8080; 0 = any free port, printed)\n"
        "  --host ADDR       address to listen on (default 127.0.0.1; anything that is not a\n"
        "                    loopback address lets others use it: a warning is printed)\n"
        "  -m, --model FILE  GGUF model (default: the shipped model)\n"
        "  --queue N         write requests that may wait (default 16; beyond: 503)\n"
        "  --timeout S       per-request time limit in seconds, waiting included (default 600)\n"
        "  --connections N   connections open at once (default 1024, cut to what ulimit -n\n"
        "                    allows after raising its soft limit to the hard one); each one is\n"
        "                    answered (a write beyond the queue: 503 at once); past N a new\n"
        "                    connection is closed unanswered\n"
        "  -t, --threads N   the writer's threads (default: as vers write)\n");
}

int cmd_serve(int argc, char **argv) {
    static const struct option opts[] = {
        {"port", required_argument, 0, 'p'}, {"host", required_argument, 0, 'H'},
        {"model", required_argument, 0, 'm'}, {"queue", required_argument, 0, 'q'},
        {"timeout", required_argument, 0, 'T'}, {"threads", required_argument, 0, 't'},
        {"connections", required_argument, 0, 'c'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *host = "127.0.0.1", *model = NULL;
    long port = 8080, queue = 16, threads = 0, connections = 1024;
    double timeout = 600;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "m:t:h", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (cli_parse_int(optarg, 0, 65535, &port)) return cli_error("serve", "--port: '%s' is not a port from 0 to 65535", optarg);
            break;
        case 'H': host = optarg; break;
        case 'm': model = optarg; break;
        case 'q':
            if (cli_parse_int(optarg, 1, 10000, &queue)) return cli_error("serve", "--queue: '%s' is not a count from 1 to 10000", optarg);
            break;
        case 'T':
            if (cli_parse_float(optarg, &timeout) || !(timeout > 0 && timeout <= 86400))
                return cli_error("serve", "--timeout: '%s' is not a number of seconds from 0 to 86400", optarg);
            break;
        case 'c':
            if (cli_parse_int(optarg, 1, 1000000, &connections))
                return cli_error("serve", "--connections: '%s' is not a count from 1 to 1000000", optarg);
            break;
        case 't':
            if (cli_parse_int(optarg, 1, 256, &threads)) return cli_error("serve", "--threads: '%s' is not a count", optarg);
            break;
        case 'h': usage(stdout); return 0;
        default: return cli_bad_option("serve", "m:t:h", argv);
        }
    }
    if (optind < argc) return cli_error("serve", "unexpected argument '%s' (vers serve --help)", argv[optind]);
#ifdef VERS_HAVE_MHD
    if (!model) model = cli_default_model();
    if (!model) return cli_error("serve", "no model: give -m MODEL (or set VERS_MODEL)");
    /* blocked here, before any thread starts, so that every thread inherits the mask and
     * serve_run's sigwait is the one place the signals arrive */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);                  /* a client that left is an error value, not a signal */
    serve_opts o = {host, (int)port, model, (int)threads, (int)queue, timeout, (int)connections};
    return serve_run(&o);
#else
    (void)host; (void)port; (void)model; (void)threads; (void)queue; (void)timeout; (void)connections;
    return cli_error("serve", "this vers was built without the server (libmicrohttpd was missing at build time: "
                              "install libmicrohttpd-dev, e.g. scripts/setup.sh, and run make again)");
#endif
}
