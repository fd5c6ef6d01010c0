/* secfile.h - safe access to root-only files and directories.
 *
 * Every file the module trusts (configuration, host key, state records,
 * the phone directory) is opened without following symlinks, must be a
 * regular file owned by root, and must not be writable (or, for private
 * files, readable) by group or others -- the same rules as sshd's
 * StrictModes.  Writes are atomic: temp file, fsync, rename, fsync of the
 * directory, so a crash at any point leaves the old or the new content.
 */
#ifndef PVA_SECFILE_H
#define PVA_SECFILE_H

#include <stddef.h>
#include <sys/types.h>

#include "core/rc.h"

enum pva_secfile_mode {
	PVA_SECFILE_NOWRITE = 0, /* no group/other write (configuration) */
	PVA_SECFILE_PRIVATE = 1, /* no group/other access at all (secrets, state) */
};

/* Read the whole of path (at most max bytes) into a NUL-terminated buffer
 * from sodium_malloc-free plain malloc; caller frees *buf (wipe first if
 * it held a secret).  PVA_ERR_NOTFOUND if missing, PVA_ERR_PERM on bad
 * owner/mode/type, PVA_ERR_INVAL if larger than max. */
enum pva_rc pva_secfile_read(const char *path, enum pva_secfile_mode mode,
			     size_t max, char **buf, size_t *len) PVA_WUR;

/* Check an open descriptor against the rules above. */
enum pva_rc pva_secfile_check_fd(int fd, enum pva_secfile_mode mode) PVA_WUR;

/* Atomically replace path with data (file mode `perm`, owner unchanged =
 * the caller, normally root). */
enum pva_rc pva_secfile_write(const char *path, const void *data, size_t len,
			      mode_t perm) PVA_WUR;

/* Atomically create path with data only if it does not exist yet.
 * PVA_ERR_BUSY (no change) if another process created it first. */
enum pva_rc pva_secfile_create(const char *path, const void *data, size_t len,
			       mode_t perm) PVA_WUR;

/* Make sure directory path exists (created with mode 0700 when missing,
 * its parent must exist) and is root-owned with no group/other access. */
enum pva_rc pva_secdir_ensure(const char *path) PVA_WUR;

/* Temp files of interrupted writes are "<dir>/.tmp.<name>.<16 hex>". */
#define PVA_SECFILE_TEMP_PREFIX ".tmp."

/* Non-zero when the directory entry name is such a temp file (of the file
 * base when base is not NULL).  No escaped name (below) can be one. */
int pva_secfile_is_temp(const char *name, const char *base);

/* Escape a user name into a single safe file name component:
 * [A-Za-z0-9_-] kept, '.' kept except first, everything else %XX.
 * PVA_ERR_INVAL for empty names, names over 128 bytes, or out too small. */
enum pva_rc pva_secfile_name(const char *user, char *out, size_t outlen) PVA_WUR;

/* The reverse of pva_secfile_name: the user name a file name stands for.
 * PVA_ERR_INVAL unless name is exactly what pva_secfile_name makes of
 * some name (so "%61", ".x", "a b" or a bad escape are refused), or when
 * out is too small. */
enum pva_rc pva_secfile_unname(const char *name, char *out, size_t outlen) PVA_WUR;

#endif
