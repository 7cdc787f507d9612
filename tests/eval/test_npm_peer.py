# SPDX-License-Identifier: BSD-3-Clause
"""tools/peers/npm_peer.py installs its npm package once, even when first used in parallel.

Run: /usr/bin/python3 -m pytest tests/eval/test_npm_peer.py
A fake `npm` on PATH stands in for the registry (no network): it logs each call, takes a
second, then creates the package file.
"""
import os
import subprocess
import sys

ROOT = os.environ.get("QUELL_SOURCE_ROOT") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
PEERS = os.path.join(ROOT, "tools", "peers")

FAKE_NPM = """#!/bin/sh
# npm install --prefix DIR ... SPEC
echo "$*" >> "$FAKE_NPM_LOG"
sleep 1
[ "$FAKE_NPM_FAIL" = 1 ] && { echo "npm error E404 not found" >&2; exit 1; }
mkdir -p "$3/node_modules/@scope/pkg/dist" && echo x > "$3/node_modules/@scope/pkg/dist/p.js"
"""

CALL = ("import sys; sys.path.insert(0, sys.argv[1]); import npm_peer; "
        "print(npm_peer.ensure_package(sys.argv[2], '@scope/pkg@1.0.0', 'dist/p.js'))")


def start(tmp_path, npm_dir, fail=False):
    env = dict(os.environ, PATH=f"{tmp_path}{os.pathsep}{os.environ['PATH']}",
               FAKE_NPM_LOG=str(tmp_path / "npm.log"), FAKE_NPM_FAIL="1" if fail else "0")
    return subprocess.Popen([sys.executable, "-c", CALL, PEERS, npm_dir], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def fake_npm(tmp_path):
    npm = tmp_path / "npm"
    npm.write_text(FAKE_NPM)
    npm.chmod(0o755)


def test_parallel_first_use_installs_once(tmp_path):
    fake_npm(tmp_path)
    npm_dir = str(tmp_path / "npm_dir")
    procs = [start(tmp_path, npm_dir) for _ in range(3)]
    outs = [p.communicate(timeout=60) for p in procs]
    want = os.path.join(npm_dir, "node_modules", "@scope/pkg", "dist/p.js")
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
        assert out.strip() == want
    calls = (tmp_path / "npm.log").read_text().splitlines()
    assert len(calls) == 1 and calls[0].endswith("@scope/pkg@1.0.0")
    # Once installed, npm is not called again.
    again = start(tmp_path, npm_dir)
    assert again.wait(timeout=60) == 0
    assert len((tmp_path / "npm.log").read_text().splitlines()) == 1


def test_failed_install_is_a_clear_error(tmp_path):
    fake_npm(tmp_path)
    p = start(tmp_path, str(tmp_path / "npm_dir"), fail=True)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 1 and out == ""
    assert "npm install @scope/pkg@1.0.0 failed: npm error E404 not found" in err
