# SPDX-License-Identifier: BSD-3-Clause
"""The signal path of models/README.md section 1 in PyTorch (differentiable, batched).

Shapes: audio is [..., samples] (channels, if any, just before samples), spectra are
[..., frames, bins] complex, band arrays are [..., frames, K]. Works on CPU and CUDA,
in float32 or float64. src/stft.c and src/bands.c implement the same maths in C.
"""
import math

import torch


def hop_for_rate(fs):
    """Largest H <= fs/100 whose only prime factors are 2, 3 and 5 (10 ms or a bit less)."""
    h = int(fs) // 100
    while h > 1:
        r = h
        for p in (2, 3, 5):
            while r % p == 0:
                r //= p
        if r == 1:
            return h
        h -= 1
    return 1


def sine_window(n_fft, device=None, dtype=torch.float32):
    """w[n] = sin(pi (n + 0.5) / N): analysis and synthesis window (w[n]^2 + w[n+H]^2 = 1)."""
    n = torch.arange(n_fft, device=device, dtype=torch.float64)
    return torch.sin(math.pi * (n + 0.5) / n_fft).to(dtype)


def band_weights(centers_hz, fs, n_fft, device=None, dtype=torch.float32):
    """Triangular weights T[b, k] of band b at bin k (frequency k fs / N); columns sum to 1."""
    c = torch.as_tensor(centers_hz, dtype=torch.float64).flatten()
    K = c.numel()
    f = torch.arange(n_fft // 2 + 1, dtype=torch.float64) * (fs / n_fft)
    T = torch.zeros(K, f.numel(), dtype=torch.float64)
    for b in range(K):
        if b == 0:
            up = torch.ones_like(f)
        else:
            up = ((f - c[b - 1]) / (c[b] - c[b - 1])).clamp(0.0, 1.0)
        if b == K - 1:
            down = torch.ones_like(f)
        else:
            down = ((c[b + 1] - f) / (c[b + 1] - c[b])).clamp(0.0, 1.0)
        T[b] = torch.where(f <= c[b], up, down)
    return T.to(device=device, dtype=dtype)


def n_frames(n_samples, hop):
    """Frames computable from n_samples of input: frame t needs sample t H + H - 1."""
    return (n_samples - hop) // hop + 1 if n_samples >= hop else 0


def stft(x, hop, window=None):
    """x [..., n] -> X [..., frames, H + 1]: frame t = rfft(w * xp[tH : tH + 2H]), xp = H zeros + x."""
    n_fft = 2 * hop
    if window is None:
        window = sine_window(n_fft, x.device, x.dtype)
    T = n_frames(x.shape[-1], hop)
    xp = torch.nn.functional.pad(x, (hop, hop))  # the tail pad only keeps unfold in range
    fr = xp.unfold(-1, n_fft, hop)[..., :T, :]
    return torch.fft.rfft(fr * window, dim=-1)


def istft(Y, hop, n_samples, window=None):
    """Inverse of stft() with the spec's alignment: y[i] = ola[i - H], zero for i < H."""
    n_fft = 2 * hop
    real_dtype = Y.real.dtype
    if window is None:
        window = sine_window(n_fft, Y.device, real_dtype)
    fr = torch.fft.irfft(Y, n=n_fft, dim=-1) * window  # irfft scales by 1/N, as the spec says
    lead = fr.shape[:-2]
    T = fr.shape[-2]
    fr = fr.reshape(-1, T, n_fft)
    ola_len = (T + 1) * hop
    ola = torch.nn.functional.fold(fr.transpose(1, 2), output_size=(1, ola_len),
                                   kernel_size=(1, n_fft), stride=(1, hop))
    ola = ola.reshape(*lead, ola_len)
    y = torch.zeros(*lead, n_samples, dtype=real_dtype, device=Y.device)
    m = min(n_samples - hop, ola_len)
    if m > 0:
        y[..., hop:hop + m] = ola[..., :m]
    return y


def band_energy(X, T_w, channel_dim=None):
    """E_b = sum_k T_b(f_k) P[k] / (S_b N^2 / 2), P = |X|^2 (mean over channel_dim if given)."""
    P = X.real ** 2 + X.imag ** 2
    if channel_dim is not None:
        P = P.mean(dim=channel_dim)
    n_fft = 2 * (X.shape[-1] - 1)
    S = T_w.sum(dim=1)
    scale = torch.where(S > 0, 1.0 / (S.clamp_min(1e-30) * n_fft * n_fft / 2), torch.zeros_like(S))
    return (P @ T_w.t()) * scale


# Floor of the band energies: white noise of about -73 dBFS at 48 kHz (-78 dBFS at 16 kHz).
# Below it, quieter is not informative; and digital silence (E_b = 0) then lands where very
# quiet input does instead of far below anything the network saw in training (with 1e-12,
# speech onsets right after digital silence were taken for noise and muted).
FEATURE_FLOOR = 1e-10


def features(E):
    """Network input x_b = log10(E_b + FEATURE_FLOOR)."""
    return torch.log10(E + FEATURE_FLOOR)


# The low-pass in front of the long analysis (src/decimate.c): Kaiser-windowed sinc with this
# stopband attenuation, used when the transition band it gets is at least this wide.
DECIMATE_ATTENUATION_DB = 60.0
DECIMATE_MIN_TRANSITION_HZ = 1500.0


def _kaiser_taps(fs, transition_hz):
    return int(math.ceil((DECIMATE_ATTENUATION_DB - 7.95) / (14.36 * transition_hz / fs))) + 1


def fine_top_hz(centers_hz, fine, fs):
    """Where the flatness bands end: the centre of the band after them, else Nyquist."""
    top = int(fine[0]) + int(fine[1])
    c = [float(v) for v in centers_hz]
    return c[top] if top < len(c) else 0.5 * fs


def decimation_factor(fs, hop, top_hz):
    """D of the long analysis: the largest divisor of hop with fs / D - 2 top_hz >= 1500 Hz
    and a filter of at most 3 hops; 1 (no filter) when there is none."""
    for d in range(hop, 1, -1):
        if hop % d:
            continue
        transition = fs / d - 2.0 * top_hz
        if transition >= DECIMATE_MIN_TRANSITION_HZ and _kaiser_taps(fs, transition) + 3 <= 3 * hop:
            return d
    return 1


def _bessel_i0(x):
    s, term = 1.0, 1.0
    for k in range(1, 64):
        term *= (x / (2.0 * k)) ** 2
        s += term
        if term < 1e-17 * s:
            break
    return s


def decimation_filter(fs, d, top_hz):
    """h[n], n < M (float32 values, as the C engine stores them): the Kaiser-windowed sinc
    low-pass with cutoff fs / 2D and transition band fs / D - 2 top_hz, DC gain 1."""
    m = _kaiser_taps(fs, fs / d - 2.0 * top_hz)
    beta = 0.1102 * (DECIMATE_ATTENUATION_DB - 8.7)
    centre = 0.5 * (m - 1)
    h = []
    for n in range(m):
        u = (n - centre) / d
        sinc = 1.0 if u == 0.0 else math.sin(math.pi * u) / (math.pi * u)
        r = (n - centre) / centre
        h.append(sinc / d * _bessel_i0(beta * math.sqrt(max(0.0, 1.0 - r * r))) / _bessel_i0(beta))
    total = sum(h)
    return torch.tensor([v / total for v in h], dtype=torch.float32)


def decimate(x, h, d):
    """x [..., n] -> [..., n // d]: y[m] = sum_j h[j] x[d m + d - 1 - j], zeros before x."""
    lead, n = x.shape[:-1], x.shape[-1]
    m = h.numel()
    xp = torch.nn.functional.pad(x.reshape(-1, 1, n), (m - 1, 0))[..., d - 1:]
    w = h.flip(0).to(device=x.device, dtype=x.dtype).view(1, 1, m)
    return torch.nn.functional.conv1d(xp, w, stride=d).reshape(*lead, -1)


def long_stft(x, hop, d=1, h=None):
    """x [..., n] -> [..., frames, 2H/d + 1]: frame t = rfft(wl * xl[tH/d : tH/d + L]) with
    L = 4H/d, the sine window wl of L points and xl = x (or x decimated by d > 1 through
    the low-pass h) with 3H/d zeros in front. It ends at the same sample as stft()'s frame t,
    so it looks 20 ms further back and never ahead: twice the frequency resolution (25 Hz)
    for the fine features, at no extra latency."""
    T = n_frames(x.shape[-1], hop)
    if d > 1:
        x = decimate(x, h, d)
    step = hop // d
    n_long = 4 * step
    xp = torch.nn.functional.pad(x, (3 * step, step))
    fr = xp.unfold(-1, n_long, step)[..., :T, :]
    return torch.fft.rfft(fr * sine_window(n_long, x.device, x.dtype), dim=-1)


def flatness(XL, T_long, first, count, channel_dim=None):
    """Spectral flatness of bands first..first+count-1 in the long spectrum XL (long_stft(),
    band weights T_long for its L-point FFT), models/README.md section 1:
    sum_k T_b(f_k) log10(P_k + floor) / S_b - log10(sum_k T_b(f_k) P_k / S_b + floor) with
    P_k = |XL[k]|^2 / (L^2 / 2). It is <= 0: about -0.25 for noise, lower for a
    band holding resolved harmonics; 0 for a band above Nyquist."""
    P = XL.real ** 2 + XL.imag ** 2
    if channel_dim is not None:
        P = P.mean(dim=channel_dim)
    n_long = 2 * (XL.shape[-1] - 1)
    P = P * (2.0 / (n_long * n_long))
    T = T_long[first:first + count]
    S = T.sum(dim=1)
    inv_s = torch.where(S > 0, 1.0 / S.clamp_min(1e-30), torch.zeros_like(S))
    mean_log = (torch.log10(P + FEATURE_FLOOR) @ T.t()) * inv_s
    log_mean = torch.log10((P @ T.t()) * inv_s + FEATURE_FLOOR)
    return torch.where(S > 0, mean_log - log_mean, torch.zeros_like(mean_log))


_T_CACHE = {}


def band_weights_for(net, fs, n_fft, device, dtype):
    """band_weights() of the net's centres, cached (they are constants of a rate)."""
    key = (tuple(net.band_centers_hz.detach().cpu().tolist()), fs, n_fft, str(device), dtype)
    if key not in _T_CACHE:
        _T_CACHE[key] = band_weights(net.band_centers_hz.detach().cpu().double(), fs, n_fft,
                                     device, dtype)
    return _T_CACHE[key]


def net_input(net, x, X, T_w, fs, channel_dim=None):
    """The network's input frames from audio x and its spectrum X = stft(x): K log band
    energies, then the fine (flatness) features when the model has them."""
    f = features(band_energy(X, T_w, channel_dim))
    fine = getattr(net, "fine", None)
    if fine is None:
        return f
    hop = X.shape[-1] - 1
    d, h = long_decimation_for(net, fs, hop)
    T_long = band_weights_for(net, fs / d, 4 * hop // d, X.device, X.real.dtype)
    return torch.cat([f, flatness(long_stft(x, hop, d, h), T_long, fine[0], fine[1],
                                  channel_dim)], dim=-1)


_D_CACHE = {}


def long_decimation_for(net, fs, hop):
    """(D, low-pass or None) of the net's long analysis at rate fs, cached."""
    centers = tuple(net.band_centers_hz.detach().cpu().tolist())
    key = (centers, tuple(net.fine), fs, hop)
    if key not in _D_CACHE:
        top = fine_top_hz(centers, net.fine, fs)
        d = decimation_factor(fs, hop, top)
        _D_CACHE[key] = (d, decimation_filter(fs, d, top) if d > 1 else None)
    return _D_CACHE[key]


def bin_gains(g, T_w, limit_db=None):
    """Band gains g [..., K] -> bin gains G' [..., H + 1] = max(sum_b T_b g_b, 10^(-limit/20)),
    with 0 for the sum at the DC bin (spec §1: it holds no speech)."""
    dc_off = torch.ones(T_w.shape[-1], dtype=g.dtype, device=g.device)
    dc_off[0] = 0.0
    G = (g @ T_w) * dc_off
    if limit_db is not None:
        G = G.clamp_min(10.0 ** (-float(limit_db) / 20.0))
    return G


SILENCE_RESET_FRAMES = 10


def silence_rests(silent):
    """Spec §1, digital silence: from the SILENCE_RESET_FRAMES-th of consecutive silent
    frames on, the network rests (and forgets its past). silent: bool per frame -> bool
    per frame, True where the network rests."""
    rest, count = [], 0
    for s in silent:
        count = min(count + 1, SILENCE_RESET_FRAMES) if s else 0
        rest.append(count >= SILENCE_RESET_FRAMES)
    return rest


def run_net_with_rests(fn, feats, rest, rest_vad=0.0):
    """fn (the network, or its forward_logits) over feats [frames, K + F] as the engine
    runs it: each stretch of frames after a rest starts from the state of t = 0; a resting
    frame keeps the previous frame's gains, and its speech output is rest_vad (0, or a
    logit for 0). Returns (gains [frames, K], vad [frames])."""
    gs, vs = [], []
    t, T = 0, feats.shape[0]
    while t < T:
        end = t
        while end < T and rest[end] == rest[t]:
            end += 1
        if rest[t]:  # a rest comes after SILENCE_RESET_FRAMES - 1 frames that ran
            gs.append(gs[-1][-1:].expand(end - t, -1))
            vs.append(feats.new_full((end - t,), rest_vad))
        else:
            g, v = fn(feats[None, t:end])
            gs.append(g[0])
            vs.append(v[0])
        t = end
    return torch.cat(gs), torch.cat(vs)


def silent_frames(x, hop, tiny=0.0):
    """bool [..., frames] for x [..., n]: True where every sample of the frame (stft()'s
    framing: hops t - 1 and t) has |x| <= tiny. Training uses a tiny above 0 for the
    mixer's float residue in what would be digital silence in a file."""
    T = n_frames(x.shape[-1], hop)
    q = x[..., :T * hop].abs().reshape(*x.shape[:-1], T, hop).amax(-1) <= tiny
    return q & torch.cat([torch.ones_like(q[..., :1]), q[..., :-1]], -1)


def net_with_rests(fn, feats, silent, rest_vad=0.0):
    """fn over feats [b, frames, K + F] with the rests of silent [b][frames] (lists of
    bool): items without a rest run batched, the others stretch by stretch."""
    rests = [silence_rests(s) for s in silent]
    has = [any(r) for r in rests]
    if not any(has):
        return fn(feats)
    plain = [i for i, h in enumerate(has) if not h]
    out = [None] * feats.shape[0]
    if plain:
        g, v = fn(feats[plain])
        for j, i in enumerate(plain):
            out[i] = (g[j], v[j])
    for i, h in enumerate(has):
        if h:
            out[i] = run_net_with_rests(fn, feats[i], rests[i], rest_vad)
    return torch.stack([o[0] for o in out]), torch.stack([o[1] for o in out])


GUARD_SUBWINDOWS = 8


def clean_guard(E, g, rest, frame_s):
    """Spec §1, clean-speech guard (src/clean_guard.c): band gains g [b, T, K] raised where
    the band power E [b, T, K] (10^feature) stands well clear of its minimum-statistics
    floor and the network has removed little of the band over the last seconds. rest:
    bool [b][T] (the network's rests): a rest starts the floor afresh and keeps the
    long-term averages; a resting frame keeps the previous frame's gains."""
    b, T, K = g.shape
    sub = max(1, int(math.floor(1.6 / GUARD_SUBWINDOWS / frame_s + 0.5)))
    a_p = 1.0 - math.exp(-frame_s / 0.03)
    a_l = 1.0 - math.exp(-frame_s / 3.0)
    inf = torch.full((b, K), math.inf, dtype=g.dtype, device=g.device)
    power, sub_min = torch.zeros_like(inf), inf.clone()
    ring = torch.full((b, GUARD_SUBWINDOWS, K), math.inf, dtype=g.dtype, device=g.device)
    long_in, long_out = torch.zeros_like(inf), torch.zeros_like(inf)
    count = [0] * b
    pos = [0] * b
    started = [False] * b
    out = []
    for t in range(T):
        e, net = E[:, t], g[:, t]
        for i in range(b):
            if rest[i][t] and started[i]:  # the floor starts afresh after the rest
                started[i], count[i], pos[i] = False, 0, 0
                ring[i] = math.inf
                sub_min[i] = math.inf
        keep = torch.tensor([bool(r[t]) for r in rest], device=g.device)[:, None]
        first = torch.tensor([not s for s in started], device=g.device)[:, None]
        new_power = torch.where(first, e, power + a_p * (e - power))
        new_min = torch.minimum(sub_min, new_power)
        floor = torch.minimum(new_min, ring.amin(1))
        new_in = long_in + a_l * (e - long_in)
        new_out = long_out + a_l * (e * net * net - long_out)
        w = ((3.0 - 10.0 * torch.log10(new_in / new_out)) / 2.0).clamp(0.0, 1.0)
        guard = 1.0 - 15.0 * floor / e
        raised = torch.where(guard > net, net + w * (guard - net), net)
        if t > 0:  # a resting frame keeps the last gains, and its state stays as it was
            raised = torch.where(keep, out[-1], raised)
        power, sub_min = torch.where(keep, power, new_power), torch.where(keep, sub_min, new_min)
        long_in, long_out = torch.where(keep, long_in, new_in), torch.where(keep, long_out, new_out)
        out.append(raised)
        for i in range(b):
            if rest[i][t]:
                continue
            started[i] = True
            count[i] += 1
            if count[i] == sub:
                ring[i, pos[i]] = sub_min[i]
                sub_min[i] = math.inf
                pos[i], count[i] = (pos[i] + 1) % GUARD_SUBWINDOWS, 0
    return torch.stack(out, 1)


def process(net, x, fs, limit_db=100.0, guard=True):
    """The whole quell_process() path over x [batch, ch, n] (or [ch, n]).

    Returns (y with the same shape, band gains [.., frames, K], vad [.., frames]).
    """
    squeeze = x.dim() == 2
    if squeeze:
        x = x.unsqueeze(0)
    hop = hop_for_rate(fs)
    centers = net.band_centers_hz.detach().cpu().double()
    T_w = band_weights(centers, fs, 2 * hop, x.device, x.dtype)
    X = stft(x, hop)                         # [b, ch, T, F]
    feats = net_input(net, x, X, T_w, fs, channel_dim=1)
    silent = silent_frames(x, hop).all(dim=1).tolist()
    g, vad = net_with_rests(net, feats, silent)
    if guard:
        K = len(centers)
        g = clean_guard(10.0 ** feats[..., :K], g, [silence_rests(s) for s in silent], hop / fs)
    G = bin_gains(g, T_w, limit_db)          # [b, T, F]
    y = istft(X * G.unsqueeze(1), hop, x.shape[-1])
    if squeeze:
        return y[0], g[0], vad[0]
    return y, g, vad
