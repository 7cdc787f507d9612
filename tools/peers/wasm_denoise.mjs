// SPDX-License-Identifier: BSD-3-Clause
// Runs a peer denoiser's WebAssembly build under node, offline, on raw
// float32 mono samples: stdin -> stdout. Used by tools/peers/npm_peer.py.
//
//   node wasm_denoise.mjs rnnoise PATH/rnnoise-sync.js   (48 kHz, 480-sample frames)
//   node wasm_denoise.mjs gtcrn   PATH/gtcrn.wasm        (16 kHz, 256-sample frames)
//
// The emscripten glue of both packages expects a browser (fetch, import.meta
// URLs, AudioWorklet). Rather than shim those, the wasm binary is taken out
// of the package (RNNoise's sync build inlines it as base64) and instantiated
// directly with the two functions it imports. Input samples are in [-1, 1];
// RNNoise wants them scaled to +-32768, GTCRN takes them as they are. The
// output has as many samples as the input (the last frame zero-padded); it is
// not delay-compensated (npm_peer.py does that).
import fs from 'node:fs';

const [engine, file] = process.argv.slice(2);
if (!['rnnoise', 'gtcrn'].includes(engine) || !file) {
  process.stderr.write('usage: node wasm_denoise.mjs rnnoise|gtcrn FILE < in.f32 > out.f32\n');
  process.exit(2);
}

function wasmBytes() {
  if (!file.endsWith('.js')) return fs.readFileSync(file);
  const src = fs.readFileSync(file, 'utf8');
  const m = [...src.matchAll(/data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)/g)];
  if (m.length !== 1) throw new Error(`${file}: expected one inlined wasm binary, found ${m.length}`);
  return Buffer.from(m[0][1], 'base64');
}

// Minified emscripten export names of the two builds (from their glue code).
const LAYOUT = {
  rnnoise: {
    imports: (mem) => ({
      b: (dst, src, n) => mem().copyWithin(dst, src, src + n), // emscripten_memcpy_big
      a: (size) => grow(size), // emscripten_resize_heap
    }),
    memory: 'c', ctors: 'd', malloc: 'e', create: 'h', process: 'j', frame: 480, scale: 32768,
  },
  gtcrn: {
    imports: () => ({
      a: () => { throw new Error('gtcrn: assertion failed in wasm'); }, // __assert_fail
      b: (size) => grow(size), // emscripten_resize_heap
    }),
    memory: 'c', ctors: 'd', malloc: 'k', create: 'e', process: 'i', frame: 256, scale: 1,
  },
}[engine];

let exp;
function grow(size) {
  const mem = exp[LAYOUT.memory];
  const need = Math.ceil((size - mem.buffer.byteLength) / 65536);
  try {
    if (need > 0) mem.grow(need);
    return 1;
  } catch {
    return 0;
  }
}

const { instance } = await WebAssembly.instantiate(wasmBytes(), {
  a: LAYOUT.imports(() => new Uint8Array(exp[LAYOUT.memory].buffer)),
});
exp = instance.exports;
exp[LAYOUT.ctors]();
const state = exp[LAYOUT.create](0); // RNNoise: NULL = built-in model; GTCRN takes none
const N = LAYOUT.frame;
const inPtr = exp[LAYOUT.malloc](N * 4);
const outPtr = exp[LAYOUT.malloc](N * 4);
if (!state || !inPtr || !outPtr) throw new Error(`${engine}: cannot create its state`);

const raw = fs.readFileSync(0);
const x = new Float32Array(raw.buffer, raw.byteOffset, Math.floor(raw.length / 4));
const y = new Float32Array(x.length);
const frame = new Float32Array(N);
for (let i = 0; i < x.length; i += N) {
  frame.fill(0);
  const n = Math.min(N, x.length - i);
  for (let k = 0; k < n; k++) frame[k] = x[i + k] * LAYOUT.scale;
  const heap = new Float32Array(exp[LAYOUT.memory].buffer); // may move on growth
  heap.set(frame, inPtr / 4);
  if (engine === 'rnnoise') exp[LAYOUT.process](state, outPtr, inPtr);
  else exp[LAYOUT.process](state, inPtr, outPtr);
  const out = new Float32Array(exp[LAYOUT.memory].buffer, outPtr, N);
  for (let k = 0; k < n; k++) y[i + k] = out[k] / LAYOUT.scale;
}
fs.writeSync(1, Buffer.from(y.buffer));
