#!/usr/bin/python3
"""doccheck.py - are the man pages in step with the code?

Extracts from the C sources (nothing is listed here by hand):
  * configuration keys: every NULL-terminated key array passed to
    pva_cfg_known_keys() (top_keys, service_keys, smtp_keys, each provider
    type's keys, route_keys, ...), macros such as PVA_HTTP_COMMON_KEYS
    expanded;
  * secrets file keys: pva_http_cfg_secret(..., "KEY") and
    pva_secrets_get(..., "GROUP", "KEY");
  * provider types: `.type = "NAME"` in delivery/;
  * privauthctl verbs: strcmp(argv[0], "VERB") in cli/ (the dispatch),
    sub-verbs strcmp(argv[1], "SUB"), the commands of usage(), every
    "--option" string and the getopt long options;
  * module arguments: strcmp/strncmp of argv[i] (or arg) in pam/;
  * entry points: the global symbols of pam/pam_privauth.map.

and checks them against the pages, rendered by groff (bold text is read
from grotty's overstrike output, so any way of writing bold counts):
  * a configuration key must be the first bold word of a .TP tag in
    privauth.conf.5 (an entry of its own);
  * a module argument must be the first bold word of a .TP tag in
    pam_privauth.8;
  * everything else must appear in bold in its page.

Usage: doccheck.py SRC_DIR MAN_DIR [--list]
Prints one "missing: ..." line per problem and exits 1 when there is any;
--list prints what was extracted instead (one "kind: value" per line).
"""
import glob
import os
import re
import subprocess
import sys


class ExtractError(Exception):
    pass


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def strip_comments(text):
    """Remove C comments, leaving string and character literals alone
    ("https://..." is not a comment)."""
    tok = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|/\*.*?\*/|//[^\n]*',
                     flags=re.S)

    def repl(m):
        s = m.group(0)
        if s.startswith("/*"):
            return " " + "\n" * s.count("\n")
        if s.startswith("//"):
            return " "
        return s
    return tok.sub(repl, text)


def c_files(src, *subdirs):
    out = []
    for d in subdirs:
        out += sorted(glob.glob(os.path.join(src, d, "*.c")))
        out += sorted(glob.glob(os.path.join(src, d, "*.h")))
    return out


STR = r'"((?:[^"\\]|\\.)*)"'


def string_macros(files):
    """#define NAME "a", "b", ... (string literals only) -> [a, b, ...]."""
    macros = {}
    for path in files:
        text = strip_comments(read(path)).replace("\\\n", " ")
        for m in re.finditer(r"^[ \t]*#[ \t]*define[ \t]+([A-Z_][A-Z0-9_]*)[ \t]+(.*)$",
                             text, flags=re.M):
            body = m.group(2).strip()
            if not body.startswith('"'):
                continue
            parts = [p.strip() for p in body.split(",")]
            if parts and all(re.fullmatch(STR, p) for p in parts):
                macros[m.group(1)] = [re.fullmatch(STR, p).group(1) for p in parts]
    return macros


def config_keys(src):
    """{array name: [keys]} for every array given to pva_cfg_known_keys()."""
    files = c_files(src, "core", "delivery", "otp", "store", "policy", "privacy")
    macros = string_macros(files)
    arrays = {}
    for path in files:
        if not path.endswith(".c"):
            continue
        text = strip_comments(read(path))
        used = set(re.findall(r"pva_cfg_known_keys\s*\([^;]*?,\s*([A-Za-z_]\w*)\s*\)",
                              text))
        for name in sorted(used):
            m = re.search(r"\b" + re.escape(name) + r"\s*\[\s*\]\s*=\s*\{(.*?)\}\s*;",
                          text, flags=re.S)
            if m is None:
                raise ExtractError("%s: no initializer for key array %s"
                                   % (os.path.relpath(path, src), name))
            keys = []
            for item in [i.strip() for i in m.group(1).split(",")]:
                if item in ("", "NULL"):
                    continue
                sm = re.fullmatch(STR, item)
                if sm:
                    keys.append(sm.group(1))
                elif item in macros:
                    keys += macros[item]
                else:
                    raise ExtractError("%s: cannot read %r in key array %s"
                                       % (os.path.relpath(path, src), item, name))
            if not keys:
                raise ExtractError("%s: key array %s is empty"
                                   % (os.path.relpath(path, src), name))
            label = "%s:%s" % (os.path.basename(path), name)
            arrays[label] = keys
    if not arrays:
        raise ExtractError("no pva_cfg_known_keys() key arrays found")
    return arrays


def secret_keys(src):
    keys = set()
    for path in c_files(src, "core", "delivery", "privacy", "otp"):
        text = strip_comments(read(path))
        keys.update(re.findall(r"pva_http_cfg_secret\s*\([^;\"]*?" + STR, text))
        for _grp, key in re.findall(r"pva_secrets_get\s*\([^;\"]*?" + STR + r"\s*,\s*"
                                    + STR, text):
            keys.add(key)
    return sorted(keys)


def provider_types(src):
    types = set()
    for path in c_files(src, "delivery"):
        types.update(re.findall(r"\.type\s*=\s*" + STR, strip_comments(read(path))))
    if not types:
        raise ExtractError("no provider types (.type = \"...\") found in delivery/")
    return sorted(types)


def c_unescape(s):
    return bytes(s, "utf-8").decode("unicode_escape")


def usage_text(src):
    text = read(os.path.join(src, "cli", "privauthctl.c"))
    m = re.search(r"\busage\s*\([^)]*\)\s*\{(.*?)\n\}", text, flags=re.S)
    if m is None:
        raise ExtractError("cli/privauthctl.c: no usage() function")
    return "".join(c_unescape(s) for s in re.findall(STR, m.group(1)))


def cli_items(src):
    """(verbs, sub-verbs, usage commands, options)."""
    verbs, subs, options = set(), set(), set()
    for path in c_files(src, "cli"):
        text = strip_comments(read(path))
        verbs.update(re.findall(r"strcmp\s*\(\s*argv\s*\[\s*0\s*\]\s*,\s*" + STR, text))
        subs.update(re.findall(r"strcmp\s*\(\s*argv\s*\[\s*1\s*\]\s*,\s*" + STR, text))
        options.update(s for s in re.findall(STR, text) if re.fullmatch(r"--[a-z][a-z-]*", s))
        for name in re.findall(r"\{\s*" + STR + r"\s*,\s*(?:no|required|optional)_argument",
                               text):
            options.add("--" + name)
    subs -= {s for s in subs if s.startswith("-")}
    if not verbs:
        raise ExtractError("cli/: no dispatch lines strcmp(argv[0], \"...\")")
    usage = usage_text(src)
    commands = set()
    for line in usage.splitlines():
        m = re.match(r"^  ([a-z][a-z0-9-]*(?: [a-z][a-z0-9-]*)*)(?=\s|$)", line)
        if m:
            commands.add(m.group(1))
    options.update(re.findall(r"--[a-z][a-z-]*", usage))
    if not commands:
        raise ExtractError("cli/privauthctl.c: no commands in usage()")
    return sorted(verbs), sorted(subs), sorted(commands), sorted(options)


def module_args(src):
    args = set()
    for path in c_files(src, "pam"):
        text = strip_comments(read(path))
        args.update(re.findall(r"strn?cmp\s*\(\s*(?:argv\s*\[\s*\w+\s*\]|arg)\s*,\s*" + STR,
                               text))
    if not args:
        raise ExtractError("pam/: no module arguments (strcmp(argv[i], ...)) found")
    return sorted(args)


def entry_points(src):
    text = read(os.path.join(src, "pam", "pam_privauth.map"))
    m = re.search(r"global\s*:(.*?)local\s*:", text, flags=re.S)
    if m is None:
        raise ExtractError("pam/pam_privauth.map: no global: section")
    syms = re.findall(r"\b(pam_sm_\w+)\s*;", m.group(1))
    if not syms:
        raise ExtractError("pam/pam_privauth.map: no pam_sm_* symbols")
    return sorted(syms)


# ---- the pages ----

def render(page):
    """Rendered text of page as a list of (char, bold) per line."""
    env = dict(os.environ, LC_ALL="C.UTF-8", GROFF_NO_SGR="1")
    out = subprocess.run(["groff", "-k", "-man", "-Tutf8", "-P-c", "-rLL=250n",
                          "-rHY=0", page], capture_output=True, env=env, check=True)
    lines = []
    for raw in out.stdout.decode("utf-8", "replace").split("\n"):
        cells, i = [], 0
        while i < len(raw):
            group = [raw[i]]
            i += 1
            while i + 1 < len(raw) + 1 and i < len(raw) and raw[i] == "\b":
                group.append(raw[i + 1] if i + 1 < len(raw) else "")
                i += 2
            chars = [c for c in group if c]
            visible = [c for c in chars if c != "_"] or chars
            ch = visible[-1]
            bold = visible.count(ch) >= 2
            cells.append((ch, bold))
        lines.append(cells)
    return lines


def bold_phrases(lines):
    """Runs of bold text; blanks between two bold runs join them."""
    phrases, cur, gap = [], "", ""
    for cells in lines:
        for ch, bold in cells + [(" ", False)]:
            if bold:
                cur += gap + ch if cur else ch
                gap = ""
            elif ch.isspace() and cur:
                gap = " "
            else:
                if cur:
                    phrases.append(cur)
                cur, gap = "", ""
    if cur:
        phrases.append(cur)
    return [re.sub(r"\s+", " ", p).strip() for p in phrases]


def tp_tags(page):
    """First bold word of every .TP tag in the roff source."""
    tags = set()
    lines = read(page).splitlines()
    for i, line in enumerate(lines[:-1]):
        if not re.match(r"^\.TP\b", line):
            continue
        tag = lines[i + 1]
        m = (re.match(r'^\.(?:B|BR|BI)\s+"?((?:\\-|[A-Za-z0-9_.=-])+)', tag) or
             re.match(r"^\\fB((?:\\-|[A-Za-z0-9_.=-])+)", tag))
        if m:
            tags.add(m.group(1).replace("\\-", "-"))
    return tags


def words(phrases):
    out = set()
    for p in phrases:
        out.update(w for w in re.split(r"[^A-Za-z0-9_-]+", p) if w)
        out.update(w for w in re.findall(r"--[a-z][a-z-]*", p))
    return out


def check(src, man):
    missing = []
    pages = {n: os.path.join(man, n) for n in
             ("privauth.conf.5", "pam_privauth.8", "privauthctl.8")}
    for n, p in pages.items():
        if not os.path.isfile(p):
            missing.append("page %s" % n)
    if missing:
        return missing
    conf_bold = bold_phrases(render(pages["privauth.conf.5"]))
    conf_words = words(conf_bold)
    conf_tags = tp_tags(pages["privauth.conf.5"])
    for label, keys in sorted(config_keys(src).items()):
        for k in keys:
            if k not in conf_tags:
                missing.append("privauth.conf.5: key %s (%s) has no .TP entry" % (k, label))
    for k in secret_keys(src):
        if k not in conf_words:
            missing.append("privauth.conf.5: secrets file key %s is not in bold" % k)
    for t in provider_types(src):
        if t not in conf_words:
            missing.append("privauth.conf.5: provider type %s is not in bold" % t)

    ctl_bold = bold_phrases(render(pages["privauthctl.8"]))
    ctl_words = words(ctl_bold)
    verbs, subs, commands, options = cli_items(src)
    for v in verbs:
        if v not in ctl_words:
            missing.append("privauthctl.8: verb %s is not in bold" % v)
    for s in subs:
        if not any(re.search(r"(^| )(%s) %s($| )" % ("|".join(map(re.escape, verbs)),
                                                      re.escape(s)), p) for p in ctl_bold):
            missing.append("privauthctl.8: sub-command \"VERB %s\" is not in bold" % s)
    for c in commands:
        if not any(re.search(r"(^| )%s($| )" % re.escape(c), p) for p in ctl_bold):
            missing.append("privauthctl.8: command \"%s\" of usage() is not in bold" % c)
    for o in options:
        if o not in ctl_words:
            missing.append("privauthctl.8: option %s is not in bold" % o)

    mod_bold = bold_phrases(render(pages["pam_privauth.8"]))
    mod_words = words(mod_bold)
    mod_tags = tp_tags(pages["pam_privauth.8"])
    for a in module_args(src):
        if a not in mod_tags and a.rstrip("=") + "=" not in mod_tags:
            missing.append("pam_privauth.8: module argument %s has no .TP entry" % a)
    for e in entry_points(src):
        if e not in mod_words:
            missing.append("pam_privauth.8: entry point %s is not in bold" % e)
    return missing


def listing(src):
    for label, keys in sorted(config_keys(src).items()):
        for k in keys:
            print("key: %s %s" % (label, k))
    for k in secret_keys(src):
        print("secret: %s" % k)
    for t in provider_types(src):
        print("provider-type: %s" % t)
    verbs, subs, commands, options = cli_items(src)
    for v in verbs:
        print("verb: %s" % v)
    for s in subs:
        print("sub-verb: %s" % s)
    for c in commands:
        print("usage-command: %s" % c)
    for o in options:
        print("option: %s" % o)
    for a in module_args(src):
        print("module-arg: %s" % a)
    for e in entry_points(src):
        print("entry-point: %s" % e)


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().split("\n\n")[-1], file=sys.stderr)
        return 2
    src, man = argv[1], argv[2]
    try:
        if "--list" in argv[3:]:
            listing(src)
            return 0
        missing = check(src, man)
    except ExtractError as e:
        print("extract: %s" % e)
        return 3
    for m in missing:
        print("missing: %s" % m)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
