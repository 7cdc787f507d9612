#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Rebuild quell's training corpus from Debian packages with one command.

    /usr/bin/python3 tools/corpus/build_corpus.py            # everything not optional
    /usr/bin/python3 tools/corpus/build_corpus.py --packages festvox-ru gcin-voice

For each package (speech packages first, then noise): ``apt-get download`` the
.deb into the cache, unpack only audio files, zip archives and the copyright file
(``dpkg-deb --fsys-tarfile | tar``, the same tree ``dpkg -x`` gives, minus the rest),
open zip archives (0ad public.zip, warzone base.wz, openarena *.pk3) with zipfile,
decode every selected file, downmix to mono, cap the rate at 48 kHz, measure it,
drop what is too short / clipped / silent / a duplicate, and store it as 16-bit
FLAC under OUT/{speech,noise}/<package>/. Then the .deb and the tree are deleted.

Re-running skips finished packages (OUT/.state/<pkg>.done, which also records a
hash of that package's rules: a changed rule re-does the package). After every
package the merged OUT/manifest.jsonl, OUT/ATTRIBUTION.md and OUT/stats.json are
rewritten atomically, so a build that is still running can already be used.

See tools/corpus/README.md for the measurement and split methods.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import packages as PK  # noqa: E402
import measure as M  # noqa: E402
import attribution as ATT  # noqa: E402

MIN_DUR_S = 0.5
MAX_RATE = 48000
MIN_LEVEL_DBFS = -60.0          # active level below this: near-silent
CLIP_MAX = {"speech": 1e-4, "noise": 1e-3}   # fraction of samples in clipped runs


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def rule_hash(p):
    d = {k: v for k, v in p.items() if k not in ("speaker",)}
    d["speaker"] = getattr(p["speaker"], "__name__", "") if p["speaker"] else ""
    d["measure"] = M.VERSION
    return hashlib.sha1(json.dumps(d, sort_keys=True, default=str).encode()).hexdigest()[:12]


# ------------------------------------------------------------------ download
def find_deb(debs, name):
    for f in sorted(os.listdir(debs)):
        if f.startswith(name + "_") and f.endswith(".deb"):
            return os.path.join(debs, f)
    return None


def download(debs, name):
    got = find_deb(debs, name)
    if got:
        return got, False
    part = os.path.join(debs, ".partial-" + name)
    shutil.rmtree(part, ignore_errors=True)
    os.makedirs(part)
    t0 = time.time()
    r = subprocess.run(["apt-get", "download", name], cwd=part, capture_output=True, text=True)
    files = [f for f in os.listdir(part) if f.endswith(".deb")]
    if r.returncode != 0 or not files:
        shutil.rmtree(part, ignore_errors=True)
        raise RuntimeError(f"apt-get download {name} failed: {r.stderr.strip()[-300:]}")
    os.replace(os.path.join(part, files[0]), os.path.join(debs, files[0]))
    shutil.rmtree(part, ignore_errors=True)
    dt = time.time() - t0
    size = os.path.getsize(os.path.join(debs, files[0]))
    log(f"downloaded {files[0]}: {size / 2**20:.0f} MiB in {dt:.0f} s ({size / 2**20 / max(dt, 1e-3):.1f} MiB/s)")
    return os.path.join(debs, files[0]), True


class Prefetcher:
    """Downloads upcoming packages in a thread (network-bound, needs no CPU)."""

    def __init__(self, debs, names, ahead_bytes):
        self.debs, self.names, self.ahead = debs, list(names), ahead_bytes
        self.done = {}
        self.cv = threading.Condition()
        self.current = 0
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def cached_bytes(self):
        return sum(os.path.getsize(os.path.join(self.debs, f)) for f in os.listdir(self.debs) if f.endswith(".deb"))

    def run(self):
        for i, n in enumerate(self.names):
            with self.cv:
                # stay at most `ahead` bytes (or 1 package) in front of the consumer
                while i > self.current and self.cached_bytes() > self.ahead:
                    self.cv.wait(5)
            try:
                res = download(self.debs, n)
            except Exception as e:  # reported by get()
                res = e
            with self.cv:
                self.done[n] = res
                self.cv.notify_all()

    def get(self, n, idx):
        with self.cv:
            self.current = idx
            self.cv.notify_all()
            while n not in self.done:
                self.cv.wait(5)
            res = self.done[n]
        if isinstance(res, Exception):
            raise res
        return res


# ------------------------------------------------------------------ extraction
TAR_PATTERNS = ["*." + e for e in ("ogg", "oga", "wav", "flac", "mp3", "opus", "g722", "au", "aif", "aiff",
                                    "wv", "zip", "wz", "pk3")]
TAR_PATTERNS += [p.upper() for p in TAR_PATTERNS] + ["*/doc/*/copyright"]


def extract(deb, tree):
    """dpkg -x, restricted to audio, archives and copyright files."""
    p1 = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE)
    p2 = subprocess.run(["tar", "-x", "-C", tree, "--wildcards", "--no-same-owner", "-f", "-"] + TAR_PATTERNS,
                        stdin=p1.stdout, capture_output=True, text=True)
    p1.stdout.close()
    rc1 = p1.wait()
    if rc1 != 0:
        raise RuntimeError(f"dpkg-deb failed on {deb}")
    if p2.returncode not in (0, 2):     # 2: some patterns matched nothing
        raise RuntimeError(f"tar failed: {p2.stderr[-300:]}")


def walk(tree):
    for root, _, files in os.walk(tree):
        for f in files:
            full = os.path.join(root, f)
            if os.path.isfile(full) and not os.path.islink(full):
                yield os.path.relpath(full, tree), full


# ------------------------------------------------------------------ per package
def sources(p, tree):
    """Yields (rel, kind, getter) for every selected file; getter() -> bytes or a path."""
    for rel, full in sorted(walk(tree)):
        if p["archives"] and rel.lower().endswith(PK.ARCHIVE_EXT) and PK.match_any(p["archives"], rel):
            try:
                z = zipfile.ZipFile(full)
            except zipfile.BadZipFile:
                log(f"  not a zip: {rel}")
                continue
            with z:
                for info in sorted(z.infolist(), key=lambda i: i.filename):
                    if info.is_dir():
                        continue
                    r = f"{rel}!{info.filename}"
                    k = PK.classify(p, r)
                    if k:
                        yield r, k, (lambda z=z, info=info: z.read(info))
            continue
        k = PK.classify(p, rel)
        if k:
            yield rel, k, (lambda full=full: full)


def out_relpath(kind, pkg, rel):
    r = rel.replace("!", "/")
    for pre in ("usr/share/games/", "usr/share/"):
        if r.startswith(pre):
            r = r[len(pre):]
            break
    r = os.path.splitext(r)[0]
    r = "".join(c if (c.isalnum() or c in "/._-@") else "_" for c in r)
    return f"{kind}/{pkg}/{r}.flac"


def _decoded(src_iter, tmpdir, chunk=64):
    """Reads and decodes sources in chunks (ffmpeg fallbacks batched per chunk)."""
    buf = []
    for rel, kind, get in src_iter:
        s = get()
        data = s if isinstance(s, bytes) else open(s, "rb").read()
        buf.append((rel, kind, data))
        if len(buf) == chunk:
            yield from _flush(buf, tmpdir)
            buf = []
    if buf:
        yield from _flush(buf, tmpdir)


def _flush(buf, tmpdir):
    dec = M.decode_batch([(d, r.rsplit("/", 1)[-1]) for r, _, d in buf], tmpdir)
    for (rel, kind, data), d in zip(buf, dec):
        yield rel, kind, data, d


def process_package(p, deb, args, seen_pcm, seen_file):
    name = p["name"]
    out = args.out
    tree = tempfile.mkdtemp(dir=args.work, prefix=name + "-")
    for kind in ("speech", "noise"):
        shutil.rmtree(os.path.join(out, kind, name), ignore_errors=True)
    t0 = time.time()
    extract(deb, tree)
    t_x = time.time() - t0
    kept, dropped = [], []
    tmpdir = tempfile.mkdtemp(dir=args.work, prefix="dec-")
    used_paths = set()
    try:
        for rel, kind, data, decoded in _decoded(sources(p, tree), tmpdir):
            fsha = hashlib.sha1(data).hexdigest()
            if fsha in seen_file:
                dropped.append(dict(source=rel, reason="duplicate-file", of=seen_file[fsha]))
                continue
            if isinstance(decoded, Exception):
                dropped.append(dict(source=rel, reason="decode-error", error=str(decoded)[-200:]))
                continue
            x, sr = decoded
            seen_file[fsha] = f"{name}:{rel}"
            x = M.remove_dc(x)
            if sr > MAX_RATE:
                x = M.resample(x, sr, MAX_RATE)
                sr = MAX_RATE
            dur = len(x) / sr
            if dur < MIN_DUR_S:
                dropped.append(dict(source=rel, reason="short", duration_s=round(dur, 3)))
                continue
            clip = M.clip_ratio(x)
            x16 = M.to_int16(x)
            psha = hashlib.sha1(x16.tobytes() + str(sr).encode()).hexdigest()
            if psha in seen_pcm:
                dropped.append(dict(source=rel, reason="duplicate-pcm", of=seen_pcm[psha]))
                continue
            seen_pcm[psha] = f"{name}:{rel}"
            if clip > CLIP_MAX[kind]:
                dropped.append(dict(source=rel, reason="clipped", clip_ratio=clip))
                continue
            lev, act = M.active_level(x, sr)
            if lev < MIN_LEVEL_DBFS or act < 0.1:
                dropped.append(dict(source=rel, reason="silent", level_dbfs=round(lev, 1)))
                continue
            bw = M.bandwidth(x, sr)
            if kind == "speech":
                spk, lang, group = p["speaker"](name, rel)
                cat = name
            else:
                spk, lang = "", ""
                cat = PK.noise_category(name, rel, dur, p["noise_default"])
                group = "file:" + psha[:16]
            path = out_relpath(kind, name, rel)
            while path in used_paths:
                path = path[:-5] + "_" + psha[:6] + ".flac"
            used_paths.add(path)
            full = os.path.join(out, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            M.write_flac(full, x16, sr)
            kept.append(dict(id=psha[:16], kind=kind, category=cat, package=name, path=path, source=rel,
                             speaker=spk, lang=lang, rate=sr, duration_s=round(dur, 3),
                             bandwidth_hz=round(bw, 1), level_dbfs=round(lev, 2),
                             peak_dbfs=round(M.peak_db(x), 2), clip_ratio=round(clip, 7),
                             active_s=round(act, 3), group=group, family=PK.family(name),
                             pcm_sha1=psha, file_sha1=fsha))
        lic = ATT.read_copyright(tree, name, os.path.join(out, "licenses"))
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
        shutil.rmtree(tree, ignore_errors=True)
    return kept, dropped, lic, t_x, time.time() - t0


def _taken(kept):
    """Where the kept clips came from: folders one level below their common prefix, with counts."""
    dirs = [r["source"].replace("!", "!/").split("/")[:-1] for r in kept]
    if not dirs:
        return []
    depth = 0
    while all(len(d) > depth and d[depth] == dirs[0][depth] for d in dirs):
        depth += 1
    for extra in (1, 0):
        c = {}
        for d in dirs:
            key = "/".join(d[:depth + extra]).replace("!/", "!")
            c[key] = c.get(key, 0) + 1
        if len(c) <= 12:
            break
    return [f"{k} ({v})" for k, v in sorted(c.items(), key=lambda kv: -kv[1])][:12]


# ------------------------------------------------------------------ state + merge
def load_state(out):
    st = os.path.join(out, ".state")
    res = {}
    if not os.path.isdir(st):
        return res
    for f in os.listdir(st):
        if f.endswith(".done"):
            with open(os.path.join(st, f)) as fh:
                d = json.load(fh)
            recs = []
            with open(os.path.join(st, f[:-5] + ".jsonl")) as fh:
                for line in fh:
                    recs.append(json.loads(line))
            res[d["package"]] = (d, recs)
    return res


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)


def assign_splits(recs, val_frac):
    """Speech: whole split groups (speakers; fillets levels) per family; noise: whole files."""
    import split as SP
    return SP.assign(recs, val_frac)


def merge(out, state, val_frac):
    recs = []
    for name in PK.ORDER + sorted(set(state) - set(PK.ORDER)):
        if name in state:
            recs.extend(state[name][1])
    assign_splits(recs, val_frac)
    lines = []
    for r in recs:
        lines.append(json.dumps(r, ensure_ascii=False))
    write_atomic(os.path.join(out, "manifest.jsonl"), "\n".join(lines) + ("\n" if lines else ""))
    stats = summarize(recs, state)
    write_atomic(os.path.join(out, "stats.json"), json.dumps(stats, indent=1, ensure_ascii=False) + "\n")
    dones = [state[n][0] for n in PK.ORDER if n in state] + [state[n][0] for n in sorted(set(state) - set(PK.ORDER))]
    write_atomic(os.path.join(out, "ATTRIBUTION.md"), ATT.render(ATT.refresh(dones, out)))
    return stats


def summarize(recs, state):
    s = {"hours": {}, "clips": {}, "speakers": {}, "packages": {}}
    for r in recs:
        k = f"{r['kind']}/{r['split']}"
        s["hours"][k] = s["hours"].get(k, 0) + r["duration_s"] / 3600
        s["clips"][k] = s["clips"].get(k, 0) + 1
        if r["kind"] == "speech":
            s["speakers"].setdefault(r["split"], set()).add(r["speaker"])
        else:
            k2 = f"noise/{r['category']}"
            s["hours"][k2] = s["hours"].get(k2, 0) + r["duration_s"] / 3600
        if r["kind"] == "speech" and r["bandwidth_hz"] > 8000:
            s["hours"]["speech/over_8k"] = s["hours"].get("speech/over_8k", 0) + r["duration_s"] / 3600
    s["hours"] = {k: round(v, 3) for k, v in sorted(s["hours"].items())}
    s["speakers"] = {k: len(v) for k, v in s["speakers"].items()}
    for n, (d, _) in state.items():
        s["packages"][n] = {k: d[k] for k in ("kept", "dropped", "hours", "deb_mib", "seconds", "drop_reasons") if k in d}
    return s


# ------------------------------------------------------------------ main
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="data/corpus", help="corpus folder (default data/corpus)")
    ap.add_argument("--debs", default="data/debs", help=".deb cache (default data/debs)")
    ap.add_argument("--work", default="data/work", help="scratch folder for unpacked trees (default data/work)")
    ap.add_argument("--packages", nargs="*", help="only these packages (optional ones allowed)")
    ap.add_argument("--skip", nargs="*", default=[], help="skip these packages")
    ap.add_argument("--with-optional", action="store_true", help="also 0ad-data, naev-data, berusky2-data")
    ap.add_argument("--max-noise-hours", type=float, default=None, help="stop adding noise packages past this")
    ap.add_argument("--keep-debs", action="store_true", help="do not delete .debs after use")
    ap.add_argument("--prefetch-mib", type=float, default=3000, help="download at most this far ahead")
    ap.add_argument("--val-frac", type=float, default=0.09)
    ap.add_argument("--redo", nargs="*", default=[], help="re-process these packages even if done")
    ap.add_argument("--merge-only", action="store_true", help="just rewrite manifest/attribution/stats")
    ap.add_argument("--list", action="store_true", help="print the package order and exit")
    args = ap.parse_args()

    if args.list:
        for n in PK.ORDER:
            p = PK.PACKAGES[n]
            print(f"{p['stage']:6s} {n}{'  (optional)' if p['optional'] else ''}")
        return 0
    shutil.rmtree(args.work, ignore_errors=True)     # trees left by an interrupted run
    for d in (args.out, args.debs, args.work, os.path.join(args.out, ".state")):
        os.makedirs(d, exist_ok=True)
    unknown = [n for n in (args.packages or []) + args.skip if n not in PK.PACKAGES]
    if unknown:
        ap.error("not in the corpus list: " + " ".join(unknown))

    state = load_state(args.out)
    if args.merge_only:
        print(json.dumps(merge(args.out, state, args.val_frac)["hours"], indent=1))
        return 0

    if args.packages:
        todo = [n for n in PK.ORDER if n in args.packages]
    else:
        todo = [n for n in PK.ORDER if args.with_optional or not PK.PACKAGES[n]["optional"]]
    todo = [n for n in todo if n not in args.skip]
    need = []
    for n in todo:
        if n in state and state[n][0].get("rules") == rule_hash(PK.PACKAGES[n]) and n not in args.redo:
            continue
        need.append(n)
    log(f"{len(todo) - len(need)} packages done, {len(need)} to do: {' '.join(need)}")
    # dedup tables from everything kept so far (packages are deduplicated in ORDER)
    seen_pcm, seen_file = {}, {}
    for n, (d, recs) in state.items():
        if n in need:
            continue
        for r in recs:
            seen_pcm[r["pcm_sha1"]] = f"{n}:{r['source']}"
            seen_file[r["file_sha1"]] = f"{n}:{r['source']}"

    pre = Prefetcher(args.debs, need, args.prefetch_mib * 2**20)
    for i, n in enumerate(need):
        p = PK.PACKAGES[n]
        if p["stage"] != "speech" and args.max_noise_hours is not None:
            nh = sum(r["duration_s"] for _, (d, recs) in state.items() for r in recs if r["kind"] == "noise") / 3600
            if nh >= args.max_noise_hours:
                log(f"noise budget reached ({nh:.2f} h): stopping before {n}")
                break
        try:
            deb, _ = pre.get(n, i)
        except Exception as e:  # noqa: BLE001
            log(f"SKIP {n}: {e}")
            continue
        log(f"{n}: processing {os.path.basename(deb)} ({os.path.getsize(deb) / 2**20:.0f} MiB)")
        for k in [k for k in seen_pcm if seen_pcm[k].startswith(n + ":")]:
            del seen_pcm[k]
        for k in [k for k in seen_file if seen_file[k].startswith(n + ":")]:
            del seen_file[k]
        kept, dropped, lic, t_x, t_all = process_package(p, deb, args, seen_pcm, seen_file)
        reasons = {}
        for d in dropped:
            reasons[d["reason"]] = reasons.get(d["reason"], 0) + 1
        done = dict(package=n, version=urllib.parse.unquote(os.path.basename(deb).split("_")[1]), deb=os.path.basename(deb),
                    deb_mib=round(os.path.getsize(deb) / 2**20, 1), rules=rule_hash(p), kept=len(kept),
                    dropped=len(dropped), drop_reasons=reasons,
                    hours=round(sum(r["duration_s"] for r in kept) / 3600, 4),
                    speech_hours=round(sum(r["duration_s"] for r in kept if r["kind"] == "speech") / 3600, 4),
                    noise_hours=round(sum(r["duration_s"] for r in kept if r["kind"] == "noise") / 3600, 4),
                    seconds=round(t_all, 1), extract_seconds=round(t_x, 1), licence=lic,
                    taken=_taken(kept),
                    finished=time.strftime("%Y-%m-%d %H:%M:%S"))
        st = os.path.join(args.out, ".state")
        write_atomic(os.path.join(st, n + ".jsonl"), "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept))
        write_atomic(os.path.join(st, n + ".dropped.jsonl"),
                     "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in dropped))
        write_atomic(os.path.join(st, n + ".done"), json.dumps(done, indent=1, ensure_ascii=False) + "\n")
        state[n] = (done, kept)
        if not args.keep_debs:
            os.remove(deb)
        stats = merge(args.out, state, args.val_frac)
        log(f"{n}: kept {len(kept)} ({done['speech_hours']:.2f} h speech, {done['noise_hours']:.2f} h noise), "
            f"dropped {reasons}, {t_all:.0f} s (unpack {t_x:.0f} s); corpus {stats['hours']}")
    stats = merge(args.out, state, args.val_frac)
    log("finished; " + json.dumps(stats["hours"]))
    shutil.rmtree(args.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
