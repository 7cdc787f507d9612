# SPDX-License-Identifier: BSD-3-Clause
"""Deterministic train/val split: whole speakers (speech) and whole files (noise).

Speech: within each family (a package; the three asterisk voices form one family)
the split groups (speakers, or levels for fillets-ng) are ordered by SHA-1 of their
name and taken for val until about ``val_frac`` of the family's duration is held
out. A group that would push val past 2.5 x val_frac is passed over, except that a
family with >= 3 groups always gets at least one (its smallest group; for
asterisk, one voice).
Families with fewer than 3 groups stay in train. Noise: a file is val when the
SHA-1 of its id, mod 1000, is below 1000 x val_frac.
No random state: the same groups always land in the same split, whatever else
the corpus contains.
"""

import hashlib


def _h(s):
    return hashlib.sha1(s.encode("utf-8")).hexdigest()


def assign(recs, val_frac):
    fam = {}
    for r in recs:
        if r["kind"] == "speech":
            g = fam.setdefault(r["family"], {})
            g[r["group"]] = g.get(r["group"], 0.0) + r["duration_s"]
    val_groups = set()
    for f, groups in fam.items():
        if len(groups) < 3:
            continue
        total = sum(groups.values())
        got = 0.0
        for g in sorted(groups, key=_h):
            if got >= val_frac * total:
                break
            d = groups[g]
            if got + d <= 2.5 * val_frac * total:
                val_groups.add(g)
                got += d
        if got == 0.0:      # every group is big: hold out the first one anyway
            g = min(groups, key=lambda g: (groups[g], _h(g)))
            val_groups.add(g)
    thr = int(round(val_frac * 1000))
    for r in recs:
        if r["kind"] == "speech":
            r["split"] = "val" if r["group"] in val_groups else "train"
        else:
            r["split"] = "val" if int(_h(r["group"])[:8], 16) % 1000 < thr else "train"
    return recs
