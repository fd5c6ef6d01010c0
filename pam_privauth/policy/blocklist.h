/* blocklist.h - common passwords and words, matched in normalised form.
 *
 * The built-in list is generated at build time by tools/mkblocklist.py
 * (john-data's password.lst and python3-zxcvbn's frequency lists), sorted
 * and front-coded in blocks of 16 entries, and compiled into the library
 * as const data: opening costs nothing, a lookup is a binary search over
 * the block index plus one block scan (two or three cache lines).
 *
 * An admin list (one word per line, root-owned, not group/world writable)
 * is added at open time; its entries are normalised like the built-in ones
 * (policy/normalize.h).  A missing or unreadable admin list never blocks a
 * password change: open succeeds with the built-in list and a warning.
 */
#ifndef PVA_BLOCKLIST_H
#define PVA_BLOCKLIST_H

#include <stddef.h>
#include <stdint.h>

#include "core/rc.h"

#define PVA_BLOCKLIST_FILE_MAX (4u << 20) /* bytes of admin list read */

struct pva_blocklist;

/* Open the built-in list plus admin_file (NULL or "" = none).  On a
 * missing/corrupt/unsafe admin file, *out is still usable and warn holds
 * one line saying why (warn[0] == '\0' otherwise).  PVA_ERR_NOMEM only. */
enum pva_rc pva_blocklist_open(const char *admin_file, struct pva_blocklist **out,
			       char *warn, size_t warnlen) PVA_WUR;

/* 1 when the already-normalised string is listed, else 0.  bl may be NULL
 * (built-in list only). */
int pva_blocklist_contains(const struct pva_blocklist *bl, const char *normalized);

/* Entries in the built-in list and in the admin list. */
size_t pva_blocklist_builtin_count(void);
size_t pva_blocklist_admin_count(const struct pva_blocklist *bl);

void pva_blocklist_free(struct pva_blocklist *bl);

/* Internal: the generated table ($(BUILD)/gen/blocklist_data.c). */
extern const unsigned char pva_bl_blob[];
extern const size_t pva_bl_blob_len;
extern const uint32_t pva_bl_index[];
extern const size_t pva_bl_nblocks;
extern const size_t pva_bl_count;

#endif
