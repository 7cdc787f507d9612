/* SPDX-License-Identifier: BSD-3-Clause */
#include "nnet.h"

#include <math.h>
#include <string.h>

#include "alloc.h"
#include "matvec.h"

static void quell_relu(float *x, int n)
{
    for (int i = 0; i < n; i++)
        x[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

/* Logistic function, kept in [0, 1] even for a NaN argument. */
static float quell_sigmoid(float x)
{
    float s = 1.0f / (1.0f + expf(-x));
    return s >= 0.0f ? (s <= 1.0f ? s : 1.0f) : 0.0f;
}

int quell_net_init(QuellNet *net, const QuellModel *m)
{
    memset(net, 0, sizeof *net);
    net->model = m;
    net->matvec = quell_matvec_select();
    const size_t K = (size_t)m->n_bands, C = (size_t)m->n_channels;
    for (int b = 0; b < m->n_blocks; b++) {
        /* the oldest tap of block b looks (k - 1) d_b frames back */
        net->ring_frames[b] = (m->k - 1) * m->blocks[b].dilation + 1;
        net->ring_offset[b] = net->ring_floats;
        net->ring_floats += (size_t)net->ring_frames[b] * C;
    }
    net->history = quell_calloc((size_t)m->k_in * K + (size_t)m->n_fine, sizeof(float));
    net->h = quell_calloc(C, sizeof(float));
    net->u = quell_calloc(C, sizeof(float));
    net->v = quell_calloc(C, sizeof(float));
    net->logits = quell_calloc(K, sizeof(float));
    net->ring = quell_calloc(net->ring_floats, sizeof(float));
    const size_t n_in = (size_t)m->k_in * K + (size_t)m->n_fine;
    net->nonzero = quell_calloc(n_in > C ? n_in : C, sizeof(int));
    if (!net->history || !net->h || !net->u || !net->v || !net->logits || !net->ring ||
        !net->nonzero) {
        quell_net_free(net);
        return QUELL_ERR_NO_MEMORY;
    }
    return QUELL_OK;
}

void quell_net_free(QuellNet *net)
{
    quell_free(net->history);
    quell_free(net->h);
    quell_free(net->u);
    quell_free(net->v);
    quell_free(net->logits);
    quell_free(net->ring);
    quell_free(net->nonzero);
    net->nonzero = NULL;
    net->history = net->h = net->u = net->v = net->logits = net->ring = NULL;
}

void quell_net_reset(QuellNet *net)
{
    const QuellModel *m = net->model;
    memset(net->history, 0,
           ((size_t)m->k_in * (size_t)m->n_bands + (size_t)m->n_fine) * sizeof(float));
    memset(net->ring, 0, net->ring_floats * sizeof(float));
    for (int b = 0; b < m->n_blocks; b++)
        net->ring_pos[b] = 0;
}

/* u = bias + sum_j w[j] * h[t - (k - 1 - j) d], per channel, from block b's ring. */
static void quell_depthwise(QuellNet *net, int b, float *restrict u)
{
    const QuellModel *m = net->model;
    const QuellBlock *blk = &m->blocks[b];
    const int C = m->n_channels, L = net->ring_frames[b], pos = net->ring_pos[b];
    const float *ring = net->ring + net->ring_offset[b];
    memcpy(u, blk->dw_b, (size_t)C * sizeof(float));
    for (int j = 0; j < m->k; j++) {
        int slot = pos - (m->k - 1 - j) * blk->dilation;
        if (slot < 0)
            slot += L;
        const float *restrict past = ring + (size_t)slot * (size_t)C;
        const float *restrict w = blk->dw_w + (size_t)j * (size_t)C;
        for (int c = 0; c < C; c++)
            u[c] += w[c] * past[c];
    }
}

void quell_net_step(QuellNet *net, const float *features, float *band_gains, float *vad)
{
    const QuellModel *m = net->model;
    const int K = m->n_bands, C = m->n_channels, F = m->n_fine;

    /* Input history: shift one frame out, normalise the new one in. */
    float *hist = net->history;
    memmove(hist, hist + K, (size_t)(m->k_in - 1) * (size_t)K * sizeof(float));
    float *z = hist + (size_t)(m->k_in - 1) * (size_t)K;
    for (int i = 0; i < K; i++)
        z[i] = (features[i] - m->input_mean[i]) * m->input_inv_std[i];
    float *zf = hist + (size_t)m->k_in * (size_t)K; /* flatness inputs follow the taps */
    for (int f = 0; f < F; f++)
        zf[f] = (features[K + f] - m->fine_mean[f]) * m->fine_inv_std[f];
    net->matvec(net->h, m->in_w, m->in_b, hist, m->k_in * K + F, C, net->nonzero);
    quell_relu(net->h, C);

    for (int b = 0; b < m->n_blocks; b++) {
        const QuellBlock *blk = &m->blocks[b];
        float *slot = net->ring + net->ring_offset[b] + (size_t)net->ring_pos[b] * (size_t)C;
        memcpy(slot, net->h, (size_t)C * sizeof(float));
        quell_depthwise(net, b, net->u);
        quell_relu(net->u, C);
        net->matvec(net->v, blk->pw1_w, blk->pw1_b, net->u, C, C, net->nonzero);
        quell_relu(net->v, C);
        net->matvec(net->u, blk->pw2_w, blk->pw2_b, net->v, C, C, net->nonzero);
        for (int c = 0; c < C; c++)
            net->h[c] += net->u[c];
        if (++net->ring_pos[b] == net->ring_frames[b])
            net->ring_pos[b] = 0;
    }

    net->matvec(net->logits, m->out_w, m->out_b, net->h, C, K, net->nonzero);
    for (int i = 0; i < K; i++)
        band_gains[i] = quell_sigmoid(net->logits[i]);
    float a = m->vad_b;
    for (int c = 0; c < C; c++)
        a += m->vad_w[c] * net->h[c];
    *vad = quell_sigmoid(a);
}
