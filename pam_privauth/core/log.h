/* log.h - one key=value line per event.
 *
 * The library never talks to syslog itself: the caller supplies a sink
 * (pam_syslog in the module, stderr in privauthctl, a buffer in tests).
 * Values are sanitised: control characters are dropped, values with
 * spaces, quotes or '=' are double-quoted with '"' and '\' escaped.
 *
 * Never pass a code, a secret or an unmasked phone number as a value:
 * phone numbers go through pva_phone_mask() first.
 */
#ifndef PVA_LOG_H
#define PVA_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <syslog.h>

#define PVA_LOG_LINE_MAX 1024

struct pva_log {
	/* Receives one finished line (no newline); prio is a syslog level. */
	void (*emit)(void *ud, int prio, const char *line);
	void *ud;
	int debug; /* non-zero: LOG_DEBUG events are emitted too */
};

/* Log "event=EVENT k1=v1 k2=v2 ..." from NULL-terminated key/value pairs.
 * A NULL value is skipped.  lg may be NULL (nothing is logged). */
void pva_log_event(const struct pva_log *lg, int prio, const char *event, ...)
	__attribute__((sentinel));

/* The formatter behind pva_log_event, exposed for tests.  Always
 * NUL-terminates out (truncating if needed). */
void pva_log_vformat(char *out, size_t outlen, const char *event, va_list ap);

#endif
