#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Put libopusfile.so.0, libopus.so.0 and libogg.so.0 (from Debian's packages) into DIR,
# for tools/corpus/opus_reader.py on a machine without them: QUELL_LIBDIR=DIR.
#   tools/corpus/fetch_opus_libs.sh data/opuslibs
# The libraries need only glibc (>= 2.34 for Debian 12's builds); licences: BSD-3-Clause
# (opus, opusfile, ogg); the copyright files are copied next to them.
set -eu
dest=${1:?usage: fetch_opus_libs.sh DIR}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
chmod 755 "$tmp"   # lets apt download as _apt (no "unsandboxed" warning)
apt-get download libopusfile0 libopus0 libogg0 >/dev/null
for deb in ./*.deb; do
    dpkg -x "$deb" tree
done
for lib in libopusfile.so.0 libopus.so.0 libogg.so.0; do
    src=$(find tree -name "$lib" | head -n 1)
    [ -n "$src" ] || { echo "fetch_opus_libs: $lib not found" >&2; exit 1; }
    cp -L "$src" "$dest/$lib"       # the real file under the soname, not the symlink
done
for pkg in libopusfile0 libopus0 libogg0; do
    cp -L "tree/usr/share/doc/$pkg/copyright" "$dest/$pkg.copyright" 2>/dev/null || true
done
ls -l "$dest"
