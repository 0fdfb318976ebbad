/* src/train/plot.c — `vers plot`: an SVG of the training and validation loss curves of a
 * training log (the CSV or JSONL that vers_trainer_run writes).  Later rows for the same
 * step (a run resumed from an earlier checkpoint) replace earlier ones. */
#include "vers/train.h"
#include "util/outfile.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { long step; double loss, val; } row;

static int parse_line(const char *s, row *r) {
    r->val = NAN;
    if (*s == '{') {
        const char *p = strstr(s, "\"step\":"), *q = strstr(s, "\"loss\":"), *v = strstr(s, "\"val_loss\":");
        if (!p || !q) return -1;
        char *e;
        r->step = strtol(p + 7, &e, 10); if (e == p + 7) return -1;
        r->loss = strtod(q + 7, &e); if (e == q + 7) return -1;
        if (v && strncmp(v + 11, "null", 4)) { double x = strtod(v + 11, &e); if (e != v + 11) r->val = x; }
        return 0;
    }
    char *e;
    r->step = strtol(s, &e, 10);
    if (e == s || *e != ',') return -1;
    const char *l = e + 1;
    r->loss = strtod(l, &e);
    if (e == l || *e != ',') return -1;
    const char *v = e + 1;
    if (*v != ',' && *v) { double x = strtod(v, &e); if (e != v) r->val = x; }
    return 0;
}

int vers_plot_log(const char *log_path, const char *svg_path, vers_err *err) {
    FILE *f = fopen(log_path, "r");
    if (!f) return vers_errorf(err, VERS_EIO, "%s: %s", log_path, strerror(errno));
    row *rows = NULL; size_t n = 0, cap = 0;
    char line[1024];
    long lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (lineno == 1 && !strncmp(line, "step,", 5)) continue;
        row r;
        if (parse_line(line, &r) || !isfinite(r.loss)) continue;
        while (n > 0 && rows[n - 1].step >= r.step) n--;   /* resumed: drop the superseded tail */
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 1024;
            row *q = realloc(rows, nc * sizeof *q);
            if (!q) { free(rows); fclose(f); return vers_errorf(err, VERS_ENOMEM, "out of memory"); }
            rows = q; cap = nc;
        }
        rows[n++] = r;
    }
    fclose(f);
    if (n == 0) { free(rows); return vers_errorf(err, VERS_EFORMAT, "%s: no training log rows (CSV or JSONL from vers train)", log_path); }
    double ymin = INFINITY, ymax = -INFINITY;
    long xmin = rows[0].step, xmax = rows[n - 1].step;
    for (size_t i = 0; i < n; i++) {
        ymin = fmin(ymin, rows[i].loss); ymax = fmax(ymax, rows[i].loss);
        if (isfinite(rows[i].val)) { ymin = fmin(ymin, rows[i].val); ymax = fmax(ymax, rows[i].val); }
    }
    if (xmax == xmin) xmax = xmin + 1;
    if (ymax - ymin < 1e-6) { ymax += 0.5; ymin -= 0.5; }
    double pad = (ymax - ymin) * 0.05; ymin -= pad; ymax += pad;
    const double W = 800, H = 480, L = 70, R = 20, T = 30, B = 50;
#define PX(s) (L + ((double)(s) - xmin) / (double)(xmax - xmin) * (W - L - R))
#define PY(y) (T + (ymax - (y)) / (ymax - ymin) * (H - T - B))
    vers_outfile out;
    int rc = vers_outfile_open(&out, svg_path, err);
    if (rc) { free(rows); return rc; }
    FILE *o = out.f;
    fprintf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H);
    fprintf(o, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fprintf(o, "<text x=\"%.0f\" y=\"18\" text-anchor=\"middle\" font-size=\"14\">%s</text>\n", W / 2, "training loss (nats/token)");
    for (int i = 0; i <= 5; i++) {   /* grid and labels */
        double y = ymin + (ymax - ymin) * i / 5, x = xmin + (double)(xmax - xmin) * i / 5;
        fprintf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", L, PY(y), W - R, PY(y));
        fprintf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>\n", L - 6, PY(y) + 4, y);
        fprintf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", PX(x), T, PX(x), H - B);
        fprintf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.0f</text>\n", PX(x), H - B + 16, x);
    }
    fprintf(o, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">step</text>\n", (L + W - R) / 2, H - 12);
    fprintf(o, "<polyline fill=\"none\" stroke=\"#4477aa\" stroke-width=\"1.2\" points=\"");
    size_t stride = n > 4000 ? n / 2000 : 1;   /* keep the file small on long runs */
    for (size_t i = 0; i < n; i += stride) fprintf(o, "%.1f,%.1f ", PX(rows[i].step), PY(rows[i].loss));
    fprintf(o, "%.1f,%.1f\"/>\n", PX(rows[n - 1].step), PY(rows[n - 1].loss));
    int nval = 0;
    for (size_t i = 0; i < n; i++) nval += isfinite(rows[i].val);
    if (nval) {
        fprintf(o, "<polyline fill=\"none\" stroke=\"#cc3311\" stroke-width=\"2\" points=\"");
        for (size_t i = 0; i < n; i++) if (isfinite(rows[i].val)) fprintf(o, "%.1f,%.1f ", PX(rows[i].step), PY(rows[i].val));
        fprintf(o, "\"/>\n");
        for (size_t i = 0; i < n; i++) if (isfinite(rows[i].val))
            fprintf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#cc3311\"/>\n", PX(rows[i].step), PY(rows[i].val));
    }
    fprintf(o, "<rect x=\"%.0f\" y=\"%.0f\" width=\"150\" height=\"44\" fill=\"white\" stroke=\"#999\"/>\n", W - R - 160, T + 8);
    fprintf(o, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#4477aa\" stroke-width=\"2\"/><text x=\"%.0f\" y=\"%.0f\">train</text>\n",
            W - R - 150, T + 22, W - R - 120, T + 22, W - R - 112, T + 26);
    fprintf(o, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#cc3311\" stroke-width=\"2\"/><text x=\"%.0f\" y=\"%.0f\">validation</text>\n",
            W - R - 150, T + 40, W - R - 120, T + 40, W - R - 112, T + 44);
    fprintf(o, "</svg>\n");
    free(rows);
    return vers_outfile_commit(&out, 0, err);
}
