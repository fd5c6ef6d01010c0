/* testenv.c - temporary directories and configurations for unit tests. */
#define _GNU_SOURCE
#include "testenv.h"

/* paths here are short temp paths; truncation is checked where it matters */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int testenv_write(const char *path, const char *text, unsigned mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	size_t n = strlen(text);

	if (fd < 0)
		return -1;
	if (write(fd, text, n) != (ssize_t)n || fchmod(fd, (mode_t)mode) != 0) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Replace every %DIR% and %SPOOL% in src. */
static char *expand(const struct testenv *e, const char *src)
{
	size_t cap = strlen(src) * 4 + 4 * PATH_MAX + 1, o = 0;
	char *out = malloc(cap);

	if (out == NULL)
		return NULL;
	while (*src) {
		const char *rep = NULL;
		size_t skip = 0;
		if (strncmp(src, "%DIR%", 5) == 0)
			rep = e->dir, skip = 5;
		else if (strncmp(src, "%SPOOL%", 7) == 0)
			rep = e->spool, skip = 7;
		if (rep) {
			size_t n = strlen(rep);
			if (o + n >= cap)
				break;
			memcpy(out + o, rep, n);
			o += n;
			src += skip;
		} else if (o + 1 < cap) {
			out[o++] = *src++;
		} else {
			break;
		}
	}
	out[o] = '\0';
	return out;
}

int testenv_setup(struct testenv *e, const char *extra)
{
	char err[512], *body, *text;
	int r;

	memset(e, 0, sizeof(*e));
	snprintf(e->dir, sizeof(e->dir), "/tmp/pva-unit-XXXXXX");
	if (mkdtemp(e->dir) == NULL)
		return -1;
	snprintf(e->state, sizeof(e->state), "%s/state", e->dir);
	snprintf(e->spool, sizeof(e->spool), "%s/spool", e->dir);
	snprintf(e->conf, sizeof(e->conf), "%s/privauth.conf", e->dir);
	if (mkdir(e->spool, 0700) != 0)
		return -1;
	body = expand(e, extra ? extra : "");
	text = malloc(strlen(body ? body : "") + 2 * PATH_MAX + 64);
	if (body == NULL || text == NULL)
		return -1;
	sprintf(text, "state_dir = \"%s\";\nhostname = \"testhost\";\n%s\n", e->state, body);
	r = testenv_write(e->conf, text, 0600);
	free(body);
	free(text);
	if (r != 0)
		return -1;
	if (pva_config_load(e->conf, &e->cfg, err, sizeof(err)) != PVA_OK) {
		fprintf(stderr, "testenv: %s\n", err);
		return -1;
	}
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void testenv_teardown(struct testenv *e)
{
	pva_config_free(e->cfg);
	e->cfg = NULL;
	if (e->dir[0])
		nftw(e->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)b, *(char *const *)a); /* newest first */
}

static size_t list_spool(const struct testenv *e, char **names, size_t max)
{
	DIR *d = opendir(e->spool);
	struct dirent *de;
	size_t n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && n < max)
		if (de->d_name[0] != '.')
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	return n;
}

size_t testenv_spool_count(const struct testenv *e)
{
	char *names[4096];
	size_t i, n = list_spool(e, names, 4096);

	for (i = 0; i < n; i++)
		free(names[i]);
	return n;
}

/* Newest by modification time, ties broken by name. */
static int newest_nth(const struct testenv *e, size_t nth, char *path, size_t len)
{
	char *names[4096];
	struct stat st;
	long long best[2] = { -1, -1 };
	size_t i, n = list_spool(e, names, 4096), pick[2] = { 0, 0 };

	for (i = 0; i < n; i++) {
		char p[PATH_MAX];
		long long t;
		snprintf(p, sizeof(p), "%s/%s", e->spool, names[i]);
		if (stat(p, &st) != 0)
			continue;
		t = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
		if (t > best[0]) {
			best[1] = best[0], pick[1] = pick[0];
			best[0] = t, pick[0] = i;
		} else if (t > best[1]) {
			best[1] = t, pick[1] = i;
		}
	}
	if (nth > 1 || best[nth] < 0) {
		for (i = 0; i < n; i++)
			free(names[i]);
		return -1;
	}
	snprintf(path, len, "%s/%s", e->spool, names[pick[nth]]);
	for (i = 0; i < n; i++)
		free(names[i]);
	return 0;
}

int testenv_spool_code(const struct testenv *e, size_t nth, char *code, size_t len)
{
	char path[PATH_MAX], buf[2048], *body;
	FILE *fp;
	size_t n, i = 0;

	if (newest_nth(e, nth, path, sizeof(path)) != 0 || (fp = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	body = strstr(buf, "\n\n");
	if (body == NULL)
		return -1;
	for (body += 2; *body && (*body < '0' || *body > '9'); body++)
		;
	while (body[i] >= '0' && body[i] <= '9' && i + 1 < len) {
		code[i] = body[i];
		i++;
	}
	code[i] = '\0';
	return i >= 6 ? 0 : -1;
}
