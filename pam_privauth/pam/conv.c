/* conv.c - PAM conversation and syslog behind the library's vtables. */
#include "pam/conv.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>
#include <sodium.h>

static enum pva_rc conv_prompt(void *ud, const char *text, char **answer)
{
	struct pva_pam_io *p = ud;
	char *resp = NULL;

	*answer = NULL;
	if (pam_prompt(p->pamh, PAM_PROMPT_ECHO_OFF, &resp, "%s", text) != PAM_SUCCESS ||
	    resp == NULL) {
		if (resp) {
			sodium_memzero(resp, strlen(resp));
			free(resp);
		}
		return PVA_ERR_CONV;
	}
	*answer = resp;
	return PVA_OK;
}

static void conv_error(void *ud, const char *text)
{
	struct pva_pam_io *p = ud;

	if (!p->silent)
		pam_error(p->pamh, "%s", text);
}

void pva_conv_io(struct pva_pam_io *p, struct pva_io *io)
{
	io->prompt = conv_prompt;
	io->error = conv_error;
	io->ud = p;
}

static void log_emit(void *ud, int prio, const char *line)
{
	pam_syslog((pam_handle_t *)ud, prio, "%s", line);
}

void pva_conv_log(pam_handle_t *pamh, int debug, struct pva_log *lg)
{
	lg->emit = log_emit;
	lg->ud = pamh;
	lg->debug = debug;
}
