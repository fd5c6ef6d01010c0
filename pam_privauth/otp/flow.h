/* flow.h - the login dialogue: decide, issue, deliver, prompt, verify.
 *
 * PAM-free: the caller supplies the user's identity and an I/O vtable
 * (pam/conv.c in the module, a scripted one in tests).  The outcome is
 * Before any code: exempt_groups and trusted_networks, then (enrolled
 * users) grace_hours let the login through without one (PVA_OK, logged
 * event=bypass); then, with require_consent, the privacy notice and the
 * question (privacy/notice.h, consent.h).  At the code prompt a backup
 * code (privacy/backup.h) is accepted in place of the code.
 *
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
	/* Tell the user something (PAM_TEXT_INFO): the privacy notice, a
	 * backup code's acceptance.  NULL: error() is used. */
	void (*info)(void *ud, const char *text);
	/* Ask with echo on (the consent question); same contract as prompt.
	 * NULL: prompt() is used. */
	enum pva_rc (*prompt_echo)(void *ud, const char *text, char **answer);
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
