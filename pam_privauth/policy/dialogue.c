/* dialogue.c - ask for a new password, check it, explain, ask again. */
#include "policy/dialogue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* Log names of enum pva_pw_reason, indexed by code. */
static const char *const reason_names[] = {
	"?", "too_short", "too_long", "no_upper", "no_lower", "no_digit",
	"no_other", "few_classes", "repeat", "sequence", "personal",
	"similar_old", "blocklisted", "guessable", "bad_input",
};

#define N_REASON_NAMES (sizeof(reason_names) / sizeof(reason_names[0]))

static void free_secret(char *s)
{
	if (s == NULL)
		return;
	sodium_memzero(s, strlen(s));
	free(s);
}

/* The rules are only advice for root (unless enforce_for_root) and with
 * warn_only. */
static int enforced(const struct pva_chauthtok *req)
{
	if (req->policy->warn_only)
		return 0;
	return !(req->caller_is_root && !req->policy->enforce_for_root);
}

static void log_verdict(const struct pva_chauthtok *req, const struct pva_log *lg,
			const struct pva_pw_verdict *v, int enforce)
{
	char codes[PVA_PW_MAX_REASONS * 14] = "";
	size_t i, used = 0;

	for (i = 0; i < v->n && used < sizeof(codes); i++) {
		size_t c = (size_t)v->code[i];
		int w = snprintf(codes + used, sizeof(codes) - used, "%s%s", i ? "," : "",
				 reason_names[c < N_REASON_NAMES ? c : 0]);
		if (w > 0)
			used += (size_t)w;
	}
	pva_log_event(lg, enforce ? LOG_NOTICE : LOG_WARNING,
		      enforce ? "password_refused" : "password_weak_accepted",
		      "user", req->ctx ? req->ctx->user : NULL,
		      "service", req->ctx ? req->ctx->service : NULL,
		      "reasons", codes, (char *)NULL);
}

/* Show the verdict.  1 = the candidate may be used. */
static int judge(const struct pva_chauthtok *req, const struct pva_io *io,
		 const struct pva_log *lg, const struct pva_pw_verdict *v)
{
	char line[PVA_PW_REASON_LEN + 16];
	int enforce = enforced(req);
	size_t i;

	if (v->n == 0)
		return 1;
	for (i = 0; i < v->n; i++) {
		snprintf(line, sizeof(line), "%s%s", enforce ? "" : _("Warning: "), v->text[i]);
		io->error(io->ud, line);
	}
	log_verdict(req, lg, v, enforce);
	if (!enforce)
		io->error(io->ud, req->policy->warn_only ?
			  _("The password policy only warns here: the password is accepted.") :
			  _("You are root: the password is accepted despite the warnings."));
	return !enforce;
}

/* The candidate of this try: the earlier module's token on the first try
 * (use_authtok, try_first_pass), otherwise a prompt. */
static enum pva_rc get_candidate(const struct pva_chauthtok *req, const struct pva_io *io,
				 int first, char **cand, int *stacked)
{
	*cand = NULL;
	*stacked = 0;
	if (first && req->source != PVA_TOK_PROMPT && req->authtok != NULL) {
		*cand = strdup(req->authtok);
		*stacked = 1;
		return *cand ? PVA_OK : PVA_ERR_NOMEM;
	}
	return io->prompt(io->ud, _(PVA_PROMPT_NEW), cand);
}

/* Ask again; *match = 1 when the second entry equals cand. */
static enum pva_rc confirm(const struct pva_io *io, const char *cand, int *match)
{
	char *again = NULL;
	size_t len = strlen(cand);
	enum pva_rc rc;

	*match = 0;
	rc = io->prompt(io->ud, _(PVA_PROMPT_RETYPE), &again);
	if (rc == PVA_OK && again != NULL && strlen(again) == len)
		*match = sodium_memcmp(again, cand, len) == 0;
	free_secret(again);
	return rc;
}

/* One try: PVA_OK with *accepted set, PVA_DENIED to try again, or an error. */
static enum pva_rc one_try(const struct pva_chauthtok *req, const struct pva_io *io,
			   const struct pva_log *lg, int first, char **accepted)
{
	struct pva_pw_verdict v;
	char *cand = NULL;
	int stacked = 0, match = 0;
	enum pva_rc rc;

	memset(&v, 0, sizeof(v));
	rc = get_candidate(req, io, first, &cand, &stacked);
	if (rc != PVA_OK || cand == NULL)
		goto out;
	if (cand[0] == '\0') {
		io->error(io->ud, _("No password was entered."));
		rc = PVA_DENIED;
		goto out;
	}
	rc = pva_policy_check(req->policy, req->bl, cand, req->ctx, &v);
	if (rc != PVA_OK)
		goto out;
	if (!judge(req, io, lg, &v)) {
		rc = PVA_DENIED;
		goto out;
	}
	if (!stacked) {
		rc = confirm(io, cand, &match);
		if (rc != PVA_OK)
			goto out;
		if (!match) {
			io->error(io->ud, _("Sorry, the passwords do not match."));
			rc = PVA_DENIED;
			goto out;
		}
	}
	*accepted = cand;
	cand = NULL;
out:
	if (rc == PVA_OK && *accepted == NULL)
		rc = PVA_ERR_CONV; /* a prompt returned no answer */
	free_secret(cand);
	sodium_memzero(&v, sizeof(v));
	return rc;
}

enum pva_rc pva_dialogue_chauthtok(const struct pva_chauthtok *req,
				   const struct pva_io *io,
				   const struct pva_log *lg,
				   char **newtok)
{
	unsigned tries = req->policy->retry ? req->policy->retry : 1, t;
	enum pva_rc rc = PVA_DENIED;

	*newtok = NULL;
	if (req->source == PVA_TOK_USE && req->authtok == NULL) {
		io->error(io->ud, _("No new password was supplied by the previous module."));
		pva_log_event(lg, LOG_ERR, "password_missing", "user",
			      req->ctx ? req->ctx->user : NULL, (char *)NULL);
		goto out;
	}
	for (t = 0; t < tries; t++) {
		rc = one_try(req, io, lg, t == 0, newtok);
		if (rc != PVA_DENIED || req->source == PVA_TOK_USE)
			goto out;
	}
	rc = PVA_MAXTRIES;
	io->error(io->ud, _("Too many tries: the password was not changed."));
out:
	if (rc == PVA_OK)
		pva_log_event(lg, LOG_INFO, "password_accepted", "user",
			      req->ctx ? req->ctx->user : NULL, "service",
			      req->ctx ? req->ctx->service : NULL, (char *)NULL);
	return rc;
}
