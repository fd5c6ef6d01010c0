/* syslogcap.c - TEST ONLY: LD_PRELOAD library that captures syslog lines.
 *
 * openlog(), syslog(), vsyslog(), __syslog_chk() and __vsyslog_chk() are
 * interposed.  When PVA_SYSLOG_FILE names a file, each message is
 * formatted (printf, glibc's %m included) and appended to it as one line
 * "<prio> <ident>: <message>", prio with the facility of openlog() when
 * the call gives none (the file is created 0600); nothing goes
 * to the real syslog then.  Without the variable every call goes to the
 * next definition (dlsym RTLD_NEXT), so the library is inert.
 *
 * The tests scan the captured lines for phone numbers and codes that must
 * never be logged (tests/privacy/leak_test.sh).
 *
 * Never install this library; it exists for tests/ and nothing else.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

static char cap_ident[64] = "-";
static int cap_facility = LOG_USER;

static const char *cap_file(void)
{
	const char *f = getenv("PVA_SYSLOG_FILE");

	return f != NULL && *f != '\0' ? f : NULL;
}

static void cap_write(const char *file, int prio, const char *fmt, va_list ap)
{
	char msg[2048], line[2200];
	int fd, n, saved = errno;

	errno = saved; /* for %m */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* one line per message: newlines inside become spaces */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if ((prio & LOG_FACMASK) == 0)
		prio |= cap_facility;
	n = snprintf(line, sizeof(line), "<%d> %s: %s\n", prio, cap_ident, msg);
	if (n < 0)
		goto out;
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0) {
		if (write(fd, line, (size_t)n) < 0) {
			/* nothing to do: a test will miss the line */
		}
		close(fd);
	}
out:
	errno = saved;
}

void openlog(const char *ident, int option, int facility)
{
	void (*real)(const char *, int, int);

	snprintf(cap_ident, sizeof(cap_ident), "%s", ident ? ident : "-");
	if (facility != 0)
		cap_facility = facility;
	if (cap_file() != NULL)
		return;
	real = (void (*)(const char *, int, int))dlsym(RTLD_NEXT, "openlog");
	if (real)
		real(ident, option, facility);
}

void vsyslog(int prio, const char *fmt, va_list ap)
{
	const char *f = cap_file();
	void (*real)(int, const char *, va_list);

	if (f != NULL) {
		cap_write(f, prio, fmt, ap);
		return;
	}
	real = (void (*)(int, const char *, va_list))dlsym(RTLD_NEXT, "vsyslog");
	if (real)
		real(prio, fmt, ap);
}

void syslog(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsyslog(prio, fmt, ap);
	va_end(ap);
}

void __vsyslog_chk(int prio, int flag, const char *fmt, va_list ap);
void __vsyslog_chk(int prio, int flag, const char *fmt, va_list ap)
{
	const char *f = cap_file();
	void (*real)(int, int, const char *, va_list);

	if (f != NULL) {
		cap_write(f, prio, fmt, ap);
		return;
	}
	real = (void (*)(int, int, const char *, va_list))dlsym(RTLD_NEXT, "__vsyslog_chk");
	if (real)
		real(prio, flag, fmt, ap);
}

void __syslog_chk(int prio, int flag, const char *fmt, ...);
void __syslog_chk(int prio, int flag, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	__vsyslog_chk(prio, flag, fmt, ap);
	va_end(ap);
}
