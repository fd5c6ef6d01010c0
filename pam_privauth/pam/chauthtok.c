/* chauthtok.c - pam_sm_chauthtok: gather PAM items, run the password
 * dialogue of policy/dialogue.c, hand the accepted token on as
 * PAM_AUTHTOK for the module that stores it (pam_unix use_authtok). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAM_SM_PASSWORD
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <sodium.h>

#include "core/config.h"
#include "core/i18n.h"
#include "pam/args.h"
#include "pam/conv.h"
#include "policy/blocklist.h"
#include "policy/dialogue.h"

#define PVA_EXPORT __attribute__((visibility("default")))
#define GECOS_MAX 256

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

/* PAM items the dialogue needs; all borrowed from pamh. */
static int gather(pam_handle_t *pamh, const struct pva_pam_args *a,
		  struct pva_pw_ctx *ctx, const char **authtok)
{
	const void *item = NULL;
	int pr;

	pr = pva_pam_user_service(pamh, a, &ctx->user, &ctx->service);
	if (pr != PAM_SUCCESS)
		return pr;
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

static int update(pam_handle_t *pamh, int flags, const struct pva_pam_args *a)
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
	const struct pva_settings *s;
	struct pva_i18n lang;
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
	(void)pva_pam_getpw(ctx.user, gecos, sizeof(gecos));
	ctx.gecos = gecos;
	ctx.host = cfg->hostname;
	s = pva_config_service(cfg, ctx.service);
	req.policy = &s->policy;
	rc = open_blocklist(req.policy, &lg, &bl);
	req.bl = bl;
	/* the service's language, or the user's locale (core/i18n.h) */
	pva_i18n_begin(&lang, cfg, pva_lang_choose(s, NULL, pva_pam_locale(pamh)));
	if (rc == PVA_OK)
		rc = pva_dialogue_chauthtok(&req, &io, &lg, &tok);
	pva_i18n_end(&lang);
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
	struct pva_pam_args a;
	char err[512];
	enum pva_rc rc;

	if (pva_pam_args_parse(pamh, argc, argv, 1, &a) != 0)
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
