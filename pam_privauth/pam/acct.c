/* acct.c - pam_sm_acct_mgmt: the password reminder at login.
 *
 * When the service's remind_after_days is set and the user's password is
 * at least that old, show a PAM_TEXT_INFO note (not with PAM_SILENT) and
 * log event=password_reminder.  A reminder never decides anything: every
 * normal outcome is PAM_IGNORE; only bad module arguments and a broken
 * configuration are PAM_SERVICE_ERR, like the other entry points.
 */
#include <stdio.h>
#include <time.h>

#define PAM_SM_ACCOUNT
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "core/config.h"
#include "core/i18n.h"
#include "pam/args.h"
#include "pam/conv.h"
#include "privacy/reminder.h"

#define PVA_EXPORT __attribute__((visibility("default")))

static void show(pam_handle_t *pamh, const struct pva_config *cfg,
		 const struct pva_settings *s, const char *user,
		 const struct pva_remind_age *age)
{
	struct pva_i18n t;
	char pref[16], text[512];
	enum pva_rc rc;

	pva_reminder_user_pref(cfg, user, pref, sizeof(pref));
	pva_i18n_begin(&t, cfg, pva_lang_choose(s, pref, pva_pam_locale(pamh)));
	rc = pva_reminder_notice(age, text, sizeof(text));
	pva_i18n_end(&t);
	if (rc == PVA_OK)
		(void)pam_info(pamh, "%s", text);
}

PVA_EXPORT int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc,
				const char **argv)
{
	struct pva_config *cfg = NULL;
	const struct pva_settings *s;
	struct pva_remind_age age;
	enum pva_remind_decision d;
	struct pva_pam_args a;
	struct pva_log lg;
	const char *user = NULL, *service = NULL;
	char err[512], days[16];
	enum pva_rc rc;

	if (pva_pam_args_parse(pamh, argc, argv, 0, &a) != 0)
		return PAM_SERVICE_ERR;
	pva_conv_log(pamh, a.debug, &lg);
	if (pva_pam_user_service(pamh, &a, &user, &service) != PAM_SUCCESS)
		return PAM_IGNORE;
	rc = pva_config_load(a.conf, &cfg, err, sizeof(err));
	if (rc != PVA_OK) {
		pva_log_event(&lg, LOG_ERR, "config_error", "detail", err, (char *)NULL);
		return PAM_SERVICE_ERR;
	}
	s = pva_config_service(cfg, service);
	rc = pva_reminder_check_age(s, user, time(NULL), &age, &d);
	if (rc != PVA_OK) {
		pva_log_event(&lg, LOG_WARNING, "password_age_unknown", "user", user,
			      "detail", pva_rc_str(rc), (char *)NULL);
	} else if (d == PVA_REMIND_DUE) {
		snprintf(days, sizeof(days), "%u", age.days);
		pva_log_event(&lg, LOG_INFO, "password_reminder", "user", user,
			      "service", service, "age_days", days, "changed", age.date,
			      (char *)NULL);
		if (!(flags & (int)PAM_SILENT))
			show(pamh, cfg, s, user, &age);
	}
	pva_config_free(cfg);
	return PAM_IGNORE;
}
