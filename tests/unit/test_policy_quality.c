/* test_policy_quality.c - the policy against real data (issue 4, item 5).
 *
 * Needs john-data (/usr/share/john/password.lst) and wamerican
 * (/usr/share/dict/words), both in tests/deps.sh.
 *   - every password.lst entry of 8+ characters is refused (default policy);
 *   - mangled common passwords (capitalised, leet, year/digits/symbols
 *     appended or prepended) are refused, and the share refused by the
 *     blocklist alone is reported and must be >= 99%;
 *   - 1,000 random 4-word passphrases (fixed seed) pass the NIST preset
 *     with at most 1% refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/blocklist.h"
#include "policy/policy.h"

#define JOHN "/usr/share/john/password.lst"
#define WORDS "/usr/share/dict/words"
#define MAXW 4096

static const struct pva_pw_ctx ctx = { .user = "jdoe", .gecos = "Jonathan Doe",
	.host = "fileserver", .service = "passwd" };

/* Read john's list into a NULL-terminated array (static storage). */
static size_t load_john(char (*out)[64], size_t max)
{
	char line[256];
	size_t n = 0, len;
	FILE *fp = fopen(JOHN, "r");

	if (fp == NULL)
		fail_msg("%s missing: install john-data (make deps)", JOHN);
	while (n < max && fgets(line, sizeof(line), fp) != NULL) {
		len = strcspn(line, "\r\n");
		line[len] = '\0';
		if (len == 0 || len >= 64 || strncmp(line, "#!comment:", 10) == 0)
			continue;
		memcpy(out[n++], line, len + 1);
	}
	fclose(fp);
	return n;
}

static char john[4000][64];

static void test_john_refused(void **state)
{
	struct pva_policy p, nist;
	struct pva_blocklist *bl = NULL;
	struct pva_pw_verdict v;
	size_t n, i, eight = 0, refused = 0, listed = 0, j;

	(void)state;
	n = load_john(john, 4000);
	assert_true(n > 3000);
	pva_policy_defaults(&p, PVA_PRESET_DEFAULT);
	pva_policy_defaults(&nist, PVA_PRESET_NIST);
	nist.min_length = 1;
	assert_int_equal(pva_blocklist_open(NULL, &bl, NULL, 0), PVA_OK);
	for (i = 0; i < n; i++) {
		if (strlen(john[i]) < 8)
			continue;
		eight++;
		assert_int_equal(pva_policy_check(&p, bl, john[i], &ctx, &v), PVA_OK);
		if (v.n > 0)
			refused++;
		else
			print_message("# accepted: %s\n", john[i]);
		assert_int_equal(pva_policy_check(&nist, bl, john[i], &ctx, &v), PVA_OK);
		for (j = 0; j < v.n; j++)
			if (v.code[j] == PVA_PW_BLOCKLISTED) {
				listed++;
				break;
			}
	}
	pva_blocklist_free(bl);
	print_message("# john 8+: %zu entries, %zu refused (default), %zu by the blocklist\n",
		      eight, refused, listed);
	assert_true(eight > 500);
	assert_int_equal(refused, eight);
}

static void mangle(const char *w, unsigned kind, unsigned year, char *out, size_t outsz)
{
	static const char from[] = "aoesi", to[] = "@03$1";
	char base[64];
	size_t i;
	const char *q;

	i = strnlen(w, sizeof(base) - 1);
	memcpy(base, w, i);
	base[i] = '\0';
	if (kind % 2 == 1)
		for (i = 0; base[i] != '\0'; i++)
			if ((q = strchr(from, base[i])) != NULL)
				base[i] = to[q - from];
	if (kind != 4)
		base[0] = (char)toupper((unsigned char)base[0]);
	switch (kind) {
	case 0: snprintf(out, outsz, "%s%u", base, year); break;
	case 1: snprintf(out, outsz, "%s!", base); break;
	case 2: snprintf(out, outsz, "%s%u!", base, year % 100); break;
	case 3: snprintf(out, outsz, "%s123!", base); break;
	case 4: snprintf(out, outsz, "1%s!!", base); break;
	default: snprintf(out, outsz, "%s#%u", base, year); break;
	}
}

static int has_alpha(const char *s)
{
	for (; *s != '\0'; s++)
		if (isalpha((unsigned char)*s))
			return 1;
	return 0;
}

static void test_mangled_refused(void **state)
{
	struct pva_policy p, nist;
	struct pva_blocklist *bl = NULL;
	struct pva_pw_verdict v;
	char m[96];
	size_t n, i, j, total = 0, refused = 0, listed = 0;
	unsigned k;

	(void)state;
	n = load_john(john, 4000);
	pva_policy_defaults(&p, PVA_PRESET_DEFAULT);
	pva_policy_defaults(&nist, PVA_PRESET_NIST);
	nist.min_length = 1;
	nist.check_user = 0;
	assert_int_equal(pva_blocklist_open(NULL, &bl, NULL, 0), PVA_OK);
	for (i = 0; i < n; i++) {
		if (strlen(john[i]) < 4 || !has_alpha(john[i]))
			continue;
		for (k = 0; k < 2; k++) {
			mangle(john[i], (unsigned)(i + 3 * k) % 6, 1960u + (unsigned)(i % 66),
			       m, sizeof(m));
			total++;
			assert_int_equal(pva_policy_check(&p, bl, m, &ctx, &v), PVA_OK);
			refused += v.n > 0;
			if (v.n == 0)
				print_message("# accepted: %s\n", m);
			assert_int_equal(pva_policy_check(&nist, bl, m, &ctx, &v), PVA_OK);
			for (j = 0; j < v.n && v.code[j] != PVA_PW_BLOCKLISTED; j++)
				;
			if (j < v.n)
				listed++;
			else if (getenv("PVA_QUALITY_VERBOSE") != NULL)
				print_message("# not blocklisted: %s\n", m);
		}
	}
	pva_blocklist_free(bl);
	print_message("# mangled: %zu generated, %zu refused (default), %zu (%.2f%%) by "
		      "the blocklist alone\n", total, refused, listed,
		      100.0 * (double)listed / (double)total);
	assert_true(total > 5000);
	assert_int_equal(refused, total);
	assert_true(listed * 100 >= total * 99);
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static char words[60000][12];

static size_t load_words(void)
{
	char line[128];
	size_t n = 0, len, i;
	FILE *fp = fopen(WORDS, "r");

	if (fp == NULL)
		fail_msg("%s missing: install wamerican (make deps)", WORDS);
	while (n < 60000 && fgets(line, sizeof(line), fp) != NULL) {
		len = strcspn(line, "\n");
		if (len < 4 || len > 8)
			continue;
		for (i = 0; i < len && line[i] >= 'a' && line[i] <= 'z'; i++)
			;
		if (i != len)
			continue;
		memcpy(words[n], line, len);
		words[n++][len] = '\0';
	}
	fclose(fp);
	return n;
}

static void test_passphrases_pass(void **state)
{
	struct pva_policy p;
	struct pva_blocklist *bl = NULL;
	struct pva_pw_verdict v;
	uint64_t seed = 20261127;
	char phrase[64];
	size_t nw, i, refused = 0;

	(void)state;
	nw = load_words();
	assert_true(nw > 10000);
	pva_policy_defaults(&p, PVA_PRESET_NIST);
	assert_int_equal(pva_blocklist_open(NULL, &bl, NULL, 0), PVA_OK);
	for (i = 0; i < 1000; i++) {
		snprintf(phrase, sizeof(phrase), "%s %s %s %s",
			 words[splitmix(&seed) % nw], words[splitmix(&seed) % nw],
			 words[splitmix(&seed) % nw], words[splitmix(&seed) % nw]);
		assert_int_equal(pva_policy_check(&p, bl, phrase, &ctx, &v), PVA_OK);
		if (v.n > 0) {
			refused++;
			print_message("# refused: \"%s\": %s\n", phrase, v.text[0]);
		}
	}
	pva_blocklist_free(bl);
	print_message("# passphrases: %zu words in the list, 1000 phrases, %zu refused\n",
		      nw, refused);
	assert_true(refused <= 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_john_refused),
		cmocka_unit_test(test_mangled_refused),
		cmocka_unit_test(test_passphrases_pass),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
