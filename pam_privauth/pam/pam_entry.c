/* pam_entry.c - the PAM service functions: gather PAM items, call the
 * library, map its result to a PAM code.  Nothing else lives here. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PAM_SM_AUTH
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "core/config.h"
#include "otp/flow.h"
#include "pam/args.h"
#include "pam/conv.h"

#define PVA_EXPORT __attribute__((visibility("default")))

static int map_rc(enum pva_rc rc)
{
	switch (rc) {
	case PVA_OK: return PAM_SUCCESS;
	case PVA_IGNORE: return PAM_IGNORE;
	case PVA_MAXTRIES: return PAM_MAXTRIES;
	case PVA_UNAVAIL: return PAM_AUTHINFO_UNAVAIL;
	case PVA_ERR_NOMEM: return PAM_BUF_ERR;
	case PVA_ERR_CONV: return PAM_CONV_ERR;
	case PVA_ERR_CONFIG:
	case PVA_ERR_PERM: return PAM_SERVICE_ERR;
	default: return PAM_AUTH_ERR; /* denied, corrupt, I/O: never grant */
	}
}

PVA_EXPORT int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc,
				   const char **argv)
{
	struct pva_config *cfg = NULL;
	struct pva_request req = { NULL, NULL, NULL, 0, NULL };
	struct pva_pam_io pio = { pamh, (flags & (int)PAM_SILENT) != 0 };
	struct pva_io io;
	struct pva_log lg;
	struct pva_pam_args a;
	const void *item = NULL;
	char err[512];
	enum pva_rc rc;
	int pr;

	if (pva_pam_args_parse(pamh, argc, argv, 0, &a) != 0)
		return PAM_SERVICE_ERR;
	pva_conv_log(pamh, a.debug, &lg);
	pva_conv_io(&pio, &io);
	pr = pva_pam_user_service(pamh, &a, &req.user, &req.service);
	if (pr != PAM_SUCCESS)
		return pr;
	if (pam_get_item(pamh, PAM_RHOST, &item) == PAM_SUCCESS)
		req.rhost = item;
	req.locale = pva_pam_locale(pamh);
	req.user_exists = pva_pam_getpw(req.user, NULL, 0);
	if (req.user_exists < 0) {
		pva_log_event(&lg, LOG_ERR, "user_lookup_failed", "user", req.user,
			      "outcome", "denied", (char *)NULL);
		return PAM_AUTHINFO_UNAVAIL;
	}
	rc = pva_config_load(a.conf, &cfg, err, sizeof(err));
	if (rc != PVA_OK) {
		pva_log_event(&lg, LOG_ERR, "config_error", "detail", err, (char *)NULL);
		return map_rc(rc);
	}
	for (size_t i = 0; i < cfg->n_warnings; i++)
		pva_log_event(&lg, LOG_WARNING, "config_warning", "detail", cfg->warnings[i],
			      (char *)NULL);
	rc = pva_flow_authenticate(cfg, &req, &io, &lg);
	pva_config_free(cfg);
	return map_rc(rc);
}

PVA_EXPORT int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}
