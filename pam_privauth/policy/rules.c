/* rules.c - the password policy engine (see policy.h).
 *
 * Every check is bounded: input is at most PVA_PW_INPUT_MAX bytes, the
 * sequence scan is linear per keyboard line, the old-password distance is
 * a two-row Levenshtein over at most 256 x 256 bytes, and the blocklist is
 * asked a fixed, small number of times.  Scratch copies of the password
 * live on the stack and are wiped with sodium_memzero before return.
 */
#define _GNU_SOURCE /* memmem */
#include "policy/policy.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/i18n.h"
#include "policy/blocklist.h"
#include "policy/normalize.h"
#include "policy/zxcvbn.h"

#define BUF (PVA_PW_INPUT_MAX + 1)
#define TOKEN_MAX 64
#define COMPOUND_MAX 20   /* normalised length up to which word pairs are tried */
#define MIN_WORD 4        /* each half of a word pair */
#define MIN_LISTED 3      /* shortest canonical form looked up whole */
#define CUT_LEAD 4        /* raw edge characters tried off the start ... */
#define CUT_TRAIL 8       /* ... and off the end by the blocklist check */

struct scratch {
	char fold[BUF];       /* ASCII lower case */
	char rfold[BUF];      /* fold, reversed */
	char norm[BUF];       /* canonical form */
	char rnorm[BUF];      /* norm, reversed */
	size_t nlen;          /* length of norm */
	char tmp[BUF];
	char pair[BUF];
	size_t len;
};

static const char *const seq_lines[] = {
	"abcdefghijklmnopqrstuvwxyz", "0123456789", "1234567890",
	"qwertyuiop", "asdfghjkl", "zxcvbnm",
	"1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/", /* down the columns */
	"qazwsxedcrfvtgbyhnujmik,ol.p;/",
};

static void add(struct pva_pw_verdict *v, enum pva_pw_reason code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add(struct pva_pw_verdict *v, enum pva_pw_reason code, const char *fmt, ...)
{
	va_list ap;

	if (v->n >= PVA_PW_MAX_REASONS)
		return;
	v->code[v->n] = code;
	va_start(ap, fmt);
	vsnprintf(v->text[v->n], PVA_PW_REASON_LEN, fmt, ap);
	va_end(ap);
	v->n++;
}

void pva_policy_defaults(struct pva_policy *p, enum pva_pw_preset preset)
{
	memset(p, 0, sizeof(*p));
	p->preset = preset;
	p->min_length = 12;
	p->max_length = 128;
	p->min_classes = 3;
	p->require_upper = 1;
	p->require_lower = 1;
	p->require_digit = 1;
	p->max_repeat = 3;
	p->max_sequence = 4;
	p->check_user = 1;
	p->min_old_diff = 5;
	p->blocklist = 1;
	p->retry = 3;
	if (preset == PVA_PRESET_NIST) {
		/* NIST SP 800-63B 5.1.1.2: length and a blocklist, no composition
		 * rules; it also names repetitive and sequential characters
		 * ("aaaaaa", "1234abcd") among what to refuse, so those checks
		 * stay on (no English word trips them: see the quality test). */
		p->min_length = 15;
		p->min_classes = 0;
		p->require_upper = p->require_lower = p->require_digit = 0;
	}
}

/* Length of the UTF-8 sequence at s (n bytes left), 0 if invalid or a
 * control character (C0, DEL, C1). */
static size_t utf8_char(const unsigned char *s, size_t n)
{
	unsigned cp;
	size_t k, need;

	if (s[0] < 0x20 || s[0] == 0x7f)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4, cp = s[0] & 0x07u;
	else
		return 0;
	if (need > n)
		return 0;
	for (k = 1; k < need; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3fu);
	}
	if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff || cp < 0xa0)
		return 0;
	return need;
}

/* Code points in pw, or 0 with *ok = 0 on invalid input. */
static size_t count_chars(const char *pw, size_t len, int *ok)
{
	size_t i = 0, n = 0, k;

	*ok = 1;
	while (i < len) {
		k = utf8_char((const unsigned char *)pw + i, len - i);
		if (k == 0) {
			*ok = 0;
			return 0;
		}
		i += k;
		n++;
	}
	return n;
}

static void check_length(const struct pva_policy *p, size_t nchars,
			 struct pva_pw_verdict *v)
{
	if (nchars < p->min_length)
		add(v, PVA_PW_TOO_SHORT, _("It is too short: use at least %u characters "
		    "(a few unrelated words make a long password easy to remember)."),
		    p->min_length);
	if (p->max_length > 0 && nchars > p->max_length)
		add(v, PVA_PW_TOO_LONG, _("It is too long: use at most %u characters."),
		    p->max_length);
}

static void check_classes(const struct pva_policy *p, const char *pw, size_t len,
			  struct pva_pw_verdict *v)
{
	int up = 0, lo = 0, dig = 0, oth = 0;
	size_t i, before = v->n;
	unsigned n;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)pw[i];

		if (c >= 'A' && c <= 'Z')
			up = 1;
		else if (c >= 'a' && c <= 'z')
			lo = 1;
		else if (c >= '0' && c <= '9')
			dig = 1;
		else
			oth = 1;
	}
	if (p->require_upper && !up)
		add(v, PVA_PW_NO_UPPER, _("It has no upper-case letter: add one (A-Z)."));
	if (p->require_lower && !lo)
		add(v, PVA_PW_NO_LOWER, _("It has no lower-case letter: add one (a-z)."));
	if (p->require_digit && !dig)
		add(v, PVA_PW_NO_DIGIT, _("It has no digit: add one (0-9)."));
	if (p->require_other && !oth)
		add(v, PVA_PW_NO_OTHER, _("It has no symbol: add one, such as - _ ! or a space."));
	n = (unsigned)(up + lo + dig + oth);
	if (v->n == before && n < p->min_classes)
		add(v, PVA_PW_FEW_CLASSES, _("It mixes too few kinds of characters: use at "
		    "least %u of upper case, lower case, digits and symbols."), p->min_classes);
}

/* Same code point more than max_repeat times in a row (UTF-8 aware by
 * comparing whole sequences). */
static void check_repeat(const struct pva_policy *p, const char *pw, size_t len,
			 struct pva_pw_verdict *v)
{
	size_t i = 0, k, prev = 0, prevk = 0;
	unsigned run = 0;

	if (p->max_repeat == 0)
		return;
	while (i < len) {
		k = utf8_char((const unsigned char *)pw + i, len - i);
		if (k == 0)
			return;
		if (run > 0 && k == prevk && memcmp(pw + i, pw + prev, k) == 0)
			run++;
		else
			run = 1;
		if (run > p->max_repeat) {
			add(v, PVA_PW_REPEAT, _("It repeats the same character more than %u "
			    "times in a row: break up the run."), p->max_repeat);
			return;
		}
		prev = i;
		prevk = k;
		i += k;
	}
}

/* Longest run in f along line, stepping +1 or -1 consistently. */
static size_t line_run(const char *f, size_t len, const char *line)
{
	signed char pos[256];
	size_t i, best = len > 0 ? 1 : 0, up = 1, down = 1;
	int a, b;

	memset(pos, -1, sizeof(pos));
	for (i = 0; line[i] != '\0'; i++)
		pos[(unsigned char)line[i]] = (signed char)i;
	for (i = 1; i < len; i++) {
		a = pos[(unsigned char)f[i - 1]];
		b = pos[(unsigned char)f[i]];
		up = (a >= 0 && b == a + 1) ? up + 1 : 1;
		down = (a >= 0 && b >= 0 && b == a - 1) ? down + 1 : 1;
		if (up > best)
			best = up;
		if (down > best)
			best = down;
	}
	return best;
}

static void check_sequence(const struct pva_policy *p, const struct scratch *s,
			   struct pva_pw_verdict *v)
{
	size_t i;

	if (p->max_sequence == 0)
		return;
	for (i = 0; i < sizeof(seq_lines) / sizeof(seq_lines[0]); i++) {
		if (line_run(s->fold, s->len, seq_lines[i]) > p->max_sequence) {
			add(v, PVA_PW_SEQUENCE, _("It contains a run of more than %u characters "
			    "in sequence (such as abcde, 54321, qwert or 1qaz2): break it up."),
			    p->max_sequence);
			return;
		}
	}
}

/* needle (len n) in hay or in rhay (both hlen bytes). */
static int has_either(const char *hay, const char *rhay, size_t hlen, const char *needle,
		      size_t n)
{
	return n > 0 && (memmem(hay, hlen, needle, n) != NULL ||
			 memmem(rhay, hlen, needle, n) != NULL);
}

/* One personal token (ASCII letters/digits, >= 3 bytes), raw or leet. */
static int token_hit(const struct scratch *s, const char *tok, size_t n)
{
	char low[TOKEN_MAX], ntok[TOKEN_MAX];
	size_t i, nn;

	for (i = 0; i < n; i++)
		low[i] = (char)((tok[i] >= 'A' && tok[i] <= 'Z') ? tok[i] + 32 : tok[i]);
	if (has_either(s->fold, s->rfold, s->len, low, n))
		return 1;
	nn = pva_norm_canon(low, n, ntok, sizeof(ntok));
	return nn >= 3 && has_either(s->norm, s->rnorm, s->nlen, ntok, nn);
}

/* Split src into alphanumeric tokens of 3..TOKEN_MAX-1 bytes; 1 on a hit. */
static int source_hit(const struct scratch *s, const char *src)
{
	size_t i = 0, j;
	unsigned char c;

	if (src == NULL)
		return 0;
	while (src[i] != '\0') {
		for (j = i; src[j] != '\0'; j++) {
			c = (unsigned char)src[j];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c >= 0x80))
				break;
		}
		if (j - i >= 3 && j - i < TOKEN_MAX && token_hit(s, src + i, j - i))
			return 1;
		i = src[j] != '\0' ? j + 1 : j;
	}
	return 0;
}

static void check_personal(const struct pva_policy *p, const struct pva_pw_ctx *ctx,
			   const struct scratch *s, struct pva_pw_verdict *v)
{
	if (!p->check_user || ctx == NULL)
		return;
	if (source_hit(s, ctx->user))
		add(v, PVA_PW_PERSONAL, _("It contains your user name (perhaps reversed "
		    "or with letters swapped for symbols): leave it out."));
	if (source_hit(s, ctx->gecos))
		add(v, PVA_PW_PERSONAL, _("It contains a word of your full name or other "
		    "account details: leave personal words out."));
	if (source_hit(s, ctx->host))
		add(v, PVA_PW_PERSONAL, _("It contains the host name: leave it out."));
	if (source_hit(s, ctx->service))
		add(v, PVA_PW_PERSONAL, _("It contains the service name: leave it out."));
}

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

/* 1 when the edit distance of a and b is below k: Levenshtein restricted
 * to the band |i - j| < k with values capped at k, so the cost is
 * O(alen * k) for inputs of at most PVA_PW_INPUT_MAX bytes. */
static int within_distance(const char *a, size_t alen, const char *b, size_t blen,
			   size_t k)
{
	unsigned short row[2][BUF];
	size_t i, j, lo, hi, cur = 0, best;

	if (k > PVA_PW_INPUT_MAX + 1)
		k = PVA_PW_INPUT_MAX + 1; /* every distance is below it */
	if (k == 0 || (alen > blen ? alen - blen : blen - alen) >= k)
		return 0;
	for (j = 0; j <= blen; j++)
		row[0][j] = (unsigned short)(j < k ? j : k);
	for (i = 1; i <= alen; i++) {
		cur = i & 1;
		lo = i > k ? i - k : 1;
		hi = i + k < blen ? i + k : blen;
		row[cur][lo - 1] = (unsigned short)(lo == 1 && i < k ? i : k);
		best = row[cur][lo - 1];
		for (j = lo; j <= hi; j++) {
			row[cur][j] = (unsigned short)min3(min3(row[!cur][j] + 1u,
				row[cur][j - 1] + 1u,
				row[!cur][j - 1] + (a[i - 1] != b[j - 1] ? 1u : 0u)), k, k);
			best = row[cur][j] < best ? row[cur][j] : best;
		}
		if (hi < blen)
			row[cur][hi + 1] = (unsigned short)k;
		if (best >= k)
			return 0;
	}
	return row[alen & 1][blen] < k;
}

static void check_old(const struct pva_policy *p, const struct pva_pw_ctx *ctx,
		      struct scratch *s, struct pva_pw_verdict *v)
{
	size_t olen, i;

	if (p->min_old_diff == 0 || ctx == NULL || ctx->old_password == NULL)
		return;
	olen = strnlen(ctx->old_password, PVA_PW_INPUT_MAX);
	for (i = 0; i < olen; i++) {
		char c = ctx->old_password[i];

		s->tmp[i] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
	}
	if (within_distance(s->fold, s->len, s->tmp, olen, p->min_old_diff))
		add(v, PVA_PW_SIMILAR_OLD, _("It is too similar to the old password: change "
		    "at least %u characters, or better, choose a new one."), p->min_old_diff);
}

/* w (length n, NUL-terminated, modified) or its reverse is listed. */
static int listed_either(const struct pva_blocklist *bl, char *w, size_t n)
{
	int hit;

	if (n < MIN_LISTED)
		return 0;
	hit = pva_blocklist_contains(bl, w);
	pva_norm_reverse(w, n);
	if (!hit)
		hit = pva_blocklist_contains(bl, w);
	pva_norm_reverse(w, n);
	return hit;
}

/* Two listed words back to back ("harrypotter"), each >= MIN_WORD. */
static int listed_pair(const struct pva_blocklist *bl, const char *w, size_t n,
		       char *tmp)
{
	size_t k;
	int hit = 0;

	if (n > COMPOUND_MAX)
		return 0;
	for (k = MIN_WORD; !hit && k + MIN_WORD <= n; k++) {
		memcpy(tmp, w, k);
		tmp[k] = '\0';
		if (pva_blocklist_contains(bl, tmp) && pva_blocklist_contains(bl, w + k))
			hit = 1;
	}
	return hit;
}

/* Raw ASCII digits/symbols at the start (from_end 0) or end of pw. */
static size_t edge_run(const char *pw, size_t len, int from_end)
{
	size_t n = 0;
	unsigned char c;

	while (n < len) {
		c = (unsigned char)pw[from_end ? len - 1 - n : n];
		if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			break;
		n++;
	}
	return n;
}

/* Every cut of up to CUT_LEAD/CUT_TRAIL raw edge digits/symbols, so a
 * look-alike at the edge survives ("Ch@ng3m3" + "123!"): at most
 * (CUT_LEAD + 1) * (CUT_TRAIL + 1) canonical forms, each looked up and
 * reversed. */
static int listed_cuts(const struct pva_blocklist *bl, const char *pw, struct scratch *s)
{
	size_t lead = edge_run(pw, s->len, 0), trail = edge_run(pw, s->len, 1);
	size_t i, j, n;

	if (lead >= s->len)
		return 0;
	lead = lead < CUT_LEAD ? lead : CUT_LEAD;
	trail = trail < CUT_TRAIL ? trail : CUT_TRAIL;
	for (i = 0; i <= lead; i++)
		for (j = 0; j <= trail && i + j < s->len; j++) {
			n = pva_norm_canon(pw + i, s->len - i - j, s->tmp, BUF);
			if (listed_either(bl, s->tmp, n))
				return 1;
		}
	return 0;
}

static void check_blocklist(const struct pva_policy *p, const struct pva_blocklist *bl,
			    const char *pw, struct scratch *s, struct pva_pw_verdict *v)
{
	size_t n;
	int hit;

	if (!p->blocklist)
		return;
	n = pva_norm_stripped(pw, s->len, s->tmp, BUF);
	hit = listed_either(bl, s->tmp, n) || listed_pair(bl, s->tmp, n, s->pair) ||
	      listed_cuts(bl, pw, s);
	/* the whole canonical form too: a password of digits or symbols only
	 * strips to nothing above, but an admin list may name it */
	if (!hit) {
		memcpy(s->tmp, s->norm, s->nlen + 1);
		hit = listed_either(bl, s->tmp, s->nlen);
	}
	if (hit)
		add(v, PVA_PW_BLOCKLISTED, _("It is a common password or word, or a small "
		    "change of one (\"password\" with digits, symbols or look-alike "
		    "letters): choose something else, such as several unrelated words."));
}

/* zxcvbn estimate; skipped (not pretended) when not compiled in. */
static void check_guesses(const struct pva_policy *p, const struct pva_pw_ctx *ctx,
			  const char *pw, struct pva_pw_verdict *v)
{
	const char *words[3] = { NULL, NULL, NULL };
	double g = 0.0;

	if (p->min_guesses_log10 == 0 || !pva_zxcvbn_available())
		return;
	if (ctx != NULL && p->check_user) {
		words[0] = ctx->user;
		words[words[0] != NULL ? 1 : 0] = ctx->gecos;
	}
	if (pva_zxcvbn_log10(pw, words, &g) == PVA_OK && g < (double)p->min_guesses_log10)
		add(v, PVA_PW_GUESSABLE, _("It would be guessed too easily (about 10^%.0f "
		    "guesses, at least 10^%u needed): make it longer and less predictable."),
		    g, p->min_guesses_log10);
}

static void fill_scratch(struct scratch *s, const char *pw, size_t len)
{
	size_t i;

	s->len = len;
	for (i = 0; i < len; i++) {
		char c = pw[i];

		s->fold[i] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
	}
	s->fold[len] = '\0';
	memcpy(s->rfold, s->fold, len + 1);
	pva_norm_reverse(s->rfold, len);
	s->nlen = pva_norm_canon(pw, len, s->norm, BUF);
	memcpy(s->rnorm, s->norm, s->nlen + 1);
	pva_norm_reverse(s->rnorm, s->nlen);
}

enum pva_rc pva_policy_check(const struct pva_policy *p, const struct pva_blocklist *bl,
			     const char *pw, const struct pva_pw_ctx *ctx,
			     struct pva_pw_verdict *v)
{
	struct scratch s;
	size_t len, nchars;
	int ok;

	memset(v, 0, sizeof(*v));
	len = pw == NULL ? PVA_PW_INPUT_MAX + 1 : strnlen(pw, PVA_PW_INPUT_MAX + 1);
	if (len > PVA_PW_INPUT_MAX) {
		add(v, PVA_PW_BAD_INPUT, _("It is longer than %d bytes: use a shorter "
		    "password."), PVA_PW_INPUT_MAX);
		return PVA_OK;
	}
	nchars = count_chars(pw, len, &ok);
	if (!ok) {
		add(v, PVA_PW_BAD_INPUT, _("It contains control characters or invalid "
		    "text: use printable characters only."));
		return PVA_OK;
	}
	fill_scratch(&s, pw, len);
	check_length(p, nchars, v);
	check_classes(p, pw, len, v);
	check_repeat(p, pw, len, v);
	check_sequence(p, &s, v);
	check_personal(p, ctx, &s, v);
	check_old(p, ctx, &s, v);
	check_blocklist(p, bl, pw, &s, v);
	if (v->n == 0) /* zxcvbn is the one costly step: only when all else passed */
		check_guesses(p, ctx, pw, v);
	sodium_memzero(&s, sizeof(s));
	return PVA_OK;
}
