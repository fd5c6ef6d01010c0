/* rights.c - the user's rights over stored data: export and forget
 * (purge, the third part of rights.h, is purge.c). */
#include "privacy/rights.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <sodium.h>

#include "core/phone.h"
#include "core/secfile.h"
#include "privacy/backup.h"
#include "privacy/consent.h"
#include "privacy/grace.h"
#include "privacy/precord.h"
#include "privacy/remind.h"
#include "store/phones.h"
#include "store/state.h"

#define LOCKS_SUB "locks"
#define NAME_ESC_MAX (3 * 128 + 1)

const char *const pva_rights_subs[PVA_RIGHTS_NSUBS] = {
	"phones", "state", PVA_CONSENT_SUB, PVA_GRACE_SUB, PVA_BACKUP_SUB, PVA_REMIND_SUB,
};

/* 1 when user's file in sub exists, 0 when not, -1 on error. */
static int has_file(const struct pva_store *st, const char *sub, const char *user)
{
	char path[PATH_MAX];
	struct stat sb;

	if (pva_store_path(st, sub, user, NULL, path, sizeof(path)) != PVA_OK)
		return -1;
	if (lstat(path, &sb) == 0)
		return 1;
	return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
}

/* ---- export ----------------------------------------------------------- */

/* "2026-11-27T19:24:23Z", or JSON null for 0. */
static struct json_object *jtime(time_t t)
{
	char buf[40];
	struct tm tm;

	if (t <= 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return NULL;
	return json_object_new_string(buf);
}

static void add(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

/* Note a failed record in errors[] and remember the first failure. */
static void note_error(struct json_object *errs, const char *sub, enum pva_rc rc,
		       enum pva_rc *first)
{
	char line[128];

	snprintf(line, sizeof(line), "%s: %s", sub, pva_rc_str(rc));
	json_object_array_add(errs, json_object_new_string(line));
	if (*first == PVA_OK)
		*first = rc;
}

static struct json_object *export_phone(const struct pva_store *st, const char *user,
					int full, struct json_object *errs, enum pva_rc *first)
{
	struct pva_phone_rec rec;
	char mask[PVA_PHONE_MASK_MAX];
	struct json_object *o;
	enum pva_rc rc;

	rc = pva_phones_get(st, user, &rec);
	if (rc == PVA_ERR_NOTFOUND)
		return NULL;
	if (rc != PVA_OK) {
		note_error(errs, "phones", rc, first);
		return NULL;
	}
	o = json_object_new_object();
	pva_phone_mask(rec.phone, mask, sizeof(mask));
	add(o, "number", json_object_new_string(full ? rec.phone : mask));
	add(o, "masked", json_object_new_boolean(!full));
	add(o, "channel", json_object_new_string(pva_channel_name(rec.channel)));
	add(o, "language", json_object_new_string(rec.lang[0] ? rec.lang : "auto"));
	add(o, "updated", jtime(rec.updated));
	sodium_memzero(&rec, sizeof(rec));
	return o;
}

static struct json_object *export_state(const struct pva_store *st, const char *user,
					struct json_object *errs, enum pva_rc *first)
{
	struct pva_state *s;
	struct json_object *o = NULL, *sends, *pend, *p;
	enum pva_rc rc;
	size_t i;

	if (has_file(st, "state", user) != 1)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		note_error(errs, "state", PVA_ERR_NOMEM, first);
		return NULL;
	}
	rc = pva_state_load(st, user, s);
	if (rc != PVA_OK) {
		note_error(errs, "state", rc, first);
		goto out;
	}
	o = json_object_new_object();
	add(o, "failed_codes", json_object_new_int64(s->fails));
	add(o, "lockouts", json_object_new_int64(s->lockouts));
	add(o, "locked_until", jtime(s->locked_until));
	sends = json_object_new_array();
	for (i = 0; i < s->n_sends; i++)
		json_object_array_add(sends, jtime(s->sends[i]));
	add(o, "sends", sends);
	pend = json_object_new_array();
	for (i = 0; i < s->n_pending; i++) {
		const struct pva_pending *pp = &s->pending[i];
		p = json_object_new_object();
		add(p, "service", json_object_new_string(pp->service));
		add(p, "channel", json_object_new_string(pva_channel_name(pp->channel)));
		add(p, "issued", jtime(pp->issued));
		add(p, "expires", jtime(pp->expires));
		add(p, "last_sent", jtime(pp->last_sent));
		add(p, "wrong_entries", json_object_new_int64(pp->attempts));
		json_object_array_add(pend, p);
	}
	add(o, "pending_codes", pend);
	add(o, "note", json_object_new_string("codes are stored only as keyed hashes"));
out:
	sodium_memzero(s, sizeof(*s));
	free(s);
	return o;
}

static struct json_object *export_consent(const struct pva_store *st, const char *user,
					  struct json_object *errs, enum pva_rc *first)
{
	struct pva_consent *c = calloc(1, sizeof(*c));
	struct json_object *a = json_object_new_array(), *e;
	enum pva_rc rc;
	size_t i;

	if (c == NULL) {
		note_error(errs, PVA_CONSENT_SUB, PVA_ERR_NOMEM, first);
		return a;
	}
	rc = pva_consent_load(st, user, c);
	if (rc != PVA_OK)
		note_error(errs, PVA_CONSENT_SUB, rc, first);
	for (i = 0; rc == PVA_OK && i < c->n; i++) {
		e = json_object_new_object();
		add(e, "service", json_object_new_string(c->e[i].service));
		add(e, "notice_version", json_object_new_string(c->e[i].version));
		add(e, "agreed_at", jtime(c->e[i].when));
		json_object_array_add(a, e);
	}
	free(c);
	return a;
}

static struct json_object *export_misc(const struct pva_store *st, const char *user,
				       struct json_object *root, struct json_object *errs,
				       enum pva_rc *first)
{
	struct json_object *o;
	size_t n = 0;
	time_t t = 0;
	unsigned left = 0;
	enum pva_rc rc;

	rc = pva_grace_count(st, user, &n, &t);
	if (rc != PVA_OK)
		note_error(errs, PVA_GRACE_SUB, rc, first);
	o = json_object_new_object();
	add(o, "entries", json_object_new_int64((int64_t)n));
	add(o, "latest", jtime(t));
	add(o, "note", json_object_new_string("remote hosts are stored only as keyed hashes"));
	add(root, "grace", o);

	t = 0;
	rc = pva_backup_count(st, user, &left, &t);
	if (rc != PVA_OK)
		note_error(errs, PVA_BACKUP_SUB, rc, first);
	o = json_object_new_object();
	add(o, "left", json_object_new_int64(left));
	add(o, "created", jtime(t));
	add(o, "note", json_object_new_string("codes are stored only as keyed hashes"));
	add(root, "backup_codes", o);

	t = 0;
	rc = pva_remind_last(st, user, &t);
	if (rc != PVA_OK)
		note_error(errs, PVA_REMIND_SUB, rc, first);
	o = json_object_new_object();
	add(o, "last", jtime(t));
	add(root, "password_reminder", o);
	return root;
}

static struct json_object *export_files(const struct pva_store *st, const char *user)
{
	char esc[NAME_ESC_MAX], rel[NAME_ESC_MAX + 32];
	struct json_object *a = json_object_new_array();
	size_t i;

	if (pva_secfile_name(user, esc, sizeof(esc)) != PVA_OK)
		return a;
	for (i = 0; i <= PVA_RIGHTS_NSUBS; i++) {
		const char *sub = i < PVA_RIGHTS_NSUBS ? pva_rights_subs[i] : LOCKS_SUB;
		if (has_file(st, sub, user) != 1)
			continue;
		snprintf(rel, sizeof(rel), "%s/%s", sub, esc);
		json_object_array_add(a, json_object_new_string(rel));
	}
	return a;
}

enum pva_rc pva_export_json(const struct pva_config *cfg, const struct pva_store *st,
			    const char *user, int full, time_t now, FILE *out)
{
	struct json_object *root, *errs;
	enum pva_rc first = PVA_OK;
	const char *text;

	if (user == NULL || pva_store_user_check(user, strlen(user)) != PVA_OK)
		return PVA_ERR_INVAL;
	root = json_object_new_object();
	errs = json_object_new_array();
	if (root == NULL || errs == NULL) {
		json_object_put(root);
		json_object_put(errs);
		return PVA_ERR_NOMEM;
	}
	add(root, "user", json_object_new_string(user));
	if (cfg != NULL)
		add(root, "host", json_object_new_string(cfg->hostname));
	add(root, "exported_at", jtime(now));
	add(root, "state_dir", json_object_new_string(st->dir));
	add(root, "phone", export_phone(st, user, full, errs, &first));
	add(root, "login_state", export_state(st, user, errs, &first));
	add(root, "consent", export_consent(st, user, errs, &first));
	export_misc(st, user, root, errs, &first);
	add(root, "files", export_files(st, user));
	add(root, "errors", errs);
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
						     JSON_C_TO_STRING_SPACED |
						     JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text == NULL || fprintf(out, "%s\n", text) < 0 || fflush(out) != 0)
		first = first == PVA_OK ? PVA_ERR_IO : first;
	json_object_put(root);
	return first;
}

/* ---- forget ----------------------------------------------------------- */

/* Remove the ".tmp.<esc>.<hex>" leftovers of user's writes in sub. */
static unsigned remove_temps(const struct pva_store *st, const char *sub, const char *esc)
{
	char dir[PATH_MAX];
	struct dirent *de;
	unsigned n = 0;
	DIR *d;

	if (snprintf(dir, sizeof(dir), "%s/%s", st->dir, sub) >= (int)sizeof(dir))
		return 0;
	d = opendir(dir);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (!pva_secfile_is_temp(de->d_name, esc))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			n++;
	}
	closedir(d);
	return n;
}

enum pva_rc pva_forget(const struct pva_store *st, const char *user,
		       struct pva_forget_stats *stats)
{
	char path[PATH_MAX], esc[NAME_ESC_MAX];
	enum pva_rc rc, first = PVA_OK;
	size_t i;
	int fd = -1, h, lock_existed;

	memset(stats, 0, sizeof(*stats));
	if (user == NULL || pva_store_user_check(user, strlen(user)) != PVA_OK ||
	    pva_secfile_name(user, esc, sizeof(esc)) != PVA_OK)
		return PVA_ERR_INVAL;
	lock_existed = has_file(st, LOCKS_SUB, user) == 1; /* locking makes one */
	rc = pva_state_lock(st, user, PVA_PRIV_LOCK_MS, &fd);
	if (rc != PVA_OK)
		return rc;
	for (i = 0; i < PVA_RIGHTS_NSUBS; i++) {
		h = has_file(st, pva_rights_subs[i], user);
		rc = pva_store_remove(st, pva_rights_subs[i], user);
		if (rc == PVA_OK && h == 1) {
			stats->files++;
			stats->removed |= 1u << i;
		}
		if (rc != PVA_OK && first == PVA_OK)
			first = rc;
		stats->temp += remove_temps(st, pva_rights_subs[i], esc);
	}
	stats->temp += remove_temps(st, LOCKS_SUB, esc);
	/* the lock file last, while we hold it: a waiter notices (store.c) */
	rc = pva_store_path(st, LOCKS_SUB, user, NULL, path, sizeof(path));
	if (rc == PVA_OK && first == PVA_OK) {
		if (unlink(path) == 0)
			stats->lock_removed = lock_existed;
		else if (errno != ENOENT)
			first = PVA_ERR_IO;
	}
	pva_state_unlock(fd);
	return first;
}
