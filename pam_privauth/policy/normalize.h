/* normalize.h - the canonical form used for blocklist matching.
 *
 * PAM-free, allocation-free.  tools/mkblocklist.py applies exactly the
 * same steps to every built-in entry, so a lookup compares like with like.
 *
 * Canonical form, byte by byte (bytes >= 0x80 are kept unchanged):
 *   1. ASCII case fold;
 *   2. substitutions undone: @ 4 -> a, 8 -> b, 3 -> e, 6 9 -> g,
 *      1 ! | l -> i, 0 -> o, $ 5 -> s, 7 + -> t, 2 -> z
 *      ('l' and 'i' fold together so "1" matches either);
 *   3. ASCII bytes that are still not letters are stripped at both ends;
 *   4. runs of the same byte collapse to one.
 * The "stripped" variant first removes ASCII digits and symbols at both
 * ends of the raw input ("P@ssw0rd2024!" -> "P@ssw0rd"), then applies the
 * canonical form.
 *
 * SECRET: in and out hold password material; the caller wipes out.
 */
#ifndef PVA_NORMALIZE_H
#define PVA_NORMALIZE_H

#include <stddef.h>

/* Canonical form of in[0..len) into out (outsz >= len + 1, else the
 * result is truncated to outsz - 1 bytes).  Returns the length written;
 * out is always NUL-terminated when outsz > 0. */
size_t pva_norm_canon(const char *in, size_t len, char *out, size_t outsz);

/* Canonical form after stripping raw ASCII digits/symbols at both ends. */
size_t pva_norm_stripped(const char *in, size_t len, char *out, size_t outsz);

/* Reverse buf[0..len) in place. */
void pva_norm_reverse(char *buf, size_t len);

#endif
