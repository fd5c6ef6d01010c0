/* provfx.h - TEST ONLY: a fixture for unit tests of provider types.
 *
 * A temp directory with a secrets file (root, 0600), a libconfig text
 * "providers = { <group> };" parsed, and one provider created from its
 * first group through the type's ops (not the registry), with
 * rd.secrets set as config.c sets it.
 */
#ifndef PVA_PROVFX_H
#define PVA_PROVFX_H

#include <libconfig.h>

#include "core/secrets.h"
#include "delivery/provider.h"

struct provfx {
	char dir[64];
	char err[512];                 /* the config error, if any */
	config_t cfg;
	int have_cfg;
	struct pva_secrets *sec;
	const struct pva_provider_ops *ops;
	void *priv;
};

/* Make the directory and load secrets_text (NULL = no secrets file). */
int provfx_setup(struct provfx *f, const char *secrets_text);

/* Parse "providers = { group };" and create its first member with ops
 * (destroying a provider made before).  Returns create()'s result. */
enum pva_rc provfx_create(struct provfx *f, const struct pva_provider_ops *ops,
			  const char *group);

/* Send msg through the created provider (res zeroed first, status
 * TEMPORARY as the registry does). */
enum pva_rc provfx_send(struct provfx *f, const struct pva_message *msg,
			struct pva_send_result *res);

void provfx_teardown(struct provfx *f);

/* A message to +4915112345678 with code 493817, ttl 300, service sshd,
 * host box, timeout 5000 ms. */
void provfx_msg(struct pva_message *m, enum pva_channel ch, const char *text);

#endif
