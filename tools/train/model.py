# SPDX-License-Identifier: BSD-3-Clause
"""The network of models/README.md section 2 as a torch nn.Module, and its .qmodel arrays.

Input: features [batch, frames, K + F] (log10 band energies, then F band flatness values when
the model has fine features, F = 0 otherwise); output: band gains
[batch, frames, K] in (0, 1) and a speech probability [batch, frames]. Every layer is
causal over frames, so running it on a whole clip equals running it frame by frame.
"""
import numpy as np
import torch
from torch import nn

# Fine features (format version 2): the spectral flatness of the 21 ERB bands from 1.1 to
# 7.1 kHz (band indices 21..41 of default_band_centers()), where voiced speech shows its
# harmonics and band energies alone cannot tell them from noise. 21 x 128 weights keep the
# model under 300 K parameters.
DEFAULT_FINE = (21, 21)

# The shipped architecture: 56 bands, 128 channels, 8 blocks. Receptive field
# 1 + (k_in - 1) + (k - 1) * sum(dilations) = 1 + 2 + 2 * 68 = 139 frames ~ 1.39 s at 10 ms.
DEFAULT = dict(C=128, k_in=3, B=8, k=3, dilations=(1, 2, 4, 8, 16, 32, 1, 4))


def erb_rate(f):
    """Glasberg & Moore ERB-rate scale (number of ERBs below f Hz)."""
    return 21.4 * np.log10(1.0 + 0.00437 * np.asarray(f, np.float64))


def erb_rate_inv(e):
    return (10.0 ** (np.asarray(e, np.float64) / 21.4) - 1.0) / 0.00437


def default_band_centers(linear_step=50.0, linear_top=1000.0, top=24000.0, erb_step=0.8):
    """0, 50, ..., 1000 Hz (one STFT bin apart at every rate: fs / N ~ 50 Hz), then evenly
    spaced in ERB-rate up to 24 kHz with erb_step ERBs between centres (56 bands by default).
    Bands above 24 kHz share the last band's gain (speech has nothing to protect there)."""
    lin = np.arange(0.0, linear_top + 0.5 * linear_step, linear_step)
    e0, e1 = erb_rate(linear_top), erb_rate(top)
    n = max(1, int(round((e1 - e0) / erb_step)))
    erb = erb_rate_inv(np.linspace(e0, e1, n + 1)[1:])
    return np.concatenate([lin, erb]).astype(np.float32)


class Block(nn.Module):
    """Depthwise dilated causal conv -> ReLU -> pointwise -> ReLU -> pointwise, plus input."""

    def __init__(self, C, k, d):
        super().__init__()
        self.pad = (k - 1) * d
        self.dw = nn.Conv1d(C, C, k, dilation=d, groups=C)
        self.pw1 = nn.Conv1d(C, C, 1)
        self.pw2 = nn.Conv1d(C, C, 1)

    def forward(self, h):
        u = torch.relu(self.dw(nn.functional.pad(h, (self.pad, 0))))
        u = torch.relu(self.pw1(u))
        return h + self.pw2(u)


class QuellNet(nn.Module):
    def __init__(self, centers=None, C=128, k_in=3, B=8, k=3, dilations=DEFAULT["dilations"],
                 fine=None):
        super().__init__()
        if centers is None:
            centers = default_band_centers()
        centers = torch.as_tensor(np.asarray(centers, np.float32))
        K = centers.numel()
        dilations = tuple(int(d) for d in dilations)[:B]
        assert len(dilations) == B
        self.K, self.C, self.k_in, self.B, self.k, self.dilations = K, C, k_in, B, k, dilations
        self.register_buffer("band_centers_hz", centers)
        self.register_buffer("input_mean", torch.zeros(K))
        self.register_buffer("input_inv_std", torch.ones(K))
        self.inp = nn.Conv1d(K, C, k_in)
        # fine = (first band, count): flatness features feed the input layer at the current
        # frame only (a pointwise term added before its ReLU).
        self.fine = None if fine is None else (int(fine[0]), int(fine[1]))
        if self.fine is not None:
            F = self.fine[1]
            assert F >= 1 and 0 <= self.fine[0] and self.fine[0] + F <= K
            self.register_buffer("fine_mean", torch.zeros(F))
            self.register_buffer("fine_inv_std", torch.ones(F))
            self.inp_fine = nn.Conv1d(F, C, 1, bias=False)
            nn.init.zeros_(self.inp_fine.weight)  # a model grown from a v1 one starts equal
        self.blocks = nn.ModuleList([Block(C, k, d) for d in dilations])
        self.out = nn.Conv1d(C, K, 1)
        self.vad = nn.Conv1d(C, 1, 1)
        self.reset_parameters()

    def reset_parameters(self):
        # Residual blocks start close to the identity: with no normalisation layers, a
        # near-zero last pointwise keeps activations bounded as blocks are stacked.
        for blk in self.blocks:
            nn.init.normal_(blk.pw2.weight, std=1e-3)
            nn.init.zeros_(blk.pw2.bias)
        # Start with gains near 1 (sigmoid(3) = 0.95): an untrained model passes speech.
        nn.init.normal_(self.out.weight, std=1e-3)
        nn.init.constant_(self.out.bias, 3.0)

    def n_inputs(self):
        """K + F: the length of one input frame."""
        return self.K + (self.fine[1] if self.fine is not None else 0)

    def trunk(self, feats):
        K = self.K
        z = (feats[..., :K] - self.input_mean) * self.input_inv_std
        a = self.inp(nn.functional.pad(z.transpose(1, 2), (self.k_in - 1, 0)))
        if self.fine is not None:
            zf = (feats[..., K:] - self.fine_mean) * self.fine_inv_std
            a = a + self.inp_fine(zf.transpose(1, 2))
        h = torch.relu(a)
        for blk in self.blocks:
            h = blk(h)
        return h

    def forward(self, feats):
        """feats [batch, frames, K + F] -> (gains [batch, frames, K], vad [batch, frames])."""
        h = self.trunk(feats)
        g = torch.sigmoid(self.out(h)).transpose(1, 2)
        vad = torch.sigmoid(self.vad(h))[:, 0, :]
        return g, vad

    def forward_logits(self, feats):
        """As forward(), but the VAD as a logit (for a numerically safe BCE)."""
        h = self.trunk(feats)
        return torch.sigmoid(self.out(h)).transpose(1, 2), self.vad(h)[:, 0, :]

    def config(self):
        return dict(centers=self.band_centers_hz.cpu().numpy(), C=self.C, k_in=self.k_in,
                    B=self.B, k=self.k, dilations=self.dilations, fine=self.fine)

    def n_params(self):
        """Parameters stored in the .qmodel (weights and biases, not band centres or stats)."""
        return sum(p.numel() for p in self.parameters())

    def macs_per_frame(self):
        K, C, k_in, B, k = self.K, self.C, self.k_in, self.B, self.k
        F = self.fine[1] if self.fine is not None else 0
        return K * C * k_in + F * C + B * (C * k + 2 * C * C) + K * C + C

    def receptive_field_frames(self):
        return 1 + (self.k_in - 1) + (self.k - 1) * sum(self.dilations)

    # ---- .qmodel arrays (names and shapes of models/README.md section 3) ----

    def to_arrays(self):
        def a(t):
            return t.detach().cpu().numpy().astype(np.float32)

        arrays = {
            "config": np.array([self.K, self.C, self.k_in, self.B, self.k], np.int32),
            "dilations": np.array(self.dilations, np.int32).reshape(self.B),
            "band_centers_hz": a(self.band_centers_hz),
            "input_mean": a(self.input_mean),
            "input_inv_std": a(self.input_inv_std),
            "in.weight": a(self.inp.weight),
            "in.bias": a(self.inp.bias),
        }
        if self.fine is not None:
            arrays["fine_bands"] = np.array(self.fine, np.int32)
            arrays["fine_mean"] = a(self.fine_mean)
            arrays["fine_inv_std"] = a(self.fine_inv_std)
            arrays["in_fine.weight"] = a(self.inp_fine.weight)[:, :, 0]
        for i, blk in enumerate(self.blocks):
            arrays[f"blk{i}.dw.weight"] = a(blk.dw.weight)[:, 0, :]
            arrays[f"blk{i}.dw.bias"] = a(blk.dw.bias)
            arrays[f"blk{i}.pw1.weight"] = a(blk.pw1.weight)[:, :, 0]
            arrays[f"blk{i}.pw1.bias"] = a(blk.pw1.bias)
            arrays[f"blk{i}.pw2.weight"] = a(blk.pw2.weight)[:, :, 0]
            arrays[f"blk{i}.pw2.bias"] = a(blk.pw2.bias)
        arrays["out.weight"] = a(self.out.weight)[:, :, 0]
        arrays["out.bias"] = a(self.out.bias)
        arrays["vad.weight"] = a(self.vad.weight)[:, :, 0]
        arrays["vad.bias"] = a(self.vad.bias)
        return arrays

    @classmethod
    def from_config(cls, cfg):
        """The network of a checkpoint's config() (train.py)."""
        return cls(np.array(cfg["centers"], np.float32), C=cfg["C"], k_in=cfg["k_in"],
                   B=cfg["B"], k=cfg["k"], dilations=cfg["dilations"], fine=cfg.get("fine"))

    @classmethod
    def from_arrays(cls, arrays):
        K, C, k_in, B, k = (int(v) for v in arrays["config"])
        dil = tuple(int(d) for d in np.asarray(arrays["dilations"]).reshape(-1)[:B])
        fine = None
        if "fine_bands" in arrays:
            fine = tuple(int(v) for v in np.asarray(arrays["fine_bands"]).reshape(-1))
        net = cls(arrays["band_centers_hz"], C=C, k_in=k_in, B=B, k=k, dilations=dil,
                  fine=fine)

        def t(name, shape=None):
            v = torch.from_numpy(np.asarray(arrays[name], np.float32).copy())
            return v.reshape(shape) if shape is not None else v

        with torch.no_grad():
            net.input_mean.copy_(t("input_mean"))
            net.input_inv_std.copy_(t("input_inv_std"))
            net.inp.weight.copy_(t("in.weight"))
            net.inp.bias.copy_(t("in.bias"))
            if fine is not None:
                net.fine_mean.copy_(t("fine_mean"))
                net.fine_inv_std.copy_(t("fine_inv_std"))
                net.inp_fine.weight.copy_(t("in_fine.weight", (C, fine[1], 1)))
            for i, blk in enumerate(net.blocks):
                blk.dw.weight.copy_(t(f"blk{i}.dw.weight", (C, 1, k)))
                blk.dw.bias.copy_(t(f"blk{i}.dw.bias"))
                blk.pw1.weight.copy_(t(f"blk{i}.pw1.weight", (C, C, 1)))
                blk.pw1.bias.copy_(t(f"blk{i}.pw1.bias"))
                blk.pw2.weight.copy_(t(f"blk{i}.pw2.weight", (C, C, 1)))
                blk.pw2.bias.copy_(t(f"blk{i}.pw2.bias"))
            net.out.weight.copy_(t("out.weight", (K, C, 1)))
            net.out.bias.copy_(t("out.bias"))
            net.vad.weight.copy_(t("vad.weight", (1, C, 1)))
            net.vad.bias.copy_(t("vad.bias"))
        return net


def summary(net, hop_rate=100.0):
    fine = f" fine={list(net.fine)}" if net.fine is not None else ""
    return (f"K={net.K} C={net.C} k_in={net.k_in} B={net.B} k={net.k}{fine} "
            f"dilations={list(net.dilations)} params={net.n_params()} "
            f"MACs/s={net.macs_per_frame() * hop_rate / 1e6:.1f}M "
            f"receptive field={net.receptive_field_frames()} frames "
            f"({net.receptive_field_frames() * 10} ms)")


if __name__ == "__main__":
    n = QuellNet()
    print(summary(n))
    print("centres:", np.round(n.band_centers_hz.numpy()).astype(int).tolist())
