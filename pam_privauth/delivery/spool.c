/* spool.c - the "spool" provider: atomic smstools3 outgoing files. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* renameat2 */
#endif
#include "delivery/spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/phone.h"

#define SPOOL_DIR_MAX 256
#define SPOOL_TEXT_MAX 4096

struct spool {
	char dir[SPOOL_DIR_MAX];
	mode_t mode;
};

static const char *const spool_keys[] = {
	"type", "channels", "company", "country", "dir", "file_mode", NULL
};

static enum pva_rc read_dir(struct pva_cfgread *rd, const config_setting_t *grp,
			    struct spool *sp)
{
	const config_setting_t *s = config_setting_get_member(grp, "dir");
	size_t n;

	if (pva_cfg_string(rd, grp, "dir", 0, sp->dir, sizeof(sp->dir)) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (sp->dir[0] != '/')
		return pva_cfg_fail(rd, s, "dir", "must be an absolute path");
	n = strlen(sp->dir);
	if (strstr(sp->dir, "/../") != NULL ||
	    (n >= 3 && strcmp(sp->dir + n - 3, "/..") == 0))
		return pva_cfg_fail(rd, s, "dir", "must not contain \"..\"");
	return PVA_OK;
}

/* "0640" (octal string) or an integer taken literally. */
static enum pva_rc read_mode(struct pva_cfgread *rd, const config_setting_t *grp,
			     struct spool *sp)
{
	const config_setting_t *s = config_setting_get_member(grp, "file_mode");
	long long v;
	char *end = NULL;

	if (s == NULL)
		return PVA_OK;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		const char *str = config_setting_get_string(s);
		v = strtoll(str, &end, 8);
		if (str[0] < '0' || str[0] > '7' || *end != '\0' || strlen(str) > 4)
			return pva_cfg_fail(rd, s, "file_mode",
					    "expected an octal mode like \"0640\"");
	} else if (config_setting_type(s) == CONFIG_TYPE_INT ||
		   config_setting_type(s) == CONFIG_TYPE_INT64) {
		v = config_setting_get_int64(s);
	} else {
		return pva_cfg_fail(rd, s, "file_mode", "expected a mode like \"0640\"");
	}
	if (v < 0 || (v & ~(long long)PVA_SPOOL_MODE_ALLOWED) != 0)
		return pva_cfg_fail(rd, s, "file_mode",
				    "%lld (octal %llo) has bits outside 0660; write the mode as a string, e.g. \"0640\" (libconfig reads 0640 as decimal 640)",
				    v, v < 0 ? 0 : v);
	sp->mode = (mode_t)v;
	return PVA_OK;
}

static enum pva_rc spool_create(struct pva_cfgread *rd, const config_setting_t *grp,
				void **priv)
{
	struct spool *sp = calloc(1, sizeof(*sp));
	enum pva_rc rc = PVA_ERR_NOMEM;

	*priv = NULL;
	if (sp == NULL)
		goto out;
	snprintf(sp->dir, sizeof(sp->dir), "%s", PVA_SPOOL_DIR_DEFAULT);
	sp->mode = PVA_SPOOL_MODE_DEFAULT;
	rc = pva_cfg_known_keys(rd, grp, spool_keys);
	if (rc == PVA_OK)
		rc = read_dir(rd, grp, sp);
	if (rc == PVA_OK)
		rc = read_mode(rd, grp, sp);
	if (rc != PVA_OK)
		goto out;
	*priv = sp;
	sp = NULL;
out:
	free(sp);
	return rc;
}

static void spool_destroy(void *priv)
{
	free(priv);
}

static void fail(struct pva_send_result *res, enum pva_send_status st,
		 const char *what, int err)
{
	res->status = st;
	if (err)
		snprintf(res->detail, sizeof(res->detail), "%s: %s", what, strerror(err));
	else
		snprintf(res->detail, sizeof(res->detail), "%s", what);
}

/* Build the file content; SECRET: *buf holds the text, wipe before free. */
static enum pva_rc build_content(const struct pva_message *msg, char **buf, size_t *len)
{
	const char *voice = msg->channel == PVA_CH_VOICE ? "Voicecall: yes\n" : "";
	size_t cap = strlen(msg->phone) + strlen(msg->text) + 32;
	int n;

	*buf = malloc(cap);
	if (*buf == NULL)
		return PVA_ERR_NOMEM;
	n = snprintf(*buf, cap, "To: %s\n%s\n%s\n", msg->phone + 1, voice, msg->text);
	if (n < 0 || (size_t)n >= cap) {
		sodium_memzero(*buf, cap);
		free(*buf);
		*buf = NULL;
		return PVA_ERR_INVAL;
	}
	*len = (size_t)n;
	return PVA_OK;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : EIO;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Write the temp file fully and durably; 0 or an errno value. */
static int write_temp(int dirfd, const char *tmp, mode_t mode, const char *buf,
		      size_t len)
{
	int fd, err;

	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return errno;
	err = fchmod(fd, mode) == 0 ? 0 : errno; /* undo the umask */
	if (err == 0)
		err = write_all(fd, buf, len);
	if (err == 0 && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && err == 0)
		err = errno;
	if (err != 0)
		unlinkat(dirfd, tmp, 0);
	return err;
}

static int rename_noreplace(int dirfd, const char *from, const char *to)
{
	if (renameat2(dirfd, from, dirfd, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return errno;
	return renameat(dirfd, from, dirfd, to) == 0 ? 0 : errno;
}

static void make_names(char *final, size_t flen, char *tmp, size_t tlen)
{
	unsigned char rnd[8];
	char hex[sizeof(rnd) * 2 + 1];

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	snprintf(final, flen, "privauth-%lld-%s", (long long)time(NULL), hex);
	snprintf(tmp, tlen, ".%s.tmp", final);
}

static int is_symlink(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

/* Hand buf over to the spool directory; fills res. */
static void spool_put(const struct spool *sp, const char *buf, size_t len,
		      struct pva_send_result *res)
{
	char final[64], tmp[80];
	int dirfd, err;

	dirfd = open(sp->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0) {
		err = errno;
		res->status = PVA_SEND_TEMPORARY;
		snprintf(res->detail, sizeof(res->detail), "spool dir %.100s: %s",
			 sp->dir, is_symlink(sp->dir) ? "is a symlink" : strerror(err));
		return;
	}
	make_names(final, sizeof(final), tmp, sizeof(tmp));
	err = write_temp(dirfd, tmp, sp->mode, buf, len);
	if (err != 0) {
		fail(res, PVA_SEND_TEMPORARY, "spool write", err);
		goto out;
	}
	err = rename_noreplace(dirfd, tmp, final);
	if (err != 0) {
		unlinkat(dirfd, tmp, 0);
		fail(res, PVA_SEND_TEMPORARY, "spool rename", err);
		goto out;
	}
	snprintf(res->request_id, sizeof(res->request_id), "%s", final);
	if (fsync(dirfd) != 0) {
		fail(res, PVA_SEND_AMBIGUOUS, "spool dir fsync", errno);
		goto out;
	}
	res->status = PVA_SEND_SENT;
	snprintf(res->detail, sizeof(res->detail), "queued in spool");
out:
	close(dirfd);
}

static enum pva_rc spool_send(const void *priv, const struct pva_message *msg,
			      const struct pva_log *lg, struct pva_send_result *res)
{
	const struct spool *sp = priv;
	char *buf = NULL;
	size_t len = 0;

	if (pva_phone_validate(msg->phone) != PVA_OK) {
		fail(res, PVA_SEND_PERMANENT, "invalid phone number", 0);
		goto out;
	}
	if (msg->text == NULL || strlen(msg->text) > SPOOL_TEXT_MAX) {
		fail(res, PVA_SEND_PERMANENT, "message text missing or too long", 0);
		goto out;
	}
	if (build_content(msg, &buf, &len) != PVA_OK) {
		fail(res, PVA_SEND_TEMPORARY, "out of memory", 0);
		goto out;
	}
	spool_put(sp, buf, len, res);
	pva_log_event(lg, LOG_DEBUG, "spool_write", "file", res->request_id,
		      "status", pva_send_status_name(res->status), NULL);
out:
	if (buf != NULL) {
		sodium_memzero(buf, len + 1);
		free(buf);
	}
	return res->status == PVA_SEND_SENT ? PVA_OK : PVA_ERR_DELIVERY;
}

const struct pva_provider_ops pva_provider_spool = {
	.type = "spool",
	.channels = PVA_CH_SMS | PVA_CH_VOICE,
	.create = spool_create,
	.send = spool_send,
	.destroy = spool_destroy,
};
