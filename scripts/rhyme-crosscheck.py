#!/usr/bin/env python3
"""scripts/rhyme-crosscheck.py — does vers hear the rhymes a reader hears?  An offline check of
the rhyme keys of every word the writer may place at a line end, against an independent ear.

    scripts/rhyme-crosscheck.py [--build DIR] [--write] [--show N] fr|en

French: espeak-ng's phonemes (libespeak-ng, IPA).  For each word of lexicon/fr.txt that the
writer may end a line on (lower-case letters, two or more, not a function word) it takes vers's
rhyme key (build/bench/rhyme_keys: vers_scan_line, as `vers check`) and espeak's final vowel
and what follows it.  Within each class of words vers says rhyme together (same key), the
ending most of them have in espeak is the class's sound; a word whose espeak ending differs
is a disagreement.  The alphabets are never mapped onto each other: only "rhymes with" is
compared, which is what a reader hears.

English: two ears.  CMUdict (data/cmudict.txt, or --dict):  vers's key is the last stressed vowel and
what follows (ARPAbet, stress marks dropped); a word agrees when one of its CMUdict variants
gives that ending, and disagrees when none does, when it is not in CMUdict at all (vers then
guessed its pronunciation), or when its variants rhyme on different vowels (read, wind: a
reader may take the other reading).  And espeak-ng's American voice, read as for French: a
word whose espeak ending is not its class's most common one disagrees too.

Prints the number of words, classes and disagreements, and the disagreements grouped by
spelling ending (the rules to fix first).  --write stores the words that still disagree in
lexicon/rhyme-doubt-LANG.txt: the writer keeps them out of its rhyme lists
(src/write/common_words.c).
"""
import collections
import ctypes
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))

STOP = {
    "fr": set("le la les un une des du de et ou mais ni car donc au aux en dans par pour sur sous avec sans chez ce cet "
              "cette ces mon ma mes ton ta tes son sa ses notre nos votre vos leur leurs je tu il elle on nous vous ils "
              "elles me te se ne que qui dont est sont suis es ai as ont lui quel quelle quels quelles y a o".split()),
    "en": set("a an the and or but nor of to in on at by for with from as is are was were be been am do does did has "
              "have had it its you he she we they him her us them my your his our their this that these those not if "
              "than then when who whom which what can could would should will shall may might must into onto upon".split()),
}
WORD_RE = re.compile(r"^[a-zà-öø-ÿœæ]{2,}$")
IPA_VOWELS = set("aɑɐeɛəɜiɪoɔuʊyʏøœæɒʌɨ")


def lexicon_words(lang):
    words = []
    with open(os.path.join(ROOT, "lexicon", lang + ".txt"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            w = line.split("\t", 1)[0].strip()
            if WORD_RE.match(w) and w not in STOP[lang]:
                words.append(w)
    return words


def vers_keys(build, lang, words, dict_path=None):
    cmd = [os.path.join(ROOT, build, "bench", "rhyme_keys"), "--lang", lang]
    if dict_path:
        cmd += ["--dict", dict_path]
    out = subprocess.run(cmd, input="\n".join(words) + "\n", capture_output=True, text=True, check=True).stdout
    keys = {}
    for line in out.splitlines():
        w, key, gender, _ = line.split("\t")
        keys[w] = (key, gender)
    return keys


class Espeak:
    def __init__(self, voice):
        self.lib = ctypes.CDLL("libespeak-ng.so.1")
        if self.lib.espeak_Initialize(0x02, 0, None, 0) <= 0:      # AUDIO_OUTPUT_SYNCHRONOUS
            sys.exit("rhyme-crosscheck: espeak-ng does not start")
        if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
            sys.exit("rhyme-crosscheck: no espeak-ng voice " + voice)
        self.f = self.lib.espeak_TextToPhonemes
        self.f.restype = ctypes.c_char_p
        self.f.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_int]

    def ipa(self, word):
        p = ctypes.c_char_p(word.encode("utf-8"))
        r = self.f(ctypes.byref(p), 1, 0x02)                           # espeakCHARS_UTF8, IPA
        return (r or b"").decode("utf-8", "replace").strip()


# Distinctions French verse does not make at the rhyme (rose/chose, brun/brin, pâte/patte),
# made the same before comparing; é and è stay apart.
FOLD = [("œ̃", "ɛ̃"), ("ɔ̃", "O"), ("ɑ̃", "A"), ("ɔ", "o"), ("ɑ", "a"), ("ɪ", "i"), ("O", "ɔ̃"), ("A", "ɑ̃")]


def ipa_ending(ipa):
    """The final vowel (nasal tilde kept) and what follows it, without stress or length marks."""
    s = ipa.replace("ˈ", "").replace("ˌ", "").replace("ː", "").replace("-", "").split(" ")[-1]
    for a, b in FOLD:
        s = s.replace(a, b)
    for i in range(len(s) - 1, -1, -1):
        if s[i] in IPA_VOWELS:
            return s[i:]
    return s


def cmudict(path):
    d = collections.defaultdict(list)
    with open(path, encoding="latin-1") as f:
        for line in f:
            if line.startswith(";;;"):
                continue
            parts = line.split()
            if len(parts) < 2:
                continue
            w = re.sub(r"\(\d+\)$", "", parts[0]).lower()
            d[w].append(parts[1:])
    return d


def arpa_ending(phones):
    """From the last primary-stressed vowel (else the last stressed, else the last vowel) on."""
    idx = [i for i, p in enumerate(phones) if p[-1] == "1"]
    if not idx:
        idx = [i for i, p in enumerate(phones) if p[-1] == "2"]
    if not idx:
        idx = [i for i, p in enumerate(phones) if p[-1].isdigit()]
    if not idx:
        return "".join(phones)
    return "".join(re.sub(r"\d", "", p) for p in phones[idx[-1]:])


def check_fr(build, show):
    words = lexicon_words("fr")
    keys = vers_keys(build, "fr", words)
    es = Espeak("fr")
    ending = {w: ipa_ending(es.ipa(w)) for w in keys}
    classes = collections.defaultdict(list)
    for w, (key, gender) in keys.items():
        classes[key].append(w)
    doubt = []
    for key, ws in classes.items():
        if len(ws) < 2:
            continue
        major, n = collections.Counter(ending[w] for w in ws).most_common(1)[0]
        for w in ws:
            if ending[w] != major:
                doubt.append((w, key, ending[w], major))
    return words, keys, classes, doubt


def check_en(build, show, dict_path):
    words = lexicon_words("en")
    keys = vers_keys(build, "en", words, dict_path)
    d = cmudict(dict_path)
    classes = collections.defaultdict(list)
    doubt = []
    for w, (key, gender) in keys.items():
        classes[key].append(w)
        variants = d.get(w)
        if not variants:
            doubt.append((w, key, "(not in CMUdict)", ""))
            continue
        ends = {arpa_ending(v) for v in variants}
        if key not in ends:
            doubt.append((w, key, "/".join(sorted(ends)), ""))
            continue
        # a heteronym whose readings rhyme on different vowels (read, wind, live, tear): a
        # reader may take the other one; readings that differ after the vowel only (fire:
        # AYER / AYR) still rhyme for every reader
        vowels = {re.match(r"[A-Z]+", e).group(0)[:2] for e in ends}
        if len(vowels) > 1:
            doubt.append((w, key, "/".join(sorted(ends)) + " (readings differ)", ""))
    # the second ear: espeak-ng's American voice, read as for French (the ending most words of
    # the class have is its sound).  CMUdict and espeak-ng disagree on a few words (pate: /peɪt/
    # and /pæt/); a reader may hear either, so such a word is no rhyme word either.
    doubted = {w for w, _, _, _ in doubt}
    es = Espeak("en-us")
    ending = {w: ipa_ending(es.ipa(w)) for w in keys}
    for key, ws in classes.items():
        if len(ws) < 2:
            continue
        major, n = collections.Counter(ending[w] for w in ws).most_common(1)[0]
        for w in ws:
            if ending[w] != major and w not in doubted:
                doubt.append((w, key, ending[w] + " (espeak-ng)", major))
    return words, keys, classes, doubt


def main():
    args = sys.argv[1:]
    build, write, show = "build", False, 40
    dict_path = os.path.join(ROOT, "data", "cmudict.txt")
    while args and args[0].startswith("--"):
        a = args.pop(0)
        if a == "--build":
            build = args.pop(0)
        elif a == "--write":
            write = True
        elif a == "--show":
            show = int(args.pop(0))
        elif a == "--dict":
            dict_path = args.pop(0)
        else:
            sys.exit(__doc__)
    if len(args) != 1 or args[0] not in ("fr", "en"):
        sys.exit(__doc__)
    lang = args[0]
    if lang == "fr":
        words, keys, classes, doubt = check_fr(build, show)
        judge = "espeak-ng"
    else:
        words, keys, classes, doubt = check_en(build, show, dict_path)
        judge = "CMUdict or espeak-ng"
    print("%s: %d line-end words, %d rhyme classes; %d words (%.1f%%) where vers and %s disagree"
          % (lang, len(keys), len(classes), len(doubt), 100.0 * len(doubt) / max(1, len(keys)), judge))
    by_end = collections.defaultdict(list)
    for w, key, got, major in doubt:
        by_end[w[-3:]].append((w, key, got, major))
    for end, items in sorted(by_end.items(), key=lambda kv: -len(kv[1]))[:show]:
        ex = ", ".join("%s [%s: %s%s]" % (w, k, g, (" vs " + m) if m else "") for w, k, g, m in items[:4])
        print("  -%s %4d  %s" % (end, len(items), ex))
    if write:
        path = os.path.join(ROOT, "lexicon", "rhyme-doubt-%s.txt" % lang)
        with open(path, "w", encoding="utf-8") as f:
            f.write("# words kept out of the writer's %s rhyme lists: vers's rhyme key and %s disagree\n" % (lang, judge))
            f.write("# made by scripts/rhyme-crosscheck.py --write %s; word<TAB>vers key<TAB>%s ending\n" % (lang, judge))
            for w, key, got, major in sorted(doubt):
                f.write("%s\t%s\t%s\n" % (w, key, got))
        print("wrote", path)


if __name__ == "__main__":
    main()
