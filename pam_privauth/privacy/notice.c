/* notice.c - the privacy notice: built-in texts, placeholders, version. */
#include "privacy/notice.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#define RECIPIENTS_MAX 1024

/* The built-in notices (privacy_notice / privacy_notice_zh_CN unset).
 * Each line is one paragraph; the flow shows them as they are.  The
 * second pair is used when the service also sends password reminders by
 * SMS (the number then serves that purpose too, and the notice says so). */
#define EN_HEAD \
	"Privacy notice: {service} on {host} sends login codes to your phone.\n" \
	"What is used: your phone number, {phone}.\n"
#define EN_TAIL \
	"Who receives it: to deliver a code, your number and the code are passed " \
	"to {recipients}.\n" \
	"What this server keeps: your number, the times codes were sent to you " \
	"over the last day, failed attempts and lockouts, and this agreement. It " \
	"never keeps a code, only a keyed hash of it.\n" \
	"To see or erase this data, ask the administrator (privauthctl export, " \
	"privauthctl forget).\n" \
	"Type yes to agree and receive a code; anything else cancels."
#define ZH_HEAD \
	"隐私说明：{host} 上的 {service} 会向您的手机发送登录验证码。\n" \
	"使用的信息：您的手机号码 {phone}。\n"
#define ZH_TAIL \
	"提供给谁：发送验证码时，您的号码和验证码会交给{recipients}。\n" \
	"本服务器保存的内容：您的号码、最近一天内向您发送验证码的时间、失败次数与锁定状态，" \
	"以及本次同意记录；从不保存验证码本身，只保存其带密钥的哈希值。\n" \
	"如需查看或删除这些数据，请联系管理员（privauthctl export、privauthctl forget）。\n" \
	"输入 yes（或“是”、“同意”）表示同意并接收验证码；输入其他任何内容将取消登录。"

static const char *const builtin[2][PVA_N_LANGS] = {
	{
		[PVA_LANG_EN] = EN_HEAD
		"What for: only to deliver login codes for {service} on {host}.\n"
		EN_TAIL,
		[PVA_LANG_ZH_CN] = ZH_HEAD
		"用途：仅用于发送 {host} 上 {service} 的登录验证码。\n"
		ZH_TAIL,
	},
	{
		[PVA_LANG_EN] = EN_HEAD
		"What for: only to deliver login codes for {service} on {host}, and "
		"reminders to change an old password.\n"
		EN_TAIL,
		[PVA_LANG_ZH_CN] = ZH_HEAD
		"用途：仅用于发送 {host} 上 {service} 的登录验证码，以及提醒您更换旧密码。\n"
		ZH_TAIL,
	},
};

static const char *const separators[PVA_N_LANGS] = {
	[PVA_LANG_EN] = ", ",
	[PVA_LANG_ZH_CN] = "、",
};

/* Append text[0..n) to out at *pos; -1 when it does not fit. */
static int put(char *out, size_t outlen, size_t *pos, const char *text, size_t n)
{
	if (n >= outlen - *pos)
		return -1;
	memcpy(out + *pos, text, n);
	*pos += n;
	out[*pos] = '\0';
	return 0;
}

static int seen(const struct pva_provider *const *list, size_t n, const struct pva_provider *p)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] == p || strcmp(list[i]->name, p->name) == 0)
			return 1;
	return 0;
}

/* Every provider the service may hand a number to, once each, in order:
 * the routes' sms and voice lists, or (without routes) `providers`, the
 * way delivery/route.c chooses them. */
static size_t providers_of(const struct pva_settings *s, const struct pva_provider **out,
			   size_t max)
{
	size_t n = 0, r, i;

#define ADD(p) do { if ((p) != NULL && n < max && !seen(out, n, (p))) out[n++] = (p); } while (0)
	if (s->n_routes == 0) {
		for (i = 0; i < s->n_providers && i < PVA_MAX_ROUTE; i++)
			ADD(s->providers[i]);
		return n;
	}
	for (r = 0; r < s->n_routes && r < PVA_MAX_ROUTES; r++) {
		for (i = 0; i < s->routes[r].n_sms && i < PVA_MAX_ROUTE; i++)
			ADD(s->routes[r].sms[i]);
		for (i = 0; i < s->routes[r].n_voice && i < PVA_MAX_ROUTE; i++)
			ADD(s->routes[r].voice[i]);
	}
#undef ADD
	return n;
}

/* "Twilio Inc. (US), Tencent Cloud (CN)", the same company and country
 * only once (two accounts at one vendor are one recipient). */
static int recipients(const struct pva_settings *s, enum pva_lang lang, char *out,
		      size_t outlen)
{
	const struct pva_provider *p[PVA_MAX_ROUTE * PVA_MAX_ROUTES * 2 + PVA_MAX_ROUTE];
	char one[96];
	size_t n = providers_of(s, p, sizeof(p) / sizeof(p[0])), i, j, pos = 0;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(p[j]->company, p[i]->company) == 0 &&
			    strcmp(p[j]->country, p[i]->country) == 0)
				break;
		if (j < i)
			continue;
		if (p[i]->country[0])
			snprintf(one, sizeof(one), "%s (%s)", p[i]->company, p[i]->country);
		else
			snprintf(one, sizeof(one), "%s", p[i]->company);
		if ((pos > 0 && put(out, outlen, &pos, separators[lang],
				    strlen(separators[lang])) != 0) ||
		    put(out, outlen, &pos, one, strlen(one)) != 0)
			return -1;
	}
	return 0;
}

/* Expand {recipients} {phone} {host} {service} of tmpl into out. */
static enum pva_rc expand(const char *tmpl, const char *recip, const char *phone,
			  const char *host, const char *service, char *out, size_t outlen)
{
	static const char *const names[] = { "recipients", "phone", "host", "service" };
	const char *vals[] = { recip, phone, host, service };
	const char *p = tmpl;
	size_t pos = 0, i;

	if (outlen == 0)
		return PVA_ERR_INVAL;
	out[0] = '\0';
	while (*p) {
		const char *b = strchr(p, '{');
		if (b == NULL)
			return put(out, outlen, &pos, p, strlen(p)) ? PVA_ERR_INVAL : PVA_OK;
		if (put(out, outlen, &pos, p, (size_t)(b - p)) != 0)
			return PVA_ERR_INVAL;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			size_t n = strlen(names[i]);
			if (strncmp(b + 1, names[i], n) == 0 && b[n + 1] == '}')
				break;
		}
		if (i == sizeof(names) / sizeof(names[0])) { /* not ours: as is */
			if (put(out, outlen, &pos, "{", 1) != 0)
				return PVA_ERR_INVAL;
			p = b + 1;
			continue;
		}
		if (put(out, outlen, &pos, vals[i], strlen(vals[i])) != 0)
			return PVA_ERR_INVAL;
		p = b + strlen(names[i]) + 2;
	}
	return PVA_OK;
}

enum pva_rc pva_notice_render(const struct pva_config *cfg, const struct pva_settings *s,
			      enum pva_lang lang, const char *service,
			      const char *phone_mask, char *out, size_t outlen)
{
	char recip[RECIPIENTS_MAX];
	const char *tmpl;
	enum pva_rc rc;

	if ((unsigned)lang >= PVA_N_LANGS)
		lang = PVA_LANG_EN;
	if (out == NULL || outlen == 0)
		return PVA_ERR_INVAL;
	out[0] = '\0';
	if (recipients(s, lang, recip, sizeof(recip)) != 0)
		return PVA_ERR_INVAL;
	tmpl = s->notice[lang][0] ? s->notice[lang] :
	       builtin[s->remind_after_days > 0 && s->remind_via == PVA_REMIND_SMS][lang];
	rc = expand(tmpl, recip, phone_mask ? phone_mask : "", cfg->hostname,
		    service ? service : "", out, outlen);
	if (rc != PVA_OK)
		out[0] = '\0';
	return rc;
}

enum pva_rc pva_notice_version(const struct pva_config *cfg, const struct pva_settings *s,
			       const char *service, char out[PVA_NOTICE_VERSION_MAX])
{
	static const char domain[] = "pam_privauth notice version v1";
	static const char hex[] = "0123456789abcdef";
	/* every language's text as shown, with {phone} left as is */
	char text[PVA_NOTICE_RENDER_MAX];
	unsigned char h[8];
	crypto_generichash_state st;
	enum pva_lang l;
	size_t i;

	out[0] = '\0';
	if (crypto_generichash_init(&st, NULL, 0, sizeof(h)) != 0)
		return PVA_ERR_IO;
	crypto_generichash_update(&st, (const unsigned char *)domain, sizeof(domain));
	for (l = PVA_LANG_EN; l < PVA_N_LANGS; l++) {
		enum pva_rc rc = pva_notice_render(cfg, s, l, service, "{phone}", text,
						   sizeof(text));
		if (rc != PVA_OK)
			return rc;
		/* text and its NUL: no two lists of texts hash alike */
		crypto_generichash_update(&st, (const unsigned char *)text, strlen(text) + 1);
	}
	crypto_generichash_final(&st, h, sizeof(h));
	for (i = 0; i < sizeof(h); i++) {
		out[2 * i] = hex[h[i] >> 4];
		out[2 * i + 1] = hex[h[i] & 15];
	}
	out[2 * sizeof(h)] = '\0';
	return PVA_OK;
}
