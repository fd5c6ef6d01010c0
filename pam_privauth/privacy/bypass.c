/* bypass.c - exempt groups and trusted source networks. */
#include "privacy/bypass.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define LOOKUP_BUF_MAX (1024 * 1024)
#define GROUPS_MAX 65536

void pva_groups_free(char **names, size_t n)
{
	size_t i;

	if (names == NULL)
		return;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The passwd entry's primary gid of user. */
static enum pva_rc primary_gid(const char *user, gid_t *gid)
{
	struct passwd pw, *res = NULL;
	size_t len = 1024;
	char *buf = NULL;
	int r = ERANGE;

	while (r == ERANGE && len <= LOOKUP_BUF_MAX) {
		char *nb = realloc(buf, len);
		if (nb == NULL) {
			free(buf);
			return PVA_ERR_NOMEM;
		}
		buf = nb;
		r = getpwnam_r(user, &pw, buf, len, &res);
		len *= 2;
	}
	if (r == 0 && res != NULL)
		*gid = pw.pw_gid;
	free(buf);
	if (r == 0)
		return res != NULL ? PVA_OK : PVA_ERR_NOTFOUND;
	if (r == ENOENT || r == ESRCH || r == EBADF || r == EPERM)
		return PVA_ERR_NOTFOUND;
	return PVA_ERR_IO;
}

/* The name of gid (malloc'd) in *name; NULL when the group has no entry. */
static enum pva_rc group_name(gid_t gid, char **name)
{
	struct group gr, *res = NULL;
	size_t len = 1024;
	char *buf = NULL;
	int r = ERANGE;

	*name = NULL;
	while (r == ERANGE && len <= LOOKUP_BUF_MAX) {
		char *nb = realloc(buf, len);
		if (nb == NULL) {
			free(buf);
			return PVA_ERR_NOMEM;
		}
		buf = nb;
		r = getgrgid_r(gid, &gr, buf, len, &res);
		len *= 2;
	}
	if (r == 0 && res != NULL && gr.gr_name != NULL &&
	    (*name = strdup(gr.gr_name)) == NULL) {
		free(buf);
		return PVA_ERR_NOMEM;
	}
	free(buf);
	if (r == 0 || r == ENOENT || r == ESRCH || r == EBADF || r == EPERM)
		return PVA_OK;
	return PVA_ERR_IO;
}

enum pva_rc pva_user_groups(const char *user, char ***names, size_t *n)
{
	gid_t primary, *gids = NULL;
	int ng = 32, i;
	char **out = NULL;
	size_t k = 0;
	enum pva_rc rc;

	*names = NULL;
	*n = 0;
	if (user == NULL || user[0] == '\0')
		return PVA_ERR_NOTFOUND;
	rc = primary_gid(user, &primary);
	if (rc != PVA_OK)
		return rc;
	for (;;) {
		int want = ng;
		gid_t *ngids = realloc(gids, (size_t)want * sizeof(*gids));
		if (ngids == NULL) {
			rc = PVA_ERR_NOMEM;
			goto fail;
		}
		gids = ngids;
		if (getgrouplist(user, primary, gids, &ng) >= 0)
			break;
		/* ng holds the number needed (glibc); grow at least twofold */
		if (ng <= want)
			ng = want * 2;
		if (ng > GROUPS_MAX) {
			rc = PVA_ERR_IO;
			goto fail;
		}
	}
	out = calloc((size_t)ng + 1, sizeof(*out));
	if (out == NULL) {
		rc = PVA_ERR_NOMEM;
		goto fail;
	}
	for (i = 0; i < ng; i++) {
		char *name = NULL;
		size_t j;

		rc = group_name(gids[i], &name);
		if (rc != PVA_OK)
			goto fail;
		if (name == NULL) {
			/* a group that cannot be named might be the one a "!"
			 * pattern excludes (an NSS source that is down answers
			 * "not found"): decide nothing, exempt nobody */
			rc = PVA_ERR_IO;
			goto fail;
		}
		for (j = 0; j < k; j++)
			if (strcmp(out[j], name) == 0)
				break;
		if (j < k)
			free(name);
		else
			out[k++] = name;
	}
	free(gids);
	*names = out;
	*n = k;
	return PVA_OK;
fail:
	free(gids);
	pva_groups_free(out, k);
	return rc;
}

static int any_match(const char *pattern, char *const *groups, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (groups[i] != NULL && fnmatch(pattern, groups[i], 0) == 0)
			return 1;
	return 0;
}

int pva_groups_exempt(const struct pva_settings *s, char *const *groups, size_t n)
{
	int plain = 0;
	size_t i;

	for (i = 0; i < s->n_exempt && i < PVA_MAX_GROUP_PATTERNS; i++) {
		const char *p = s->exempt_groups[i];
		if (p[0] == '!') {
			if (p[1] != '\0' && any_match(p + 1, groups, n))
				return 0; /* a negation wins, wherever it stands */
		} else if (p[0] != '\0' && any_match(p, groups, n)) {
			plain = 1;
		}
	}
	return plain;
}

/* Parse a literal address; an IPv4-mapped IPv6 address becomes IPv4. */
static int parse_addr(const char *text, int *family, unsigned char addr[16])
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	char buf[INET6_ADDRSTRLEN + 1];
	size_t len;

	if (text == NULL)
		return -1;
	len = strlen(text);
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, text, len + 1);
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, buf, addr) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, addr) != 1)
		return -1; /* host names, zone ids, garbage */
	if (memcmp(addr, mapped, sizeof(mapped)) == 0) {
		memmove(addr, addr + 12, 4);
		memset(addr + 4, 0, 12);
		*family = AF_INET;
		return 0;
	}
	*family = AF_INET6;
	return 0;
}

int pva_cidr_contains(const struct pva_cidr *net, const char *addr)
{
	unsigned char a[16];
	unsigned full, rest, max;
	int family;

	if (net == NULL || parse_addr(addr, &family, a) != 0 || family != net->family)
		return 0;
	max = family == AF_INET ? 32 : 128;
	if (net->bits > max)
		return 0;
	full = net->bits / 8;
	rest = net->bits % 8;
	if (full > 0 && memcmp(a, net->addr, full) != 0)
		return 0;
	if (rest != 0) {
		unsigned char mask = (unsigned char)(0xff << (8 - rest));
		if ((a[full] & mask) != (net->addr[full] & mask))
			return 0;
	}
	return 1;
}

int pva_rhost_trusted(const struct pva_settings *s, const char *rhost)
{
	size_t i;

	if (rhost == NULL || rhost[0] == '\0')
		return 0;
	for (i = 0; i < s->n_trusted && i < PVA_MAX_NETWORKS; i++)
		if (pva_cidr_contains(&s->trusted[i], rhost))
			return 1;
	return 0;
}
