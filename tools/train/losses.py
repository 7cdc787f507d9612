# SPDX-License-Identifier: BSD-3-Clause
"""Training loss and validation metrics for quell, in the STFT domain of the spec (dsp.py)."""
import torch

import dsp

COMPRESS = 0.3  # magnitude exponent: |S|^0.3 weighs quiet speech parts (onsets, fricatives) up


def si_sdr(est, ref, eps=1e-9):
    """Scale-invariant SDR in dB of rows est vs ref [b, n] (zero-mean not enforced)."""
    a = (est * ref).sum(-1, keepdim=True) / (ref.pow(2).sum(-1, keepdim=True) + eps)
    t = a * ref
    return 10 * torch.log10(t.pow(2).sum(-1) / ((est - t).pow(2).sum(-1) + eps) + eps)


# Training's digital silence (spec §1): samples within half a 16-bit step of zero, which a
# 16-bit file would hold as zeros (the mixer's float filtering leaves residue there).
SILENCE_TINY = 1.5e-5


def enhance(net, noisy, fs, limit_db=None, logits=False, rests=False):
    """Runs the spec's path on noisy [b, n]: returns X, Y (spectra), G, vad, T_w, hop.
    rests: the network rests in digital silence as the engine's does (spec §1)."""
    hop = dsp.hop_for_rate(fs)
    T_w = dsp.band_weights_for(net, fs, 2 * hop, noisy.device, noisy.dtype)
    X = dsp.stft(noisy, hop)
    feats = dsp.net_input(net, noisy, X, T_w, fs)
    fn = net.forward_logits if logits else net
    if rests:
        silent = dsp.silent_frames(noisy, hop, SILENCE_TINY).tolist()
        g, vad = dsp.net_with_rests(fn, feats, silent, -20.0 if logits else 0.0)
    else:
        g, vad = fn(feats)
    G = dsp.bin_gains(g, T_w, limit_db)
    return X, X * G, G, vad, T_w, hop


def vad_target(S, has_speech, rel_db=-25.0):
    """1 where the clean frame energy is within rel_db of the clip's active speech level."""
    e = (S.real ** 2 + S.imag ** 2).sum(-1)  # [b, T]
    thr40 = e.amax(-1, keepdim=True) * 1e-4
    act = (e >= thr40) & (e > 0)
    level = (e * act).sum(-1, keepdim=True) / act.sum(-1, keepdim=True).clamp_min(1)
    return ((e > level * 10 ** (rel_db / 10)) & has_speech[:, None]).float()


def under_weights(snr, w_under, ramp):
    """Per-item weight of the speech-removal term: w_under at input SNRs >= ramp[1] dB (and
    without noise), falling linearly to w_under * ramp[2] at ramp[0] dB and below."""
    lo, hi, floor = ramp
    r = ((snr - lo) / (hi - lo)).clamp(0.0, 1.0)
    r = torch.where(torch.isfinite(snr), r, torch.ones_like(r))
    return w_under * (floor + (1.0 - floor) * r)


def loss_fn(net, batch, w_cplx=0.3, w_under=0.5, w_sisdr=0.002, w_vad=0.05, w_stoi=0.0,
            under_ramp=None, rests=False):
    noisy, clean, fs = batch["noisy"], batch["clean"], batch["fs"]
    X, Y, G, vad_logit, T_w, hop = enhance(net, noisy, fs, None, logits=True, rests=rests)
    S = dsp.stft(clean, hop)
    n_fft = 2 * hop
    # Level-independent loss: spectra relative to the mixture's rms, and white noise of
    # unit variance at |X| ~ 1 whatever the rate (|X|^2 ~ N/2 for the sine window).
    rms = noisy.pow(2).mean(-1).sqrt().clamp_min(1e-5)
    scale = (1.0 / (rms * (n_fft / 2) ** 0.5))[:, None, None]
    Ys, Ss = Y * scale, S * scale
    eps = 1e-8
    mY = (Ys.real ** 2 + Ys.imag ** 2 + eps).sqrt()
    mS = (Ss.real ** 2 + Ss.imag ** 2 + eps).sqrt()
    cY, cS = mY ** COMPRESS, mS ** COMPRESS
    # Bins above the speech's measured bandwidth are not taught (speech may exist there in
    # other recordings); items without speech are taught everywhere.
    f = torch.arange(X.shape[-1], device=noisy.device) * (fs / n_fft)
    bw = torch.where(batch["speech"], batch["bw"], torch.full_like(batch["bw"], 1e9))
    M = (f[None, :] <= bw[:, None]).float()[:, None, :].expand_as(mY)
    msum = M.sum().clamp_min(1)
    l_mag = ((cY - cS) ** 2 * M).sum() / msum
    # Compressed complex term: compressed magnitude with the (shared) phase of each.
    dre = cY * Ys.real / mY - cS * Ss.real / mS
    dim = cY * Ys.imag / mY - cS * Ss.imag / mS
    l_cplx = ((dre ** 2 + dim ** 2) * M).sum() / msum
    # Extra weight on removing speech (an under-estimate of |S|) than on leaving noise.
    # With under_ramp it shrinks at low input SNR, where a cautious gain leaves so much
    # noise that the speech is lost in it anyway; clean and high-SNR items keep it whole.
    if under_ramp is None:
        l_under = (torch.relu(cS - cY) ** 2 * M).sum() / msum
        loss = l_mag + w_cplx * l_cplx + w_under * l_under
    else:
        wu = under_weights(batch["snr"], w_under, under_ramp)[:, None, None]
        l_under = (torch.relu(cS - cY) ** 2 * M * wu).sum() / msum
        loss = l_mag + w_cplx * l_cplx + l_under
    parts = dict(mag=float(l_mag), cplx=float(l_cplx), under=float(l_under))
    if w_sisdr > 0 and bool(batch["speech"].any()):
        y = dsp.istft(Y, hop, noisy.shape[-1])
        sp = batch["speech"]
        d = 2 * hop
        sd = si_sdr(y[sp, d:], clean[sp, :-d]).clamp(max=50).mean()
        loss = loss - w_sisdr * sd
        parts["sisdr"] = float(sd)
    if w_stoi > 0 and bool(batch["speech"].any()):
        sp = batch["speech"]
        st, est = intelligibility(Y[sp], S[sp], fs)
        loss = loss + w_stoi * (2.0 - st.mean() - est.mean())
        parts["stoi"], parts["estoi"] = float(st.mean()), float(est.mean())
    vt = vad_target(S, batch["speech"])
    l_vad = torch.nn.functional.binary_cross_entropy_with_logits(vad_logit, vt)
    loss = loss + w_vad * l_vad
    parts["vad"] = float(l_vad)
    parts["loss"] = float(loss)
    return loss, parts


@torch.no_grad()
def evaluate(net, batch, limit_db=40.0):
    """SI-SDR of input and output (dB, per item, speech items only) at the given limit,
    and VAD accuracy."""
    noisy, clean, fs = batch["noisy"], batch["clean"], batch["fs"]
    X, Y, G, vad, T_w, hop = enhance(net, noisy, fs, limit_db, rests=True)  # as the engine
    y = dsp.istft(Y, hop, noisy.shape[-1])
    d = 2 * hop
    sp = batch["speech"]
    out = si_sdr(y[sp, d:], clean[sp, :-d])
    inp = si_sdr(noisy[sp, :-d], clean[sp, :-d])
    S = dsp.stft(clean, hop)
    vt = vad_target(S, batch["speech"])
    acc = ((vad > 0.5).float() == vt).float().mean()
    st_in, est_in = intelligibility(X[sp], S[sp], fs)
    st_out, est_out = intelligibility(Y[sp], S[sp], fs)
    return dict(sisdr_in=inp, sisdr_out=out, vad_acc=float(acc), gain_mean=float(G.mean()),
                stoi_in=st_in, stoi_out=st_out, estoi_in=est_in, estoi_out=est_out)


# ---- intelligibility terms: differentiable STOI and ESTOI on the training STFT ----
# Both metrics compare one-third-octave band envelopes of clean and enhanced speech over
# 384 ms segments (Taal et al. 2011; Jensen & Taal 2016). Here they are computed from the
# STFT of the spec (10 ms hop, so 38 frames a segment) instead of the metrics' own 10 kHz
# front end: close enough to steer training, cheap, and exact gradients.
STOI_BANDS, STOI_F_LOW, STOI_SEG, STOI_BETA_DB, STOI_RANGE_DB = 15, 150.0, 38, -15.0, 40.0
_O_CACHE = {}


def third_octave_matrix(fs, n_fft, device, dtype):
    """[15, bins] 0/1 matrix: bin k belongs to band j when its frequency lies within the
    band's edges (centre 150 * 2^(j/3) Hz times 2^(-+1/6))."""
    key = (fs, n_fft, str(device), dtype)
    if key not in _O_CACHE:
        f = torch.arange(n_fft // 2 + 1, dtype=torch.float64) * (fs / n_fft)
        cf = STOI_F_LOW * 2.0 ** (torch.arange(STOI_BANDS, dtype=torch.float64) / 3.0)
        lo, hi = cf * 2.0 ** (-1.0 / 6.0), cf * 2.0 ** (1.0 / 6.0)
        O = ((f[None, :] >= lo[:, None]) & (f[None, :] < hi[:, None])).to(dtype)
        _O_CACHE[key] = O.to(device)
    return _O_CACHE[key]


def intelligibility(Y, S, fs, eps=1e-8):
    """Differentiable (STOI, ESTOI)-like scores, one per item [b], of enhanced spectra Y vs
    clean S [b, T, F]. Segments whose clean energy is more than 40 dB below the item's
    loudest segment are left out (the metrics drop silent frames)."""
    O = third_octave_matrix(fs, 2 * (Y.shape[-1] - 1), Y.device, Y.real.dtype)
    a_y = ((Y.real ** 2 + Y.imag ** 2) @ O.t() + eps).sqrt()     # [b, T, J]
    a_s = ((S.real ** 2 + S.imag ** 2) @ O.t() + eps).sqrt()
    L = STOI_SEG
    sy = a_y.unfold(1, L, 2)                                    # [b, nseg, J, L]
    ss = a_s.unfold(1, L, 2)
    # STOI: scale each band of y to the clean energy, clip at the -15 dB distortion bound.
    alpha = ss.norm(dim=-1, keepdim=True) / (sy.norm(dim=-1, keepdim=True) + eps)
    yc = torch.minimum(alpha * sy, ss * (1 + 10 ** (-STOI_BETA_DB / 20)))

    def centred_unit(x, dim):
        x = x - x.mean(dim=dim, keepdim=True)
        return x / (x.norm(dim=dim, keepdim=True) + eps)

    d_stoi = (centred_unit(yc, -1) * centred_unit(ss, -1)).sum(-1).mean(-1)    # [b, nseg]
    ey = centred_unit(centred_unit(sy, -1), -2)
    es = centred_unit(centred_unit(ss, -1), -2)
    d_estoi = (ey * es).sum(-2).mean(-1)                                        # [b, nseg]
    e_seg = ss.pow(2).sum((-1, -2))
    keep = (e_seg > e_seg.amax(-1, keepdim=True) * 10 ** (-STOI_RANGE_DB / 10)).to(d_stoi.dtype)
    n = keep.sum(-1).clamp_min(1)
    return (d_stoi * keep).sum(-1) / n, (d_estoi * keep).sum(-1) / n
