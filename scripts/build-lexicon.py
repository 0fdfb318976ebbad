#!/usr/bin/env python3
"""scripts/build-lexicon.py — the words a reader knows, per language, from the training corpus.

    scripts/build-lexicon.py [CORPUS_DIR] [OUT_DIR]     (defaults: ../shared/corpus, lexicon)

Reads every record file of ../shared/corpus (poetry and prose; never ../shared/eval, which is
held out) and writes OUT_DIR/fr.txt and OUT_DIR/en.txt: at most 30,000 word forms per
language, most frequent first, one "form<TAB>count<TAB>documents" a line after '#' comment
lines that say how the list was made.  The writer (src/write/common_words.c) takes its
line-end and rhyme words from these lists only.

A form is kept when it is:
  - seen at least 5 times in at least 3 documents (records) of its language;
  - a whole word: letters with inner hyphens or apostrophes.  Fragments are never counted:
    not the clitic of an elided word (French l' d' qu' jusqu' ...: "l'âme" counts "âme",
    not "l"), not a word cut by an apostrophe or hyphen at its edge ('tis, fishin', some-),
    not the parts of a hyphenated word ("peut-être" counts as itself only);
  - not a name: lower case in most of its occurrences inside a line (a line's first word is
    capitalised by verse convention and is not counted either way);
  - not a word of the other language: its relative frequency in the other language's
    records is not more than FOREIGN_RATIO times its own ("and" in a French poem, "de" in an
    English one, are quotations or names).
The lists are rebuilt by running this script again; the output does not depend on the
order of the files or on the machine.
"""
import os
import re
import sys
import unicodedata

MAX_FORMS = 30000
MIN_COUNT = 5
MIN_DOCS = 3
FOREIGN_RATIO = 4.0

# French clitics whose final vowel is elided before a vowel or mute h (lower case, with the
# apostrophe): the word after the apostrophe is counted, the clitic never.
FR_CLITICS = ("l'", "d'", "j'", "m'", "t'", "s'", "n'", "c'", "qu'", "jusqu'", "lorsqu'",
              "puisqu'", "quoiqu'", "presqu'", "quelqu'", "entr'")
ONE_LETTER = {"fr": {"a", "à", "y", "ô", "o"}, "en": {"a", "i", "o"}}

LETTER = r"[^\W\d_]"
WORD_RE = re.compile(LETTER + r"+(?:['\-]" + LETTER + r"+)*'?")


def records(path):
    """Yields (id, lang, body) for each record of a corpus file."""
    with open(path, encoding="utf-8") as f:
        head, body, in_body = {}, [], False
        for line in f:
            if line.rstrip("\n") == "@@@":
                if head:
                    yield head.get("id", ""), head.get("lang", ""), "".join(body)
                head, body, in_body = {}, [], False
                continue
            if not in_body and line.startswith("@@ "):
                k, _, v = line[3:].partition(":")
                head[k.strip()] = v.strip()
            elif not in_body and line.strip() == "":
                in_body = True
            else:
                in_body = True
                body.append(line)
        if head:
            yield head.get("id", ""), head.get("lang", ""), "".join(body)


def forms_of_line(line, lang):
    """Yields (form, mid_line, capitalised) for the whole words of one line of text."""
    line = unicodedata.normalize("NFC", line).replace("\u2019", "'").replace("\u02bc", "'")
    first = True
    for m in WORD_RE.finditer(line):
        s, e = m.start(), m.end()
        tok = m.group(0)
        mid = not first
        first = False
        before = line[s - 1] if s > 0 else " "
        after = line[e] if e < len(line) else " "
        # a word cut at its edge is a fragment: 'tis, fishin', some-
        if before in "'-" or after == "-" or tok.endswith("'"):
            continue
        low = tok.lower()
        if lang == "fr" and "'" in low:
            for c in FR_CLITICS:
                if low.startswith(c) and len(low) > len(c):
                    tok, low = tok[len(c):], low[len(c):]
                    mid = True            # the word after a clitic is inside the line
                    break
            if "'" in low and not re.fullmatch(LETTER + r"+(?:['\-]" + LETTER + r"+)+", low):
                continue
        if len(low) == 1 and low not in ONE_LETTER[lang]:
            continue
        yield low, mid, tok[0].isupper() or (len(tok) > 1 and tok[1:] != tok[1:].lower())
        # a sentence ends: the next word's capital says nothing
        tail = line[e:e + 3]
        if any(ch in ".!?" for ch in tail[:2]):
            first = True


def count(corpus):
    stats = {"fr": {}, "en": {}}
    totals = {"fr": 0, "en": 0}
    files = sorted(f for f in os.listdir(corpus) if f.endswith(".txt") and f != "README.md")
    for name in files:
        for rid, lang, body in records(os.path.join(corpus, name)):
            if lang not in stats:
                continue
            st = stats[lang]
            for line in body.split("\n"):
                for low, mid, cap in forms_of_line(line, lang):
                    totals[lang] += 1
                    e = st.get(low)
                    if e is None:
                        e = st[low] = [0, 0, None, 0, 0]   # count, docs, last doc, caps mid, lower mid
                    e[0] += 1
                    if e[2] != rid:
                        e[1] += 1
                        e[2] = rid
                    if mid:
                        if cap:
                            e[3] += 1
                        else:
                            e[4] += 1
    return stats, totals


def select(stats, totals, lang):
    other = "en" if lang == "fr" else "fr"
    own, oth = stats[lang], stats[other]
    keep = []
    for w, (n, docs, _, cap_mid, low_mid) in own.items():
        if n < MIN_COUNT or docs < MIN_DOCS:
            continue
        if cap_mid > low_mid:                          # a name (or a word seen only at line starts)
            continue
        o = oth.get(w)
        if o and o[0] / totals[other] > FOREIGN_RATIO * n / totals[lang]:
            continue
        keep.append((-n, w, n, docs))
    keep.sort()
    return [(w, n, docs) for _, w, n, docs in keep[:MAX_FORMS]]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "shared", "corpus")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "lexicon")
    if os.path.basename(os.path.normpath(corpus)) == "eval":
        sys.exit("build-lexicon: the evaluation set must not be used")
    stats, totals = count(corpus)
    os.makedirs(out, exist_ok=True)
    for lang in ("fr", "en"):
        words = select(stats, totals, lang)
        with open(os.path.join(out, lang + ".txt"), "w", encoding="utf-8") as f:
            f.write("# vers lexicon (%s): the %d most frequent word forms of the training corpus's %s records\n"
                    % (lang, len(words), lang))
            f.write("# made by scripts/build-lexicon.py from ../shared/corpus (%d word tokens); kept: seen >= %d times\n"
                    % (totals[lang], MIN_COUNT))
            f.write("# in >= %d records, whole words only (no clitics or cut words), lower case inside lines,\n" % MIN_DOCS)
            f.write("# not %g times more frequent in the other language.  form<TAB>count<TAB>records\n" % FOREIGN_RATIO)
            for w, n, docs in words:
                f.write("%s\t%d\t%d\n" % (w, n, docs))
        print("%s: %d forms (of %d seen; %d tokens)" % (lang, len(words), len(stats[lang]), totals[lang]))


if __name__ == "__main__":
    main()
