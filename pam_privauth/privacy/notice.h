/* notice.h - the privacy notice: what is used, for what, shared with whom.
 *
 * The text is the service's privacy_notice (per language) or the built-in
 * one, with {recipients} (the companies and countries of every provider
 * the service's routes may use, from the providers' `company` and
 * `country`), {phone} (masked), {host} and {service} expanded.
 *
 * The version is 16 hex digits of a BLAKE2b hash over every language's
 * text with {recipients}, {host} and {service} expanded and {phone} left
 * as is: editing the notice or a translation, or adding a provider, asks
 * every user again.  (privauthctl user set with a new number revokes the
 * user's consents and grace entries, so a new number is asked again.)
 */
#ifndef PVA_NOTICE_H
#define PVA_NOTICE_H

#include <stddef.h>

#include "core/config.h"
#include "privacy/consent.h"

/* Room for any rendered notice the flow shows (and the version hashes);
 * a notice whose expansion is longer is an error, never truncated. */
#define PVA_NOTICE_RENDER_MAX 4096

/* Render the notice of s in lang for the user whose masked number is
 * phone_mask.  PVA_ERR_INVAL when it does not fit out. */
enum pva_rc pva_notice_render(const struct pva_config *cfg, const struct pva_settings *s,
			      enum pva_lang lang, const char *service,
			      const char *phone_mask, char *out, size_t outlen) PVA_WUR;

/* The version of the notice of s for service. */
enum pva_rc pva_notice_version(const struct pva_config *cfg, const struct pva_settings *s,
			       const char *service,
			       char out[PVA_NOTICE_VERSION_MAX]) PVA_WUR;

#endif
