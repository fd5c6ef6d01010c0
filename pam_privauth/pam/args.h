/* args.h - what every pam_sm_* entry point shares: module arguments, the
 * user and service, the passwd lookup. */
#ifndef PVA_PAM_ARGS_H
#define PVA_PAM_ARGS_H

#include <stddef.h>

#include <security/pam_modules.h>

#include "policy/dialogue.h"

struct pva_pam_args {
	const char *conf;               /* conf=/abs/path */
	const char *service;            /* service=NAME, or NULL */
	int debug;
	enum pva_tok_source source;     /* use_authtok / try_first_pass (password only) */
};

/* Parse argv; tok_args allows use_authtok and try_first_pass.  An unknown
 * argument is logged and -1 returned: a typo must not weaken a login. */
int pva_pam_args_parse(pam_handle_t *pamh, int argc, const char **argv, int tok_args,
		       struct pva_pam_args *a);

/* The user (non-empty) and the effective service (service= wins over
 * PAM_SERVICE), both borrowed from pamh.  Returns a PAM code. */
int pva_pam_user_service(pam_handle_t *pamh, const struct pva_pam_args *a,
			 const char **user, const char **service);

/* 1 = the account exists, 0 = no such user, -1 = the user database failed.
 * When gecos is not NULL it receives the GECOS field ("" if unknown). */
int pva_pam_getpw(const char *user, char *gecos, size_t gecoslen);

/* The user's language setting: the first of LANGUAGE, LC_ALL, LC_MESSAGES
 * and LANG set in the PAM environment, else in the process environment;
 * NULL when none is.  Borrowed. */
const char *pva_pam_locale(pam_handle_t *pamh);

#endif
