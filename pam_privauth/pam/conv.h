/* conv.h - the only place that talks to the PAM application: prompts,
 * error messages and the syslog sink, wrapped in the library's vtables. */
#ifndef PVA_CONV_H
#define PVA_CONV_H

#include <security/pam_modules.h>

#include "core/log.h"
#include "otp/flow.h"

struct pva_pam_io {
	pam_handle_t *pamh;
	int silent;   /* PAM_SILENT: no error messages */
};

/* Fill io with callbacks writing to p->pamh. */
void pva_conv_io(struct pva_pam_io *p, struct pva_io *io);

/* A log sink going to pam_syslog (LOG_AUTHPRIV). */
void pva_conv_log(pam_handle_t *pamh, int debug, struct pva_log *lg);

#endif
