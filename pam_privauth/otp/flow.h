/* flow.h - the login dialogue: decide, issue, deliver, prompt, verify.
 *
 * PAM-free: the caller supplies the user's identity and an I/O vtable
 * (pam/conv.c in the module, a scripted one in tests).  The outcome is
 * PVA_OK (authenticated), PVA_DENIED, PVA_MAXTRIES, PVA_UNAVAIL (nothing
 * could be delivered, failmode secure), PVA_IGNORE (out of scope), or an
 * error (config, I/O, corrupt record, conversation), all of which the
 * module turns into a refusal.
 */
#ifndef PVA_FLOW_H
#define PVA_FLOW_H

#include "core/config.h"
#include "core/log.h"

struct pva_io {
	/* Ask with echo off.  *answer is malloc'd; SECRET: the flow wipes and
	 * frees it. */
	enum pva_rc (*prompt)(void *ud, const char *text, char **answer);
	/* Tell the user something went wrong (PAM_ERROR_MSG). */
	void (*error)(void *ud, const char *text);
	void *ud;
};

struct pva_request {
	const char *user;
	const char *service;   /* the settings to use */
	const char *rhost;     /* may be NULL */
	int user_exists;       /* the account exists on this system */
	const char *locale;    /* LANGUAGE/LC_ALL/LC_MESSAGES/LANG of the PAM or
				* process environment, or NULL (core/i18n.h) */
};

enum pva_rc pva_flow_authenticate(const struct pva_config *cfg,
				  const struct pva_request *req,
				  const struct pva_io *io,
				  const struct pva_log *lg) PVA_WUR;

#endif
