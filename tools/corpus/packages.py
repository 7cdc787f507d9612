# SPDX-License-Identifier: BSD-3-Clause
"""What to take from each Debian package of the training pool.

The authoritative list of allowed packages is /work/shared/corpus.md (copied into
tools/corpus/README.md). Other packages with speech in them are reserved for
independent evaluation of the shipped model: never add them here.

Each entry says which files inside the package (or inside a zip archive in it) are
speech and which are noise. Patterns are globs over the path relative to the
extracted tree; ``**`` matches any number of directories, ``*`` stays inside one
path component. A member of an archive is addressed as ``ARCHIVE_PATH!MEMBER``.
Matching is case-insensitive. Speech patterns win over noise patterns; ``drop``
patterns win over both.
"""

import os
import re

AUDIO_EXT = (".ogg", ".oga", ".wav", ".flac", ".mp3", ".opus", ".g722", ".au", ".aif", ".aiff", ".wv")
ARCHIVE_EXT = (".zip", ".wz", ".pk3")


def _lang_from_dir(rel, marker):
    """Language code = the directory right after ``marker`` in the path."""
    parts = rel.split("/")
    for i, p in enumerate(parts[:-1]):
        if p == marker and i + 1 < len(parts) - 1:
            return parts[i + 1]
    return ""


# ---------------------------------------------------------------- speaker guesses
# Each returns (speaker, lang, split_group). split_group is the unit that goes
# wholly to train or val (a speaker, or a fillets level, see README).

def _tuxpaint(pkg, rel):
    base = os.path.basename(rel)
    m = re.search(r"_desc(?:_([A-Za-z]{2,3}(?:_[A-Z]{2})?))?\.", base)
    lang = (m.group(1) if m and m.group(1) else "en")
    spk = f"{pkg}:{lang}"
    return spk, lang, spk


def _fillets(pkg, rel):
    # sound/<level>/<lang>/<level>-<character>-<line>.ogg; the character code
    # ("m" small fish, "v" big fish, others level-specific) is the best voice
    # guess. The two fish speak in every level, so levels are the split unit
    # (as corpus.md suggests); speakers m/v then appear in both splits.
    parts = rel.split("/")
    lang = pkg.rsplit("-", 1)[1]
    level = parts[-3]
    toks = os.path.splitext(parts[-1])[0].split("-")
    char = toks[1] if len(toks) >= 3 else "x"
    return f"{pkg}:{char}", lang, f"{pkg}:level:{level}"


def _klettres(pkg, rel):
    lang = _lang_from_dir(rel, "klettres")
    spk = f"{pkg}:{lang}"
    return spk, lang.split("_")[0], spk


def _ktuberling(pkg, rel):
    lang = _lang_from_dir(rel, "sounds")
    spk = f"{pkg}:{lang}"
    return spk, lang.split("@")[0], spk


def _asterisk(pkg, rel):
    # usr/share/asterisk/sounds/<voice dir>/...; one voice per package
    voice = _lang_from_dir(rel, "sounds") or pkg
    lang = pkg.split("-")[3]
    spk = f"{pkg}:{voice}"
    return spk, lang, spk


def _festvox_ru(pkg, rel):
    return "festvox-ru:msu_ru_nsh", "ru", "festvox-ru:msu_ru_nsh"


def _gcin(pkg, rel):
    # ogg/<bopomofo syllable>/<voice>.ogg: two voices, "3" and "5"
    v = os.path.splitext(os.path.basename(rel))[0]
    spk = f"{pkg}:{v}"
    return spk, "zh", spk


def _megaglest(pkg, rel):
    parts = rel.split("/")
    stem = os.path.splitext(parts[-1])[0].lower()
    unit = re.split(r"_(?:ack|select)", stem)[0]
    fac = _lang_from_dir(rel, "factions") or "common"
    spk = f"{pkg}:{fac}/{unit}"
    return spk, "en", spk


def _by_dir(marker, lang="en"):
    """Speaker = directory after ``marker`` (a voice or character folder)."""
    def f(pkg, rel):
        d = _lang_from_dir(rel.replace("!", "/"), marker) or "x"
        spk = f"{pkg}:{d}"
        return spk, lang, spk
    return f


def _by_parent(lang="en"):
    def f(pkg, rel):
        d = rel.replace("!", "/").split("/")[-2]
        spk = f"{pkg}:{d}"
        return spk, lang, spk
    return f


def _one_speaker(lang="en"):
    def f(pkg, rel):
        return f"{pkg}:voice", lang, f"{pkg}:voice"
    return f


# ---------------------------------------------------------------- noise categories
AMBIENCE_WORDS = ("amb", "wind", "rain", "storm", "thunder", "forest", "jungle", "river",
                  "stream", "water", "wave", "sea", "ocean", "bird", "cricket", "insect",
                  "crowd", "market", "babble", "restaurant", "airport", "traffic", "city",
                  "engine", "motor", "turbine", "prop", "jet", "rotor", "loop", "idle",
                  "rumble", "hum", "fire", "waterfall", "night", "swamp", "cave", "train",
                  "locomotive", "tyre", "tire", "skid", "squeal", "cabin", "fan", "drone")
MUSIC_WORDS = ("/music/", "/musics/", "/mus/", "/songs/", "/soundtrack/", "/tracks/", "menu_music",
               "theme")


def noise_category(pkg, rel, duration, default):
    low = "/" + rel.lower().replace("!", "/")
    if default == "music" or any(w in low for w in MUSIC_WORDS):
        return "music"
    if default == "ambience":
        return "ambience"
    if any(w in low for w in AMBIENCE_WORDS) and duration >= 3.0:
        return "ambience"
    if duration >= 20.0:
        return "ambience"     # long non-music loops are backgrounds
    return "effects"


# ---------------------------------------------------------------- the table
# kind order: speech packages first (small), then ambience, effects, music.
# fields: speech (globs), speaker (fn), noise (globs), noise_default category,
# drop (globs), archives (globs of zip files to open), optional (skipped unless
# asked for with --packages or --with-optional).

P = []


def pkg(name, **kw):
    kw.setdefault("speech", [])
    kw.setdefault("noise", [])
    kw.setdefault("drop", [])
    kw.setdefault("archives", [])
    kw.setdefault("noise_default", "effects")
    kw.setdefault("optional", False)
    kw.setdefault("speaker", None)
    kw.setdefault("stage", "noise")
    P.append(dict(name=name, **kw))


SND = ["**/*.ogg", "**/*.oga", "**/*.wav", "**/*.flac", "**/*.mp3", "**/*.opus", "**/*.wv"]

# -- speech
pkg("asterisk-core-sounds-fr-g722", stage="speech", speech=["usr/share/asterisk/sounds/**/*.g722"], speaker=_asterisk)
pkg("asterisk-core-sounds-it-g722", stage="speech", speech=["usr/share/asterisk/sounds/**/*.g722"], speaker=_asterisk)
pkg("asterisk-core-sounds-ru-g722", stage="speech", speech=["usr/share/asterisk/sounds/**/*.g722"], speaker=_asterisk)
pkg("gcin-voice", stage="speech", speech=["usr/share/gcin-voice/ogg/**/*.ogg"], speaker=_gcin)
pkg("fillets-ng-data-cs", stage="speech", speech=["usr/share/games/fillets-ng/sound/*/cs/*.ogg"], speaker=_fillets)
pkg("fillets-ng-data-nl", stage="speech", speech=["usr/share/games/fillets-ng/sound/*/nl/*.ogg"], speaker=_fillets)
pkg("klettres-data", stage="speech", speech=["usr/share/klettres/**/*.ogg"], speaker=_klettres,
    drop=["usr/share/klettres/ml/**"])                      # ml is clipped (corpus.md)
pkg("ktuberling-data", stage="speech", speech=["usr/share/ktuberling/sounds/*/*"], speaker=_ktuberling)
pkg("tuxpaint-stamps-default", stage="speech",
    speech=["usr/share/tuxpaint/stamps/**/*_desc*.ogg", "usr/share/tuxpaint/stamps/**/*_desc*.wav"],
    speaker=_tuxpaint,
    drop=["**/*_desc_es.*"],                                 # es is clipped (corpus.md)
    noise=["usr/share/tuxpaint/stamps/**/*.ogg", "usr/share/tuxpaint/stamps/**/*.wav"])
pkg("festvox-ru", stage="speech", speech=["usr/share/festival/voices/russian/msu_ru_nsh_clunits/wav/*.wav"],
    speaker=_festvox_ru)
# game voices (acted). Patterns checked against the package listings.
pkg("megaglest-data", stage="speech", speech=["**/*_ack*", "**/*_select*"], speaker=_megaglest,
    noise=SND, drop=["**/*_ack*.xml", "**/*_select*.xml"])
# Planet Blupi: sound/<lang>/soundNNN.wav; the numbers that exist in every language
# are Blupi's (acted, cartoon) voice, the English-only rest are effects.
pkg("planetblupi-common", stage="speech",
    speech=[f"usr/share/planetblupi/sound/*/sound{n}.wav" for n in
            ["00[2-9]", "010", "014", "01[7-9]", "027", "033", "037", "05[6-9]", "06[0-9]", "07[0-3]"]],
    speaker=lambda p, r: (f"{p}:{r.split('/')[-2]}", r.split("/")[-2].split("_")[0], f"{p}:{r.split('/')[-2]}"),
    noise=["usr/share/planetblupi/sound/en/*.wav"])
pkg("warmux-data", stage="speech", speech=["usr/share/games/warmux/sound/*/voices/*"], speaker=_by_dir("sound"),
    noise=["usr/share/games/warmux/sound/*/weapons/*", "usr/share/games/warmux/sound/*/misc/*",
           "usr/share/games/warmux/music/**/*"])
# freedroidrpg: Tux's spoken comments; the droids' voice_samples are processed
# (robotic) voices: neither speech nor noise.
pkg("freedroidrpg-data", stage="speech", speech=["**/sound/effects/tux_ingame_comments/*"],
    speaker=lambda p, r: (f"{p}:tux", "en", f"{p}:tux"), drop=["**/voice_samples/**"], noise=SND)
pkg("openarena-data", stage="speech", archives=["**/*.pk3"],
    speech=["**/*.pk3!sound/player/announcer/*", "**/*.pk3!sound/voices/rott/*", "**/*.pk3!sound/player/*/taunt*"],
    drop=["**/*.pk3!sound/voices/festivoxmale/*",                # TTS, not human (corpus.md)
          *[f"**/*.pk3!sound/player/*/{g}*" for g in             # grunts and screams: neither
            ("death", "pain", "drown", "fall", "gasp", "jump")]],
    speaker=lambda p, r: (f"{p}:{r.split('/')[-2]}", "en", f"{p}:{r.split('/')[-2]}"),
    noise=["**/*.pk3!sound/**/*"])
pkg("boswars-data", stage="speech",
    speech=["**/units/*/*_select.*", "**/units/*/*_action.*", "**/units/*/*.ready.*",
            "**/units/*/*.underattack.*", "**/campaigns/tutorial/*.wav"],
    speaker=lambda p, r: (f"{p}:{'tutorial' if '/tutorial/' in r else 'units'}", "en",
                          f"{p}:{'tutorial' if '/tutorial/' in r else 'units'}"),
    drop=["**/units/*/*_die.*"], noise=SND)
# scratch: Vocals are sung/spoken; Human holds coughs, laughs, screams (dropped),
# footsteps and a party (kept as noise).
pkg("scratch", stage="speech", speech=["**/Media/Sounds/Vocals/*"],
    speaker=lambda p, r: (f"{p}:vocals", "en", f"{p}:vocals"),
    drop=["**/Human/Laugh*", "**/Human/Scream*", "**/Human/Cough*", "**/Human/Sneeze*", "**/Human/BabyCry*"],
    noise=["**/Media/Sounds/**/*"])
pkg("unknown-horizons", stage="speech", speech=["**/content/audio/voice/**/*"],
    speaker=lambda p, r: (f"{p}:{_lang_from_dir(r, 'voice')}", _lang_from_dir(r, "voice"),
                          f"{p}:{_lang_from_dir(r, 'voice')}"),
    noise=["**/content/audio/sounds/**/*", "**/content/audio/music/**/*"])
pkg("supertux-data", stage="speech", speech=["**/supertux2/speech/*"],
    speaker=lambda p, r: (f"{p}:{os.path.basename(r).split('_')[0]}", "en", f"{p}:{os.path.basename(r).split('_')[0]}"),
    noise=SND)
pkg("0ad-data", stage="speech", optional=True, archives=["usr/share/games/0ad/mods/public/public.zip"],
    speech=["**/public.zip!audio/voice/**/*"], speaker=_by_dir("voice"),
    drop=["**/public.zip!audio/actor/human/death/**"],       # screams: neither speech nor noise
    noise=["**/public.zip!audio/ambient/**/*", "**/public.zip!audio/actor/**/*",
           "**/public.zip!audio/attack/**/*", "**/public.zip!audio/resource/**/*",
           "**/public.zip!audio/interface/**/*", "**/public.zip!audio/music/**/*"])

# -- ambience first (small ones), then effects, then music
pkg("redeclipse-data", noise=SND)
pkg("supertuxkart-data", noise=SND)
pkg("flightgear-data-base", noise=["usr/share/games/flightgear/**/Sounds/**/*", "usr/share/games/flightgear/**/sounds/**/*"])
pkg("torcs-data", noise=SND)
pkg("lugaru-data", noise=SND)
pkg("btanks-data", noise=SND)
pkg("endless-sky-data", noise=SND)
pkg("searchandrescue-data", noise=SND)
pkg("teeworlds-data", noise=SND)
pkg("simutrans-pak64", noise=SND)
pkg("micropolis-data", noise=SND)
pkg("crrcsim-data", noise=SND)
pkg("lincity-ng-data", noise=SND)
pkg("7kaa-data", noise=SND)
pkg("extremetuxracer-data", noise=SND)
pkg("scorched3d-data", noise=SND)
pkg("wesnoth-1.16-data", noise=SND)
pkg("widelands-data", noise=SND)
pkg("hydrogen-drumkits", noise=SND)
# warzone2100-data: only the sound effects; its voice lines are not in the speech list
pkg("warzone2100-data", archives=["**/base.wz"], noise=["**/base.wz!audio/sfx/**/*"])
pkg("planetblupi-music-ogg", noise=SND, noise_default="music")
pkg("drascula-music", noise=SND, noise_default="music")
pkg("singularity-music", noise=SND, noise_default="music")
pkg("colobot-common-sounds", noise=SND)
pkg("hyperrogue-music", noise=SND, noise_default="music")
pkg("warzone2100-music", noise=SND, noise_default="music")
pkg("naev-data", noise=SND, optional=True)
pkg("berusky2-data", noise=SND, optional=True)

PACKAGES = {p["name"]: p for p in P}
ORDER = [p["name"] for p in P if p["stage"] == "speech"] + [p["name"] for p in P if p["stage"] != "speech"]

# Families for the speaker split: groups are drawn for val within each family.
def family(pkgname):
    if pkgname.startswith("asterisk-core-sounds-"):
        return "asterisk"
    return pkgname


_RX = {}


def glob_rx(pat):
    """Compile a path glob (``**`` = any dirs, ``*``/``?``/``[..]`` inside one component)."""
    if pat in _RX:
        return _RX[pat]
    i, out = 0, []
    while i < len(pat):
        c = pat[i]
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pat.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            j = pat.index("]", i)
            out.append(pat[i:j + 1])
            i = j + 1
        else:
            out.append(re.escape(c))
            i += 1
    rx = re.compile("".join(out) + r"\Z", re.IGNORECASE)
    _RX[pat] = rx
    return rx


def match_any(pats, rel):
    return any(glob_rx(p).match(rel) for p in pats)


def classify(p, rel):
    """'speech', 'noise' or None for a path (or ARCHIVE!MEMBER) in package p."""
    if not rel.lower().endswith(AUDIO_EXT):
        return None
    if match_any(p["drop"], rel):
        return None
    if match_any(p["speech"], rel):
        return "speech"
    if match_any(p["noise"], rel):
        return "noise"
    return None
