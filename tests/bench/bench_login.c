/* bench_login.c - in-process login latency: pam_privauth vs pam_permit.
 *
 *   bench_login --svc-a S --svc-b S --spool DIR --user-prefix P [--count N]
 *               [--svc-c S --inbox-c DIR [--count-c M]] [--block B]
 *
 * In one process, full pam_start/pam_authenticate/pam_end logins through
 *   A  service S of --svc-a (the module, spool provider): N logins
 *   B  service S of --svc-b (pam_permit): N logins
 *   C  service S of --svc-c (the module, an HTTPS provider), optional:
 *      M logins (default N)
 * in rotating blocks (A, B, C, A, B, C, ...) of B logins of A and B
 * (default 50) so every stack sees the same machine state; C's blocks are
 * scaled so that its M logins are spread evenly over the whole run.
 * Login i of a stack uses user P%04u (i), so no user meets the hourly cap;
 * the users must exist and be enrolled (run_bench.sh arranges both; A and
 * C use separate state directories).
 * The conversation reads the code from the stack's inbox (A: the spool
 * directory, C: the directory where the HTTPS fake records what it
 * accepted), the only message file there, and removes the file, like a
 * phone would.  Meant to run under pam_wrapper (LD_PRELOAD, PAM_WRAPPER=1,
 * PAM_WRAPPER_SERVICE_DIR), which the caller sets up.
 *
 * Prints median and p99 microseconds per login for each stack, for A and C
 * without the time spent inside the conversation function and the CPU
 * time this process spent on them, and the ratios A/B, C/A and C/B.
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
#define COUNT_MAX 100000

struct bench_opts {
	const char *svc_a, *svc_b, *svc_c, *svc_d, *spool, *inbox_c, *inbox_d, *prefix;
	size_t count, count_c, count_d, block;
};

struct bench_conv {
	const char *inbox;  /* where this stack's messages arrive */
	double conv_us;     /* time spent in the conversation, this login */
	unsigned prompts;
};

struct series {
	double *us;
	size_t n;
};

/* One stack: its service, inbox and how many logins it runs in all. */
struct stack {
	const char *svc;
	const char *inbox;       /* NULL: never prompts (pam_permit) */
	size_t total;
	struct series all;       /* wall time per login */
	struct series noconv;    /* the same without the conversation */
	struct series cpu;       /* CPU time of this process per login */
	size_t fails;
};

static double clock_us(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static double now_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
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

/* Read and remove the one message file in dir; its code into out. */
static int take_code(const char *dir, char *code)
{
	char path[4096], buf[MSG_MAX + 1];
	struct dirent *de;
	ssize_t got = -1;
	int fd, r = -1;
	DIR *d = dir != NULL ? opendir(dir) : NULL;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL && de->d_name[0] == '.')
		;
	if (de != NULL &&
	    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < sizeof(path)) {
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
		/* the one echo-on prompt is the privacy notice's "Type yes" */
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_ON) {
			if ((r[i].resp = strdup("yes")) == NULL)
				rc = PAM_BUF_ERR;
			continue;
		}
		if (take_code(bc->inbox, code) != 0 || (r[i].resp = strdup(code)) == NULL)
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

/* One full login; returns the PAM result, *us the wall time, *cpu_us the
 * CPU time of this process (every thread, a resolver thread included). */
static int one_login(const char *service, const char *user, struct bench_conv *bc,
		     double *us, double *cpu_us)
{
	struct pam_conv pc = { conv, bc };
	pam_handle_t *pamh = NULL;
	double c0 = clock_us(CLOCK_PROCESS_CPUTIME_ID), t0 = now_us();
	int rc;

	bc->conv_us = 0;
	bc->prompts = 0;
	rc = pam_start(service, user, &pc, &pamh);
	if (rc == PAM_SUCCESS) {
		rc = pam_authenticate(pamh, 0);
		pam_end(pamh, rc);
	}
	*us = now_us() - t0;
	*cpu_us = clock_us(CLOCK_PROCESS_CPUTIME_ID) - c0;
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
	printf("%-30s %7zu %12.1f %12.1f\n", name, s->n, quantile(s, 0.5),
	       quantile(s, 0.99));
}

static void report_ratio(const char *name, const struct series *x,
			 const struct series *y)
{
	printf("ratio %s: median %.2f  p99 %.2f  (difference: median %+.1f us, p99 %+.1f us)\n",
	       name, quantile(x, 0.5) / quantile(y, 0.5),
	       quantile(x, 0.99) / quantile(y, 0.99),
	       quantile(x, 0.5) - quantile(y, 0.5), quantile(x, 0.99) - quantile(y, 0.99));
}

/* Logins [st->all.n, upto) of one stack. */
static void run_block(const struct bench_opts *o, struct stack *st, size_t upto)
{
	struct bench_conv bc = { st->inbox, 0, 0 };
	char user[256];
	double us, cpu;
	size_t i;
	int rc;

	for (i = st->all.n; i < upto; i++) {
		snprintf(user, sizeof(user), "%s%04zu", o->prefix, i);
		rc = one_login(st->svc, user, &bc, &us, &cpu);
		if (rc != PAM_SUCCESS && st->fails++ < 5)
			fprintf(stderr, "bench: %s %s: %s\n", st->svc, user,
				pam_strerror(NULL, rc));
		st->all.us[st->all.n++] = us;
		st->noconv.us[st->noconv.n++] = us - bc.conv_us;
		st->cpu.us[st->cpu.n++] = cpu;
	}
}

/* Stack D measures logins of users who agreed to the notice before (the
 * usual case): one unmeasured login per user first, answering "yes". */
static int warm_up(const struct bench_opts *o, struct stack *st)
{
	struct bench_conv bc = { st->inbox, 0, 0 };
	char user[256];
	double us, cpu;
	size_t i;

	for (i = 0; i < st->total; i++) {
		snprintf(user, sizeof(user), "%s%04zu", o->prefix, i);
		if (one_login(st->svc, user, &bc, &us, &cpu) != PAM_SUCCESS || bc.prompts < 2) {
			fprintf(stderr, "bench: warm-up of %s %s failed\n", st->svc, user);
			return -1;
		}
	}
	return 0;
}

/* Blocks of o->block logins of A and B, C's and D's shares in between. */
static void run_all(const struct bench_opts *o, struct stack *st, size_t nst)
{
	size_t done, n, k, upto;

	for (done = 0; done < o->count; done += n) {
		n = o->count - done < o->block ? o->count - done : o->block;
		for (k = 0; k < nst; k++) {
			if (st[k].total == 0)
				continue;
			/* this stack's share of the run so far, rounded up */
			upto = (st[k].total * (done + n) + o->count - 1) / o->count;
			run_block(o, &st[k], upto);
		}
	}
}

static int parse_opt(struct bench_opts *o, const char *name, const char *val)
{
	if (strcmp(name, "--svc-a") == 0)
		o->svc_a = val;
	else if (strcmp(name, "--svc-b") == 0)
		o->svc_b = val;
	else if (strcmp(name, "--svc-c") == 0)
		o->svc_c = val;
	else if (strcmp(name, "--spool") == 0)
		o->spool = val;
	else if (strcmp(name, "--inbox-c") == 0)
		o->inbox_c = val;
	else if (strcmp(name, "--svc-d") == 0)
		o->svc_d = val;
	else if (strcmp(name, "--inbox-d") == 0)
		o->inbox_d = val;
	else if (strcmp(name, "--count-d") == 0)
		o->count_d = strtoul(val, NULL, 10);
	else if (strcmp(name, "--user-prefix") == 0)
		o->prefix = val;
	else if (strcmp(name, "--count") == 0)
		o->count = strtoul(val, NULL, 10);
	else if (strcmp(name, "--count-c") == 0)
		o->count_c = strtoul(val, NULL, 10);
	else if (strcmp(name, "--block") == 0)
		o->block = strtoul(val, NULL, 10);
	else
		return -1;
	return 0;
}

static int parse_opts(int argc, char **argv, struct bench_opts *o)
{
	int i;

	o->count = 2000;
	o->count_c = 0;
	o->block = 50;
	for (i = 1; i + 1 < argc; i += 2)
		if (parse_opt(o, argv[i], argv[i + 1]) != 0)
			return -1;
	if (o->count_c == 0)
		o->count_c = o->count;
	if (i != argc || !o->svc_a || !o->svc_b || !o->spool || !o->prefix ||
	    !o->svc_c != !o->inbox_c || o->count == 0 || o->count > COUNT_MAX ||
	    o->count_c > o->count || o->block == 0 || !o->svc_d != !o->inbox_d ||
	    (o->svc_d && (o->count_d == 0 || o->count_d > o->count)))
		return -1;
	return 0;
}

static int stack_alloc(struct stack *st, const char *svc, const char *inbox, size_t total)
{
	st->svc = svc;
	st->inbox = inbox;
	st->total = total;
	st->all.us = calloc(total, sizeof(double));
	st->noconv.us = calloc(total, sizeof(double));
	st->cpu.us = calloc(total, sizeof(double));
	return st->all.us != NULL && st->noconv.us != NULL && st->cpu.us != NULL ? 0 : -1;
}

static void print_results(struct stack *st, size_t nst)
{
	printf("%-30s %7s %12s %12s\n", "stack", "logins", "median_us", "p99_us");
	report("A pam_privauth (spool)", &st[0].all);
	report("B pam_permit", &st[1].all);
	if (nst > 2)
		report("C pam_privauth (twilio HTTPS)", &st[2].all);
	report("A without the conversation", &st[0].noconv);
	if (nst > 2)
		report("C without the conversation", &st[2].noconv);
	report("A CPU time of the process", &st[0].cpu);
	if (nst > 2)
		report("C CPU time of the process", &st[2].cpu);
	if (st[3].total > 0) {
		report("D pam_privauth (spool, consent)", &st[3].all);
		report("D without the conversation", &st[3].noconv);
	}
	report_ratio("A/B", &st[0].all, &st[1].all);
	if (st[3].total > 0)
		report_ratio("D/A", &st[3].all, &st[0].all);
	if (nst > 2) {
		report_ratio("C/A", &st[2].all, &st[0].all);
		report_ratio("C/B", &st[2].all, &st[1].all);
	}
	printf("failed logins: A %zu, B %zu", st[0].fails, st[1].fails);
	if (st[2].total > 0)
		printf(", C %zu", st[2].fails);
	if (st[3].total > 0)
		printf(", D %zu", st[3].fails);
	printf("\n");
}

int main(int argc, char **argv)
{
	struct bench_opts o = { 0 };
	struct stack st[4];
	size_t nst, k;
	int ret = 1;

	memset(st, 0, sizeof(st));
	if (parse_opts(argc, argv, &o) != 0) {
		fprintf(stderr, "usage: bench_login --svc-a S --svc-b S --spool DIR "
			"--user-prefix P [--count N] [--svc-c S --inbox-c DIR "
			"[--count-c M]] [--svc-d S --inbox-d DIR --count-d K] [--block B]\n");
		return 2;
	}
	nst = 4;
	if (stack_alloc(&st[0], o.svc_a, o.spool, o.count) != 0 ||
	    stack_alloc(&st[1], o.svc_b, NULL, o.count) != 0 ||
	    (o.svc_c && stack_alloc(&st[2], o.svc_c, o.inbox_c, o.count_c) != 0) ||
	    (o.svc_d && stack_alloc(&st[3], o.svc_d, o.inbox_d, o.count_d) != 0))
		goto out;
	if (o.svc_d && warm_up(&o, &st[3]) != 0)
		goto out;
	run_all(&o, st, nst);
	print_results(st, st[2].total > 0 ? 3 : 2);
	ret = st[0].fails || st[1].fails || st[2].fails || st[3].fails ? 1 : 0;
out:
	for (k = 0; k < 4; k++) {
		free(st[k].all.us);
		free(st[k].noconv.us);
		free(st[k].cpu.us);
	}
	return ret;
}
