/* secfile.c - root-only files: checked reads, atomic writes. */
#include "core/secfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

enum pva_rc pva_secfile_check_fd(int fd, enum pva_secfile_mode mode)
{
	struct stat st;
	mode_t forbidden = mode == PVA_SECFILE_PRIVATE ? 077 : 022;

	if (fstat(fd, &st) != 0)
		return PVA_ERR_IO;
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & forbidden))
		return PVA_ERR_PERM;
	return PVA_OK;
}

static enum pva_rc read_fd(int fd, size_t max, char **buf, size_t *len)
{
	struct stat st;
	char *b = NULL;
	size_t got = 0;

	if (fstat(fd, &st) != 0)
		return PVA_ERR_IO;
	if (st.st_size < 0 || (size_t)st.st_size > max)
		return PVA_ERR_INVAL;
	b = malloc((size_t)st.st_size + 1);
	if (b == NULL)
		return PVA_ERR_NOMEM;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, b + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			sodium_memzero(b, (size_t)st.st_size + 1);
			free(b);
			return PVA_ERR_IO;
		}
		got += (size_t)r;
	}
	b[got] = '\0';
	*buf = b;
	*len = got;
	return PVA_OK;
}

enum pva_rc pva_secfile_read(const char *path, enum pva_secfile_mode mode,
			     size_t max, char **buf, size_t *len)
{
	enum pva_rc rc;
	int fd;

	*buf = NULL;
	*len = 0;
	/* O_NONBLOCK: a FIFO planted here must not hang the caller */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? PVA_ERR_NOTFOUND :
		       errno == ELOOP ? PVA_ERR_PERM : PVA_ERR_IO;
	rc = pva_secfile_check_fd(fd, mode);
	if (rc == PVA_OK)
		rc = read_fd(fd, max, buf, len);
	close(fd);
	return rc;
}

static enum pva_rc write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return PVA_ERR_IO;
		p += w;
		len -= (size_t)w;
	}
	return PVA_OK;
}

static enum pva_rc fsync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;
	enum pva_rc rc = PVA_OK;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(slash - path) < sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		return PVA_ERR_INVAL;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return PVA_ERR_IO;
	if (fsync(fd) != 0)
		rc = PVA_ERR_IO;
	close(fd);
	return rc;
}

/* Write data to a fresh temp file beside path; *tmp receives its name. */
static enum pva_rc write_temp(const char *path, const void *data, size_t len,
			      mode_t perm, char *tmp, size_t tmplen)
{
	enum pva_rc rc;
	int fd, n;

	const char *base = strrchr(path, '/');

	/* "<dir>/.tmp.<base>.<16 hex>": escaped names never start with '.',
	 * so no user's record can ever look like a temp file */
	base = base ? base + 1 : path;
	n = snprintf(tmp, tmplen, "%.*s" PVA_SECFILE_TEMP_PREFIX "%s.%08x%08x",
		     (int)(base - path), path, base, randombytes_random(),
		     randombytes_random());
	if (n < 0 || (size_t)n >= tmplen)
		return PVA_ERR_INVAL;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, perm);
	if (fd < 0)
		return PVA_ERR_IO;
	rc = fchmod(fd, perm) == 0 ? PVA_OK : PVA_ERR_IO;
	if (rc == PVA_OK)
		rc = write_all(fd, data, len);
	if (rc == PVA_OK && fsync(fd) != 0)
		rc = PVA_ERR_IO;
	if (close(fd) != 0 && rc == PVA_OK)
		rc = PVA_ERR_IO;
	if (rc != PVA_OK)
		unlink(tmp);
	return rc;
}

enum pva_rc pva_secfile_write(const char *path, const void *data, size_t len,
			      mode_t perm)
{
	char tmp[PATH_MAX];
	enum pva_rc rc;

	rc = write_temp(path, data, len, perm, tmp, sizeof(tmp));
	if (rc != PVA_OK)
		return rc;
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		return PVA_ERR_IO;
	}
	return fsync_dir_of(path);
}

enum pva_rc pva_secfile_create(const char *path, const void *data, size_t len,
			       mode_t perm)
{
	char tmp[PATH_MAX];
	enum pva_rc rc;
	int r;

	rc = write_temp(path, data, len, perm, tmp, sizeof(tmp));
	if (rc != PVA_OK)
		return rc;
	r = link(tmp, path); /* fails with EEXIST rather than replacing */
	int err = errno;
	unlink(tmp);
	if (r != 0)
		return err == EEXIST ? PVA_ERR_BUSY : PVA_ERR_IO;
	return fsync_dir_of(path);
}

enum pva_rc pva_secdir_ensure(const char *path)
{
	struct stat st;

	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return errno == ENOENT ? PVA_ERR_NOTFOUND : PVA_ERR_IO;
	if (lstat(path, &st) != 0)
		return PVA_ERR_IO;
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 077))
		return PVA_ERR_PERM;
	return PVA_OK;
}

static int keep_char(unsigned char c, size_t pos)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-')
		return 1;
	return c == '.' && pos > 0;
}

enum pva_rc pva_secfile_name(const char *user, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, o = 0, n = user ? strlen(user) : 0;

	if (n == 0 || n > 128)
		return PVA_ERR_INVAL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)user[i];
		if (keep_char(c, i)) {
			if (o + 1 >= outlen)
				return PVA_ERR_INVAL;
			out[o++] = (char)c;
		} else {
			if (o + 3 >= outlen)
				return PVA_ERR_INVAL;
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	if (o >= outlen)
		return PVA_ERR_INVAL;
	out[o] = '\0';
	return PVA_OK;
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum pva_rc pva_secfile_unname(const char *name, char *out, size_t outlen)
{
	char back[3 * 128 + 1];
	size_t i, o = 0, n = name ? strlen(name) : 0;
	int hi, lo;

	if (outlen > 0)
		out[0] = '\0';
	if (n == 0 || n >= sizeof(back))
		return PVA_ERR_INVAL;
	for (i = 0; i < n; i++) {
		char c = name[i];
		if (c == '%') {
			if (i + 2 >= n)
				goto bad;
			hi = hex_val(name[i + 1]);
			lo = hex_val(name[i + 2]);
			if (hi < 0 || lo < 0)
				goto bad;
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (c == '\0' || o + 1 >= outlen)
			goto bad;
		out[o++] = c;
	}
	out[o] = '\0';
	/* canonical: escaping it again gives name back */
	if (pva_secfile_name(out, back, sizeof(back)) != PVA_OK || strcmp(back, name) != 0)
		goto bad;
	return PVA_OK;
bad:
	if (outlen > 0)
		sodium_memzero(out, o < outlen ? o + 1 : outlen);
	return PVA_ERR_INVAL;
}

int pva_secfile_is_temp(const char *name, const char *base)
{
	size_t plen = sizeof(PVA_SECFILE_TEMP_PREFIX) - 1, n = strlen(name), blen;

	if (n < plen + 17 || strncmp(name, PVA_SECFILE_TEMP_PREFIX, plen) != 0 ||
	    name[n - 17] != '.' || strspn(name + n - 16, "0123456789abcdef") != 16)
		return 0;
	if (base == NULL)
		return 1;
	blen = strlen(base);
	return n == plen + blen + 17 && strncmp(name + plen, base, blen) == 0;
}
