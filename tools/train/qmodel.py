# SPDX-License-Identifier: BSD-3-Clause
"""Reader and writer for quell's model file format (.qmodel, versions 1 and 2).

The format is specified in models/README.md; src/model.c reads the same bytes.
Only the Python standard library and numpy are needed, so this runs anywhere.
"""
import struct
import zlib

import numpy as np

MAGIC = b"QUELLMDL"
VERSION = 1          # a model without fine features
VERSION_FINE = 2     # a model with fine features ("fine_bands" and its arrays)
NAME_LEN = 32
DTYPE_F32 = 1
DTYPE_I32 = 2


def write(path, arrays):
    """Write a dict name -> numpy array (float32 or int32) as a .qmodel file."""
    with open(path, "wb") as f:
        f.write(to_bytes(arrays))


def to_bytes(arrays):
    body = bytearray()
    for name, arr in arrays.items():
        a = np.asarray(arr)
        if a.dtype.kind == "f":
            a, dtype = a.astype("<f4"), DTYPE_F32
        elif a.dtype.kind in "iu":
            a, dtype = a.astype("<i4"), DTYPE_I32
        else:
            raise ValueError(f"{name}: unsupported dtype {a.dtype}")
        if not 1 <= a.ndim <= 4:
            raise ValueError(f"{name}: ndim {a.ndim} not in 1..4")
        raw = name.encode("ascii")
        if len(raw) >= NAME_LEN:
            raise ValueError(f"{name}: name too long")
        dims = list(a.shape) + [1] * (4 - a.ndim)
        body += raw.ljust(NAME_LEN, b"\0")
        body += struct.pack("<6I", dtype, a.ndim, *dims)
        body += np.ascontiguousarray(a).tobytes()
    size = 24 + len(body)
    crc = zlib.crc32(bytes(body)) & 0xFFFFFFFF
    version = VERSION_FINE if "fine_bands" in arrays else VERSION
    return MAGIC + struct.pack("<4I", version, len(arrays), size, crc) + bytes(body)


def read(path):
    """Read a .qmodel file into a dict name -> numpy array (checks magic, size, CRC)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != MAGIC:
        raise ValueError("bad magic")
    version, n, size, crc = struct.unpack_from("<4I", data, 8)
    if version not in (VERSION, VERSION_FINE) or size != len(data) or zlib.crc32(data[24:]) & 0xFFFFFFFF != crc:
        raise ValueError("bad version, size or checksum")
    arrays, pos = {}, 24
    for _ in range(n):
        name = data[pos:pos + NAME_LEN].split(b"\0")[0].decode("ascii")
        dtype, ndim, *dims = struct.unpack_from("<6I", data, pos + NAME_LEN)
        pos += NAME_LEN + 24
        count = int(np.prod(dims))
        np_dtype = "<f4" if dtype == DTYPE_F32 else "<i4"
        arrays[name] = np.frombuffer(data, np_dtype, count, pos).reshape(dims[:ndim]).copy()
        pos += 4 * count
    return arrays


def random_model(K=16, C=24, k_in=3, B=3, k=3, dilations=(1, 2, 4), seed=0, max_hz=24000.0,
                 fine=None, gain_bias=0.0):
    """A small model with random weights, for tests (parity, format) only: not a denoiser.
    fine = (first band, count) adds flatness inputs (a version-2 file); gain_bias is added
    to the gain head's biases (above 0: gains near 1, where the clean-speech guard acts)."""
    rng = np.random.default_rng(seed)

    def w(*shape, scale=None):
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
        s = scale if scale is not None else 1.0 / np.sqrt(fan_in)
        return (rng.standard_normal(shape) * s).astype(np.float32)

    centers = np.concatenate([[0.0], np.geomspace(100.0, max_hz, K - 1)]).astype(np.float32)
    arrays = {
        "config": np.array([K, C, k_in, B, k], np.int32),
        "dilations": np.array(dilations[:B], np.int32).reshape(B) if B else np.zeros(0, np.int32),
        "band_centers_hz": centers,
        "input_mean": np.full(K, -6.0, np.float32) + w(K, scale=0.5),
        "input_inv_std": np.full(K, 0.5, np.float32),
        "in.weight": w(C, K, k_in),
        "in.bias": w(C, scale=0.1),
    }
    for i in range(B):
        arrays[f"blk{i}.dw.weight"] = w(C, k)
        arrays[f"blk{i}.dw.bias"] = w(C, scale=0.1)
        arrays[f"blk{i}.pw1.weight"] = w(C, C)
        arrays[f"blk{i}.pw1.bias"] = w(C, scale=0.1)
        arrays[f"blk{i}.pw2.weight"] = w(C, C, scale=0.5 / np.sqrt(C))
        arrays[f"blk{i}.pw2.bias"] = w(C, scale=0.1)
    arrays["out.weight"] = w(K, C)
    arrays["out.bias"] = w(K, scale=0.1) + np.float32(gain_bias)
    arrays["vad.weight"] = w(1, C)
    arrays["vad.bias"] = w(1, scale=0.1)
    if fine is not None:
        F = int(fine[1])
        arrays["fine_bands"] = np.array(fine, np.int32)
        arrays["fine_mean"] = np.full(F, -0.3, np.float32) + w(F, scale=0.05)
        arrays["fine_inv_std"] = np.full(F, 5.0, np.float32)
        arrays["in_fine.weight"] = w(C, F)
    return arrays
