/* test_dialogue.c - the password-change dialogue with a scripted io. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/dialogue.h"

#define MAXMSG 16
#define STRONG "Gx7vTq2-Lmb9-Rwz4"
#define STRONG2 "Hp4wNc8-Zdk3-Vys6"
#define WEAK "password"

struct script {
	const char *answers[MAXMSG]; /* NULL entry: the conversation fails */
	size_t n_answers, next;
	char prompts[MAXMSG][64];
	size_t n_prompts;
	char errors[MAXMSG][PVA_PW_REASON_LEN + 32];
	size_t n_errors;
	char log[MAXMSG][PVA_LOG_LINE_MAX];
	size_t n_log;
};

static enum pva_rc s_prompt(void *ud, const char *text, char **answer)
{
	struct script *s = ud;

	*answer = NULL;
	if (s->n_prompts < MAXMSG)
		snprintf(s->prompts[s->n_prompts++], 64, "%s", text);
	if (s->next >= s->n_answers || s->answers[s->next] == NULL)
		return PVA_ERR_CONV;
	*answer = strdup(s->answers[s->next++]);
	return *answer ? PVA_OK : PVA_ERR_NOMEM;
}

static void s_error(void *ud, const char *text)
{
	struct script *s = ud;

	if (s->n_errors < MAXMSG)
		snprintf(s->errors[s->n_errors++], sizeof(s->errors[0]), "%s", text);
}

static void s_emit(void *ud, int prio, const char *line)
{
	struct script *s = ud;

	(void)prio;
	if (s->n_log < MAXMSG)
		snprintf(s->log[s->n_log++], PVA_LOG_LINE_MAX, "%s", line);
}

struct fx {
	struct script sc;
	struct pva_policy pol;
	struct pva_pw_ctx ctx;
	struct pva_chauthtok req;
	struct pva_io io;
	struct pva_log lg;
	char *tok;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	pva_policy_defaults(&f->pol, PVA_PRESET_DEFAULT);
	f->pol.blocklist = 0; /* no blocklist handle in these tests */
	f->ctx.user = "alice";
	f->ctx.gecos = "Alice Liddell";
	f->ctx.service = "passwd";
	f->req.policy = &f->pol;
	f->req.ctx = &f->ctx;
	f->req.source = PVA_TOK_PROMPT;
	f->io.prompt = s_prompt;
	f->io.error = s_error;
	f->io.ud = &f->sc;
	f->lg.emit = s_emit;
	f->lg.ud = &f->sc;
	f->lg.debug = 1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	free(f->tok);
	free(f);
	return 0;
}

static void answers(struct fx *f, size_t n, ...)
{
	va_list ap;
	size_t i;

	va_start(ap, n);
	for (i = 0; i < n && i < MAXMSG; i++)
		f->sc.answers[i] = va_arg(ap, const char *);
	va_end(ap);
	f->sc.n_answers = n;
}

static enum pva_rc run(struct fx *f)
{
	return pva_dialogue_chauthtok(&f->req, &f->io, &f->lg, &f->tok);
}

static int errors_have(const struct fx *f, const char *what)
{
	size_t i;

	for (i = 0; i < f->sc.n_errors; i++)
		if (strstr(f->sc.errors[i], what) != NULL)
			return 1;
	return 0;
}

static int log_has(const struct fx *f, const char *what)
{
	size_t i;

	for (i = 0; i < f->sc.n_log; i++)
		if (strstr(f->sc.log[i], what) != NULL)
			return 1;
	return 0;
}

static void test_strong_first_time(void **state)
{
	struct fx *f = *state;

	answers(f, 2, STRONG, STRONG);
	assert_int_equal(run(f), PVA_OK);
	assert_string_equal(f->tok, STRONG);
	assert_int_equal(f->sc.n_prompts, 2);
	assert_string_equal(f->sc.prompts[0], "New password: ");
	assert_string_equal(f->sc.prompts[1], "Retype new password: ");
	assert_int_equal(f->sc.n_errors, 0);
	assert_true(log_has(f, "event=password_accepted"));
	assert_true(log_has(f, "user=alice"));
}

static void test_weak_explained_then_strong(void **state)
{
	struct fx *f = *state;
	struct pva_pw_verdict v;

	assert_int_equal(pva_policy_check(&f->pol, NULL, WEAK, &f->ctx, &v), PVA_OK);
	assert_true(v.n > 0);
	answers(f, 3, WEAK, STRONG, STRONG);
	assert_int_equal(run(f), PVA_OK);
	assert_string_equal(f->tok, STRONG);
	assert_int_equal(f->sc.n_prompts, 3);
	/* every reason of the verdict is shown, in order, as it is */
	assert_int_equal(f->sc.n_errors, v.n);
	for (size_t i = 0; i < v.n; i++)
		assert_string_equal(f->sc.errors[i], v.text[i]);
	assert_true(log_has(f, "event=password_refused"));
	assert_true(log_has(f, "reasons="));
}

static void test_log_never_holds_password(void **state)
{
	struct fx *f = *state;
	size_t i;

	answers(f, 5, "lettuce1", STRONG, STRONG2, STRONG, STRONG2);
	assert_int_equal(run(f), PVA_MAXTRIES);
	assert_true(f->sc.n_log > 0);
	for (i = 0; i < f->sc.n_log; i++) {
		assert_null(strstr(f->sc.log[i], "lettuce"));
		assert_null(strstr(f->sc.log[i], STRONG));
		assert_null(strstr(f->sc.log[i], STRONG2));
	}
}

static void test_mismatch_then_match(void **state)
{
	struct fx *f = *state;

	answers(f, 4, STRONG, STRONG2, STRONG, STRONG);
	assert_int_equal(run(f), PVA_OK);
	assert_string_equal(f->tok, STRONG);
	assert_true(errors_have(f, "do not match"));
	assert_int_equal(f->sc.n_prompts, 4);
}

static void test_mismatch_prefix_is_mismatch(void **state)
{
	struct fx *f = *state;

	f->pol.retry = 1;
	answers(f, 2, STRONG, STRONG "x");
	assert_int_equal(run(f), PVA_MAXTRIES);
	assert_null(f->tok);
	assert_true(errors_have(f, "do not match"));
}

static void test_retries_exhausted(void **state)
{
	struct fx *f = *state;

	f->pol.retry = 2;
	answers(f, 4, WEAK, WEAK, STRONG, STRONG);
	assert_int_equal(run(f), PVA_MAXTRIES);
	assert_null(f->tok);
	assert_int_equal(f->sc.n_prompts, 2);
	assert_string_equal(f->sc.errors[f->sc.n_errors - 1],
			    "Too many tries: the password was not changed.");
}

static void test_empty_counts_as_try(void **state)
{
	struct fx *f = *state;

	f->pol.retry = 2;
	answers(f, 3, "", STRONG, STRONG);
	assert_int_equal(run(f), PVA_OK);
	assert_true(errors_have(f, "No password was entered."));
	f->sc = (struct script){ 0 };
	free(f->tok);
	f->tok = NULL;
	f->pol.warn_only = 1; /* never accepted, even when only warning */
	answers(f, 2, "", "");
	assert_int_equal(run(f), PVA_MAXTRIES);
}

static void test_root_warned_not_enforced(void **state)
{
	struct fx *f = *state;

	f->req.caller_is_root = 1;
	f->pol.enforce_for_root = 0;
	answers(f, 2, WEAK, WEAK);
	assert_int_equal(run(f), PVA_OK);
	assert_string_equal(f->tok, WEAK);
	assert_true(f->sc.n_errors >= 2);
	assert_memory_equal(f->sc.errors[0], "Warning: ", 9);
	assert_true(errors_have(f, "You are root"));
	assert_true(log_has(f, "event=password_weak_accepted"));
}

static void test_root_enforced(void **state)
{
	struct fx *f = *state;

	f->req.caller_is_root = 1;
	f->pol.enforce_for_root = 1;
	f->pol.retry = 1;
	answers(f, 2, WEAK, WEAK);
	assert_int_equal(run(f), PVA_MAXTRIES);
	assert_null(f->tok);
	assert_false(errors_have(f, "Warning: "));
}

static void test_warn_only(void **state)
{
	struct fx *f = *state;

	f->pol.warn_only = 1;
	answers(f, 2, WEAK, WEAK);
	assert_int_equal(run(f), PVA_OK);
	assert_string_equal(f->tok, WEAK);
	assert_true(errors_have(f, "only warns"));
	/* a mistyped confirmation is still refused */
	free(f->tok);
	f->tok = NULL;
	f->sc = (struct script){ 0 };
	f->pol.retry = 1;
	answers(f, 2, WEAK, STRONG);
	assert_int_equal(run(f), PVA_MAXTRIES);
}

static void test_use_authtok(void **state)
{
	struct fx *f = *state;

	f->req.source = PVA_TOK_USE;
	f->req.authtok = STRONG;
	assert_int_equal(run(f), PVA_OK);
	assert_string_equal(f->tok, STRONG);
	assert_int_equal(f->sc.n_prompts, 0);
	free(f->tok);
	f->tok = NULL;
	f->req.authtok = WEAK;
	assert_int_equal(run(f), PVA_DENIED);
	assert_null(f->tok);
	assert_int_equal(f->sc.n_prompts, 0);
	assert_true(f->sc.n_errors > 0);
	f->req.authtok = NULL;
	assert_int_equal(run(f), PVA_DENIED);
	assert_true(errors_have(f, "previous module"));
	assert_int_equal(f->sc.n_prompts, 0);
}

static void test_try_first_pass(void **state)
{
	struct fx *f = *state;

	f->req.source = PVA_TOK_TRY_FIRST;
	f->req.authtok = WEAK;
	answers(f, 2, STRONG, STRONG);
	assert_int_equal(run(f), PVA_OK);
	assert_string_equal(f->tok, STRONG);
	assert_int_equal(f->sc.n_prompts, 2);
	free(f->tok);
	f->tok = NULL;
	f->sc = (struct script){ 0 };
	f->req.authtok = STRONG2; /* good at once: no prompt, no retype */
	assert_int_equal(run(f), PVA_OK);
	assert_string_equal(f->tok, STRONG2);
	assert_int_equal(f->sc.n_prompts, 0);
	free(f->tok);
	f->tok = NULL;
	f->req.authtok = NULL; /* nothing stacked: plain prompting */
	answers(f, 2, STRONG, STRONG);
	assert_int_equal(run(f), PVA_OK);
	assert_int_equal(f->sc.n_prompts, 2);
}

static void test_conversation_failure(void **state)
{
	struct fx *f = *state;

	answers(f, 1, NULL);
	assert_int_equal(run(f), PVA_ERR_CONV);
	assert_null(f->tok);
	f->sc = (struct script){ 0 };
	answers(f, 2, STRONG, NULL); /* fails at the retype prompt */
	assert_int_equal(run(f), PVA_ERR_CONV);
	assert_null(f->tok);
}

static void test_personal_and_old(void **state)
{
	struct fx *f = *state;

	f->pol.retry = 1;
	answers(f, 2, "Qz8-alice-Vt4w", "Qz8-alice-Vt4w");
	assert_int_equal(run(f), PVA_MAXTRIES);
	f->sc = (struct script){ 0 };
	f->ctx.old_password = STRONG;
	answers(f, 2, "Gx7vTq2-Lmb9-Rwz5", "Gx7vTq2-Lmb9-Rwz5");
	assert_int_equal(run(f), PVA_MAXTRIES);
	f->sc = (struct script){ 0 };
	answers(f, 2, STRONG2, STRONG2);
	assert_int_equal(run(f), PVA_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(x) cmocka_unit_test_setup_teardown(x, setup, teardown)
		T(test_strong_first_time),
		T(test_weak_explained_then_strong),
		T(test_log_never_holds_password),
		T(test_mismatch_then_match),
		T(test_mismatch_prefix_is_mismatch),
		T(test_retries_exhausted),
		T(test_empty_counts_as_try),
		T(test_root_warned_not_enforced),
		T(test_root_enforced),
		T(test_warn_only),
		T(test_use_authtok),
		T(test_try_first_pass),
		T(test_conversation_failure),
		T(test_personal_and_old),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
