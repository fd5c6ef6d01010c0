/* conv.c - PAM conversation and syslog behind the library's vtables. */
#include "pam/conv.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>
#include <sodium.h>

static enum pva_rc ask(struct pva_pam_io *p, int style, const char *text, char **answer)
{
	char *resp = NULL;

	*answer = NULL;
	if (pam_prompt(p->pamh, style, &resp, "%s", text) != PAM_SUCCESS ||
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

static enum pva_rc conv_prompt(void *ud, const char *text, char **answer)
{
	return ask(ud, PAM_PROMPT_ECHO_OFF, text, answer);
}

static enum pva_rc conv_prompt_echo(void *ud, const char *text, char **answer)
{
	return ask(ud, PAM_PROMPT_ECHO_ON, text, answer);
}

/* The privacy notice is part of the question that follows it, so
 * PAM_SILENT does not hide it (it does hide error messages). */
static void conv_info(void *ud, const char *text)
{
	struct pva_pam_io *p = ud;

	pam_info(p->pamh, "%s", text);
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
	io->info = conv_info;
	io->prompt_echo = conv_prompt_echo;
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
