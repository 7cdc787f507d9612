# SPDX-License-Identifier: BSD-3-Clause
"""A compact training pack: clips at 48 kHz joined into Ogg Opus chunk files.

Written by `make_pack.py` (needs ffmpeg with libopus); read here with numpy and libopus
through ctypes only, so it works on a machine with no audio libraries when libopus.so.0
is carried along (QUELL_LIBDIR or the pack's lib/ folder).

Layout of a pack folder:
  pack.json   {"chunks": [{"file", "kind", "split", "samples"}...],
               "clips": [{manifest fields..., "chunk", "offset", "length"}...]}
  *.opus      one Ogg Opus stream per chunk (mono, 48 kHz)
  lib/        libopus.so.0 (optional)
"""
import ctypes
import ctypes.util
import json
import os
import struct
from concurrent.futures import ProcessPoolExecutor

import numpy as np

FS = 48000


def _libopus(pack_dir=None):
    names = []
    for d in (os.environ.get("QUELL_LIBDIR"), pack_dir and os.path.join(pack_dir, "lib")):
        if d:
            names.append(os.path.join(d, "libopus.so.0"))
    names += ["libopus.so.0", ctypes.util.find_library("opus") or "libopus.so"]
    for n in names:
        try:
            lib = ctypes.CDLL(n)
            break
        except OSError:
            continue
    else:
        raise OSError("libopus.so.0 not found (set QUELL_LIBDIR)")
    lib.opus_decoder_create.restype = ctypes.c_void_p
    lib.opus_decoder_create.argtypes = [ctypes.c_int32, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]
    lib.opus_decode_float.restype = ctypes.c_int
    lib.opus_decode_float.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int32,
                                      ctypes.POINTER(ctypes.c_float), ctypes.c_int, ctypes.c_int]
    lib.opus_decoder_destroy.argtypes = [ctypes.c_void_p]
    return lib


def ogg_packets(data):
    """Yields the packets of a single-stream Ogg file (bytes)."""
    pos, partial = 0, b""
    while pos + 27 <= len(data):
        if data[pos:pos + 4] != b"OggS":
            raise ValueError(f"bad Ogg page at byte {pos}")
        n_seg = data[pos + 26]
        lace = data[pos + 27:pos + 27 + n_seg]
        body = pos + 27 + n_seg
        for L in lace:
            partial += data[body:body + L]
            body += L
            if L < 255:
                yield partial
                partial = b""
        pos = body
    if partial:
        yield partial


def decode_file(path, pack_dir=None):
    """Decodes one Ogg Opus file to float32 at 48 kHz mono (pre-skip removed)."""
    with open(path, "rb") as f:
        data = f.read()
    lib = _libopus(pack_dir)
    pkts = ogg_packets(data)
    head = next(pkts)
    if head[:8] != b"OpusHead":
        raise ValueError(f"{path}: not Ogg Opus")
    channels = head[9]
    pre_skip = struct.unpack_from("<H", head, 10)[0]
    next(pkts)  # OpusTags
    err = ctypes.c_int(0)
    dec = lib.opus_decoder_create(FS, channels, ctypes.byref(err))
    if err.value != 0 or not dec:
        raise OSError(f"opus_decoder_create failed ({err.value})")
    buf = (ctypes.c_float * (5760 * channels))()
    out = []
    try:
        for p in pkts:
            n = lib.opus_decode_float(dec, p, len(p), buf, 5760, 0)
            if n < 0:
                raise ValueError(f"{path}: opus_decode_float error {n}")
            out.append(np.frombuffer(buf, np.float32, n * channels).copy())
    finally:
        lib.opus_decoder_destroy(dec)
    x = np.concatenate(out).reshape(-1, channels).mean(axis=1)
    return x[pre_skip:]


def _decode_chunk(args):
    path, pack_dir, n = args
    x = decode_file(path, pack_dir)
    if len(x) < n:
        x = np.pad(x, (0, n - len(x)))
    return np.clip(np.round(x[:n] * 32767.0), -32768, 32767).astype(np.int16)


def load_clips(pack_dir, kind, split, max_hours=None, seed=0, log=print, workers=None):
    """Returns (clips as int16 arrays at 48 kHz, metas) of one kind/split of a pack."""
    with open(os.path.join(pack_dir, "pack.json")) as f:
        meta = json.load(f)
    chunks = [i for i, c in enumerate(meta["chunks"]) if c["kind"] == kind and c["split"] == split]
    jobs = [(os.path.join(pack_dir, meta["chunks"][i]["file"]), pack_dir,
             meta["chunks"][i]["samples"]) for i in chunks]
    workers = workers or min(16, os.cpu_count() or 1)
    with ProcessPoolExecutor(max_workers=workers) as ex:
        audio = dict(zip(chunks, ex.map(_decode_chunk, jobs)))
    clips, metas, total = [], [], 0.0
    for c in meta["clips"]:
        if c["chunk"] not in audio:
            continue
        if max_hours is not None and total >= max_hours * 3600:
            break
        clips.append(audio[c["chunk"]][c["offset"]:c["offset"] + c["length"]])
        metas.append(c)
        total += c["length"] / FS
    log(f"pack {kind}/{split}: {len(clips)} clips from {len(chunks)} chunks")
    return clips, metas
