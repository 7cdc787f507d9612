#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Checks the shipped PipeWire filter-chain file (quell-filter-chain.conf).

1. spa-json-dump (pipewire-bin) parses it; the result names the filter-chain
   module, the quell LADSPA file, a documented label and documented control
   names, and an Audio/Source output node.
2. A private, headless PipeWire daemon (no D-Bus, no devices, its own
   XDG_RUNTIME_DIR) loads the file as a pipewire.conf.d drop-in, exactly as
   README.md tells users to, with the plugin path pointed at the build; the
   filter-chain must instantiate quell and pw-dump must show the
   "quell_source" Audio/Source node, and no control may be refused.
spa-json-dump accepts almost anything, so step 2 is the real parse check.
Usage: pipewire_test.py CONF LADSPA_SO README
Exit: 0 pass, 1 fail, 77 skip (spa-json-dump missing).
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77

# A daemon with only what a filter-chain client needs: native protocol, access
# control (so clients may see objects), client nodes, adapters and metadata
# (which pw-dump reads).
DAEMON_CONF = """
context.properties = {
    core.daemon  = true
    core.name    = pipewire-0
    support.dbus = false
}
context.spa-libs = {
    audio.convert.* = audioconvert/libspa-audioconvert
    support.*       = support/libspa-support
}
context.modules = [
    { name = libpipewire-module-protocol-native }
    { name = libpipewire-module-access }
    { name = libpipewire-module-client-node }
    { name = libpipewire-module-adapter }
    { name = libpipewire-module-metadata }
]
"""


def fail(msg):
    print("FAIL: " + msg)
    return 1


def readme_names(readme):
    """Documented LADSPA labels and input control names."""
    text = open(readme, encoding="utf-8").read()
    labels = re.findall(r"^\| `(quell_\w+)` \| \d+ \|", text, re.M)
    controls = set(re.findall(r"^\| \d+ \| `([^`]+)` \| `\w+` \| input control", text, re.M))
    return labels, controls


def check_structure(conf, so, readme):
    out = subprocess.run(["spa-json-dump", conf], stdout=subprocess.PIPE, text=True,
                         timeout=30, check=True).stdout
    data = json.loads(out)
    labels, controls = readme_names(readme)
    mods = data.get("context.modules", [])
    fc = [m for m in mods if m.get("name") == "libpipewire-module-filter-chain"]
    if len(fc) != 1:
        return fail("no single filter-chain module in %s" % conf)
    args = fc[0]["args"]
    nodes = args["filter.graph"]["nodes"]
    bad = 0
    for n in nodes:
        if n.get("type") != "ladspa":
            bad += fail("node type %r" % n.get("type"))
        if os.path.basename(n.get("plugin", "")) != os.path.basename(so):
            bad += fail("plugin %r is not %s" % (n.get("plugin"), os.path.basename(so)))
        if n.get("label") not in labels:
            bad += fail("label %r not among %s" % (n.get("label"), labels))
        unknown = set(n.get("control", {})) - controls
        if unknown:
            bad += fail("controls %s not documented (%s)" % (sorted(unknown), sorted(controls)))
    if args.get("playback.props", {}).get("media.class") != "Audio/Source":
        bad += fail("the filter's output is not an Audio/Source")
    if not bad:
        print("spa-json-dump: filter-chain with %s, controls %s" %
              ([n["label"] for n in nodes], sorted(nodes[0].get("control", {}))))
    return 1 if bad else 0


def check_daemon(conf, so):
    with tempfile.TemporaryDirectory(prefix="quell-pw-") as tmp:
        run_dir, conf_dir = os.path.join(tmp, "run"), os.path.join(tmp, "conf")
        os.makedirs(os.path.join(conf_dir, "pipewire.conf.d"))
        os.makedirs(run_dir, mode=0o700)
        with open(os.path.join(conf_dir, "pipewire.conf"), "w") as f:
            f.write(DAEMON_CONF)
        text = open(conf, encoding="utf-8").read()
        text, n = re.subn(r'plugin\s*=\s*"[^"]*"', 'plugin = "%s"' % so, text)
        if n != 1:
            return fail("expected one plugin path in %s, found %d" % (conf, n))
        with open(os.path.join(conf_dir, "pipewire.conf.d", os.path.basename(conf)), "w") as f:
            f.write(text)
        env = dict(os.environ, XDG_RUNTIME_DIR=run_dir, PIPEWIRE_CONFIG_DIR=conf_dir,
                   PIPEWIRE_LOG_SYSTEMD="false")
        if os.environ.get("QUELL_HOST_PRELOAD"):
            # Sanitizer build: the daemon loads the instrumented plugin.
            env["LD_PRELOAD"] = os.environ["QUELL_HOST_PRELOAD"]
            env["ASAN_OPTIONS"] = os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0"
        log = open(os.path.join(tmp, "daemon.log"), "w+")
        daemon = subprocess.Popen(["pipewire"], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            found = None
            for _ in range(40):
                time.sleep(0.25)
                if daemon.poll() is not None:
                    break
                if not os.path.exists(os.path.join(run_dir, "pipewire-0")):
                    continue
                client_env = dict(env)
                for k in ("PIPEWIRE_CONFIG_DIR", "LD_PRELOAD"):
                    client_env.pop(k, None)
                p = subprocess.run(["pw-dump"], env=client_env, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True, timeout=10)
                if p.returncode != 0:
                    continue
                for obj in json.loads(p.stdout):
                    props = obj.get("info", {}).get("props", {})
                    if props.get("node.name") == "quell_source":
                        found = props
                if found:
                    break
        finally:
            if daemon.poll() is None:
                daemon.send_signal(signal.SIGTERM)
                try:
                    daemon.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    daemon.kill()
                    daemon.wait()
        log.seek(0)
        messages = log.read()
        bad = 0
        if not found:
            bad += fail("no quell_source node appeared; daemon log:\n" + messages)
        elif found.get("media.class") != "Audio/Source":
            bad += fail("quell_source is a %r" % found.get("media.class"))
        if "can not be set" in messages or re.search(r"^\[E\]", messages, re.M):
            bad += fail("the daemon refused part of the file:\n" + messages)
        if not bad:
            print("headless pipewire: node quell_source (%s) made by the filter-chain" %
                  found.get("media.class"))
        return 1 if bad else 0


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    conf, so, readme = sys.argv[1:]
    if not shutil.which("spa-json-dump"):
        print("skip: spa-json-dump not installed (Debian: pipewire-bin)")
        return SKIP
    try:
        status = check_structure(conf, so, readme)
        if shutil.which("pipewire") and shutil.which("pw-dump"):
            status |= check_daemon(conf, os.path.abspath(so))
        else:
            print("note: pipewire/pw-dump missing, daemon load not checked")
    except (subprocess.SubprocessError, OSError, ValueError, KeyError) as e:
        return fail("%s: %s" % (type(e).__name__, e))
    return status


if __name__ == "__main__":
    sys.exit(main())
