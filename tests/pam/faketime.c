/* faketime.c - TEST ONLY: LD_PRELOAD library that moves the wall clock.
 *
 * time(), gettimeofday() and clock_gettime(CLOCK_REALTIME*) return the real
 * time plus PVA_FAKETIME_OFFSET seconds (a signed integer; absent or
 * unparsable = 0).  The variable is read on every call, so a process can
 * move its own clock with setenv() between two calls (pam_harness does so
 * for answers written "+N:ANSWER").  Monotonic clocks are left alone.
 *
 * Never install this library; it exists for tests/pam/ and nothing else.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

typedef time_t (*time_fn)(time_t *);
typedef int (*gettimeofday_fn)(struct timeval *, void *);
typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);

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

/* Separate function: glibc declares the libc arguments nonnull, and a
 * caller passing NULL anyway should not crash here. */
static void shift_tv(struct timeval *tv)
{
	if (tv != NULL)
		tv->tv_sec = (time_t)(tv->tv_sec + fake_offset());
}

static void shift_ts(struct timespec *ts)
{
	if (ts != NULL)
		ts->tv_sec = (time_t)(ts->tv_sec + fake_offset());
}

static int is_realtime(clockid_t id)
{
	return id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE;
}

time_t time(time_t *tloc)
{
	clock_gettime_fn real = (clock_gettime_fn)dlsym(RTLD_NEXT, "clock_gettime");
	struct timespec ts = { 0, 0 };
	time_t t;

	if (real == NULL || real(CLOCK_REALTIME, &ts) != 0)
		return (time_t)-1;
	t = (time_t)(ts.tv_sec + fake_offset());
	if (tloc != NULL)
		*tloc = t;
	return t;
}

int gettimeofday(struct timeval *tv, void *tz)
{
	gettimeofday_fn real = (gettimeofday_fn)dlsym(RTLD_NEXT, "gettimeofday");
	int r;

	if (real == NULL)
		return -1;
	r = real(tv, tz);
	if (r == 0)
		shift_tv(tv);
	return r;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	clock_gettime_fn real = (clock_gettime_fn)dlsym(RTLD_NEXT, "clock_gettime");
	int r;

	if (real == NULL)
		return -1;
	r = real(id, ts);
	if (r == 0 && is_realtime(id))
		shift_ts(ts);
	return r;
}
