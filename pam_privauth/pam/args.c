/* args.c - module arguments, user and service, passwd lookup. */
#include "pam/args.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include "core/config.h"

static int tok_arg(const char *arg, enum pva_tok_source *src)
{
	if (strcmp(arg, "use_authtok") == 0)
		*src = PVA_TOK_USE;
	else if (strcmp(arg, "try_first_pass") == 0)
		*src = PVA_TOK_TRY_FIRST;
	else
		return 0;
	return 1;
}

int pva_pam_args_parse(pam_handle_t *pamh, int argc, const char **argv, int tok_args,
		       struct pva_pam_args *a)
{
	int i;

	a->conf = PVA_DEFAULT_CONF;
	a->service = NULL;
	a->debug = 0;
	a->source = PVA_TOK_PROMPT;
	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "conf=", 5) == 0 && argv[i][5] == '/')
			a->conf = argv[i] + 5;
		else if (strncmp(argv[i], "service=", 8) == 0 && argv[i][8] != '\0')
			a->service = argv[i] + 8;
		else if (strcmp(argv[i], "debug") == 0)
			a->debug = 1;
		else if (!(tok_args && tok_arg(argv[i], &a->source))) {
			pam_syslog(pamh, LOG_ERR, "event=bad_argument argument=\"%.64s\" "
				   "detail=\"expected conf=/abs/path, service=NAME%s or debug\"",
				   argv[i], tok_args ? ", use_authtok, try_first_pass" : "");
			return -1;
		}
	}
	return 0;
}

int pva_pam_user_service(pam_handle_t *pamh, const struct pva_pam_args *a,
			 const char **user, const char **service)
{
	const void *item = NULL;
	int pr;

	*service = NULL;
	pr = pam_get_user(pamh, user, NULL);
	if (pr != PAM_SUCCESS)
		return pr == PAM_CONV_AGAIN ? PAM_INCOMPLETE : pr;
	if (*user == NULL || (*user)[0] == '\0')
		return PAM_USER_UNKNOWN;
	if (pam_get_item(pamh, PAM_SERVICE, &item) == PAM_SUCCESS)
		*service = item;
	if (a->service)
		*service = a->service;
	return PAM_SUCCESS;
}

int pva_pam_getpw(const char *user, char *gecos, size_t gecoslen)
{
	struct passwd pw, *res = NULL;
	size_t len = 4096;
	int r = ERANGE, found = -1;
	char *buf = NULL;

	if (gecos != NULL && gecoslen > 0)
		gecos[0] = '\0';
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
	if (found == 1 && gecos != NULL && gecoslen > 0 && pw.pw_gecos != NULL)
		snprintf(gecos, gecoslen, "%s", pw.pw_gecos);
	free(buf);
	return found;
}

const char *pva_pam_locale(pam_handle_t *pamh)
{
	static const char *const vars[] = { "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", NULL };
	const char *v;
	size_t i;

	for (i = 0; vars[i]; i++)
		if ((v = pam_getenv(pamh, vars[i])) != NULL && v[0] != '\0')
			return v;
	for (i = 0; vars[i]; i++)
		if ((v = getenv(vars[i])) != NULL && v[0] != '\0')
			return v;
	return NULL;
}
