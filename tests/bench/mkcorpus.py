#!/usr/bin/python3
"""mkcorpus.py - the password corpus of the policy benchmark.

    mkcorpus.py OUT [--seed N] [--common FILE] [--words FILE]

Writes exactly 1,000 lines "category<TAB>password" to OUT, 250 of each:

  common      drawn uniformly from john-data's password.lst (comment lines
              skipped), all lengths, as found;
  mangled     a common password of letters only (5+ characters) made to
              look stronger: capitalised, leet substitutions (a->@, o->0,
              e->3, s->$, i->1), a year, digits or a symbol appended -
              one to four of these, at least one;
  random      14-20 characters drawn from upper and lower case letters,
              digits and symbols, every class present;
  passphrase  four words of 3-8 lower-case letters from a Debian word
              list (wamerican's /usr/share/dict/words), joined by spaces.

Deterministic: a fixed seed (default 4), no network, nothing but the two
word lists read.  No tab, newline or control character ever appears in a
password.  A summary goes to stderr.
"""
import argparse
import random
import re
import sys

PER_CATEGORY = 250
LEET = {"a": "@", "o": "0", "e": "3", "s": "$", "i": "1"}
SYMBOLS = "!#$%&()*+,-./:;<=>?@[]^_{|}~"
APPEND_SYMBOLS = "!@#$%&*?."
LOWER = "abcdefghijklmnopqrstuvwxyz"
UPPER = LOWER.upper()
DIGITS = "0123456789"


def read_common(path):
    out, seen = [], set()
    with open(path, encoding="latin-1") as f:
        for line in f:
            pw = line.rstrip("\r\n")
            if pw.startswith("#!comment:") or not pw or pw in seen:
                continue
            if any(ord(c) < 0x20 or ord(c) == 0x7F for c in pw):
                continue
            seen.add(pw)
            out.append(pw)
    return out


def read_words(path):
    pat = re.compile(r"^[a-z]{3,8}$")
    with open(path, encoding="utf-8", errors="replace") as f:
        return sorted({w.strip() for w in f if pat.match(w.strip())})


def mangle(rng, base):
    """One to four transformations of base, at least one of them applied."""
    steps = [s for s in ("cap", "leet", "year", "digits", "symbol")
             if rng.random() < 0.5]
    if not steps:
        steps = [rng.choice(("cap", "leet", "year", "digits", "symbol"))]
    pw = base
    for s in steps[:4]:
        if s == "cap":
            pw = pw[:1].upper() + pw[1:]
        elif s == "leet":
            pw = "".join(LEET.get(c, c) for c in pw)
        elif s == "year":
            pw += str(rng.randint(1950, 2026))
        elif s == "digits":
            pw += "".join(rng.choice(DIGITS) for _ in range(rng.randint(1, 4)))
        else:
            pw += rng.choice(APPEND_SYMBOLS)
    return pw


def mangled_set(rng, common):
    bases = [w for w in common if re.match(r"^[A-Za-z]{5,}$", w)]
    out, seen = [], set(common)
    while len(out) < PER_CATEGORY:
        pw = mangle(rng, rng.choice(bases).lower())
        if pw not in seen:
            seen.add(pw)
            out.append(pw)
    return out


def random_strong(rng):
    n = rng.randint(14, 20)
    classes = (LOWER, UPPER, DIGITS, SYMBOLS)
    chars = [rng.choice(c) for c in classes]
    everything = "".join(classes)
    chars += [rng.choice(everything) for _ in range(n - len(chars))]
    rng.shuffle(chars)
    return "".join(chars)


def main():
    ap = argparse.ArgumentParser(description="policy benchmark corpus")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--common", default="/usr/share/john/password.lst")
    ap.add_argument("--words", default="/usr/share/dict/words")
    a = ap.parse_args()

    rng = random.Random(a.seed)
    common = read_common(a.common)
    words = read_words(a.words)
    if len(common) < 2 * PER_CATEGORY or len(words) < 1000:
        sys.exit("mkcorpus: word lists too small: %s %s" % (a.common, a.words))
    rows = [("common", pw) for pw in rng.sample(common, PER_CATEGORY)]
    rows += [("mangled", pw) for pw in mangled_set(rng, common)]
    rows += [("random", random_strong(rng)) for _ in range(PER_CATEGORY)]
    rows += [("passphrase", " ".join(rng.choice(words) for _ in range(4)))
             for _ in range(PER_CATEGORY)]
    with open(a.out, "w", encoding="utf-8") as f:
        for cat, pw in rows:
            f.write("%s\t%s\n" % (cat, pw))
    n8 = sum(1 for c, pw in rows if c == "common" and len(pw) >= 8)
    print("mkcorpus: %d passwords (seed %d): %d common (%d of 8+ chars) from %s "
          "(%d entries), %d mangled, %d random, %d passphrases from %s (%d words)"
          % (len(rows), a.seed, PER_CATEGORY, n8, a.common, len(common),
             PER_CATEGORY, PER_CATEGORY, PER_CATEGORY, a.words, len(words)),
          file=sys.stderr)


if __name__ == "__main__":
    main()
