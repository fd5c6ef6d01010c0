/* dialogue.h - the password-change dialogue behind pam_sm_chauthtok.
 *
 * PAM-free: the caller supplies the policy, who the password is for, an
 * I/O vtable (struct pva_io of otp/flow.h: pam/conv.c in the module, a
 * scripted one in tests) and, optionally, a token that an earlier module
 * already collected.  The dialogue asks for the new password, checks it
 * with pva_policy_check, shows every reason it is refused, asks again up
 * to policy->retry times and asks for it a second time to catch typos.
 *
 * When the policy is not enforced (the caller is root and
 * enforce_for_root is off, or warn_only is on) the reasons are shown as
 * warnings and the password is accepted.
 */
#ifndef PVA_DIALOGUE_H
#define PVA_DIALOGUE_H

#include "core/i18n.h"
#include "core/log.h"
#include "core/rc.h"
#include "otp/flow.h"
#include "policy/policy.h"

/* msgids (core/i18n.h): shown translated */
#define PVA_PROMPT_NEW N_("New password: ")
#define PVA_PROMPT_RETYPE N_("Retype new password: ")

/* Where the new password comes from. */
enum pva_tok_source {
	PVA_TOK_PROMPT = 0,    /* ask for it */
	PVA_TOK_USE = 1,       /* use_authtok: only `authtok`, never ask */
	PVA_TOK_TRY_FIRST = 2, /* try_first_pass: `authtok` first, then ask */
};

struct pva_chauthtok {
	const struct pva_policy *policy;
	const struct pva_blocklist *bl;  /* may be NULL */
	const struct pva_pw_ctx *ctx;    /* user, GECOS, host, service, old */
	enum pva_tok_source source;
	const char *authtok;   /* SECRET, borrowed; NULL when none was set */
	int caller_is_root;    /* the real uid of the caller is 0 */
};

/* Run the dialogue.  PVA_OK: *newtok is the accepted password (SECRET,
 * malloc'd: the caller wipes it with sodium_memzero and frees it).
 * PVA_MAXTRIES: every try was refused or mistyped.  PVA_DENIED:
 * use_authtok and the given token was refused (or missing).
 * PVA_ERR_CONV: the conversation failed; PVA_ERR_NOMEM. */
enum pva_rc pva_dialogue_chauthtok(const struct pva_chauthtok *req,
				   const struct pva_io *io,
				   const struct pva_log *lg,
				   char **newtok) PVA_WUR;

#endif
