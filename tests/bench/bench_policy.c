/* bench_policy.c - password checks: the pam_privauth policy engine against
 * libpwquality, per check and as whole PAM transactions, in one process
 * (usage: see run_policy_bench.sh; a bad argument prints the synopsis).
 * 1. Per check: R passes over the corpus (mkcorpus.py) in blocks of B, the
 *    engine order swapped every block: pva_policy_check (default policy,
 *    built-in blocklist) and pwquality_check (defaults + pwquality.conf, as
 *    pam_pwquality), the user name given to both: median, p99, mean.
 * 2. Acceptance per category (and the NIST preset, untimed); refusals over
 *    the whole common list.  3. 256-byte inputs of several shapes, K runs
 *    per engine interleaved: the median per shape and the worst.
 * 4. With --svc-*: N transactions (pam_start + pam_chauthtok + pam_end) per
 *    service (and a pam_permit baseline) in rotating blocks of B under
 *    pam_wrapper, every prompt answered with a random corpus password both
 *    engines accept.  Exit 0 when all succeeded, else 1 (2: usage). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pwquality.h>
#include <security/pam_appl.h>
#include <sodium.h>

#include "policy/blocklist.h"
#include "policy/policy.h"

#define NCAT 4
#define LINE_MAX_BYTES 1024
#define WORST_LEN PVA_PW_INPUT_MAX

static const char *const cat_name[NCAT] = { "common", "mangled", "random", "passphrase" };

enum engine { ENG_POLICY = 0, ENG_PWQ = 1, ENG_NIST = 2 };

struct entry {
	int cat;
	char *pw;
};

struct corpus {
	struct entry *e;
	size_t n;
};

struct series {
	double *v; /* microseconds */
	size_t n;
};

struct engines {
	struct pva_policy pol, nist;
	struct pva_blocklist *bl;
	pwquality_settings_t *pwq;
	struct pva_pw_ctx ctx;
	const char *user, *old;  /* old: the old password, NULL = unknown */
};

struct opts {
	const char *corpus, *user, *common_list, *svc_pva, *svc_pwq, *svc_base;
	size_t reps, block, worst_runs, pam_count;
};

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int series_alloc(struct series *s, size_t cap)
{
	s->n = 0;
	s->v = calloc(cap ? cap : 1, sizeof(*s->v));
	return s->v != NULL ? 0 : -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Quantile q of a sorted series, nearest rank. */
static double quantile(const struct series *s, double q)
{
	size_t rank = (size_t)(q * (double)s->n + 0.999999);

	rank = rank < 1 ? 1 : rank > s->n ? s->n : rank;
	return s->n == 0 ? 0 : s->v[rank - 1];
}

static double mean(const struct series *s)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		sum += s->v[i];
	return s->n ? sum / (double)s->n : 0;
}

static void report(const char *name, struct series *s)
{
	qsort(s->v, s->n, sizeof(*s->v), cmp_double);
	printf("%-34s %7zu %11.2f %11.2f %11.2f\n", name, s->n, quantile(s, 0.5),
	       quantile(s, 0.99), mean(s));
}

/* 1 accepted, 0 refused, -1 error (policy: out of memory). */
static int check(const struct engines *g, enum engine e, const char *pw)
{
	char msg[PWQ_MAX_ERROR_MESSAGE_LEN];
	struct pva_pw_verdict v;
	void *aux = NULL;
	int rc;

	if (e == ENG_PWQ) {
		rc = pwquality_check(g->pwq, pw, g->old, g->user, &aux);
		if (rc < 0)
			pwquality_strerror(msg, sizeof(msg), rc, aux); /* frees aux */
		return rc >= 0 ? 1 : 0;
	}
	if (pva_policy_check(e == ENG_NIST ? &g->nist : &g->pol, g->bl, pw, &g->ctx,
			     &v) != PVA_OK)
		return -1;
	return v.n == 0 ? 1 : 0;
}

static int timed_check(const struct engines *g, enum engine e, const char *pw,
		       struct series *s)
{
	double t0 = now_us();
	int r = check(g, e, pw);

	s->v[s->n++] = now_us() - t0;
	return r;
}

static int parse_line(char *line, struct entry *out)
{
	char *tab = strchr(line, '\t');
	int c;

	line[strcspn(line, "\r\n")] = '\0';
	if (tab == NULL)
		return -1;
	*tab = '\0';
	for (c = 0; c < NCAT; c++) {
		if (strcmp(line, cat_name[c]) == 0) {
			out->cat = c;
			out->pw = strdup(tab + 1);
			return out->pw != NULL ? 0 : -1;
		}
	}
	return -1;
}

static int load_corpus(const char *path, struct corpus *c)
{
	char line[LINE_MAX_BYTES];
	size_t cap = 0;
	struct entry *grown;
	FILE *f = fopen(path, "re");
	int r = -1;

	c->e = NULL;
	c->n = 0;
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (c->n == cap) {
			cap = cap ? 2 * cap : 1024;
			if ((grown = realloc(c->e, cap * sizeof(*grown))) == NULL)
				goto out;
			c->e = grown;
		}
		if (parse_line(line, &c->e[c->n]) != 0)
			goto out;
		c->n++;
	}
	r = c->n > 0 ? 0 : -1;
out:
	fclose(f);
	return r;
}

/* Part 1: R passes, blocks of B, the engine order swapped every block. */
static int run_checks(const struct engines *g, const struct opts *o,
		      const struct corpus *c, struct series *s)
{
	size_t rep, from, to, i, k, blk = 0;
	enum engine e;

	for (rep = 0; rep < o->reps; rep++) {
		for (from = 0; from < c->n; from = to, blk++) {
			to = from + o->block < c->n ? from + o->block : c->n;
			for (k = 0; k < 2; k++) {
				e = (blk + k) % 2 ? ENG_PWQ : ENG_POLICY;
				for (i = from; i < to; i++)
					if (timed_check(g, e, c->e[i].pw, &s[e]) < 0)
						return -1;
			}
		}
	}
	return 0;
}

static void print_examples(const struct engines *g, enum engine e, int cat,
			   const struct corpus *c)
{
	size_t i, shown = 0;

	printf("  %s accepted by %s (up to 8):", cat_name[cat], e ? "pwquality" : "the policy");
	for (i = 0; i < c->n && shown < 8; i++)
		if (c->e[i].cat == cat && check(g, e, c->e[i].pw) == 1)
			shown += (size_t)(printf(" %s", c->e[i].pw) > 0);
	printf("%s\n", shown ? "" : " none");
}

/* Part 2a: accepted per category, untimed. */
static int acceptance(const struct engines *g, const struct corpus *c)
{
	size_t acc[NCAT][3] = { { 0 } }, tot[NCAT] = { 0 }, i, k;
	int r;

	for (i = 0; i < c->n; i++) {
		tot[c->e[i].cat]++;
		for (k = 0; k < 3; k++) {
			if ((r = check(g, (enum engine)k, c->e[i].pw)) < 0)
				return -1;
			acc[c->e[i].cat][k] += (size_t)r;
		}
	}
	printf("\naccepted per corpus category (the rest refused):\n");
	printf("%-12s %6s %16s %16s %16s\n", "category", "total", "policy default",
	       "pwquality", "policy nist");
	for (k = 0; k < NCAT; k++)
		printf("%-12s %6zu %16zu %16zu %16zu\n", cat_name[k], tot[k], acc[k][0],
		       acc[k][1], acc[k][2]);
	for (k = 0; k < 4; k++)
		print_examples(g, (enum engine)(k % 2), (int)(k / 2), c);
	return 0;
}

/* Part 2b: refusals over the whole common list, all and 8+ bytes. */
static int whole_list(const struct engines *g, const char *path)
{
	size_t n = 0, n8 = 0, ref[2] = { 0, 0 }, ref8[2] = { 0, 0 }, k, len;
	char line[LINE_MAX_BYTES];
	FILE *f = fopen(path, "re");
	int r;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if ((len = strlen(line)) == 0 || strncmp(line, "#!comment:", 10) == 0)
			continue;
		n++;
		n8 += len >= 8;
		for (k = 0; k < 2; k++) {
			if ((r = check(g, (enum engine)k, line)) < 0)
				break;
			ref[k] += r == 0;
			ref8[k] += r == 0 && len >= 8;
		}
	}
	fclose(f);
	printf("\nthe whole common list %s: %zu entries, %zu of 8+ bytes\n", path, n, n8);
	for (k = 0; k < 2; k++)
		printf("  refused by %-12s %zu of %zu, %zu of the %zu of 8+ bytes\n",
		       k ? "pwquality:" : "the policy:", ref[k], n, ref8[k], n8);
	return 0;
}

/* The 256-byte inputs of the worst case: a unit repeated, or (NULL) a
 * printable ASCII string without a pattern; with_old: a 256-byte old
 * password (the same shape, every byte different) is given too. */
static const struct {
	const char *name, *unit;
	int with_old;
} shapes[] = {
	{ "printable ASCII, no pattern", NULL, 0 },
	{ "the same + 256-byte old password", NULL, 1 },
	{ "one character repeated", "a", 0 },
	{ "keyboard walks repeated", "qwertyuiopasdfghjkl1qaz2wsx3edc", 0 },
	{ "\"password\" repeated", "password", 0 },
	{ "mixed classes, words repeated", "Tr0ub4dor&3-Correct#Horse7", 0 },
	{ "128 x U+00E9 (2-byte UTF-8)", "\xc3\xa9", 0 },
};

#define WORST_SHAPES (sizeof(shapes) / sizeof(shapes[0]))

static void worst_input(size_t k, char *buf, size_t shift)
{
	const char *u = shapes[k].unit;
	size_t i;

	for (i = 0; i < WORST_LEN; i++)
		buf[i] = u != NULL ? u[i % strlen(u)]
				   : (char)('!' + (i * 37 + i / 7 + shift) % 94);
	buf[WORST_LEN] = '\0';
}

/* Part 3: each shape K times per engine, interleaved; median per shape. */
static int worst_case(const struct engines *g, size_t runs)
{
	struct series s[2] = { { NULL, 0 }, { NULL, 0 } };
	char buf[WORST_LEN + 1], old[WORST_LEN + 1];
	double med[2], worst[2] = { 0, 0 };
	struct engines w = *g;
	size_t k, i, e;
	int r = -1;

	if (series_alloc(&s[0], runs) != 0 || series_alloc(&s[1], runs) != 0)
		goto out;
	printf("\nworst case: %d-byte inputs, median of %zu runs each (us)\n", WORST_LEN, runs);
	printf("%-34s %12s %12s %8s\n", "input", "policy", "pwquality", "ratio");
	for (k = 0; k < WORST_SHAPES; k++) {
		worst_input(k, buf, 0);
		worst_input(k, old, 1);
		w.ctx.old_password = w.old = shapes[k].with_old ? old : NULL;
		s[0].n = s[1].n = 0;
		for (i = 0; i < runs; i++)
			for (e = 0; e < 2; e++)
				if (timed_check(&w, (enum engine)((i + e) % 2), buf,
						&s[(i + e) % 2]) < 0)
					goto out;
		for (e = 0; e < 2; e++) {
			qsort(s[e].v, s[e].n, sizeof(double), cmp_double);
			med[e] = quantile(&s[e], 0.5);
			worst[e] = med[e] > worst[e] ? med[e] : worst[e];
		}
		printf("%-34s %12.2f %12.2f %8.1f\n", shapes[k].name, med[0], med[1],
		       med[1] / med[0]);
	}
	printf("%-34s %12.2f %12.2f %8.1f\n", "worst of these", worst[0], worst[1],
	       worst[1] / worst[0]);
	r = 0;
out:
	free(s[0].v);
	free(s[1].v);
	return r;
}

/* Part 4: whole PAM transactions. */
struct pam_answer {
	const char *pw;      /* SECRET (a bench password): every prompt's answer */
	unsigned prompts, errors;
};

static int conv(int num_msg, const struct pam_message **msg,
		struct pam_response **resp, void *appdata)
{
	struct pam_answer *a = appdata;
	struct pam_response *r;
	int i;

	*resp = NULL;
	if (num_msg <= 0 || (r = calloc((size_t)num_msg, sizeof(*r))) == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < num_msg; i++) {
		if (msg[i]->msg_style == PAM_ERROR_MSG) {
			a->errors++;
			continue;
		}
		if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF &&
		    msg[i]->msg_style != PAM_PROMPT_ECHO_ON)
			continue;
		a->prompts++;
		if ((r[i].resp = strdup(a->pw)) == NULL) {
			while (i-- > 0)
				free(r[i].resp);
			free(r);
			return PAM_BUF_ERR;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

/* One transaction; 0 when it succeeded with `want` prompts and no error shown. */
static int one_tx(const char *svc, const char *user, const char *pw, unsigned want,
		  struct series *s, int quiet)
{
	struct pam_answer a = { pw, 0, 0 };
	struct pam_conv pc = { conv, &a };
	pam_handle_t *pamh = NULL;
	double t0 = now_us();
	int rc = pam_start(svc, user, &pc, &pamh);

	if (rc == PAM_SUCCESS) {
		rc = pam_chauthtok(pamh, 0);
		pam_end(pamh, rc);
	}
	s->v[s->n++] = now_us() - t0;
	if (rc == PAM_SUCCESS && a.prompts == want && a.errors == 0)
		return 0;
	if (!quiet)
		fprintf(stderr, "bench_policy: %s: %s (%u prompts, %u error messages)\n", svc,
			pam_strerror(NULL, rc), a.prompts, a.errors);
	return -1;
}

/* The first random password both engines accept; NULL if none. */
static const char *strong_password(const struct engines *g, const struct corpus *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->e[i].cat == 2 && check(g, ENG_POLICY, c->e[i].pw) == 1 &&
		    check(g, ENG_PWQ, c->e[i].pw) == 1)
			return c->e[i].pw;
	return NULL;
}

static size_t pam_half(const struct engines *g, const struct opts *o, const char *pw)
{
	static const char *const name[3] = { "pam_privauth.so + pam_permit.so",
		"pam_pwquality.so + pam_permit.so", "pam_permit.so alone (baseline)" };
	const char *svc[3] = { o->svc_pva, o->svc_pwq, o->svc_base };
	size_t nsvc = o->svc_base != NULL ? 3 : 2, fails = 0, done, i, j, k, n, blk = 0;
	struct series s[3] = { { NULL, 0 }, { NULL, 0 }, { NULL, 0 } };

	for (k = 0; k < nsvc; k++)
		if (series_alloc(&s[k], o->pam_count) != 0 && ++fails)
			goto out;
	for (done = 0; done < o->pam_count; done += n, blk++) {
		n = o->pam_count - done < o->block ? o->pam_count - done : o->block;
		for (k = 0, j = blk % nsvc; k < nsvc; k++, j = (j + 1) % nsvc)
			for (i = 0; i < n; i++)
				fails += one_tx(svc[j], g->user, pw, j < 2 ? 2 : 0, &s[j],
						fails >= 5) != 0;
	}
	printf("\nwhole PAM transactions (pam_start + pam_chauthtok + pam_end), "
	       "interleaved blocks of %zu (us)\n", o->block);
	printf("%-34s %7s %11s %11s %11s\n", "service", "tx", "median", "p99", "mean");
	for (k = 0; k < nsvc; k++)
		report(name[k], &s[k]);
	printf("ratio pwquality/privauth: median %.1f  p99 %.1f  mean %.1f\n",
	       quantile(&s[1], 0.5) / quantile(&s[0], 0.5),
	       quantile(&s[1], 0.99) / quantile(&s[0], 0.99), mean(&s[1]) / mean(&s[0]));
	if (nsvc == 3)
		printf("above the baseline (medians): privauth %+.1f us, pwquality %+.1f us, "
		       "ratio %.1f\n", quantile(&s[0], 0.5) - quantile(&s[2], 0.5),
		       quantile(&s[1], 0.5) - quantile(&s[2], 0.5),
		       (quantile(&s[1], 0.5) - quantile(&s[2], 0.5)) /
		       (quantile(&s[0], 0.5) - quantile(&s[2], 0.5)));
	printf("failed transactions: %zu\n", fails);
out:
	for (k = 0; k < 3; k++)
		free(s[k].v);
	return fails;
}

static int parse_opt(struct opts *o, const char *name, const char *val)
{
	static const char *const sname[] = { "--corpus", "--user", "--common-list",
					     "--svc-privauth", "--svc-pwquality", "--svc-baseline" };
	static const char *const nname[] = { "--reps", "--block", "--worst-runs", "--pam-count" };
	const char **str[] = { &o->corpus, &o->user, &o->common_list, &o->svc_pva, &o->svc_pwq,
			       &o->svc_base };
	size_t *num[] = { &o->reps, &o->block, &o->worst_runs, &o->pam_count };
	size_t k;

	for (k = 0; k < sizeof(sname) / sizeof(sname[0]); k++)
		if (strcmp(name, sname[k]) == 0)
			return (*str[k] = val) != NULL ? 0 : -1;
	for (k = 0; k < sizeof(nname) / sizeof(nname[0]); k++)
		if (strcmp(name, nname[k]) == 0)
			return (*num[k] = strtoul(val, NULL, 10)) > 0 ? 0 : -1;
	return -1;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	int i;

	o->reps = 3;
	o->block = 50;
	o->worst_runs = 201;
	o->pam_count = 1000;
	for (i = 1; i + 1 < argc; i += 2)
		if (parse_opt(o, argv[i], argv[i + 1]) != 0)
			return -1;
	/* parse_opt refuses zero counts */
	return i != argc || !o->corpus || !o->user || !o->svc_pva != !o->svc_pwq ||
	       (o->svc_base && !o->svc_pva) || o->reps > 100 || o->worst_runs > 100000 ||
	       o->pam_count > 100000 ? -1 : 0;
}

/* The engines as the two modules set them up. */
static int engines_open(struct engines *g, const char *user)
{
	void *aux = NULL;
	char msg[PWQ_MAX_ERROR_MESSAGE_LEN];
	int rc;

	memset(g, 0, sizeof(*g));
	g->user = user;
	g->ctx.user = user;
	pva_policy_defaults(&g->pol, PVA_PRESET_DEFAULT);
	pva_policy_defaults(&g->nist, PVA_PRESET_NIST);
	if (pva_blocklist_open(NULL, &g->bl, msg, sizeof(msg)) != PVA_OK ||
	    (g->pwq = pwquality_default_settings()) == NULL) {
		fprintf(stderr, "bench_policy: out of memory\n");
		return -1;
	}
	if (msg[0] != '\0')
		fprintf(stderr, "bench_policy: blocklist: %s\n", msg);
	rc = pwquality_read_config(g->pwq, NULL, &aux);
	if (rc != 0) {
		fprintf(stderr, "bench_policy: pwquality.conf: %s\n",
			pwquality_strerror(msg, sizeof(msg), rc, aux));
		return -1;
	}
	return 0;
}

static void engines_close(struct engines *g)
{
	pva_blocklist_free(g->bl);
	if (g->pwq != NULL)
		pwquality_free_settings(g->pwq);
}

static void per_check_report(struct series *s, const struct opts *o, size_t n)
{
	printf("per check: corpus of %zu passwords x %zu passes, interleaved blocks of %zu,"
	       " user name given to both (us)\n", n, o->reps, o->block);
	printf("%-34s %7s %11s %11s %11s\n", "engine", "checks", "median", "p99", "mean");
	report("policy (default + built-in list)", &s[ENG_POLICY]);
	report("pwquality (Debian defaults)", &s[ENG_PWQ]);
	printf("ratio pwquality/policy: median %.1f  p99 %.1f  mean %.1f\n",
	       quantile(&s[ENG_PWQ], 0.5) / quantile(&s[ENG_POLICY], 0.5),
	       quantile(&s[ENG_PWQ], 0.99) / quantile(&s[ENG_POLICY], 0.99),
	       mean(&s[ENG_PWQ]) / mean(&s[ENG_POLICY]));
}

static int run(const struct opts *o, const struct engines *g, const struct corpus *c)
{
	struct series s[2] = { { NULL, 0 }, { NULL, 0 } };
	const char *pw;
	int r = -1;

	if (series_alloc(&s[0], c->n * o->reps) != 0 ||
	    series_alloc(&s[1], c->n * o->reps) != 0 || run_checks(g, o, c, s) != 0)
		goto out;
	per_check_report(s, o, c->n);
	if (acceptance(g, c) != 0 ||
	    (o->common_list != NULL && whole_list(g, o->common_list) != 0) ||
	    worst_case(g, o->worst_runs) != 0)
		goto out;
	fflush(stdout);
	r = 0;
	if (o->svc_pva == NULL)
		goto out;
	if ((pw = strong_password(g, c)) == NULL)
		fprintf(stderr, "bench_policy: no random password both engines accept\n");
	r = pw != NULL && pam_half(g, o, pw) == 0 ? 0 : -1;
out:
	free(s[0].v);
	free(s[1].v);
	return r;
}

int main(int argc, char **argv)
{
	struct corpus c = { NULL, 0 };
	struct engines g;
	struct opts o = { 0 };
	int ret = 1;
	size_t i;

	if (parse_opts(argc, argv, &o) != 0) {
		fprintf(stderr, "usage: bench_policy --corpus FILE --user NAME [--reps R] "
			"[--block B] [--common-list FILE] [--worst-runs K] [--svc-privauth S "
			"--svc-pwquality S [--svc-baseline S] [--pam-count N]]\n");
		return 2;
	}
	memset(&g, 0, sizeof(g));
	if (sodium_init() < 0 || load_corpus(o.corpus, &c) != 0) {
		fprintf(stderr, "bench_policy: cannot read the corpus %s\n", o.corpus);
		goto out;
	}
	if (engines_open(&g, o.user) != 0)
		goto out;
	ret = run(&o, &g, &c) == 0 ? 0 : 1;
out:
	engines_close(&g);
	for (i = 0; i < c.n; i++)
		free(c.e[i].pw);
	free(c.e);
	return ret;
}
