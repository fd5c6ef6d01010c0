/* pam_entry.c - the PAM service functions: gather PAM items, call the
 * library, map its result to a PAM code.  Nothing else lives here. */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PAM_SM_AUTH
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "core/config.h"
#include "otp/flow.h"
#include "pam/conv.h"

#define PVA_EXPORT __attribute__((visibility("default")))

struct args {
	const char *conf;
	const char *service;
	int debug;
};

static int parse_args(pam_handle_t *pamh, int argc, const char **argv, struct args *a)
{
	int i;

	a->conf = PVA_DEFAULT_CONF;
	a->service = NULL;
	a->debug = 0;
	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "conf=", 5) == 0 && argv[i][5] == '/')
			a->conf = argv[i] + 5;
		else if (strncmp(argv[i], "service=", 8) == 0 && argv[i][8] != '\0')
			a->service = argv[i] + 8;
		else if (strcmp(argv[i], "debug") == 0)
			a->debug = 1;
		else {
			pam_syslog(pamh, LOG_ERR, "event=bad_argument argument=\"%.64s\" "
				   "detail=\"expected conf=/abs/path, service=NAME or debug\"",
				   argv[i]);
			return -1;
		}
	}
	return 0;
}

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

/* 1 = exists, 0 = no such user, -1 = the user database failed (LDAP down,
 * say): that must not turn an enrolled user into an "unknown" one. */
static int user_exists(const char *user)
{
	struct passwd pw, *res = NULL;
	size_t len = 4096;
	int r = ERANGE, found = -1;
	char *buf = NULL;

	while (r == ERANGE && len <= 1024 * 1024) {
		char *nb = realloc(buf, len);
		if (nb == NULL)
			break;
		buf = nb;
		r = getpwnam_r(user, &pw, buf, len, &res);
		len *= 4;
	}
	if (r == 0)
		found = res != NULL;
	else if (r == ENOENT || r == ESRCH || r == EBADF || r == EPERM)
		found = 0; /* the documented "not found" answers */
	free(buf);
	return found;
}

PVA_EXPORT int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc,
				   const char **argv)
{
	struct pva_config *cfg = NULL;
	struct pva_request req = { NULL, NULL, NULL, 0 };
	struct pva_pam_io pio = { pamh, (flags & (int)PAM_SILENT) != 0 };
	struct pva_io io;
	struct pva_log lg;
	struct args a;
	const void *item = NULL;
	char err[512];
	enum pva_rc rc;
	int pr;

	if (parse_args(pamh, argc, argv, &a) != 0)
		return PAM_SERVICE_ERR;
	pva_conv_log(pamh, a.debug, &lg);
	pva_conv_io(&pio, &io);
	pr = pam_get_user(pamh, &req.user, NULL);
	if (pr != PAM_SUCCESS)
		return pr == PAM_CONV_AGAIN ? PAM_INCOMPLETE : pr;
	if (req.user == NULL || req.user[0] == '\0')
		return PAM_USER_UNKNOWN;
	if (pam_get_item(pamh, PAM_SERVICE, &item) == PAM_SUCCESS)
		req.service = item;
	if (a.service)
		req.service = a.service;
	if (pam_get_item(pamh, PAM_RHOST, &item) == PAM_SUCCESS)
		req.rhost = item;
	req.user_exists = user_exists(req.user);
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
