/* src/engine/gguf_quantize.c — `vers quantize`: converts a GGUF model's weights to another
 * type, choosing per-tensor types and writing the file the way llama-quantize (b4747) does,
 * so that quantizing the same F32 file gives the same bytes.
 *
 * What is quantized: 2-D (or more) tensors whose names end in "weight", except norms,
 * position / token-type embeddings and MoE router weights; everything else is copied.
 * Mixes (Q4_K_M) follow llama.cpp's llama_tensor_get_type for the cases that apply to
 * dense llama/qwen2/gpt2 models.  Tensor order: non-layer tensors first, then by layer,
 * names sorted within each (llama.cpp's weight_name_comparer).  Metadata: copied, then
 * general.quantization_version = 2 and general.file_type appended. */
#include "engine/gguf.h"
#include "engine/tensor.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct { const char *name; int type; uint32_t ftype; int mix; } qtype;
enum { MIX_NONE, MIX_Q4_K_M, MIX_Q5_K_M };

static const qtype qtypes[] = {
    {"F32", VT_F32, 0, MIX_NONE},   {"F16", VT_F16, 1, MIX_NONE},   {"BF16", VT_BF16, 32, MIX_NONE},
    {"Q8_0", VT_Q8_0, 7, MIX_NONE}, {"Q4_0", VT_Q4_0, 2, MIX_NONE}, {"Q4_K", VT_Q4_K, 14, MIX_NONE},
    {"Q5_K", VT_Q5_K, 16, MIX_NONE}, {"Q6_K", VT_Q6_K, 18, MIX_NONE},
    {"Q4_K_M", VT_Q4_K, 15, MIX_Q4_K_M}, {"Q5_K_M", VT_Q5_K, 17, MIX_Q5_K_M},
};

const char *gguf_quantize_types(void) { return "F32 F16 BF16 Q8_0 Q4_0 Q4_K Q5_K Q6_K Q4_K_M Q5_K_M"; }

static int ends_with(const char *s, const char *suf) {
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !memcmp(s + a - b, suf, b);
}

static int is_quantized_type(int t) { return t != VT_F32 && t != VT_F16 && t != VT_BF16; }

/* llama.cpp's use_more_bits */
static int use_more_bits(int i_layer, int n_layers) {
    return i_layer < n_layers / 8 || i_layer >= 7 * n_layers / 8 || (i_layer - n_layers / 8) % 3 == 2;
}

typedef struct {
    int has_output;
    int n_attn_v, i_attn_v, n_ffn_down, i_ffn_down;
} mix_state;

/* The type of one weight tensor under the chosen quantization (llama_tensor_get_type). */
static int choose_type(const qtype *q, const char *name, int64_t ne0, mix_state *ms, int *fallback) {
    int t = q->type;
    *fallback = 0;
    if (is_quantized_type(q->type)) {
        if (!strcmp(name, "output.weight") || (!ms->has_output && !strcmp(name, "token_embd.weight"))) {
            if (ne0 % 256 != 0) t = VT_Q8_0;
            else if (t != VT_Q8_0) t = VT_Q6_K;
        } else if (strstr(name, "attn_v.weight")) {
            if (q->mix != MIX_NONE && use_more_bits(ms->i_attn_v, ms->n_attn_v)) t = VT_Q6_K;
            ms->i_attn_v++;
        } else if (strstr(name, "ffn_down")) {
            if (q->mix != MIX_NONE && use_more_bits(ms->i_ffn_down, ms->n_ffn_down)) t = VT_Q6_K;
            ms->i_ffn_down++;
        } else if (strstr(name, "attn_qkv.weight")) {
            if (q->mix == MIX_Q4_K_M) t = VT_Q5_K;
            else if (q->mix == MIX_Q5_K_M) t = VT_Q6_K;
        }
    }
    const vers_type_traits *tr = vers_type_get(t);
    if (ne0 % tr->blck_size != 0) {
        /* llama.cpp falls back to Q5_0 / Q5_1 for Q4_K / Q5_K, which vers does not write:
         * Q8_0 instead (more bits, never fewer). */
        *fallback = 1;
        t = ne0 % 32 == 0 ? VT_Q8_0 : VT_F16;
    }
    return t;
}

static int should_quantize(const gguf_tensor *t, const char *name) {
    if (!ends_with(name, "weight")) return 0;
    int n_dims = 1;
    for (int d = 1; d < GGUF_MAX_DIMS; d++) if (t->ne[d] > 1) n_dims = d + 1;
    if (n_dims < 2) return 0;
    if (strstr(name, "_norm.weight") || strstr(name, "ffn_gate_inp.weight") ||
        !strcmp(name, "position_embd.weight") || !strcmp(name, "token_types.weight"))
        return 0;
    return 1;
}

/* llama.cpp's weight_name_comparer: layer number (-1 outside blocks), then name. */
typedef struct { const gguf_tensor *t; char name[256]; int layer; } qitem;
static int qitem_cmp(const void *a, const void *b) {
    const qitem *x = a, *y = b;
    if (x->layer != y->layer) return x->layer < y->layer ? -1 : 1;
    return strcmp(x->name, y->name);
}

int gguf_quantize(const char *in_path, const char *out_path, const char *type_name, int n_threads,
                  gguf_quantize_stats *st, vers_err *err) {
    const qtype *q = NULL;
    for (size_t i = 0; i < sizeof qtypes / sizeof qtypes[0]; i++)
        if (type_name && !strcasecmp(qtypes[i].name, type_name)) q = &qtypes[i];
    if (!q) return vers_errorf(err, VERS_EINVAL, "unknown type '%s' (one of: %s)", type_name ? type_name : "",
                               gguf_quantize_types());
    gguf_quantize_stats local = {0};
    if (!st) st = &local;
    memset(st, 0, sizeof *st);

    gguf_file *g = NULL;
    int rc = gguf_open(in_path, &g, err);
    if (rc) return rc;
    qitem *items = calloc(g->n_tensors ? g->n_tensors : 1, sizeof *items);
    void **bufs = calloc(g->n_tensors ? g->n_tensors : 1, sizeof *bufs);
    gguf_writer *w = gguf_writer_new();
    if (!items || !bufs || !w) { rc = vers_errorf(err, VERS_ENOMEM, "out of memory"); goto done; }

    mix_state ms = {0};
    for (uint64_t i = 0; i < g->n_tensors; i++) {
        const gguf_tensor *t = &g->tensors[i];
        if (t->name.len >= sizeof items[i].name) {
            rc = vers_errorf(err, VERS_EUNSUPPORTED, "tensor name of %llu bytes", (unsigned long long)t->name.len);
            goto done;
        }
        memcpy(items[i].name, t->name.ptr, t->name.len);
        items[i].name[t->name.len] = 0;
        items[i].t = t;
        items[i].layer = -1;
        if (sscanf(items[i].name, "blk.%d.", &items[i].layer) != 1) items[i].layer = -1;
        if (!strcmp(items[i].name, "output.weight")) ms.has_output = 1;
        /* as llama.cpp: attention-V count includes fused QKV; ffn_down count = n_layer */
        if (strstr(items[i].name, "attn_v.weight") || strstr(items[i].name, "attn_qkv.weight") ||
            strstr(items[i].name, "attn_kv_b.weight"))
            ms.n_attn_v++;
        if (items[i].layer >= ms.n_ffn_down) ms.n_ffn_down = items[i].layer + 1;
    }
    qsort(items, g->n_tensors, sizeof *items, qitem_cmp);

    static const char *const skip[] = {"general.quantization_version", "general.file_type", NULL};
    if ((rc = gguf_writer_copy_kvs(w, g, skip))) { rc = vers_errorf(err, rc, "out of memory"); goto done; }
    if ((rc = gguf_writer_set_u32(w, "general.quantization_version", 2)) ||
        (rc = gguf_writer_set_u32(w, "general.file_type", q->ftype))) {
        rc = vers_errorf(err, rc, "out of memory");
        goto done;
    }

    for (uint64_t i = 0; i < g->n_tensors; i++) {
        const gguf_tensor *t = items[i].t;
        const char *name = items[i].name;
        int n_dims = t->n_dims;
        const void *data = t->data;
        int type = t->type;
        if (should_quantize(t, name)) {
            int fb = 0;
            const int new_type = choose_type(q, name, t->ne[0], &ms, &fb);
            st->n_fallback += fb;
            if (new_type != t->type) {
                const vers_type_traits *src = vers_type_get(t->type), *dst = vers_type_get(new_type);
                if (!src->to_float || !dst->from_float) {
                    rc = vers_errorf(err, VERS_EUNSUPPORTED, "tensor '%s': cannot convert %s to %s", name,
                                     src->name, dst->name);
                    goto done;
                }
                const int64_t n_in = t->ne[0], rows = t->ne[1] * t->ne[2] * t->ne[3];
                const size_t srs = vers_row_size(t->type, n_in), drs = vers_row_size(new_type, n_in);
                bufs[i] = malloc(drs * (size_t)rows);
                if (!bufs[i]) { rc = vers_errorf(err, VERS_ENOMEM, "out of memory (tensor '%s')", name); goto done; }
                int oom = 0;
#pragma omp parallel num_threads(n_threads > 0 ? n_threads : 1) reduction(| : oom)
                {
                    float *row = malloc((size_t)n_in * sizeof *row);
                    if (!row) oom = 1;
#pragma omp for schedule(static)
                    for (int64_t r = 0; r < rows; r++) {
                        if (!row) continue;
                        src->to_float((const uint8_t *)t->data + (size_t)r * srs, row, n_in);
                        dst->from_float(row, (uint8_t *)bufs[i] + (size_t)r * drs, n_in);
                    }
                    free(row);
                }
                if (oom) { rc = vers_errorf(err, VERS_ENOMEM, "out of memory"); goto done; }
                data = bufs[i];
                type = new_type;
                st->n_quantized++;
            } else {
                st->n_copied++;
            }
        } else {
            st->n_copied++;
        }
        if ((rc = gguf_writer_add_tensor(w, name, type, n_dims, t->ne, data))) {
            rc = vers_errorf(err, rc, "tensor '%s': cannot add", name);
            goto done;
        }
    }
    rc = gguf_writer_write(w, out_path, err);
done:
    if (bufs) for (uint64_t i = 0; i < g->n_tensors; i++) free(bufs[i]);
    free(bufs);
    free(items);
    gguf_writer_free(w);
    gguf_close(g);
    return rc;
}
