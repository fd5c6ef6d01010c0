/* bypass.h - operator rules that skip the code: exempt groups and trusted
 * source networks (grace is grace.h).
 *
 * exempt_groups: glob patterns (fnmatch) on the names of the user's
 * groups (primary and supplementary).  The user is exempt when some group
 * matches a plain pattern and no group matches a "!" pattern.  When any of
 * the user's groups cannot be named (an NSS source down), nobody is exempt.
 * trusted_networks: PAM_RHOST must be a literal IPv4 or IPv6 address (an
 * IPv4-mapped IPv6 address counts as IPv4) inside one of the networks; a
 * host name is never resolved and never trusted.
 */
#ifndef PVA_BYPASS_H
#define PVA_BYPASS_H

#include <stddef.h>

#include "core/config.h"

/* Names of user's groups (getgrouplist + getgrgid_r); *names is a malloc'd
 * array of malloc'd strings freed by pva_groups_free.  PVA_ERR_NOTFOUND
 * for an unknown user; PVA_ERR_IO when a lookup fails or one of the user's
 * group ids has no name. */
enum pva_rc pva_user_groups(const char *user, char ***names, size_t *n) PVA_WUR;
void pva_groups_free(char **names, size_t n);

/* 1 when the groups make the user exempt under s->exempt_groups. */
int pva_groups_exempt(const struct pva_settings *s, char *const *groups, size_t n);

/* 1 when rhost is an address inside s->trusted. */
int pva_rhost_trusted(const struct pva_settings *s, const char *rhost);

/* 1 when the address text is inside net. */
int pva_cidr_contains(const struct pva_cidr *net, const char *addr);

#endif
