/* src/train/plot.c — `vers plot`: an SVG of the training and validation loss curves of
 * training logs (the CSV or JSONL that vers_trainer_run writes).  Later rows for the same
 * step (a run resumed from an earlier checkpoint) replace earlier ones.
 *
 * One log: its training curve and its validation points (the figure vers plot always drew).
 * Several logs (issue 17: two families at three budgets on the same axes): one colour per
 * log, its validation curve thick with its points and, unless val_only, its training curve
 * thin and pale; a legend of the logs' labels.  The x axis is the step, the tokens seen,
 * the training FLOPs (tokens x the log's FLOPs per token, which the caller gives: the
 * trainer's own count leaves attention out, the thesis counts it) or the trainer's
 * elapsed_s (seconds of training steps, evaluations excluded); linear or logarithmic. */
#include "vers/train.h"
#include "util/outfile.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { long step; double loss, val, tokens, secs; } row;
typedef struct { row *rows; size_t n; } series;

/* a number after "key": in a JSONL row, NAN when absent or null */
static double json_field(const char *s, const char *key) {
    const char *p = strstr(s, key);
    if (!p) return NAN;
    p += strlen(key);
    if (!strncmp(p, "null", 4)) return NAN;
    char *e;
    double x = strtod(p, &e);
    return e == p ? NAN : x;
}

/* CSV: step,loss,val_loss,lr,grad_norm,tokens,elapsed_s,tok_per_s (the last five may be
 * missing in old logs: NAN) */
static int parse_line(const char *s, row *r) {
    r->val = r->tokens = r->secs = NAN;
    if (*s == '{') {
        if (!strstr(s, "\"step\":") || !strstr(s, "\"loss\":")) return -1;
        double st = json_field(s, "\"step\":"), lo = json_field(s, "\"loss\":");
        if (isnan(st) || isnan(lo)) return -1;
        r->step = (long)st; r->loss = lo;
        r->val = json_field(s, "\"val_loss\":");
        r->tokens = json_field(s, "\"tokens\":");
        r->secs = json_field(s, "\"elapsed_s\":");
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
    /* fields 4..7: lr, grad_norm, tokens, elapsed_s (p: the start of field f) */
    const char *p = v;
    for (int f = 4; f <= 7 && p; f++) {
        p = strchr(p, ',');
        if (!p) break;
        p++;
        if (f == 6 || f == 7) {
            double x = strtod(p, &e);
            if (e != p) { if (f == 6) r->tokens = x; else r->secs = x; }
        }
    }
    return 0;
}

static int read_log(const char *log_path, series *out, vers_err *err) {
    out->rows = NULL; out->n = 0;
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
    out->rows = rows; out->n = n;
    return 0;
}

/* the x of a row, NAN when the log lacks it */
static double row_x(const row *r, const vers_plot_opts *o, double fpt) {
    switch (o->x) {
    case VERS_PLOT_X_TOKENS: return r->tokens;
    case VERS_PLOT_X_FLOPS: return r->tokens * fpt;
    case VERS_PLOT_X_SECONDS: return r->secs;
    default: return (double)r->step;
    }
}

/* the value drawn on an axis: log10 for a logarithmic one */
static double axis_v(double x, int log_scale) { return log_scale ? (x > 0 ? log10(x) : NAN) : x; }

/* an x-axis label: whole numbers (steps, seconds), large ones and a log axis's as 1.5e+14 */
static void fmt_tick(char *buf, size_t n, double x, int log_scale) {
    if (log_scale || fabs(x) >= 1e6) snprintf(buf, n, "%.3g", x);
    else snprintf(buf, n, "%.0f", x);
}

/* SVG text: the characters XML gives a meaning escaped */
static void put_text(FILE *o, const char *s) {
    for (; *s; s++) {
        if (*s == '<') fputs("&lt;", o);
        else if (*s == '>') fputs("&gt;", o);
        else if (*s == '&') fputs("&amp;", o);
        else if (*s == '"') fputs("&quot;", o);
        else fputc(*s, o);
    }
}

static const char *const palette[] = {"#4477aa", "#cc3311", "#228833", "#aa3377", "#ee7733", "#66ccee",
                                      "#332288", "#999933", "#882255", "#44aa99", "#117733", "#000000"};
enum { N_PALETTE = sizeof palette / sizeof palette[0] };

void vers_plot_opts_default(vers_plot_opts *o) { memset(o, 0, sizeof *o); o->x = VERS_PLOT_X_STEP; }

int vers_plot_logs(const char *const *logs, int n_logs, const vers_plot_opts *opts, const char *svg_path, vers_err *err) {
    vers_plot_opts def;
    if (!opts) { vers_plot_opts_default(&def); opts = &def; }
    if (n_logs < 1) return vers_errorf(err, VERS_EINVAL, "no training log given");
    if (opts->x == VERS_PLOT_X_FLOPS && !opts->flops_per_token)
        return vers_errorf(err, VERS_EINVAL, "an x axis in FLOPs needs the FLOPs per token of each log");
    series *S = calloc((size_t)n_logs, sizeof *S);
    if (!S) return vers_errorf(err, VERS_ENOMEM, "out of memory");
    int rc = 0;
    for (int k = 0; k < n_logs && !rc; k++) rc = read_log(logs[k], &S[k], err);
    if (rc) goto done;
    const int one = n_logs == 1, lx = opts->log_x;
    const int draw_train = !opts->val_only;
    /* the ranges over what is drawn */
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (int k = 0; k < n_logs; k++) {
        double fpt = opts->flops_per_token ? opts->flops_per_token[k] : 0;
        for (size_t i = 0; i < S[k].n; i++) {
            const row *r = &S[k].rows[i];
            double x = axis_v(row_x(r, opts, fpt), lx);
            if (!isfinite(x)) continue;
            int tr = draw_train && isfinite(r->loss), va = isfinite(r->val);
            if (!tr && !va) continue;
            xmin = fmin(xmin, x); xmax = fmax(xmax, x);
            if (tr) { ymin = fmin(ymin, r->loss); ymax = fmax(ymax, r->loss); }
            if (va) { ymin = fmin(ymin, r->val); ymax = fmax(ymax, r->val); }
        }
    }
    if (!isfinite(xmin) || !isfinite(ymin)) {
        rc = vers_errorf(err, VERS_EFORMAT, "%s: nothing to draw on this axis (%s)", logs[0],
                         opts->val_only ? "no validation rows" : opts->x == VERS_PLOT_X_STEP ? "no rows" : "the logs lack the column");
        goto done;
    }
    if (xmax == xmin) xmax = xmin + 1;
    if (ymax - ymin < 1e-6) { ymax += 0.5; ymin -= 0.5; }
    double pad = (ymax - ymin) * 0.05; ymin -= pad; ymax += pad;
    const double W = 800, H = 480, L = 70, R = 20, T = 30, B = 50;
#define PX(s) (L + ((double)(s) - xmin) / (double)(xmax - xmin) * (W - L - R))
#define PY(y) (T + (ymax - (y)) / (ymax - ymin) * (H - T - B))
    vers_outfile out;
    rc = vers_outfile_open(&out, svg_path, err);
    if (rc) goto done;
    FILE *o = out.f;
    fprintf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H);
    fprintf(o, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fprintf(o, "<text x=\"%.0f\" y=\"18\" text-anchor=\"middle\" font-size=\"14\">", W / 2);
    put_text(o, opts->title ? opts->title : opts->val_only ? "validation loss (nats/token)" : "training loss (nats/token)");
    fprintf(o, "</text>\n");
    /* x ticks: six evenly spaced, or on a log axis 1, 2 and 5 times the powers of ten in range
     * (powers only over 2 decades or more) when at least two of them fall in it */
    double ticks[64];
    int n_ticks = 0;
    if (lx) {
        int wide = xmax - xmin >= 2;
        for (int d = (int)floor(xmin); d <= (int)ceil(xmax) && n_ticks < 60; d++)
            for (int m = 0; m < (wide ? 1 : 3); m++) {
                double t = d + log10((double)(m == 0 ? 1 : m == 1 ? 2 : 5));
                if (t >= xmin - 1e-9 && t <= xmax + 1e-9) ticks[n_ticks++] = t;
            }
        if (n_ticks < 2) n_ticks = 0;
    }
    for (int i = 0; i <= 5; i++) {   /* grid and labels */
        double y = ymin + (ymax - ymin) * i / 5;
        fprintf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", L, PY(y), W - R, PY(y));
        fprintf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>\n", L - 6, PY(y) + 4, y);
        if (n_ticks) continue;
        double x = xmin + (double)(xmax - xmin) * i / 5;
        char lab[32];
        fmt_tick(lab, sizeof lab, lx ? pow(10, x) : x, lx);
        /* the last label of a long format ends at the plot's edge rather than past it */
        const char *anchor = i == 5 && (lx || fabs(x) >= 1e6) ? "end" : "middle";
        fprintf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", PX(x), T, PX(x), H - B);
        fprintf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>\n", PX(x), H - B + 16, anchor, lab);
    }
    for (int i = 0; i < n_ticks; i++) {
        char lab[32];
        fmt_tick(lab, sizeof lab, pow(10, ticks[i]), 1);
        fprintf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", PX(ticks[i]), T, PX(ticks[i]), H - B);
        fprintf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", PX(ticks[i]), H - B + 16, lab);
    }
    static const char *const xname[] = {"step", "tokens", "training FLOPs", "seconds of training"};
    fprintf(o, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">%s%s</text>\n", (L + W - R) / 2, H - 12,
            xname[opts->x >= 0 && opts->x <= 3 ? opts->x : 0], lx ? " (log scale)" : "");
    for (int k = 0; k < n_logs; k++) {
        const series *s = &S[k];
        double fpt = opts->flops_per_token ? opts->flops_per_token[k] : 0;
        const char *own = opts->colors && opts->colors[k] ? opts->colors[k] : palette[k % N_PALETTE];
        const char *tcol = one && !opts->colors ? "#4477aa" : own, *vcol = one && !opts->colors ? "#cc3311" : own;
        if (draw_train) {
            if (one) fprintf(o, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.2\" points=\"", tcol);
            else fprintf(o, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1\" stroke-opacity=\"0.35\" points=\"", tcol);
            size_t stride = s->n > 4000 ? s->n / 2000 : 1;   /* keep the file small on long runs */
            for (size_t i = 0; i < s->n; i += stride) {
                double x = axis_v(row_x(&s->rows[i], opts, fpt), lx);
                if (isfinite(x)) fprintf(o, "%.1f,%.1f ", PX(x), PY(s->rows[i].loss));
            }
            double x = axis_v(row_x(&s->rows[s->n - 1], opts, fpt), lx);
            if (isfinite(x)) fprintf(o, "%.1f,%.1f", PX(x), PY(s->rows[s->n - 1].loss));
            fprintf(o, "\"/>\n");
        }
        int nval = 0;
        for (size_t i = 0; i < s->n; i++) nval += isfinite(s->rows[i].val) && isfinite(axis_v(row_x(&s->rows[i], opts, fpt), lx));
        if (!nval) continue;
        fprintf(o, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", vcol);
        for (size_t i = 0; i < s->n; i++) {
            double x = axis_v(row_x(&s->rows[i], opts, fpt), lx);
            if (isfinite(s->rows[i].val) && isfinite(x)) fprintf(o, "%.1f,%.1f ", PX(x), PY(s->rows[i].val));
        }
        fprintf(o, "\"/>\n");
        for (size_t i = 0; i < s->n; i++) {
            double x = axis_v(row_x(&s->rows[i], opts, fpt), lx);
            if (isfinite(s->rows[i].val) && isfinite(x))
                fprintf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>\n", PX(x), PY(s->rows[i].val), vcol);
        }
    }
    if (one && !opts->labels && !opts->colors) {
        int rows_in_legend = draw_train ? 2 : 1;
        fprintf(o, "<rect x=\"%.0f\" y=\"%.0f\" width=\"150\" height=\"%d\" fill=\"white\" stroke=\"#999\"/>\n", W - R - 160, T + 8,
                rows_in_legend == 2 ? 44 : 26);
        if (draw_train)
            fprintf(o, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#4477aa\" stroke-width=\"2\"/><text x=\"%.0f\" y=\"%.0f\">train</text>\n",
                    W - R - 150, T + 22, W - R - 120, T + 22, W - R - 112, T + 26);
        double vy = draw_train ? T + 40 : T + 22;
        fprintf(o, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#cc3311\" stroke-width=\"2\"/><text x=\"%.0f\" y=\"%.0f\">validation</text>\n",
                W - R - 150, vy, W - R - 120, vy, W - R - 112, vy + 4);
    } else {
        /* one legend row per log; the curves' kinds in a note under it */
        size_t longest = 0;
        for (int k = 0; k < n_logs; k++) {
            const char *lab = opts->labels && opts->labels[k] ? opts->labels[k] : logs[k];
            if (strlen(lab) > longest) longest = strlen(lab);
        }
        double bw = 50 + 7.0 * (double)(longest < 60 ? longest : 60), bh = 18.0 * n_logs + 26;
        fprintf(o, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"white\" fill-opacity=\"0.9\" stroke=\"#999\"/>\n",
                W - R - bw - 10, T + 8, bw, bh);
        for (int k = 0; k < n_logs; k++) {
            const char *lab = opts->labels && opts->labels[k] ? opts->labels[k] : logs[k];
            double y = T + 22 + 18.0 * k;
            fprintf(o, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"%s\" stroke-width=\"2\"/><text x=\"%.0f\" y=\"%.0f\">",
                    W - R - bw, y, W - R - bw + 30, y, opts->colors && opts->colors[k] ? opts->colors[k] : palette[k % N_PALETTE],
                    W - R - bw + 38, y + 4);
            put_text(o, lab);
            fprintf(o, "</text>\n");
        }
        fprintf(o, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"10\" fill=\"#666\">%s</text>\n", W - R - bw, T + 22 + 18.0 * n_logs + 2,
                draw_train ? "thick: validation, pale: training" : "validation loss");
    }
    fprintf(o, "</svg>\n");
    rc = vers_outfile_commit(&out, 0, err);
done:
    for (int k = 0; k < n_logs; k++) free(S[k].rows);
    free(S);
    return rc;
}

int vers_plot_log(const char *log_path, const char *svg_path, vers_err *err) {
    return vers_plot_logs(&log_path, 1, NULL, svg_path, err);
}
