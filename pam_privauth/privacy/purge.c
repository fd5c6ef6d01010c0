/* purge.c - minimisation: drop what has outlived its use (rights.h). */
#include "privacy/rights.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/secfile.h"
#include "privacy/grace.h"
#include "privacy/precord.h"
#include "store/counters.h"
#include "store/state.h"

#define LOCKS_SUB "locks"
#define LIMITS_SUB "limits"
#define TEMP_AGE 600                 /* temp files older than this are debris */
#define PW_BUF_MAX (1024 * 1024)

struct names {
	char **v;
	size_t n, cap;
};

static void names_free(struct names *ns)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	memset(ns, 0, sizeof(*ns));
}

static enum pva_rc names_add(struct names *ns, const char *s)
{
	char **nv;

	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 64;
		nv = realloc(ns->v, cap * sizeof(*nv));
		if (nv == NULL)
			return PVA_ERR_NOMEM;
		ns->v = nv;
		ns->cap = cap;
	}
	ns->v[ns->n] = strdup(s);
	if (ns->v[ns->n] == NULL)
		return PVA_ERR_NOMEM;
	ns->n++;
	return PVA_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void names_sort_unique(struct names *ns)
{
	size_t i, k;

	if (ns->n == 0)
		return;
	qsort(ns->v, ns->n, sizeof(ns->v[0]), cmp_str);
	for (i = 1, k = 1; i < ns->n; i++) {
		if (strcmp(ns->v[i], ns->v[k - 1]) == 0) {
			free(ns->v[i]);
			continue;
		}
		ns->v[k++] = ns->v[i];
	}
	ns->n = k;
}

static int is_temp(const char *name)
{
	return pva_secfile_is_temp(name, NULL);
}

static int sub_path(const struct pva_store *st, const char *sub, char *out, size_t len)
{
	int w = snprintf(out, len, "%s/%s", st->dir, sub);

	return w < 0 || (size_t)w >= len ? -1 : 0;
}

/* Old temp files (".tmp.<name>.<hex>") in sub. */
static void purge_temps(const struct pva_store *st, const char *sub, time_t now, int dry,
			struct pva_purge_stats *stats)
{
	char dir[PATH_MAX];
	struct dirent *de;
	struct stat sb;
	DIR *d;

	if (sub_path(st, sub, dir, sizeof(dir)) != 0 || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (!is_temp(de->d_name) ||
		    fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
		    S_ISDIR(sb.st_mode) || sb.st_mtime > now - TEMP_AGE)
			continue;
		if (dry || unlinkat(dirfd(d), de->d_name, 0) == 0)
			stats->temp_removed++;
		else
			stats->errors++;
	}
	closedir(d);
}

/* Names of the records in sub: user names (file names unescaped), or the
 * raw names (limits/).  Temp files and, with suffix, only names ending in
 * it (stripped) or only names not ending in ".lock" (suffix NULL). */
static enum pva_rc list_dir(const struct pva_store *st, const char *sub, int unescape,
			    const char *suffix, struct names *ns)
{
	char dir[PATH_MAX], name[NAME_MAX + 1], user[PVA_USER_MAX];
	size_t len, sl = suffix ? strlen(suffix) : 0;
	struct dirent *de;
	enum pva_rc rc = PVA_OK;
	DIR *d;

	if (sub_path(st, sub, dir, sizeof(dir)) != 0)
		return PVA_ERR_INVAL;
	d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT ? PVA_OK : PVA_ERR_IO;
	while (rc == PVA_OK && (de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || is_temp(de->d_name) || len > NAME_MAX)
			continue;
		memcpy(name, de->d_name, len + 1);
		if (suffix != NULL) {
			if (len <= sl || strcmp(name + len - sl, suffix) != 0)
				continue;
			name[len - sl] = '\0';
		} else if (len > 5 && strcmp(name + len - 5, ".lock") == 0 && !unescape) {
			continue;
		}
		if (unescape) {
			if (pva_secfile_unname(name, user, sizeof(user)) != PVA_OK)
				continue; /* not a name we made */
			rc = names_add(ns, user);
		} else {
			rc = names_add(ns, name);
		}
	}
	closedir(d);
	return rc;
}

/* 1 when user is definitely not an account, 0 when it is or the lookup
 * failed (then the records stay). */
static int user_absent(const char *user)
{
	struct passwd pw, *res = NULL;
	size_t cap = 4096;
	char *buf = NULL, *nb;
	int err, absent = 0;

	for (;;) {
		nb = realloc(buf, cap);
		if (nb == NULL)
			goto out;
		buf = nb;
		err = getpwnam_r(user, &pw, buf, cap, &res);
		if (err != ERANGE || cap >= PW_BUF_MAX)
			break;
		cap *= 2;
	}
	absent = err == 0 && res == NULL;
out:
	free(buf);
	return absent;
}

static int exists(const struct pva_store *st, const char *sub, const char *name,
		  const char *suffix)
{
	char path[PATH_MAX];
	struct stat sb;

	if (pva_store_path(st, sub, name, suffix, path, sizeof(path)) != PVA_OK)
		return 1; /* unknown: keep what depends on it */
	return lstat(path, &sb) == 0 || errno != ENOENT;
}

static void remove_rec(const struct pva_store *st, const char *sub, const char *user, int dry,
		       struct pva_purge_stats *stats)
{
	if (!exists(st, sub, user, NULL))
		return;
	if (dry || pva_store_remove(st, sub, user) == PVA_OK)
		stats->records_removed++;
	else
		stats->errors++;
}

static int state_empty(const struct pva_state *s)
{
	return s->n_pending == 0 && s->n_sends == 0 && s->locked_until == 0 && s->fails == 0;
}

static void purge_state(const struct pva_store *st, const char *user, time_t now, int dry,
			struct pva_purge_stats *stats)
{
	struct pva_state *s;
	size_t sends, pend;
	time_t locked;

	if (!exists(st, "state", user, NULL))
		return;
	s = calloc(1, sizeof(*s));
	if (s == NULL || pva_state_load(st, user, s) != PVA_OK) {
		stats->errors++; /* corrupt: fail closed, the admin decides */
		free(s);
		return;
	}
	sends = s->n_sends;
	pend = s->n_pending;
	locked = s->locked_until;
	pva_state_purge(s, now);
	if (state_empty(s)) {
		if (dry || pva_state_delete(st, user) == PVA_OK)
			stats->records_removed++;
		else
			stats->errors++;
	} else if (s->n_sends != sends || s->n_pending != pend || s->locked_until != locked) {
		if (dry || pva_state_save(st, s, now) == PVA_OK)
			stats->records_trimmed++;
		else
			stats->errors++;
	} else {
		stats->records_kept++;
	}
	sodium_memzero(s, sizeof(*s));
	free(s);
}

static void purge_grace(const struct pva_store *st, const char *user, time_t keep, time_t now,
			int dry, struct pva_purge_stats *stats)
{
	int r = PVA_PRUNE_NONE;

	if (pva_grace_prune(st, user, keep, now, dry, &r) != PVA_OK) {
		stats->errors++;
		return;
	}
	if (r == PVA_PRUNE_KEPT)
		stats->records_kept++;
	else if (r == PVA_PRUNE_TRIMMED)
		stats->records_trimmed++;
	else if (r == PVA_PRUNE_REMOVED)
		stats->records_removed++;
}

static int has_records(const struct pva_store *st, const char *user)
{
	size_t i;

	for (i = 0; i < PVA_RIGHTS_NSUBS; i++)
		if (exists(st, pva_rights_subs[i], user, NULL))
			return 1;
	return 0;
}

/* Everything of one user name, under its state lock (not waited for: a
 * user in the middle of a login is left for the next run). */
static void purge_user(const struct pva_store *st, const char *user, time_t grace_keep,
		       time_t now, int dry, struct pva_purge_stats *stats)
{
	static const char *const decoy_subs[] = { "state", "consent", "grace", "remind" };
	char path[PATH_MAX];
	size_t i;
	int fd = -1;
	enum pva_rc rc;

	/* a dry run changes nothing, not even a lock file */
	rc = dry ? PVA_OK : pva_state_lock(st, user, 0, &fd);
	if (rc == PVA_ERR_BUSY)
		return;
	if (rc != PVA_OK) {
		stats->errors++;
		return;
	}
	if (user_absent(user)) {
		for (i = 0; i < sizeof(decoy_subs) / sizeof(decoy_subs[0]); i++)
			remove_rec(st, decoy_subs[i], user, dry, stats);
	} else {
		purge_state(st, user, now, dry, stats);
		purge_grace(st, user, grace_keep, now, dry, stats);
	}
	/* No record left: the lock file goes, unlinked while we hold it (a
	 * waiter notices and takes a fresh one, see pva_store_lock). */
	if (!dry && !has_records(st, user) &&
	    pva_store_path(st, LOCKS_SUB, user, NULL, path, sizeof(path)) == PVA_OK) {
		if (unlink(path) == 0)
			stats->locks_removed++;
		else if (errno != ENOENT)
			stats->errors++;
	} else if (dry && !has_records(st, user)) {
		stats->locks_removed++;
	}
	pva_state_unlock(fd);
}

/* One shared send history in limits/. */
static void purge_counter(const struct pva_store *st, const char *name, time_t now, int dry,
			  struct pva_purge_stats *stats)
{
	struct pva_counter *c;
	char path[PATH_MAX];
	size_t before;
	int fd = -1, gone = 0;
	enum pva_rc rc;

	if (dry) /* nothing is changed, not even a lock file */
		rc = strcmp(name, PVA_COUNTER_HOST) == 0 || strncmp(name, "n-", 2) == 0 ?
			     PVA_OK : PVA_ERR_INVAL;
	else
		rc = pva_counter_lock(st, name, 0, &fd);
	if (rc == PVA_ERR_BUSY)
		return;
	if (rc != PVA_OK) {
		if (rc != PVA_ERR_INVAL) /* not a record name of ours: leave it */
			stats->errors++;
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		stats->errors++;
		goto out;
	}
	if (!exists(st, LIMITS_SUB, name, NULL)) {
		gone = 1; /* an orphaned lock file */
	} else if (pva_counter_load(st, name, c) != PVA_OK) {
		stats->errors++;
	} else if (pva_counter_within(c, now, PVA_SEND_WINDOW) == 0) {
		if (dry || pva_store_remove(st, LIMITS_SUB, name) == PVA_OK) {
			stats->counters_removed++;
			gone = 1;
		} else {
			stats->errors++;
		}
	} else {
		before = c->n;
		if (dry) {
			stats->records_kept++;
		} else if (pva_counter_save(st, c, now, PVA_SEND_WINDOW) != PVA_OK) {
			stats->errors++;
		} else if (c->n != before) {
			stats->records_trimmed++;
		} else {
			stats->records_kept++;
		}
	}
	if (gone && pva_store_path(st, LIMITS_SUB, name, ".lock", path, sizeof(path)) == PVA_OK) {
		if (dry || unlink(path) == 0)
			stats->locks_removed++;
		else if (errno != ENOENT)
			stats->errors++;
	}
	free(c);
out:
	pva_counter_unlock(fd);
}

static unsigned longest_grace(const struct pva_config *cfg)
{
	unsigned h = cfg->defaults.grace_hours;
	size_t i;

	for (i = 0; i < cfg->n_services; i++)
		if (cfg->services[i].grace_hours > h)
			h = cfg->services[i].grace_hours;
	return h;
}

enum pva_rc pva_purge_run(const struct pva_config *cfg, const struct pva_store *st,
			  time_t now, int dry_run, struct pva_purge_stats *stats)
{
	static const char *const all_subs[] = { "state", "phones", "locks", "limits", "consent",
						"grace", "backup", "remind" };
	static const char *const user_dirs[] = { "state", "locks", "consent", "grace", "remind" };
	struct names users = { 0 }, counters = { 0 };
	time_t grace_keep;
	enum pva_rc rc = PVA_OK;
	size_t i;

	memset(stats, 0, sizeof(*stats));
	if (cfg == NULL || st == NULL || st->key == NULL)
		return PVA_ERR_INVAL;
	grace_keep = (time_t)longest_grace(cfg) * 3600;
	for (i = 0; i < sizeof(all_subs) / sizeof(all_subs[0]); i++)
		purge_temps(st, all_subs[i], now, dry_run, stats);
	/* users with anything but a phone or backup codes (those are only
	 * removed on request) */
	for (i = 0; rc == PVA_OK && i < sizeof(user_dirs) / sizeof(user_dirs[0]); i++)
		rc = list_dir(st, user_dirs[i], 1, NULL, &users);
	if (rc == PVA_OK)
		rc = list_dir(st, LIMITS_SUB, 0, NULL, &counters);
	if (rc == PVA_OK)
		rc = list_dir(st, LIMITS_SUB, 0, ".lock", &counters);
	if (rc != PVA_OK)
		goto out;
	names_sort_unique(&users);
	names_sort_unique(&counters);
	for (i = 0; i < users.n; i++)
		purge_user(st, users.v[i], grace_keep, now, dry_run, stats);
	for (i = 0; i < counters.n; i++)
		purge_counter(st, counters.v[i], now, dry_run, stats);
out:
	names_free(&users);
	names_free(&counters);
	return rc != PVA_OK ? rc : stats->errors ? PVA_ERR_IO : PVA_OK;
}

enum pva_rc pva_purge_all(const struct pva_config *cfg, const struct pva_store *st,
			  time_t now, struct pva_purge_stats *stats)
{
	return pva_purge_run(cfg, st, now, 0, stats);
}
