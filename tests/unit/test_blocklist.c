/* test_blocklist.c - built-in front-coded list, admin list, fallbacks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "policy/blocklist.h"
#include "policy/normalize.h"

#define JOHN "/usr/share/john/password.lst"

static int has(const struct pva_blocklist *bl, const char *raw)
{
	char n[300];

	pva_norm_canon(raw, strlen(raw), n, sizeof(n));
	return pva_blocklist_contains(bl, n);
}

static void test_builtin(void **state)
{
	(void)state;
	assert_true(pva_blocklist_builtin_count() > 50000);
	assert_true(has(NULL, "password"));
	assert_true(has(NULL, "dragon"));
	assert_true(has(NULL, "P@ssw0rd"));
	assert_true(has(NULL, "qwerty"));
	assert_true(has(NULL, "smith"));        /* surnames */
	assert_false(has(NULL, "zqxvkjwpfh"));
	assert_false(has(NULL, "correct horse battery staple"));
	assert_false(pva_blocklist_contains(NULL, ""));
	assert_false(pva_blocklist_contains(NULL, NULL));
	/* before the first and after the last entry */
	assert_false(pva_blocklist_contains(NULL, "\x01"));
	assert_false(pva_blocklist_contains(NULL, "\xff\xff\xff\xff"));
}

/* The generator and normalize.c must agree: every john entry's normalised
 * forms of 3+ bytes are found. */
static void test_generator_in_sync(void **state)
{
	char line[512], n[512];
	size_t len, k, checked = 0, missing = 0;
	FILE *fp = fopen(JOHN, "r");

	(void)state;
	if (fp == NULL)
		fail_msg("%s missing: install john-data (make deps)", JOHN);
	while (fgets(line, sizeof(line), fp) != NULL) {
		len = strcspn(line, "\r\n");
		line[len] = '\0';
		if (len == 0 || strncmp(line, "#!comment:", 10) == 0)
			continue;
		for (k = 0; k < 2; k++) {
			size_t m = k == 0 ? pva_norm_canon(line, len, n, sizeof(n))
					  : pva_norm_stripped(line, len, n, sizeof(n));
			if (m < 3)
				continue;
			checked++;
			if (!pva_blocklist_contains(NULL, n)) {
				missing++;
				print_message("# missing: %s -> %s\n", line, n);
			}
		}
	}
	fclose(fp);
	print_message("# %zu normalised john forms checked, %zu missing\n", checked, missing);
	assert_true(checked > 3000);
	assert_int_equal(missing, 0);
}

static char *write_list(char *dir, const char *body, size_t len, mode_t mode)
{
	static char path[300];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/block.txt", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(body, 1, len, fp), len);
	fclose(fp);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static void test_admin_list(void **state)
{
	char dir[] = "/tmp/pva_bl_XXXXXX", warn[256];
	static const char body[] = "# local words\nAcmeCorp\n\n  \nW1dg3tc0\r\nzz\n";
	struct pva_blocklist *bl = NULL;
	char *path;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = write_list(dir, body, sizeof(body) - 1, 0644);
	assert_int_equal(pva_blocklist_open(path, &bl, warn, sizeof(warn)), PVA_OK);
	assert_string_equal(warn, "");
	assert_true(pva_blocklist_admin_count(bl) >= 2);
	assert_true(has(bl, "acmecorp"));
	assert_true(has(bl, "ACMEC0RP"));
	assert_true(has(bl, "widgetco"));
	assert_false(has(NULL, "acmecorp"));
	assert_true(has(bl, "password"));       /* built-in still there */
	assert_false(has(bl, "zz"));             /* under 3 bytes: not listed */
	pva_blocklist_free(bl);
	unlink(path);
	rmdir(dir);
}

static void expect_fallback(const char *path, const char *why)
{
	char warn[256];
	struct pva_blocklist *bl = NULL;

	assert_int_equal(pva_blocklist_open(path, &bl, warn, sizeof(warn)), PVA_OK);
	assert_non_null(bl);
	if (strstr(warn, "built-in list still applies") == NULL)
		fail_msg("%s: no warning (\"%s\")", why, warn);
	assert_int_equal(pva_blocklist_admin_count(bl), 0);
	assert_true(has(bl, "password"));
	pva_blocklist_free(bl);
}

static void test_admin_fallbacks(void **state)
{
	char dir[] = "/tmp/pva_bl_XXXXXX";
	static const char body[] = "acmecorp\n";
	static const char nul[] = "acme\0corp\n";
	char *path;
	struct pva_blocklist *bl = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	expect_fallback("/nonexistent/pva/block.txt", "missing");
	path = write_list(dir, body, sizeof(body) - 1, 0664);
	expect_fallback(path, "group-writable");
	path = write_list(dir, body, sizeof(body) - 1, 0646);
	expect_fallback(path, "world-writable");
	path = write_list(dir, nul, sizeof(nul) - 1, 0644);
	expect_fallback(path, "NUL byte");
	/* no admin file at all: no warning */
	assert_int_equal(pva_blocklist_open("", &bl, NULL, 0), PVA_OK);
	assert_int_equal(pva_blocklist_admin_count(bl), 0);
	pva_blocklist_free(bl);
	pva_blocklist_free(NULL);
	unlink(path);
	rmdir(dir);
}

static void test_lookup_cost(void **state)
{
	static const char *const words[] = { "pasword", "dragon", "zqxvkjwpfh",
		"troubador", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "smith" };
	struct timespec a, b;
	size_t i, hits = 0, n = 600000;
	double ns;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++)
		hits += (size_t)pva_blocklist_contains(NULL, words[i % 6]);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ns = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / (double)n;
	print_message("# blocklist: %zu entries, %zu bytes, %zu blocks; %.0f ns per lookup\n",
		      pva_bl_count, pva_bl_blob_len, pva_bl_nblocks, ns);
	assert_int_equal(hits, n / 2);
	assert_true(ns < 20000.0); /* generous: catches a linear scan, not noise */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin),
		cmocka_unit_test(test_generator_in_sync),
		cmocka_unit_test(test_admin_list),
		cmocka_unit_test(test_admin_fallbacks),
		cmocka_unit_test(test_lookup_cost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
