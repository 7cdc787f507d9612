#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Trains quell's network (model.py) on mixtures made on the fly (data.py).

Examples:
  tools/train/train.py --device cpu --threads 2 --minutes 25 --out runs/cpu1
  tools/train/train.py --device cuda --pack data/pack --minutes 9 --out $OUT
  tools/train/train.py --resume runs/cpu1/ckpt.pt --minutes 10 --out runs/cpu2
Then: tools/train/export.py runs/cpu1/ckpt.pt models/default.qmodel

Saves OUT/ckpt.pt every --ckpt-minutes and at the end, and logs to OUT/train.log.
The learning rate follows a cosine over the --minutes budget (time-based, so a run always
ends annealed whatever the hardware), or over --steps steps when given: then a rerun
gives the same weights (same seeds and data, one thread; on another CPU or PyTorch build
the float rounding may differ), which is how the shipped model's command is given.
"""
import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np

DEFAULT_THREADS = 2


def _blas_threads(argv):
    """--threads of argv, for OpenBLAS, which reads its thread count once, when torch loads
    it: two one-thread runs side by side must not each start a thread per core."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    return max(1, pre.parse_known_args(argv)[0].threads)


# Debian's torch takes its matrix products from the system BLAS (libblas.so.3): with the
# reference BLAS a training step on CPU is about 3x slower than with OpenBLAS
# (libopenblas0-pthread, which tools/train/prepare_data.sh installs).
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(_blas_threads(sys.argv[1:])))
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
import losses  # noqa: E402
from model import DEFAULT_FINE, QuellNet, summary  # noqa: E402

VAL_SNRS = (-5, 0, 5, 10, 20)
VAL_RATES = (48000, 16000)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--corpus", default="data/corpus", help="corpus root (manifest.jsonl)")
    p.add_argument("--pack", default=None, help="Opus pack folder (make_pack.py), instead of --corpus")
    p.add_argument("--cache", default="data/cache/c48", help="decoded-clip cache (corpus only)")
    p.add_argument("--speech-hours", type=float, default=None, help="cap on training speech")
    p.add_argument("--noise-hours", type=float, default=None, help="cap on training noise")
    p.add_argument("--val-hours", type=float, default=0.5, help="cap on validation speech")
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    p.add_argument("--minutes", type=float, default=20.0, help="training time budget")
    p.add_argument("--steps", type=int, default=None,
                   help="step budget instead of --minutes (a reproducible run)")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--seconds", type=float, default=3.0, help="segment length")
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--warmup", type=int, default=100, help="warm-up steps")
    p.add_argument("--rates", default=None,
                   help="training rates and weights, e.g. 16000:0.5,48000:0.5 (default: data.RATES)")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--out", required=True, help="folder for ckpt.pt and train.log")
    p.add_argument("--resume", default=None, help="checkpoint to continue from")
    p.add_argument("--init", default=None,
                   help="start from the weights and input statistics of a .qmodel (fine-tuning: "
                        "fresh optimizer, step 0)")
    p.add_argument("--ckpt-minutes", type=float, default=3.0)
    p.add_argument("--val-minutes", type=float, default=5.0)
    p.add_argument("--val-items", type=int, default=12)
    p.add_argument("--w-under", type=float, default=0.5,
                   help="weight of the speech-removal (under-estimate) loss term")
    p.add_argument("--under-ramp", default=None,
                   help="LO:HI:FLOOR: the speech-removal weight falls from --w-under at input "
                        "SNR HI dB to FLOOR times it at LO dB (default: the same at every SNR)")
    p.add_argument("--w-sisdr", type=float, default=0.002,
                   help="weight of the waveform SI-SDR term (per dB)")
    p.add_argument("--w-stoi", type=float, default=0.0,
                   help="weight of the intelligibility term (2 - STOI - ESTOI, losses.intelligibility)")
    p.add_argument("--p-clean", type=float, default=0.08, help="share of speech-only items")
    p.add_argument("--p-noise-only", type=float, default=0.08, help="share of noise-only items")
    p.add_argument("--p-corpus-noise", type=float, default=0.45,
                   help="share of noises taken from the corpus (the rest is synthesised)")
    p.add_argument("--snr-range", default="-5:25", help="training SNR range LO:HI in dB")
    p.add_argument("--level-range", default="-45:-10",
                   help="level of the mixtures' active parts, LO:HI in dBFS")
    p.add_argument("--p-speed", type=float, default=0.0,
                   help="share of speech clips played 0.85-1.25x as fast (pitch and formants)")
    p.add_argument("--p-gate", type=float, default=0.0,
                   help="share of noisy items whose (first) noise comes in 1-3 bursts with "
                        "sudden onsets instead of lasting the whole item")
    p.add_argument("--p-gate-speech", type=float, default=0.0,
                   help="share of speech-only items whose speech comes in the same bursts "
                        "(words after digital silence, to keep while gated noise is removed)")
    p.add_argument("--speaker-balance", type=float, default=0.0,
                   help="draw training speech clips with weight sqrt(duration) / (their "
                        "speaker's hours)^B: 0 as before, 1 every speaker label equally often")
    p.add_argument("--rests", action="store_true",
                   help="the network rests in digital silence as the engine's does (spec §1): "
                        "speech after 100 ms of silence meets it as at t = 0")
    p.add_argument("--fine", action="store_true",
                   help="give the network fine features (model.DEFAULT_FINE; format version 2); "
                        "with --init of a model without them, their weights start at zero")
    p.add_argument("--lr-fine", type=float, default=1.0,
                   help="learning-rate multiplier of the fine-feature weights (new ones learn "
                        "faster than the fine-tuned rest)")
    p.add_argument("--C", type=int, default=128)
    p.add_argument("--B", type=int, default=8)
    args = p.parse_args(argv)
    for name in ("p_clean", "p_noise_only", "p_corpus_noise", "p_speed", "p_gate",
                 "p_gate_speech"):
        if not 0.0 <= getattr(args, name) <= 1.0:
            p.error(f"--{name.replace('_', '-')} must be a share between 0 and 1")
    def numbers(name, form, example):
        """The colon-separated numbers of option --name (form: 'LO:HI' or 'LO:HI:FLOOR')."""
        text = getattr(args, name.replace("-", "_"))
        try:
            v = tuple(float(t) for t in text.split(":"))
        except ValueError:
            v = ()
        if len(v) != form.count(":") + 1:
            p.error(f"--{name} must be {form}, e.g. --{name}={example}")
        return v

    args.snr_range = numbers("snr-range", "LO:HI in dB", "-5:25")
    if not args.snr_range[0] < args.snr_range[1]:
        p.error("--snr-range: LO must be below HI")
    args.level_range = numbers("level-range", "LO:HI in dBFS", "-65:-10")
    if not args.level_range[0] < args.level_range[1] <= 0.0:
        p.error("--level-range: LO must be below HI, and HI at most 0 dBFS")
    if args.under_ramp is not None:
        args.under_ramp = numbers("under-ramp", "LO:HI:FLOOR", "-5:10:0.1")
        lo, hi, floor = args.under_ramp
        if not (lo < hi and 0.0 <= floor <= 1.0):
            p.error("--under-ramp: LO must be below HI and FLOOR within 0..1")
    if not 0.0 <= args.speaker_balance <= 1.0:
        p.error("--speaker-balance must be within 0..1")
    if args.steps is not None and args.steps < 1:
        p.error("--steps must be at least 1")
    return args


class Log:
    def __init__(self, path):
        self.f = open(path, "a")

    def __call__(self, *a):
        line = " ".join(str(x) for x in a)
        print(line, flush=True)
        self.f.write(line + "\n")
        self.f.flush()


def load_banks(args, log):
    t0 = time.time()
    banks = {}
    for kind in ("speech", "noise"):
        for split in ("train", "val"):
            hours = {("speech", "train"): args.speech_hours, ("noise", "train"): args.noise_hours,
                     ("speech", "val"): args.val_hours}.get((kind, split))
            if args.pack:
                clips, metas = data.load_pack(args.pack, kind, split, hours, 0, log)
            else:
                clips, metas = data.load_corpus(args.corpus, kind, split, hours, 0,
                                                args.cache, log)
            balance = args.speaker_balance if (kind, split) == ("speech", "train") else 0.0
            banks[kind, split] = data.ClipBank(clips, metas, args.device, balance)
            b = banks[kind, split]
            log(f"{kind}/{split}: {len(b)} clips, {b.hours():.2f} h, "
                f"{len(b.speakers)} speakers/sources")
    log(f"data loaded in {time.time() - t0:.0f} s")
    return banks


@torch.no_grad()
def feature_stats(net, mixer, n_batches, bsz, seconds):
    """Per-input mean and 1/std of the network input over 48 kHz training mixtures."""
    n = net.n_inputs()
    s1 = torch.zeros(n, dtype=torch.float64)
    s2 = torch.zeros(n, dtype=torch.float64)
    cnt = 0
    for _ in range(n_batches):
        b = mixer.batch(bsz, seconds, 48000)
        hop = data.FS // 100
        T_w = losses.dsp.band_weights_for(net, 48000, 2 * hop, b["noisy"].device,
                                          b["noisy"].dtype)
        f = losses.dsp.net_input(net, b["noisy"], losses.dsp.stft(b["noisy"], hop), T_w, 48000)
        f = f.reshape(-1, n).double().cpu()
        s1 += f.sum(0)
        s2 += (f * f).sum(0)
        cnt += f.shape[0]
    mean = s1 / cnt
    std = (s2 / cnt - mean * mean).clamp_min(1e-4).sqrt()
    # band energies: std floored at 0.25 (a quarter decade); flatness values are smaller
    std[:net.K] = std[:net.K].clamp_min(0.25)
    std[net.K:] = std[net.K:].clamp_min(0.02)
    return mean.float(), (1.0 / std).float()


def make_val(banks, args):
    mixer = data.Mixer(banks["speech", "val"], banks["noise", "val"], args.device, seed=99,
                       n_rirs=50)
    sets = []
    for fs in VAL_RATES:
        for snr in VAL_SNRS:
            sets.append((f"{fs // 1000}k/{snr:+d}dB",
                         mixer.batch(args.val_items, 4.0, fs, fixed_snr=float(snr))))
        sets.append((f"{fs // 1000}k/clean", mixer.batch(args.val_items, 4.0, fs, no_noise=True)))
    return sets


def validate(net, val_sets, log, step, rests=False):
    net.eval()
    rows, total = [], []
    for name, b in val_sets:
        with torch.no_grad():
            _, parts = losses.loss_fn(net, b, rests=rests)
        m = losses.evaluate(net, b, limit_db=40.0)
        si_in, si_out = float(m["sisdr_in"].mean()), float(m["sisdr_out"].mean())
        d_st = float((m["stoi_out"] - m["stoi_in"]).mean())
        d_est = float((m["estoi_out"] - m["estoi_in"]).mean())
        if name.endswith("clean"):
            rows.append(f"{name}: out {si_out:.1f} dB")
        else:
            rows.append(f"{name}: {si_in:.1f}->{si_out:.1f} ({si_out - si_in:+.1f}) "
                        f"dSTOI {d_st:+.3f} dESTOI {d_est:+.3f}")
        total.append(parts["loss"])
    net.train()
    vl = float(np.mean(total))
    log(f"[val step {step}] loss {vl:.4f} | " + " | ".join(rows))
    return vl


def grow_fine(net, fine=DEFAULT_FINE):
    """The same network with fine features whose weights are 0 (so the same output); their
    input statistics are still to be measured."""
    grown = QuellNet.from_config(dict(net.config(), fine=fine))
    missing = grown.load_state_dict(net.state_dict(), strict=False).missing_keys
    assert set(missing) == {"fine_mean", "fine_inv_std", "inp_fine.weight"}, missing
    return grown


def load_ckpt(path):
    """torch.load of a train.py checkpoint (plain Python/tensor data) on any torch version."""
    try:
        return torch.load(path, map_location="cpu", weights_only=False)
    except TypeError:  # torch < 1.13 has no weights_only
        return torch.load(path, map_location="cpu")


def save(path, net, opt, step, elapsed, args, val_loss):
    tmp = path + ".tmp"
    torch.save(dict(model=net.state_dict(), opt=opt.state_dict(), step=step, elapsed=elapsed,
                    config={k: (np.asarray(v).tolist() if isinstance(v, (tuple, np.ndarray))
                                else v) for k, v in net.config().items()},
                    args=vars(args), val_loss=val_loss), tmp)
    os.replace(tmp, path)


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    log = Log(os.path.join(args.out, "train.log"))
    log("args:", json.dumps(vars(args)))
    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    if args.device.startswith("cuda"):
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    banks = load_banks(args, log)
    start_step, elapsed0, ck, grown = 0, 0.0, None, False
    if args.resume:
        ck = load_ckpt(args.resume)
        net = QuellNet.from_config(ck["config"])
        net.load_state_dict(ck["model"])
        start_step, elapsed0 = ck["step"], float(ck.get("elapsed", 0.0))
        log(f"resumed {args.resume} at step {start_step}")
    elif args.init:
        import qmodel
        net = QuellNet.from_arrays(qmodel.read(args.init))
        log(f"initialised from {args.init}")
        if args.fine and net.fine is None:
            net, grown = grow_fine(net), True
            log(f"fine features {list(net.fine)} added (weights 0: same output at step 0)")
    else:
        dil = (1, 2, 4, 8, 16, 32, 1, 4, 8, 16, 2, 1)[:args.B]
        net = QuellNet(C=args.C, B=args.B, dilations=dil,
                       fine=DEFAULT_FINE if args.fine else None)
    net.to(args.device)
    log(summary(net))
    # Each run draws fresh mixtures: seed + start step, so a resumed run does not replay.
    mixer = data.Mixer(banks["speech", "train"], banks["noise", "train"], args.device,
                       seed=args.seed + start_step,
                       p=dict(clean=args.p_clean, noise_only=args.p_noise_only,
                              corpus_noise=args.p_corpus_noise, speed=args.p_speed,
                              gate=args.p_gate, gate_speech=args.p_gate_speech))
    mixer.snr_range = args.snr_range
    mixer.level_range = args.level_range
    if args.rates:
        mixer.rates = tuple((int(r.split(":")[0]), float(r.split(":")[1]))
                            for r in args.rates.split(","))
    fresh = ck is None and not args.init
    if fresh or grown:
        mean, inv_std = feature_stats(net, mixer, 8, args.batch, args.seconds)
        K = net.K
        if fresh:  # a fine-tuned model keeps the band statistics it was trained with
            net.input_mean.copy_(mean[:K].to(args.device))
            net.input_inv_std.copy_(inv_std[:K].to(args.device))
        if net.fine is not None:
            net.fine_mean.copy_(mean[K:].to(args.device))
            net.fine_inv_std.copy_(inv_std[K:].to(args.device))
        log("feature mean", np.round(mean.numpy(), 2).tolist())
        log("feature std", np.round(1 / inv_std.numpy(), 3).tolist())
    val_sets = make_val(banks, args)
    fine_params = list(net.inp_fine.parameters()) if net.fine is not None else []
    ids = {id(p) for p in fine_params}
    groups = [dict(params=[p for p in net.parameters() if id(p) not in ids], mult=1.0)]
    if fine_params:
        groups.append(dict(params=fine_params, mult=args.lr_fine))
    opt = torch.optim.AdamW(groups, lr=args.lr, weight_decay=1e-4)
    if ck is not None and "opt" in ck:
        opt.load_state_dict(ck["opt"])
    budget = args.minutes * 60.0
    t_start = time.time()
    last_ckpt = last_val = t_start
    step = start_step
    ckpt_path = os.path.join(args.out, "ckpt.pt")
    val_loss = validate(net, val_sets, log, step, args.rests)
    acc, n_acc = {}, 0
    while True:
        el = time.time() - t_start
        frac = (step - start_step) / args.steps if args.steps is not None else el / budget
        if frac >= 1.0:
            break
        warm = min(1.0, (step - start_step + 1) / args.warmup)
        lr = args.lr * warm * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * frac)))
        for g in opt.param_groups:
            g["lr"] = lr * g.get("mult", 1.0)
        batch = mixer.batch(args.batch, args.seconds)
        loss, parts = losses.loss_fn(net, batch, w_under=args.w_under, w_stoi=args.w_stoi,
                                     w_sisdr=args.w_sisdr, under_ramp=args.under_ramp,
                                     rests=args.rests)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        if torch.isfinite(gn):
            opt.step()
        step += 1
        for k, v in parts.items():
            acc[k] = acc.get(k, 0.0) + v
        n_acc += 1
        if step % 25 == 0:
            log(f"step {step} {el / 60:.1f} min lr {lr:.2e} " +
                " ".join(f"{k} {v / n_acc:.4f}" for k, v in acc.items()))
            acc, n_acc = {}, 0
        now = time.time()
        if now - last_val >= args.val_minutes * 60:
            val_loss = validate(net, val_sets, log, step, args.rests)
            last_val = now
        if now - last_ckpt >= args.ckpt_minutes * 60:
            save(ckpt_path, net, opt, step, elapsed0 + now - t_start, args, val_loss)
            last_ckpt = now
    val_loss = validate(net, val_sets, log, step, args.rests)
    save(ckpt_path, net, opt, step, elapsed0 + time.time() - t_start, args, val_loss)
    log(f"done: {step} steps, {(time.time() - t_start) / 60:.1f} min, saved {ckpt_path}")


if __name__ == "__main__":
    main()
