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
#include "loopsrv.h"

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

/* create() of the group must fail with PVA_ERR_CONFIG, with an error
 * that contains `what` and not `secret` (cmocka assertions). */
void provfx_expect_config_error(struct provfx *f, const struct pva_provider_ops *ops,
				const char *group, const char *what, const char *secret);

/* Assert that text shows neither the code 493817 nor `secret`. */
void provfx_assert_hidden(const char *text, const char *secret);

/* Row i of an answer table: the send must end in status `want` with
 * `detail` in res->detail (fail_msg otherwise), rc must match (PVA_OK
 * only for SENT) and the detail must not show the number 4915112345678. */
void provfx_check_answer(size_t i, enum pva_rc rc, const struct pva_send_result *res,
			 enum pva_send_status want, const char *detail);

/* Value of request header `name` (any case) in s->got, or "" when absent. */
const char *provfx_hdr(const struct loopsrv *s, const char *name, char *out, size_t outlen);

/* The fixture plus a one-shot loopback server, for cmocka tests that send
 * through a provider pointed at 127.0.0.1. */
struct provfx_srv {
	struct provfx p;
	struct loopsrv s;
	char reply[2048];
	char group[2048];
};

/* cmocka setup: allocate a provfx_srv into *state (secrets as for
 * provfx_setup, server not started).  0 on success. */
int provfx_srv_setup(void **state, const char *secrets_text);

/* cmocka teardown for provfx_srv_setup. */
int provfx_srv_teardown(void **state);

/* f->group = <head> url = "http://127.0.0.1:<port><path>"; <extra> };
 * and create it with ops; a create error fails the test. */
void provfx_srv_make(struct provfx_srv *f, const struct pva_provider_ops *ops,
		     const char *head, const char *path, const char *extra);

/* Create the provider from f->group; a create error fails the test. */
void provfx_srv_create(struct provfx_srv *f, const struct pva_provider_ops *ops);

/* Makes the provider of one test file from `extra` (after the server has
 * its port). */
typedef void provfx_make_fn(struct provfx_srv *f, const char *extra);

/* Serve one reply (status, extra header lines hdrs, body), make the
 * provider with make(f, extra), send m and stop the server.  Returns
 * send()'s result; the request is left in f->s.got. */
enum pva_rc provfx_srv_exchange(struct provfx_srv *f, provfx_make_fn *make, const char *extra,
				int status, const char *hdrs, const char *body,
				const struct pva_message *m, struct pva_send_result *res);

/* The provider made with make(f, extra) at a closed port: sending m fails
 * TEMPORARY with `prefix` in the detail; then to bad_phone it fails
 * PERMANENT (res and m->phone are left as they are then). */
void provfx_srv_unreachable(struct provfx_srv *f, provfx_make_fn *make, const char *extra,
			    struct pva_message *m, const char *prefix, const char *bad_phone,
			    struct pva_send_result *res);

/* A provider type under test, for the two helpers below. */
struct provfx_type {
	provfx_make_fn *make;  /* the provider at the loopback server */
	const char *keys;      /* its keys for every channel */
	const char *secret;    /* a credential no detail may show */
};

/* provfx_srv_exchange with t->make, then provfx_assert_hidden(res->detail,
 * t->secret). */
enum pva_rc provfx_type_send(struct provfx_srv *f, const struct provfx_type *t,
			     const char *extra, int status, const char *hdrs, const char *body,
			     const struct pva_message *m, struct pva_send_result *res);

/* provfx_type_send of a provfx_msg on channel ch with t->keys. */
enum pva_rc provfx_type_exchange(struct provfx_srv *f, const struct provfx_type *t, int status,
				 const char *hdrs, const char *body, enum pva_channel ch,
				 struct pva_send_result *res);

/* An SMS whose answer (200, body) comes after its 300 ms deadline: it
 * may be out, so the send is AMBIGUOUS. */
void provfx_type_late(struct provfx_srv *f, const struct provfx_type *t, const char *body);

#endif
