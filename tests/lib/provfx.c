/* provfx.c - TEST ONLY: provider unit-test fixture (see provfx.h). */
#include "provfx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

int provfx_setup(struct provfx *f, const char *secrets_text)
{
	char path[128], err[256];
	FILE *fp;

	memset(f, 0, sizeof(*f));
	if (sodium_init() < 0)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/pva-prov-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	if (secrets_text == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/secrets", f->dir);
	fp = fopen(path, "w");
	if (fp == NULL)
		return -1;
	fputs(secrets_text, fp);
	if (fclose(fp) != 0 || chmod(path, 0600) != 0)
		return -1;
	if (pva_secrets_load(path, &f->sec, err, sizeof(err)) != PVA_OK) {
		fprintf(stderr, "# secrets: %s\n", err);
		return -1;
	}
	return 0;
}

static void drop(struct provfx *f)
{
	if (f->ops != NULL && f->priv != NULL)
		f->ops->destroy(f->priv);
	f->priv = NULL;
	f->ops = NULL;
	if (f->have_cfg)
		config_destroy(&f->cfg);
	f->have_cfg = 0;
}

enum pva_rc provfx_create(struct provfx *f, const struct pva_provider_ops *ops,
			  const char *group)
{
	struct pva_cfgread rd = { "test.conf", f->err, sizeof(f->err), 0, f->sec };
	size_t n = strlen(group) + 64;
	char *text = malloc(n);
	const config_setting_t *g;
	enum pva_rc rc = PVA_ERR_INVAL;

	drop(f);
	f->err[0] = '\0';
	if (text == NULL)
		return PVA_ERR_NOMEM;
	snprintf(text, n, "providers = {\n%s\n};\n", group);
	config_init(&f->cfg);
	f->have_cfg = 1;
	if (!config_read_string(&f->cfg, text)) {
		snprintf(f->err, sizeof(f->err), "libconfig: %s line %d",
			 config_error_text(&f->cfg), config_error_line(&f->cfg));
		goto out;
	}
	g = config_lookup(&f->cfg, "providers");
	g = g ? config_setting_get_elem(g, 0) : NULL;
	if (g == NULL)
		goto out;
	rc = ops->create(&rd, g, &f->priv);
	if (rc == PVA_OK)
		f->ops = ops;
out:
	free(text);
	return rc;
}

enum pva_rc provfx_send(struct provfx *f, const struct pva_message *msg,
			struct pva_send_result *res)
{
	memset(res, 0, sizeof(*res));
	res->status = PVA_SEND_TEMPORARY;
	if (f->ops == NULL)
		return PVA_ERR_INVAL;
	return f->ops->send(f->priv, msg, NULL, res);
}

void provfx_teardown(struct provfx *f)
{
	char cmd[128];

	drop(f);
	pva_secrets_free(f->sec);
	f->sec = NULL;
	if (f->dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "# cleanup of %s failed\n", f->dir);
	}
}

void provfx_msg(struct pva_message *m, enum pva_channel ch, const char *text)
{
	memset(m, 0, sizeof(*m));
	m->phone = "+4915112345678";
	m->channel = ch;
	m->text = text;
	m->code = "493817";
	m->ttl = 300;
	m->service = "sshd";
	m->host = "box";
	m->timeout_ms = 5000;
}

void provfx_expect_config_error(struct provfx *f, const struct pva_provider_ops *ops,
				const char *group, const char *what, const char *secret)
{
	assert_int_equal(provfx_create(f, ops, group), PVA_ERR_CONFIG);
	if (strstr(f->err, what) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", f->err, what);
	assert_null(strstr(f->err, secret));
}

void provfx_assert_hidden(const char *text, const char *secret)
{
	assert_null(strstr(text, "493817"));
	assert_null(strstr(text, secret));
}

void provfx_check_answer(size_t i, enum pva_rc rc, const struct pva_send_result *res,
			 enum pva_send_status want, const char *detail)
{
	if (res->status != want || strstr(res->detail, detail) == NULL)
		fail_msg("answer %zu: status %s detail \"%s\"", i,
			 pva_send_status_name(res->status), res->detail);
	assert_int_equal(rc, want == PVA_SEND_SENT ? PVA_OK : PVA_ERR_DELIVERY);
	assert_null(strstr(res->detail, "4915112345678"));
}

const char *provfx_hdr(const struct loopsrv *s, const char *name, char *out, size_t outlen)
{
	const char *p = strstr(s->got, "\r\n"), *end = strstr(s->got, "\r\n\r\n");
	size_t n = strlen(name);

	out[0] = '\0';
	while (p != NULL && end != NULL && p < end) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1, *e = strstr(v, "\r\n");
			while (*v == ' ')
				v++;
			snprintf(out, outlen, "%.*s", (int)(e - v), v);
			return out;
		}
		p = strstr(p, "\r\n");
	}
	return out;
}

int provfx_srv_setup(void **state, const char *secrets_text)
{
	struct provfx_srv *f = calloc(1, sizeof(*f));

	if (f == NULL || provfx_setup(&f->p, secrets_text) != 0) {
		free(f);
		return -1;
	}
	f->s.lfd = -1;
	*state = f;
	return 0;
}

int provfx_srv_teardown(void **state)
{
	struct provfx_srv *f = *state;

	loopsrv_stop(&f->s);
	provfx_teardown(&f->p);
	free(f);
	return 0;
}

void provfx_srv_create(struct provfx_srv *f, const struct pva_provider_ops *ops)
{
	if (provfx_create(&f->p, ops, f->group) != PVA_OK)
		fail_msg("create: %s", f->p.err);
}

void provfx_srv_make(struct provfx_srv *f, const struct pva_provider_ops *ops,
		     const char *head, const char *path, const char *extra)
{
	snprintf(f->group, sizeof(f->group), "%s url = \"http://127.0.0.1:%d%s\"; %s };",
		 head, f->s.port, path, extra);
	provfx_srv_create(f, ops);
}

enum pva_rc provfx_srv_exchange(struct provfx_srv *f, provfx_make_fn *make, const char *extra,
				int status, const char *hdrs, const char *body,
				const struct pva_message *m, struct pva_send_result *res)
{
	enum pva_rc rc;

	f->s.reply = loopsrv_reply(f->reply, sizeof(f->reply), status, hdrs, body);
	assert_int_equal(loopsrv_start(&f->s), 0);
	make(f, extra);
	rc = provfx_send(&f->p, m, res);
	loopsrv_stop(&f->s);
	return rc;
}

void provfx_srv_unreachable(struct provfx_srv *f, provfx_make_fn *make, const char *extra,
			    struct pva_message *m, const char *prefix, const char *bad_phone,
			    struct pva_send_result *res)
{
	f->s.port = loopsrv_closed_port();
	make(f, extra);
	assert_int_equal(provfx_send(&f->p, m, res), PVA_ERR_DELIVERY);
	assert_int_equal(res->status, PVA_SEND_TEMPORARY);
	assert_non_null(strstr(res->detail, prefix));
	m->phone = bad_phone;
	assert_int_equal(provfx_send(&f->p, m, res), PVA_ERR_DELIVERY);
	assert_int_equal(res->status, PVA_SEND_PERMANENT);
}

enum pva_rc provfx_type_send(struct provfx_srv *f, const struct provfx_type *t,
			     const char *extra, int status, const char *hdrs, const char *body,
			     const struct pva_message *m, struct pva_send_result *res)
{
	enum pva_rc rc = provfx_srv_exchange(f, t->make, extra, status, hdrs, body, m, res);

	provfx_assert_hidden(res->detail, t->secret);
	return rc;
}

enum pva_rc provfx_type_exchange(struct provfx_srv *f, const struct provfx_type *t, int status,
				 const char *hdrs, const char *body, enum pva_channel ch,
				 struct pva_send_result *res)
{
	struct pva_message m;

	provfx_msg(&m, ch, "unused by template providers");
	return provfx_type_send(f, t, t->keys, status, hdrs, body, &m, res);
}

void provfx_type_late(struct provfx_srv *f, const struct provfx_type *t, const char *body)
{
	struct pva_message m;
	struct pva_send_result res;

	provfx_msg(&m, PVA_CH_SMS, "x");
	m.timeout_ms = 300;
	f->s.delay_ms = 1500;
	assert_int_equal(provfx_type_send(f, t, t->keys, 200, "", body, &m, &res),
			 PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_AMBIGUOUS);
}
