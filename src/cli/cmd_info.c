/* src/cli/cmd_info.c — `vers info FILE [--json] [--tensors]`: a GGUF file's header,
 * metadata and tensors.  Long arrays are shown by their first elements (the JSON gives
 * their type and length and the first 16 elements in "head"). */
#include "cli.h"
#include "util/utf8.h"
#include "engine/gguf.h"
#include "engine/tensor.h"
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f) {
    fprintf(f,
            "usage: vers info [options] [FILE.gguf | -m FILE.gguf]\n"
            "Prints a GGUF file's version, metadata and tensor summary.\n"
            "  -m, --model FILE  the file, as every command names a model (default: the\n"
            "                  shipped model when no FILE is given)\n"
            "      --tensors   list every tensor (name, type, shape, offset, bytes)\n"
            "      --json      machine-readable output (one JSON object)\n"
            "  -h, --help      this help\n");
}

static const char *type_names[GGUF_NTYPES] = {"u8", "i8", "u16", "i16", "u32", "i32", "f32",
                                              "bool", "string", "array", "u64", "i64", "f64"};

/* A string as a JSON string (json: util/json, through cli_put_json), or quoted for the
 * terminal with C-like escapes, invalid UTF-8 bytes as \xff, cut after max bytes. */
static void put_str(const char *s, uint64_t n, int json, uint64_t max) {
    if (json) { cli_put_json(stdout, s, (size_t)n); return; }
    const unsigned char *p = (const unsigned char *)s;
    putchar('"');
    uint64_t i = 0;
    while (i < n && i < max) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\') { putchar('\\'); putchar(c); i++; }
        else if (c == '\n') { fputs("\\n", stdout); i++; }
        else if (c == '\t') { fputs("\\t", stdout); i++; }
        else if (c == '\r') { fputs("\\r", stdout); i++; }
        else if (c < 0x20 || c == 0x7F) { printf("\\x%02x", c); i++; }
        else {
            size_t l = utf8_decode(p + i, (size_t)(n - i), NULL);
            if (!l) { fputs("\\xff", stdout); i++; }
            else { fwrite(p + i, 1, l, stdout); i += l; }
        }
    }
    putchar('"');
    if (i < n) printf("...");
}

static void put_scalar(gguf_type t, const uint8_t *d) {
    switch (t) {
    case GGUF_UINT8: printf("%u", d[0]); break;
    case GGUF_INT8: printf("%d", (int8_t)d[0]); break;
    case GGUF_BOOL: printf(d[0] ? "true" : "false"); break;
    case GGUF_UINT16: { uint16_t v; memcpy(&v, d, 2); printf("%u", v); break; }
    case GGUF_INT16: { int16_t v; memcpy(&v, d, 2); printf("%d", v); break; }
    case GGUF_UINT32: { uint32_t v; memcpy(&v, d, 4); printf("%" PRIu32, v); break; }
    case GGUF_INT32: { int32_t v; memcpy(&v, d, 4); printf("%" PRId32, v); break; }
    case GGUF_UINT64: { uint64_t v; memcpy(&v, d, 8); printf("%" PRIu64, v); break; }
    case GGUF_INT64: { int64_t v; memcpy(&v, d, 8); printf("%" PRId64, v); break; }
    case GGUF_FLOAT32: { float v; memcpy(&v, d, 4); if (v != v || v - v != 0) printf("null"); else printf("%.9g", v); break; }
    case GGUF_FLOAT64: { double v; memcpy(&v, d, 8); if (v != v || v - v != 0) printf("null"); else printf("%.17g", v); break; }
    default: printf("null");
    }
}

static size_t scalar_size(gguf_type t) {
    switch (t) {
    case GGUF_UINT8: case GGUF_INT8: case GGUF_BOOL: return 1;
    case GGUF_UINT16: case GGUF_INT16: return 2;
    case GGUF_UINT32: case GGUF_INT32: case GGUF_FLOAT32: return 4;
    default: return 8;
    }
}

static void put_value(const gguf_kv *kv, int json) {
    if (kv->type == GGUF_STRING) { put_str(kv->str.ptr, kv->str.len, json, json ? UINT64_MAX : 200); return; }
    if (kv->type != GGUF_ARRAY) { put_scalar(kv->type, kv->data); return; }
    const uint64_t head = json ? 16 : 6;
    if (json) printf("{\"type\":\"%s\",\"n\":%" PRIu64 ",\"head\":[", type_names[kv->arr_type], kv->arr_n);
    else printf("[%s x %" PRIu64 "] ", type_names[kv->arr_type], kv->arr_n);
    for (uint64_t i = 0; i < kv->arr_n && i < head; i++) {
        if (i) printf(", ");
        if (kv->arr_type == GGUF_STRING) put_str(kv->arr_str[i].ptr, kv->arr_str[i].len, json, json ? UINT64_MAX : 40);
        else put_scalar(kv->arr_type, kv->data + i * scalar_size(kv->arr_type));
    }
    if (json) printf("]}");
    else if (kv->arr_n > head) printf(", ...");
}

static void put_shape(const gguf_tensor *t, int json) {
    printf(json ? "[" : "(");
    for (int d = 0; d < t->n_dims; d++) printf(d ? ", %" PRId64 : "%" PRId64, t->ne[d]);
    printf(json ? "]" : ")");
}

int cmd_info(int argc, char **argv) {
    static const struct option opts[] = {
        {"json", no_argument, 0, 'j'}, {"tensors", no_argument, 0, 'T'},
        {"model", required_argument, 0, 'm'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int json = 0, tensors = 0, c;
    const char *model = NULL;
    optind = 1;
    while ((c = getopt_long(argc, argv, "m:h", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'T': tensors = 1; break;
        case 'm': model = optarg; break;
        case 'h': usage(stdout); return 0;
        default: return cli_bad_option("info", "m:h", argv);
        }
    }
    /* the file: -m FILE (as every other command takes a model), or FILE, not both */
    if (argc - optind > 1 || (model && argc - optind == 1))
        return cli_error("info", "one FILE, or -m FILE (see vers info --help)");
    const char *path = model ? model : argc - optind == 1 ? argv[optind] : cli_default_model();
    if (!path) return cli_error("info", "no FILE given and no shipped model found (see vers info --help)");
    gguf_file *g = NULL;
    vers_err err = {0};
    if (gguf_open(path, &g, &err)) return cli_error(path, "%s", err.msg);

    /* tensor summary: count and bytes per type */
    uint64_t count[VT_COUNT] = {0}, bytes[VT_COUNT] = {0}, total = 0, params = 0;
    for (uint64_t i = 0; i < g->n_tensors; i++) {
        const gguf_tensor *t = &g->tensors[i];
        count[t->type]++;
        bytes[t->type] += t->nbytes;
        total += t->nbytes;
        params += (uint64_t)(t->ne[0] * t->ne[1] * t->ne[2] * t->ne[3]);
    }
    if (json) {
        printf("{\"file\":");
        put_str(path, strlen(path), 1, UINT64_MAX);
        printf(",\"version\":%d,\"alignment\":%u,\"size\":%zu,\"data_offset\":%zu,\"n_kv\":%" PRIu64
               ",\"n_tensors\":%" PRIu64 ",\"parameters\":%" PRIu64 ",\"tensor_bytes\":%" PRIu64 ",\"metadata\":{",
               g->version, g->alignment, g->size, g->data_offset, g->n_kv, g->n_tensors, params, total);
        for (uint64_t i = 0; i < g->n_kv; i++) {
            if (i) putchar(',');
            put_str(g->kv[i].key.ptr, g->kv[i].key.len, 1, UINT64_MAX);
            putchar(':');
            put_value(&g->kv[i], 1);
        }
        printf("},\"types\":{");
        int first = 1;
        for (int t = 0; t < VT_COUNT; t++)
            if (count[t]) {
                printf("%s\"%s\":{\"tensors\":%" PRIu64 ",\"bytes\":%" PRIu64 "}", first ? "" : ",", vers_type_name(t), count[t], bytes[t]);
                first = 0;
            }
        printf("}");
        if (tensors) {
            printf(",\"tensors\":[");
            for (uint64_t i = 0; i < g->n_tensors; i++) {
                const gguf_tensor *t = &g->tensors[i];
                printf("%s{\"name\":", i ? "," : "");
                put_str(t->name.ptr, t->name.len, 1, UINT64_MAX);
                printf(",\"type\":\"%s\",\"shape\":", vers_type_name(t->type));
                put_shape(t, 1);
                printf(",\"offset\":%" PRIu64 ",\"bytes\":%zu}", t->offset, t->nbytes);
            }
            printf("]");
        }
        printf("}\n");
    } else {
        printf("file: %s\nGGUF version %d, alignment %u, %zu bytes, data at %zu\n", path, g->version, g->alignment,
               g->size, g->data_offset);
        printf("metadata (%" PRIu64 " keys):\n", g->n_kv);
        for (uint64_t i = 0; i < g->n_kv; i++) {
            const gguf_kv *kv = &g->kv[i];
            printf("  %-40.*s ", (int)(kv->key.len > 200 ? 200 : kv->key.len), kv->key.ptr);
            if (kv->type != GGUF_ARRAY) printf("%-6s ", type_names[kv->type]);
            put_value(kv, 0);
            putchar('\n');
        }
        printf("tensors: %" PRIu64 ", %" PRIu64 " parameters, %.2f MiB\n", g->n_tensors, params, total / 1048576.0);
        for (int t = 0; t < VT_COUNT; t++)
            if (count[t])
                printf("  %-6s %5" PRIu64 " tensors %10.2f MiB\n", vers_type_name(t), count[t], bytes[t] / 1048576.0);
        if (tensors)
            for (uint64_t i = 0; i < g->n_tensors; i++) {
                const gguf_tensor *t = &g->tensors[i];
                printf("  %-40.*s %-6s ", (int)(t->name.len > 200 ? 200 : t->name.len), t->name.ptr, vers_type_name(t->type));
                put_shape(t, 0);
                printf(" offset %" PRIu64 ", %zu bytes\n", t->offset, t->nbytes);
            }
    }
    gguf_close(g);
    return 0;
}
