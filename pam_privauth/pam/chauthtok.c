/* chauthtok.c - pam_sm_chauthtok: gather PAM items, run the password
 * dialogue of policy/dialogue.c, hand the accepted token on as
 * PAM_AUTHTOK for the module that stores it (pam_unix use_authtok). */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAM_SM_PASSWORD
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <sodium.h>

#include "core/config.h"
#include "pam/conv.h"
#include "policy/blocklist.h"
#include "policy/dialogue.h"

#define PVA_EXPORT __attribute__((visibility("default")))
#define GECOS_MAX 256

struct pw_args {
	const char *conf;
	const char *service;
	enum pva_tok_source source;
	int debug;
};

static int parse_pw_args(pam_handle_t *pamh, int argc, const char **argv,
			 struct pw_args *a)
{
	int i;

	a->conf = PVA_DEFAULT_CONF;
	a->service = NULL;
	a->source = PVA_TOK_PROMPT;
	a->debug = 0;
	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "conf=", 5) == 0 && argv[i][5] == '/')
			a->conf = argv[i] + 5;
		else if (strncmp(argv[i], "service=", 8) == 0 && argv[i][8] != '\0')
			a->service = argv[i] + 8;
		else if (strcmp(argv[i], "debug") == 0)
			a->debug = 1;
		else if (strcmp(argv[i], "use_authtok") == 0)
			a->source = PVA_TOK_USE;
		else if (strcmp(argv[i], "try_first_pass") == 0)
			a->source = PVA_TOK_TRY_FIRST;
		else {
			pam_syslog(pamh, LOG_ERR, "event=bad_argument argument=\"%.64s\" "
				   "detail=\"expected conf=/abs/path, service=NAME, use_authtok, "
				   "try_first_pass or debug\"", argv[i]);
			return -1;
		}
	}
	return 0;
}

static int map_pw_rc(enum pva_rc rc)
{
	switch (rc) {
	case PVA_OK: return PAM_SUCCESS;
	case PVA_ERR_NOMEM: return PAM_BUF_ERR;
	case PVA_ERR_CONV: return PAM_CONV_ERR;
	case PVA_ERR_CONFIG:
	case PVA_ERR_PERM:
	case PVA_ERR_NOTFOUND: return PAM_SERVICE_ERR;
	default: return PAM_AUTHTOK_ERR; /* refused, retries exhausted */
	}
}

/* The user's GECOS field into out ("" when unknown). */
static void user_gecos(const char *user, char *out, size_t outlen)
{
	struct passwd pw, *res = NULL;
	size_t len = 4096;
	int r = ERANGE;
	char *buf = NULL;

	out[0] = '\0';
	while (r == ERANGE && len <= 1024 * 1024) {
		char *nb = realloc(buf, len);
		if (nb == NULL)
			break;
		buf = nb;
		r = getpwnam_r(user, &pw, buf, len, &res);
		len *= 4;
	}
	if (r == 0 && res != NULL && pw.pw_gecos != NULL)
		snprintf(out, outlen, "%s", pw.pw_gecos);
	free(buf);
}

/* PAM items the dialogue needs; all borrowed from pamh. */
static int gather(pam_handle_t *pamh, const struct pw_args *a, struct pva_pw_ctx *ctx,
		  const char **authtok)
{
	const void *item = NULL;
	int pr;

	pr = pam_get_user(pamh, &ctx->user, NULL);
	if (pr != PAM_SUCCESS)
		return pr == PAM_CONV_AGAIN ? PAM_INCOMPLETE : pr;
	if (ctx->user == NULL || ctx->user[0] == '\0')
		return PAM_USER_UNKNOWN;
	if (pam_get_item(pamh, PAM_SERVICE, &item) == PAM_SUCCESS)
		ctx->service = item;
	if (a->service)
		ctx->service = a->service;
	item = NULL;
	if (pam_get_item(pamh, PAM_OLDAUTHTOK, &item) == PAM_SUCCESS)
		ctx->old_password = item;
	item = NULL;
	if (pam_get_item(pamh, PAM_AUTHTOK, &item) == PAM_SUCCESS)
		*authtok = item;
	return PAM_SUCCESS;
}

/* The blocklist when the policy uses it (NULL otherwise).  A broken admin
 * list only costs a warning: the built-in list is still used. */
static enum pva_rc open_blocklist(const struct pva_policy *p, const struct pva_log *lg,
				  struct pva_blocklist **bl)
{
	char warn[512] = "";
	enum pva_rc rc;

	*bl = NULL;
	if (!p->blocklist)
		return PVA_OK;
	rc = pva_blocklist_open(p->blocklist_file, bl, warn, sizeof(warn));
	if (warn[0] != '\0')
		pva_log_event(lg, LOG_WARNING, "blocklist_file_ignored", "file",
			      p->blocklist_file, "detail", warn, (char *)NULL);
	return rc;
}

static int update(pam_handle_t *pamh, int flags, const struct pw_args *a)
{
	struct pva_config *cfg = NULL;
	struct pva_blocklist *bl = NULL;
	struct pva_pw_ctx ctx = { NULL, NULL, NULL, NULL, NULL };
	/* root changing someone's password may override; a user forced to change
	 * an expired password at login (sshd, login, su run as root) may not */
	struct pva_chauthtok req = { NULL, NULL, &ctx, a->source, NULL,
				     getuid() == 0 && !(flags & (int)PAM_CHANGE_EXPIRED_AUTHTOK) };
	struct pva_pam_io pio = { pamh, (flags & (int)PAM_SILENT) != 0 };
	struct pva_io io;
	struct pva_log lg;
	char gecos[GECOS_MAX], err[512];
	char *tok = NULL;
	enum pva_rc rc;
	int pr;

	pva_conv_log(pamh, a->debug, &lg);
	pva_conv_io(&pio, &io);
	pr = gather(pamh, a, &ctx, &req.authtok);
	if (pr != PAM_SUCCESS)
		return pr;
	rc = pva_config_load(a->conf, &cfg, err, sizeof(err));
	if (rc != PVA_OK) {
		pva_log_event(&lg, LOG_ERR, "config_error", "detail", err, (char *)NULL);
		return map_pw_rc(rc);
	}
	user_gecos(ctx.user, gecos, sizeof(gecos));
	ctx.gecos = gecos;
	ctx.host = cfg->hostname;
	req.policy = &pva_config_service(cfg, ctx.service)->policy;
	rc = open_blocklist(req.policy, &lg, &bl);
	req.bl = bl;
	if (rc == PVA_OK)
		rc = pva_dialogue_chauthtok(&req, &io, &lg, &tok);
	pr = map_pw_rc(rc);
	if (rc == PVA_OK)
		pr = pam_set_item(pamh, PAM_AUTHTOK, tok);
	else /* a refused token must not reach pam_unix, whatever the control flag */
		(void)pam_set_item(pamh, PAM_AUTHTOK, NULL);
	if (tok != NULL) {
		sodium_memzero(tok, strlen(tok));
		free(tok);
	}
	pva_blocklist_free(bl);
	pva_config_free(cfg);
	return pr;
}

PVA_EXPORT int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc,
				const char **argv)
{
	struct pva_config *cfg = NULL;
	struct pva_log lg;
	struct pw_args a;
	char err[512];
	enum pva_rc rc;

	if (parse_pw_args(pamh, argc, argv, &a) != 0)
		return PAM_SERVICE_ERR;
	if (flags & PAM_UPDATE_AUTHTOK)
		return update(pamh, flags, &a);
	/* PAM_PRELIM_CHECK: only make sure the update pass can run. */
	rc = pva_config_load(a.conf, &cfg, err, sizeof(err));
	if (rc != PVA_OK) {
		pva_conv_log(pamh, a.debug, &lg);
		pva_log_event(&lg, LOG_ERR, "config_error", "detail", err, (char *)NULL);
	}
	pva_config_free(cfg);
	return map_pw_rc(rc);
}
