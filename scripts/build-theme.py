#!/usr/bin/env python3
"""scripts/build-theme.py — each frequent word's 50 most co-occurring words, per language.

    scripts/build-theme.py [CORPUS_DIR] [LEXICON_DIR]     (defaults: ../shared/corpus, lexicon)

The writer makes a poem's theme show (issue 16): besides the theme word itself, the words the
corpus uses around it get a small logit bias, and `make eval-write` counts the poems that
contain the theme word or one of these words.  Reads the corpus's records (never
../shared/eval) with the tokenization of scripts/build-lexicon.py and the lists it made
(LEXICON_DIR/{fr,en}.txt), and writes LEXICON_DIR/theme-{fr,en}.txt: for the CENTERS most
frequent content words of the list (the FUNCTION most frequent forms are function words and
are neither centers nor neighbours), one line "word<TAB>n1 n2 ... n50": the list's content
words seen within WINDOW words of it in the same line, ranked by count x PMI (local mutual
information: frequent and specific), ties by the word.  Deterministic: sorted files, sorted
output.
"""
import importlib.util
import math
import os
import sys

CENTERS = 3000
FUNCTION = 150
NEIGHBOURS = 50
WINDOW = 8
MIN_PAIR = 3

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("lexicon", os.path.join(here, "build-lexicon.py"))
lex = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lex)


def read_list(path):
    words = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            words.append(line.split("\t")[0])
    return words


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "shared", "corpus")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "lexicon")
    lists = {l: read_list(os.path.join(out, l + ".txt")) for l in ("fr", "en")}
    content = {l: {w: i for i, w in enumerate(lists[l][FUNCTION:])} for l in lists}
    centers = {l: set(lists[l][FUNCTION:FUNCTION + CENTERS]) for l in lists}
    pairs = {l: {} for l in lists}
    freq = {l: {} for l in lists}
    total = {l: 0 for l in lists}
    files = sorted(f for f in os.listdir(corpus) if f.endswith(".txt") and f != "README.md")
    for name in files:
        print("build-theme: " + name, file=sys.stderr)
        for _, lang, body in lex.records(os.path.join(corpus, name)):
            if lang not in lists:
                continue
            cw, ce, pr, fq = content[lang], centers[lang], pairs[lang], freq[lang]
            for line in body.split("\n"):
                ws = [low for low, _, _ in lex.forms_of_line(line, lang) if low in cw]
                total[lang] += len(ws)
                for i, w in enumerate(ws):
                    fq[w] = fq.get(w, 0) + 1
                    if w not in ce:
                        continue
                    d = pr.get(w)
                    if d is None:
                        d = pr[w] = {}
                    for j in range(max(0, i - WINDOW), min(len(ws), i + WINDOW + 1)):
                        if j != i and ws[j] != w:
                            d[ws[j]] = d.get(ws[j], 0) + 1
    for lang in lists:
        n = total[lang]
        lines = []
        for w in sorted(pairs[lang]):
            scored = []
            for v, c in pairs[lang][w].items():
                if c < MIN_PAIR:
                    continue
                pmi = math.log(c * n / (freq[lang][w] * freq[lang][v]))
                if pmi > 0:
                    scored.append((-c * pmi, v))
            scored.sort()
            if scored:
                lines.append(w + "\t" + " ".join(v for _, v in scored[:NEIGHBOURS]))
        path = os.path.join(out, "theme-" + lang + ".txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write("# vers theme words (%s): for each of the %d most frequent content words of %s.txt, the %d\n"
                    % (lang, CENTERS, lang, NEIGHBOURS))
            f.write("# content words most often within %d words of it in a line of the corpus, by count x PMI\n" % WINDOW)
            f.write("# (scripts/build-theme.py from ../shared/corpus).  word<TAB>neighbours\n")
            for l in lines:
                f.write(l + "\n")
        print("build-theme: %s: %d words" % (path, len(lines)), file=sys.stderr)


if __name__ == "__main__":
    main()
