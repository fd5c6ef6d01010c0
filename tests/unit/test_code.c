/* test_code.c - code generation uniformity, keyed hash, verification. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/hostkey.h"
#include "otp/code.h"

#define SAMPLES 100000
/* chi-square critical value, 9 degrees of freedom, p = 0.0001 */
#define CHI2_CRIT 33.72

static double chi2(const unsigned long counts[10], unsigned long total)
{
	double expect = (double)total / 10.0, x = 0;
	int d;

	for (d = 0; d < 10; d++)
		x += ((double)counts[d] - expect) * ((double)counts[d] - expect) / expect;
	return x;
}

static void test_generate_shape(void **state)
{
	char code[PVA_CODE_MAX + 1];
	size_t len, i;

	(void)state;
	for (len = PVA_CODE_MIN; len <= PVA_CODE_MAX; len++) {
		assert_int_equal(pva_code_generate(len, code, sizeof(code)), PVA_OK);
		assert_int_equal(strlen(code), len);
		for (i = 0; i < len; i++)
			assert_true(code[i] >= '0' && code[i] <= '9');
	}
	assert_int_equal(pva_code_generate(5, code, sizeof(code)), PVA_ERR_INVAL);
	assert_int_equal(pva_code_generate(11, code, sizeof(code)), PVA_ERR_INVAL);
	assert_int_equal(pva_code_generate(8, code, 8), PVA_ERR_INVAL);
}

/* Every digit position, and all positions together, pass a chi-square
 * test of uniformity over 100,000 codes. */
static void test_uniformity(void **state)
{
	static unsigned long pos[6][10], all[10];
	char code[8];
	unsigned long i;
	int p;

	(void)state;
	for (i = 0; i < SAMPLES; i++) {
		assert_int_equal(pva_code_generate(6, code, sizeof(code)), PVA_OK);
		for (p = 0; p < 6; p++) {
			pos[p][code[p] - '0']++;
			all[code[p] - '0']++;
		}
	}
	for (p = 0; p < 6; p++)
		if (chi2(pos[p], SAMPLES) > CHI2_CRIT)
			fail_msg("position %d not uniform: chi2 = %.2f", p, chi2(pos[p], SAMPLES));
	if (chi2(all, SAMPLES * 6) > CHI2_CRIT)
		fail_msg("digits not uniform: chi2 = %.2f", chi2(all, SAMPLES * 6));
}

/* The statistic has the power to see modulo bias (byte % 10) at this size:
 * proof that test_uniformity can fail. */
static void test_uniformity_detects_modulo_bias(void **state)
{
	unsigned long all[10] = { 0 }, i;

	(void)state;
	for (i = 0; i < SAMPLES * 6; i++)
		all[randombytes_uniform(256) % 10]++;
	assert_true(chi2(all, SAMPLES * 6) > CHI2_CRIT);
}

static void test_hash_binding(void **state)
{
	unsigned char raw[PVA_KEY_BYTES], h1[32], h2[32];
	struct pva_hostkey *k1, *k2;

	(void)state;
	randombytes_buf(raw, sizeof(raw));
	assert_int_equal(pva_hostkey_from_bytes(raw, &k1), PVA_OK);
	raw[0] ^= 1;
	assert_int_equal(pva_hostkey_from_bytes(raw, &k2), PVA_OK);
	assert_int_equal(pva_code_hash(k1->code_key, "alice", "sshd", "123456", h1), PVA_OK);
	assert_int_equal(pva_code_hash(k1->code_key, "alice", "sshd", "123456", h2), PVA_OK);
	assert_memory_equal(h1, h2, 32);
	assert_int_equal(pva_code_hash(k1->code_key, "bob", "sshd", "123456", h2), PVA_OK);
	assert_memory_not_equal(h1, h2, 32);
	assert_int_equal(pva_code_hash(k1->code_key, "alice", "login", "123456", h2), PVA_OK);
	assert_memory_not_equal(h1, h2, 32);
	assert_int_equal(pva_code_hash(k1->code_key, "alice", "sshd", "123457", h2), PVA_OK);
	assert_memory_not_equal(h1, h2, 32);
	/* field boundaries: ("alice","sshd") differs from ("alices","shd") */
	assert_int_equal(pva_code_hash(k1->code_key, "alices", "shd", "123456", h2), PVA_OK);
	assert_memory_not_equal(h1, h2, 32);
	assert_int_equal(pva_code_hash(k2->code_key, "alice", "sshd", "123456", h2), PVA_OK);
	assert_memory_not_equal(h1, h2, 32);

	assert_int_equal(pva_code_verify(k1->code_key, "alice", "sshd", "123456", h1), PVA_OK);
	assert_int_equal(pva_code_verify(k1->code_key, "alice", "sshd", "123455", h1), PVA_DENIED);
	assert_int_equal(pva_code_verify(k1->code_key, "alice", "sshd", "", h1), PVA_DENIED);
	assert_int_equal(pva_code_verify(k1->code_key, "alice", "sshd", "1234567", h1), PVA_DENIED);
	assert_int_equal(pva_code_verify(k1->code_key, "alice", "sudo", "123456", h1), PVA_DENIED);
	assert_int_equal(pva_code_verify(k2->code_key, "alice", "sshd", "123456", h1), PVA_DENIED);
	pva_hostkey_free(k1);
	pva_hostkey_free(k2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generate_shape),
		cmocka_unit_test(test_uniformity),
		cmocka_unit_test(test_uniformity_detects_modulo_bias),
		cmocka_unit_test(test_hash_binding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
