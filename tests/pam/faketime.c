/* faketime.c - TEST ONLY: LD_PRELOAD library that moves the wall clock.
 *
 * time(), gettimeofday() and clock_gettime(CLOCK_REALTIME*) return the real
 * time plus PVA_FAKETIME_OFFSET seconds (a signed integer; absent or
 * unparsable = 0).  The variable is read on every call, so a process can
 * move its own clock with setenv() between two calls (pam_harness does so
 * for answers written "+N:ANSWER").  Other clocks are left alone.
 *
 * The real time comes from the clock_gettime system call, not from the
 * next definition found with dlsym(RTLD_NEXT): dlsym may allocate, and
 * sanitizer runtimes call clock_gettime from inside their allocator, so a
 * dlsym here recurses into a half-initialised malloc (ASan reports a
 * double free).  The raw system call needs nothing.
 *
 * Never install this library; it exists for tests/pam/ and nothing else.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static long long fake_offset(void)
{
	const char *v = getenv("PVA_FAKETIME_OFFSET");
	char *end = NULL;
	long long off;

	if (v == NULL || *v == '\0')
		return 0;
	off = strtoll(v, &end, 10);
	if (end == v || *end != '\0')
		return 0;
	return off;
}

static int real_clock(clockid_t id, struct timespec *ts)
{
	return (int)syscall(SYS_clock_gettime, id, ts);
}

static int is_realtime(clockid_t id)
{
	return id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	int r = real_clock(id, ts);

	if (r == 0 && is_realtime(id))
		ts->tv_sec = (time_t)(ts->tv_sec + fake_offset());
	return r;
}

time_t time(time_t *tloc)
{
	struct timespec ts;
	time_t t;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return (time_t)-1;
	t = ts.tv_sec;
	if (tloc != NULL)
		*tloc = t;
	return t;
}

/* glibc declares tv nonnull; a helper taking a plain pointer lets a
 * caller that passes NULL anyway get the libc behaviour (no crash). */
static int fill_timeval(struct timeval *tv)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return -1;
	if (tv != NULL) {
		tv->tv_sec = ts.tv_sec;
		tv->tv_usec = (suseconds_t)(ts.tv_nsec / 1000);
	}
	return 0;
}

int gettimeofday(struct timeval *tv, void *tz)
{
	struct timezone *z = tz;

	if (z != NULL) {
		z->tz_minuteswest = 0;
		z->tz_dsttime = 0;
	}
	return fill_timeval(tv);
}
