# SPDX-License-Identifier: BSD-3-Clause
"""Per-package licence attribution for the corpus (ATTRIBUTION.md) and anything derived from it.

``read_copyright`` keeps each package's debian/copyright (usr/share/doc/PKG/copyright)
next to the corpus and extracts the licence short names (DEP-5 ``License:`` fields,
or well-known licence names in free-form files). ``render`` writes the table.
"""

import os
import re
import shutil
import urllib.parse

KNOWN = [("CC-BY-SA-3.0 (full legal code)", r"CREATIVE COMMONS PUBLIC LICENSE.{0,20000}Attribution, ShareAlike"),
         ("GPL-3", r"GNU General Public License.{0,80}version 3|GPL-?3"),
         ("GPL-2", r"GNU General Public License.{0,80}version 2|GPL-?2"),
         ("GPL", r"GNU General Public License|\bGPL\b"),
         ("LGPL", r"Lesser General Public License|\bLGPL"),
         ("CC-BY-SA", r"Creative Commons Attribution[- ]Share[- ]?Alike|CC-BY-SA"),
         ("CC-BY", r"Creative Commons Attribution(?![- ]Share)|CC-BY(?!-SA)"),
         ("CC0", r"CC0|public domain dedication"),
         ("public-domain", r"public domain"),
         ("BSD", r"\bBSD\b|Redistribution and use in source and binary forms"),
         ("MIT", r"\bMIT\b|Permission is hereby granted, free of charge"),
         ("Artistic", r"Artistic License"),
         ("OFL", r"SIL Open Font License")]


def _licences(text):
    found = []
    for line in text.splitlines():
        m = re.match(r"License:\s*(\S.*)$", line)
        if m:
            name = m.group(1).strip()
            if name and name not in found:
                found.append(name)
    if found:
        return found
    for name, rx in KNOWN:
        if re.search(rx, text, re.IGNORECASE | re.DOTALL):
            found.append(name)
    return found


def read_copyright(tree, pkg, licdir):
    doc = os.path.join(tree, "usr/share/doc", pkg, "copyright")
    info = {"licences": [], "copyright_file": None, "note": ""}
    if not os.path.isfile(doc):
        # some -data packages symlink their doc dir to the main package's
        cands = []
        for root, _, files in os.walk(os.path.join(tree, "usr/share/doc")):
            cands += [os.path.join(root, f) for f in files if f == "copyright"]
        if not cands:
            info["note"] = "no copyright file in the .deb (doc dir is a symlink); see the source package"
            return info
        doc = cands[0]
    with open(doc, encoding="utf-8", errors="replace") as fh:
        text = fh.read()
    os.makedirs(licdir, exist_ok=True)
    dst = os.path.join(licdir, pkg + ".copyright")
    shutil.copyfile(doc, dst)
    info["licences"] = _licences(text)
    info["copyright_file"] = os.path.join("licenses", pkg + ".copyright")
    return info


def refresh(dones, corpus):
    """Re-reads the licence names from the kept copyright files (so a better parser applies
    to packages that are already done)."""
    for d in dones:
        lic = d.get("licence") or {}
        f = lic.get("copyright_file")
        if f and os.path.isfile(os.path.join(corpus, f)):
            with open(os.path.join(corpus, f), encoding="utf-8", errors="replace") as fh:
                lic["licences"] = _licences(fh.read())
    return dones


def render(dones):
    out = ["# Attribution of the quell training corpus", "",
           "Every clip comes from a Debian package (Debian 12 \"bookworm\"), fetched with",
           "`apt-get download` by `tools/corpus/build_corpus.py`. The licence column lists the",
           "licence names found in the package's `usr/share/doc/PKG/copyright`; the full file is kept",
           "in `licenses/PKG.copyright`. Anything derived from this corpus that the project ships",
           "(a model trained on it, a bundled sample) must carry this list.", "",
           "| package | version | licences (debian/copyright) | taken | speech h | noise h |",
           "|---|---|---|---|---|---|"]
    for d in dones:
        lic = d.get("licence") or {}
        names = ", ".join(lic.get("licences") or []) or (lic.get("note") or "?")
        taken = "; ".join(d.get("taken", [])[:6])
        if len(d.get("taken", [])) > 6:
            taken += f"; … ({len(d['taken'])} folders)"
        version = urllib.parse.unquote(d.get("version", ""))     # deb file names encode ':' as %3a
        out.append(f"| {d['package']} | {version} | {names} | {d['kept']} clips from `{taken}` | "
                   f"{d.get('speech_hours', 0):.2f} | {d.get('noise_hours', 0):.2f} |")
    out.append("")
    return "\n".join(out)
