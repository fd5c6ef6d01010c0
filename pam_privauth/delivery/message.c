/* message.c - single-pass template expansion for code messages. */
#include "delivery/message.h"

#include <stdio.h>
#include <string.h>

static const char *const placeholders[] = { "code", "service", "host", "ttl_min",
					   "validity", NULL };

/* Index of the placeholder starting at p (just after '{'), or -1. */
static int placeholder_at(const char *p, size_t *len)
{
	int i;

	for (i = 0; placeholders[i]; i++) {
		size_t n = strlen(placeholders[i]);
		if (strncmp(p, placeholders[i], n) == 0 && p[n] == '}') {
			*len = n + 1;
			return i;
		}
	}
	return -1;
}

enum pva_rc pva_message_check(const char *tmpl, char *why, size_t whylen)
{
	int has_code = 0;
	const char *p;

	for (p = tmpl; *p; p++) {
		size_t len;
		int idx;

		if (*p == '}') {
			snprintf(why, whylen, "stray '}' at offset %zu", (size_t)(p - tmpl));
			return PVA_ERR_CONFIG;
		}
		if (*p != '{')
			continue;
		idx = placeholder_at(p + 1, &len);
		if (idx < 0) {
			snprintf(why, whylen, "unknown placeholder at offset %zu "
				 "(known: {code} {service} {host} {ttl_min} {validity})",
				 (size_t)(p - tmpl));
			return PVA_ERR_CONFIG;
		}
		has_code |= idx == 0;
		p += len;
	}
	if (!has_code) {
		snprintf(why, whylen, "must contain {code}");
		return PVA_ERR_CONFIG;
	}
	return PVA_OK;
}

struct out {
	char *buf;
	size_t len;
	size_t pos;
	int overflow;
};

static void emit(struct out *o, const char *s, size_t n)
{
	if (o->pos + n >= o->len) {
		o->overflow = 1;
		return;
	}
	memcpy(o->buf + o->pos, s, n);
	o->pos += n;
}

static void emit_code(struct out *o, const char *code, enum pva_channel ch)
{
	size_t i;

	if (ch != PVA_CH_VOICE) {
		emit(o, code, strlen(code));
		return;
	}
	for (i = 0; code[i]; i++) {
		if (i)
			emit(o, ", ", 2);
		emit(o, &code[i], 1);
	}
}

enum pva_rc pva_message_render(const char *tmpl, const struct pva_message_vars *v,
			       char *out, size_t outlen)
{
	return pva_message_render_lang(tmpl, v, PVA_LANG_EN, out, outlen);
}

enum pva_rc pva_message_render_lang(const char *tmpl, const struct pva_message_vars *v,
				    enum pva_lang lang, char *out, size_t outlen)
{
	struct out o = { out, outlen, 0, 0 };
	char num[24];
	const char *p;

	if (outlen == 0)
		return PVA_ERR_INVAL;
	for (p = tmpl; *p && !o.overflow; p++) {
		size_t len;
		int idx = *p == '{' ? placeholder_at(p + 1, &len) : -1;

		if (idx < 0) {
			emit(&o, p, 1);
			continue;
		}
		p += len;
		if (idx == 0)
			emit_code(&o, v->code, v->channel);
		else if (idx == 1)
			emit(&o, v->service, strlen(v->service));
		else if (idx == 2)
			emit(&o, v->host, strlen(v->host));
		else if (idx == 3) {
			int n = snprintf(num, sizeof(num), "%u", (v->ttl + 59) / 60);
			emit(&o, num, (size_t)n);
		} else { /* "5 min", or "45 s" below a minute */
			int zh = lang == PVA_LANG_ZH_CN;
			int n = v->ttl >= 60 ?
				snprintf(num, sizeof(num), zh ? "%u 分钟" : "%u min",
					 (v->ttl + 59) / 60) :
				snprintf(num, sizeof(num), zh ? "%u 秒" : "%u s", v->ttl);
			emit(&o, num, (size_t)n);
		}
	}
	out[o.overflow ? 0 : o.pos] = '\0';
	return o.overflow ? PVA_ERR_INVAL : PVA_OK;
}
