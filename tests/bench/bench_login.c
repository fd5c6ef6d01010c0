/* bench_login.c - in-process login latency: pam_privauth vs pam_permit.
 *
 *   bench_login --svc-a S --svc-b S --spool DIR --user-prefix P [--count N]
 *               [--block B]
 *
 * In one process, N full pam_start/pam_authenticate/pam_end logins through
 * service A (the module) and N through service B (pam_permit), alternating
 * blocks of B logins (default 100) so both see the same machine state.
 * Login i of stack A uses user P%04u (i), so no user meets the hourly cap;
 * the users must exist and be enrolled (run_bench.sh arranges both).
 * The conversation reads the code from the spool directory (the only
 * message file there) and removes the file, like an SMS gateway would.
 * Meant to run under pam_wrapper (LD_PRELOAD, PAM_WRAPPER=1,
 * PAM_WRAPPER_SERVICE_DIR), which the caller sets up.
 *
 * Prints median and p99 microseconds per login for A, B and A without the
 * time spent inside the conversation function, and the ratios A/B.
 * Exit 0 when every login succeeded, 1 otherwise, 2 on usage errors.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#define CODE_MIN 6
#define CODE_MAX 10
#define MSG_MAX 4096

struct bench_opts {
	const char *svc_a, *svc_b, *spool, *prefix;
	size_t count, block;
};

struct bench_conv {
	const char *spool;
	double conv_us;   /* time spent in the conversation, this login */
	unsigned prompts;
};

struct series {
	double *us;
	size_t n;
};

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* First run of CODE_MIN..CODE_MAX digits after the first blank line. */
static int code_from_text(const char *text, char *code)
{
	const char *p = strstr(text, "\n\n");
	size_t n;

	if (p == NULL)
		return -1;
	for (p += 2; *p != '\0'; p += n ? n : 1) {
		n = strspn(p, "0123456789");
		if (n >= CODE_MIN && n <= CODE_MAX) {
			memcpy(code, p, n);
			code[n] = '\0';
			return 0;
		}
	}
	return -1;
}

/* Read and remove the one message file in the spool; its code into out. */
static int take_code(const char *spool, char *code)
{
	char path[4096], buf[MSG_MAX + 1];
	struct dirent *de;
	ssize_t got = -1;
	int fd, r = -1;
	DIR *d = opendir(spool);

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL && de->d_name[0] == '.')
		;
	if (de != NULL &&
	    (size_t)snprintf(path, sizeof(path), "%s/%s", spool, de->d_name) < sizeof(path)) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0) {
			got = read(fd, buf, MSG_MAX);
			close(fd);
		}
		unlink(path);
	}
	closedir(d);
	if (got > 0) {
		buf[got] = '\0';
		r = code_from_text(buf, code);
	}
	explicit_bzero(buf, sizeof(buf));
	return r;
}

static int conv(int num_msg, const struct pam_message **msg,
		struct pam_response **resp, void *appdata)
{
	struct bench_conv *bc = appdata;
	struct pam_response *r;
	char code[CODE_MAX + 1] = "";
	double t0 = now_us();
	int i, rc = PAM_SUCCESS;

	*resp = NULL;
	if (num_msg <= 0 || (r = calloc((size_t)num_msg, sizeof(*r))) == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < num_msg && rc == PAM_SUCCESS; i++) {
		if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF &&
		    msg[i]->msg_style != PAM_PROMPT_ECHO_ON)
			continue;
		bc->prompts++;
		if (take_code(bc->spool, code) != 0 || (r[i].resp = strdup(code)) == NULL)
			rc = PAM_CONV_ERR;
		explicit_bzero(code, sizeof(code));
	}
	if (rc != PAM_SUCCESS) {
		for (i = 0; i < num_msg; i++)
			free(r[i].resp);
		free(r);
	} else {
		*resp = r;
	}
	bc->conv_us += now_us() - t0;
	return rc;
}

/* One full login; returns the PAM result, *us the wall time. */
static int one_login(const char *service, const char *user, struct bench_conv *bc,
		     double *us)
{
	struct pam_conv pc = { conv, bc };
	pam_handle_t *pamh = NULL;
	double t0 = now_us();
	int rc;

	bc->conv_us = 0;
	bc->prompts = 0;
	rc = pam_start(service, user, &pc, &pamh);
	if (rc == PAM_SUCCESS) {
		rc = pam_authenticate(pamh, 0);
		pam_end(pamh, rc);
	}
	*us = now_us() - t0;
	return rc;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Value at quantile q (0..1) of a sorted series, nearest rank. */
static double quantile(const struct series *s, double q)
{
	size_t rank = (size_t)(q * (double)s->n + 0.999999);

	if (s->n == 0)
		return 0;
	if (rank < 1)
		rank = 1;
	return s->us[(rank > s->n ? s->n : rank) - 1];
}

static void report(const char *name, struct series *s)
{
	qsort(s->us, s->n, sizeof(*s->us), cmp_double);
	printf("%-28s %7zu %12.1f %12.1f\n", name, s->n, quantile(s, 0.5),
	       quantile(s, 0.99));
}

/* Run one block of logins on service svc; *fails counts non-successes. */
static void run_block(const struct bench_opts *o, const char *svc, size_t first,
		      size_t n, struct series *all, struct series *noconv,
		      size_t *fails)
{
	struct bench_conv bc = { o->spool, 0, 0 };
	char user[256];
	double us;
	size_t i;
	int rc;

	for (i = first; i < first + n; i++) {
		snprintf(user, sizeof(user), "%s%04zu", o->prefix, i);
		rc = one_login(svc, user, &bc, &us);
		if (rc != PAM_SUCCESS && (*fails)++ < 5)
			fprintf(stderr, "bench: %s %s: %s\n", svc, user,
				pam_strerror(NULL, rc));
		all->us[all->n++] = us;
		if (noconv != NULL)
			noconv->us[noconv->n++] = us - bc.conv_us;
	}
}

static int parse_opts(int argc, char **argv, struct bench_opts *o)
{
	int i;

	o->count = 2000;
	o->block = 100;
	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--svc-a") == 0)
			o->svc_a = argv[i + 1];
		else if (strcmp(argv[i], "--svc-b") == 0)
			o->svc_b = argv[i + 1];
		else if (strcmp(argv[i], "--spool") == 0)
			o->spool = argv[i + 1];
		else if (strcmp(argv[i], "--user-prefix") == 0)
			o->prefix = argv[i + 1];
		else if (strcmp(argv[i], "--count") == 0)
			o->count = strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--block") == 0)
			o->block = strtoul(argv[i + 1], NULL, 10);
		else
			return -1;
	}
	if (i != argc || !o->svc_a || !o->svc_b || !o->spool || !o->prefix ||
	    o->count == 0 || o->count > 100000 || o->block == 0)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct bench_opts o = { 0 };
	struct series a = { 0 }, b = { 0 }, an = { 0 };
	size_t done, n, fails_a = 0, fails_b = 0;
	int ret = 1;

	if (parse_opts(argc, argv, &o) != 0) {
		fprintf(stderr, "usage: bench_login --svc-a S --svc-b S --spool DIR "
			"--user-prefix P [--count N] [--block B]\n");
		return 2;
	}
	a.us = calloc(o.count, sizeof(double));
	b.us = calloc(o.count, sizeof(double));
	an.us = calloc(o.count, sizeof(double));
	if (a.us == NULL || b.us == NULL || an.us == NULL)
		goto out;
	for (done = 0; done < o.count; done += n) {
		n = o.count - done < o.block ? o.count - done : o.block;
		run_block(&o, o.svc_a, done, n, &a, &an, &fails_a);
		run_block(&o, o.svc_b, done, n, &b, NULL, &fails_b);
	}
	printf("%-28s %7s %12s %12s\n", "stack", "logins", "median_us", "p99_us");
	report("A pam_privauth (spool)", &a);
	report("B pam_permit", &b);
	report("A without the conversation", &an);
	printf("ratio A/B: median %.2f  p99 %.2f\n",
	       quantile(&a, 0.5) / quantile(&b, 0.5),
	       quantile(&a, 0.99) / quantile(&b, 0.99));
	printf("failed logins: A %zu, B %zu\n", fails_a, fails_b);
	ret = fails_a || fails_b ? 1 : 0;
out:
	free(a.us);
	free(b.us);
	free(an.us);
	return ret;
}
