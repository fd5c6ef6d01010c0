/* route.h - which providers serve a number, and which numbers may be served.
 *
 * A service either lists `providers` (used for every number and channel,
 * skipping providers that cannot use the channel) or `routes`: groups of
 * a prefix ("+" then 0..15 digits) and ordered per-channel provider
 * lists.  The route with the longest prefix that starts the number wins;
 * routes are exhaustive (a number no route matches is not delivered, and
 * the configuration check makes sure every allowed prefix has a route).
 *
 * `allowed_prefixes` is the fraud filter: a number outside the list never
 * gets a code (otp/ledger.c asks pva_route_allowed() before issuing).
 *
 * Everything returned points into the settings (borrowed, immutable).
 */
#ifndef PVA_ROUTE_H
#define PVA_ROUTE_H

#include <stddef.h>

#include "core/cfgread.h"
#include "core/config.h"
#include "delivery/provider.h"

/* PVA_OK when p is "+" followed by 0..15 digits, PVA_ERR_INVAL otherwise. */
enum pva_rc pva_route_prefix_check(const char *p) PVA_WUR;

/* Non-zero when the number phone starts with prefix. */
int pva_route_prefix_match(const char *prefix, const char *phone);

/* The route of phone (longest matching prefix), or NULL when the service
 * has no routes or none matches. */
const struct pva_route *pva_route_find(const struct pva_settings *s, const char *phone);

/* The ordered providers for phone on channel ch.  *list and *n point into s;
 * *prefix is the route's prefix, or "" when the `providers` list serves
 * (it may hold providers that cannot use ch: callers skip those).
 * PVA_ERR_NOTFOUND when the service has routes and none matches. */
enum pva_rc pva_route_select(const struct pva_settings *s, const char *phone,
			     enum pva_channel ch, const struct pva_provider *const **list,
			     size_t *n, const char **prefix) PVA_WUR;

/* Non-zero when phone starts with one of s->allowed_prefixes. */
int pva_route_allowed(const struct pva_settings *s, const char *phone);

/* Configuration (core/config.c): read `routes` and `allowed_prefixes` of
 * group grp into s (absent keys leave s unchanged); providers are looked
 * up in cfg.  Errors through pva_cfg_fail() with file:line. */
enum pva_rc pva_route_read(struct pva_cfgread *rd, const config_setting_t *grp,
			   const struct pva_config *cfg, struct pva_settings *s) PVA_WUR;

/* Cross-checks of a resolved service: every route serves every channel in
 * s->channels, and every allowed prefix is covered by a route. */
enum pva_rc pva_route_check(struct pva_cfgread *rd, const config_setting_t *grp,
			    const struct pva_settings *s) PVA_WUR;

#endif
