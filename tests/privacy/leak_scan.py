#!/usr/bin/python3
"""leak_scan.py - TEST ONLY: fail when captured logs, prompts or messages
hold a full phone number or a login code.

    leak_scan.py --phone +8613812345678 --spool DIR FILE...

Looks in every FILE for: the number in E.164 form, any 8 or more of its
digits in a row (national digits included), and every code found in the
spool messages (the first run of 6..10 digits of a body, or a voice
message's digits "4, 8, 2, ...") as a whole number, in plain or spoken
form.  Prints each finding and exits 1 when there is one, 0 when the
files are clean, 2 on a usage error (no spool message: nothing to look
for is an error too, so the check cannot pass vacuously).
"""
import argparse
import os
import re
import sys


def spool_codes(d):
    codes = set()
    for name in os.listdir(d):
        if name.startswith('.'):
            continue
        with open(os.path.join(d, name), encoding='utf-8', errors='replace') as f:
            text = f.read()
        body = text.split('\n\n', 1)[1] if '\n\n' in text else ''
        m = re.search(r'(?<![0-9])[0-9]{6,10}(?![0-9])', body)
        if m:
            codes.add(m.group(0))
            continue
        m = re.search(r'(?<![0-9])[0-9](?:, [0-9]){5,9}(?![0-9])', body)
        if m:
            codes.add(re.sub(r'[^0-9]', '', m.group(0)))
    return codes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--phone', required=True)
    ap.add_argument('--spool', required=True)
    ap.add_argument('files', nargs='+')
    a = ap.parse_args()
    digits = a.phone.lstrip('+')
    if not re.fullmatch(r'[0-9]{8,15}', digits):
        print('bad --phone', file=sys.stderr)
        return 2
    codes = spool_codes(a.spool)
    if not codes:
        print('no code found in the spool: nothing to look for', file=sys.stderr)
        return 2
    pats = [('full number', re.compile(re.escape(a.phone)))]
    for n in range(len(digits), 7, -1):
        for i in range(0, len(digits) - n + 1):
            pats.append(('%d digits of the number' % n,
                         re.compile(r'(?<![0-9])' + digits[i:i + n] + r'(?![0-9])')))
    # the digits of the number with separators (spaces, dashes, dots)
    pats.append(('number with separators', re.compile(
        r'[ .-]?'.join(digits[-8:]))))
    for c in sorted(codes):
        pats.append(('code ' + c[:2] + '..', re.compile(r'(?<![0-9])' + c + r'(?![0-9])')))
        pats.append(('spoken code ' + c[:2] + '..', re.compile(', '.join(c))))
    found = 0
    for path in a.files:
        with open(path, encoding='utf-8', errors='replace') as f:
            for ln, line in enumerate(f, 1):
                for what, p in pats:
                    if p.search(line):
                        print('%s:%d: %s: %s' % (path, ln, what, line.rstrip()[:200]))
                        found += 1
                        break
    print('%d file(s), %d code(s) looked for, %d finding(s)' % (len(a.files), len(codes), found),
          file=sys.stderr)
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
