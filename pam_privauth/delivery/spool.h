/* spool.h - the "spool" provider: one file per message for smstools3.
 *
 * Configuration (a group under `providers`):
 *   type      = "spool";
 *   dir       = "/var/spool/sms/outgoing";  absolute; must not be a symlink
 *   file_mode = "0600";     octal string, or an integer taken literally
 *                           (libconfig reads 0600 as decimal 600, so the
 *                           integer form needs 0x180 or 384); only bits
 *                           within 0660 are allowed
 *   channels  = ["sms", "voice"];
 *
 * Each send writes one file "privauth-<unix time>-<16 hex>" atomically
 * (dot-named temp file, fsync, rename, fsync of the directory) in the
 * smstools3 outgoing format:
 *   To: <digits without '+'>\n
 *   Voicecall: yes\n            (voice channel only)
 *   \n
 *   <text>\n
 * SECRET: the file holds the code; the text is never logged.
 * res->request_id is the file name.
 */
#ifndef PVA_SPOOL_H
#define PVA_SPOOL_H

#include "delivery/provider.h"

#define PVA_SPOOL_DIR_DEFAULT "/var/spool/sms/outgoing"
#define PVA_SPOOL_MODE_DEFAULT 0600
#define PVA_SPOOL_MODE_ALLOWED 0660

extern const struct pva_provider_ops pva_provider_spool;

#endif
