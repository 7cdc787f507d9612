# SPDX-License-Identifier: BSD-3-Clause
"""Read Ogg Opus files into numpy float32 with libopusfile through ctypes (no other packages).

    from opus_reader import OpusFile, read_opus
    x = read_opus("data/shard/speech_000.opus")          # whole file, mono float32, 48 kHz
    with OpusFile(path) as f:                            # random access, for shard clips
        clip = f.read(offset, length)

Libraries: libopusfile.so.0, libopus.so.0 and libogg.so.0 are loaded from the folder
in $QUELL_LIBDIR when it is set (tools/corpus/fetch_opus_libs.sh fills one), else from
the system. The output is what libopusfile decodes: 48 kHz, pre-skip removed, the
header's output gain applied, no clipping.

    python3 opus_reader.py FILE.opus [OUT.f32]    # prints length/channels/peak
"""

import ctypes
import os
import sys

import numpy as np

_lib = None


def _load():
    global _lib
    if _lib is not None:
        return _lib
    d = os.environ.get("QUELL_LIBDIR")
    names = ("libogg.so.0", "libopus.so.0", "libopusfile.so.0")
    if d:
        # dependencies first and global, so libopusfile's DT_NEEDED entries resolve to
        # the already loaded copies (the loader matches by soname)
        libs = [ctypes.CDLL(os.path.join(d, n), mode=ctypes.RTLD_GLOBAL) for n in names]
    else:
        libs = [ctypes.CDLL(n, mode=ctypes.RTLD_GLOBAL) for n in names]
    lib = libs[2]
    lib.op_open_file.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
    lib.op_open_file.restype = ctypes.c_void_p
    lib.op_free.argtypes = [ctypes.c_void_p]
    lib.op_free.restype = None
    lib.op_channel_count.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.op_channel_count.restype = ctypes.c_int
    lib.op_pcm_total.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.op_pcm_total.restype = ctypes.c_int64
    lib.op_pcm_seek.argtypes = [ctypes.c_void_p, ctypes.c_int64]
    lib.op_pcm_seek.restype = ctypes.c_int
    lib.op_read_float.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_float), ctypes.c_int,
                                  ctypes.POINTER(ctypes.c_int)]
    lib.op_read_float.restype = ctypes.c_int
    _lib = lib
    return lib


class OpusError(IOError):
    pass


class OpusFile:
    """An open Ogg Opus file. read() returns float32 of shape (n,) for mono, (n, ch) otherwise."""

    def __init__(self, path):
        self._lib = _load()
        err = ctypes.c_int(0)
        self._of = self._lib.op_open_file(os.fsencode(path), ctypes.byref(err))
        if not self._of:
            raise OpusError(f"op_open_file({path!r}) failed: error {err.value}")
        self.channels = self._lib.op_channel_count(self._of, -1)
        self.samples = int(self._lib.op_pcm_total(self._of, -1))   # per channel, after pre-skip
        self.rate = 48000

    def close(self):
        if self._of:
            self._lib.op_free(self._of)
            self._of = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def seek(self, sample):
        rc = self._lib.op_pcm_seek(self._of, int(sample))
        if rc != 0:
            raise OpusError(f"op_pcm_seek({sample}) failed: {rc}")

    def read(self, offset=None, length=None):
        """Decode `length` samples (default: to the end) starting at `offset` (default: here)."""
        if offset is not None:
            self.seek(offset)
        if length is None:
            length = self.samples - (offset or 0)
        ch = self.channels
        out = np.empty((length, ch), np.float32)
        got = 0
        li = ctypes.c_int(0)
        chunk = 5760  # 120 ms at 48 kHz, the longest Opus packet
        buf = np.empty(chunk * ch, np.float32)
        ptr = buf.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
        while got < length:
            n = self._lib.op_read_float(self._of, ptr, buf.size, ctypes.byref(li))
            if n == 0:
                break
            if n < 0:
                if n == -3:       # OP_HOLE: a gap in the data; libopusfile goes on after it
                    continue
                raise OpusError(f"op_read_float failed: {n}")
            take = min(n, length - got)
            out[got:got + take] = buf[: take * ch].reshape(take, ch)
            got += take
        out = out[:got]
        return out[:, 0].copy() if ch == 1 else out


def read_opus(path):
    with OpusFile(path) as f:
        return f.read(0)


if __name__ == "__main__":
    x = read_opus(sys.argv[1])
    print(f"{sys.argv[1]}: {len(x)} samples at 48 kHz ({len(x) / 48000:.2f} s), "
          f"peak {np.max(np.abs(x)) if len(x) else 0:.4f}")
    if len(sys.argv) > 2:
        x.astype("<f4").tofile(sys.argv[2])
