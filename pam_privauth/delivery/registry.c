/* registry.c - provider types, instance creation and the send wrapper. */
#include "delivery/provider.h"

#include <stdio.h>
#include <string.h>

#include "delivery/aliyun.h"
#include "delivery/command.h"
#include "delivery/generic.h"
#include "delivery/spool.h"
#include "delivery/tencent.h"
#include "delivery/twilio.h"
#include "delivery/vonage.h"

/* Every provider type; a new type is one more line here. */
static const struct pva_provider_ops *const provider_types[] = {
	&pva_provider_spool,
	&pva_provider_command,
	&pva_provider_twilio,
	&pva_provider_vonage,
	&pva_provider_http,
	&pva_provider_aliyun,
	&pva_provider_tencent,
};

#define N_TYPES (sizeof(provider_types) / sizeof(provider_types[0]))

const char *pva_channel_name(enum pva_channel ch)
{
	switch (ch) {
	case PVA_CH_SMS:
		return "sms";
	case PVA_CH_VOICE:
		return "voice";
	}
	return "unknown";
}

const char *pva_send_status_name(enum pva_send_status st)
{
	switch (st) {
	case PVA_SEND_SENT:
		return "sent";
	case PVA_SEND_RATE_LIMITED:
		return "rate_limited";
	case PVA_SEND_TEMPORARY:
		return "temporary";
	case PVA_SEND_PERMANENT:
		return "permanent";
	case PVA_SEND_AMBIGUOUS:
		return "ambiguous";
	}
	return "unknown";
}

const struct pva_provider_ops *pva_provider_lookup(const char *type)
{
	size_t i;

	if (type == NULL)
		return NULL;
	for (i = 0; i < N_TYPES; i++)
		if (strcmp(provider_types[i]->type, type) == 0)
			return provider_types[i];
	return NULL;
}

static void type_list(char *out, size_t outlen)
{
	size_t i, used;

	out[0] = '\0';
	for (i = 0; i < N_TYPES; i++) {
		used = strlen(out);
		snprintf(out + used, outlen - used, "%s%s", i ? ", " : "",
			 provider_types[i]->type);
	}
}

static enum pva_rc check_name(struct pva_cfgread *rd, const config_setting_t *grp,
			      const char *name)
{
	size_t i, n;

	if (name == NULL || !config_setting_is_group(grp))
		return pva_cfg_fail(rd, grp, "providers",
				    "each provider must be a named group like sms1 = { type = \"spool\"; }");
	n = strlen(name);
	if (n == 0 || n >= sizeof(((struct pva_provider *)NULL)->name))
		return pva_cfg_fail(rd, grp, name, "provider name must be 1..63 bytes");
	for (i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return pva_cfg_fail(rd, grp, name,
					    "provider name may only use A-Z a-z 0-9 _ -");
	}
	return PVA_OK;
}

static enum pva_rc read_type(struct pva_cfgread *rd, const config_setting_t *grp,
			     const struct pva_provider_ops **ops)
{
	const config_setting_t *s = config_setting_get_member(grp, "type");
	char type[64] = "", valid[160];

	if (s == NULL)
		return pva_cfg_fail(rd, grp, "type", "missing; every provider needs a type");
	if (pva_cfg_string(rd, grp, "type", 0, type, sizeof(type)) != PVA_OK)
		return PVA_ERR_CONFIG;
	*ops = pva_provider_lookup(type);
	if (*ops != NULL)
		return PVA_OK;
	type_list(valid, sizeof(valid));
	return pva_cfg_fail(rd, s, "type", "unknown provider type \"%.40s\" (valid types: %s)",
			    type, valid);
}

static enum pva_rc read_channels(struct pva_cfgread *rd, const config_setting_t *grp,
				 const struct pva_provider_ops *ops, unsigned *out)
{
	const config_setting_t *list = NULL;
	int i, n;

	*out = ops->default_channels ? ops->default_channels : ops->channels;
	if (pva_cfg_strlist(rd, grp, "channels", 2, &list) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (list == NULL)
		return PVA_OK;
	n = config_setting_length(list);
	if (n == 0)
		return pva_cfg_fail(rd, list, "channels", "needs at least one channel");
	*out = 0;
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
		const char *v = config_setting_get_string(e);
		unsigned bit = 0;

		if (strcmp(v, "sms") == 0)
			bit = PVA_CH_SMS;
		else if (strcmp(v, "voice") == 0)
			bit = PVA_CH_VOICE;
		else
			return pva_cfg_fail(rd, e, "channels",
					    "\"%.40s\" is not a channel (use \"sms\" or \"voice\")", v);
		if (!(ops->channels & bit))
			return pva_cfg_fail(rd, e, "channels",
					    "provider type %s cannot deliver by %s", ops->type, v);
		*out |= bit;
	}
	return PVA_OK;
}

/* Who receives the number through each type, unless `company` and
 * `country` say otherwise (privacy/notice.h); NULL company = the
 * provider's own name (a generic gateway). */
static const struct {
	const char *type, *company, *country;
} recipients[] = {
	{ "twilio", "Twilio Inc.", "US" },
	{ "vonage", "Vonage", "GB" },
	{ "aliyun", "Alibaba Cloud", "CN" },
	{ "tencent", "Tencent Cloud", "CN" },
	{ "spool", "this server's SMS gateway (smstools)", "" },
	{ "command", "a local delivery program", "" },
	{ "http", NULL, "" },
};

static enum pva_rc read_recipient(struct pva_cfgread *rd, const config_setting_t *grp,
				  const struct pva_provider_ops *ops, const char *name,
				  struct pva_provider *out)
{
	const config_setting_t *c;
	char v[8] = "";
	size_t i;

	snprintf(out->company, sizeof(out->company), "%s", name);
	out->country[0] = '\0';
	for (i = 0; i < sizeof(recipients) / sizeof(recipients[0]); i++)
		if (strcmp(recipients[i].type, ops->type) == 0) {
			if (recipients[i].company != NULL)
				snprintf(out->company, sizeof(out->company), "%s",
					 recipients[i].company);
			snprintf(out->country, sizeof(out->country), "%s",
				 recipients[i].country);
		}
	if (pva_cfg_string(rd, grp, "company", 0, out->company, sizeof(out->company)) ||
	    pva_cfg_string(rd, grp, "country", 0, v, sizeof(v)))
		return PVA_ERR_CONFIG;
	c = config_setting_get_member(grp, "company");
	if (c != NULL && strpbrk(out->company, "{}") != NULL)
		return pva_cfg_fail(rd, c, "company", "must not contain '{' or '}'");
	c = config_setting_get_member(grp, "country");
	if (c != NULL) {
		if (strlen(v) != 2 || !((v[0] >= 'A' && v[0] <= 'Z') || (v[0] >= 'a' && v[0] <= 'z')) ||
		    !((v[1] >= 'A' && v[1] <= 'Z') || (v[1] >= 'a' && v[1] <= 'z')))
			return pva_cfg_fail(rd, c, "country", "expected an ISO 3166 two-letter "
					    "country code such as \"US\" or \"CN\"");
		for (i = 0; i < 2; i++)
			if (v[i] >= 'a' && v[i] <= 'z')
				v[i] = (char)(v[i] - 'a' + 'A');
		memcpy(out->country, v, 3);
	}
	return PVA_OK;
}

enum pva_rc pva_provider_create(struct pva_cfgread *rd, const config_setting_t *grp,
				struct pva_provider *out)
{
	const struct pva_provider_ops *ops = NULL;
	const char *name = grp ? config_setting_name(grp) : NULL;
	unsigned channels = 0;
	void *priv = NULL;
	enum pva_rc rc;

	memset(out, 0, sizeof(*out));
	rc = check_name(rd, grp, name);
	if (rc == PVA_OK)
		rc = read_type(rd, grp, &ops);
	if (rc == PVA_OK)
		rc = read_channels(rd, grp, ops, &channels);
	if (rc == PVA_OK)
		rc = read_recipient(rd, grp, ops, name, out);
	if (rc == PVA_OK)
		rc = ops->create(rd, grp, &priv);
	if (rc != PVA_OK)
		goto out;
	snprintf(out->name, sizeof(out->name), "%s", name);
	out->ops = ops;
	out->channels = channels;
	out->priv = priv;
out:
	return rc;
}

enum pva_rc pva_provider_send(const struct pva_provider *p,
			      const struct pva_message *msg,
			      const struct pva_log *lg,
			      struct pva_send_result *res)
{
	enum pva_rc rc = PVA_ERR_DELIVERY;

	memset(res, 0, sizeof(*res));
	res->status = PVA_SEND_PERMANENT;
	if (p == NULL || p->ops == NULL || msg == NULL) {
		snprintf(res->detail, sizeof(res->detail), "provider not configured");
		goto out;
	}
	if ((msg->channel != PVA_CH_SMS && msg->channel != PVA_CH_VOICE) ||
	    !(p->channels & (unsigned)msg->channel)) {
		snprintf(res->detail, sizeof(res->detail),
			 "channel %s is not enabled for provider %s",
			 pva_channel_name(msg->channel), p->name);
		goto out;
	}
	/* Providers set SENT themselves; anything else is a failure. */
	res->status = PVA_SEND_TEMPORARY;
	rc = p->ops->send(p->priv, msg, lg, res);
	if (rc == PVA_OK && res->status == PVA_SEND_SENT)
		goto out;
	if (res->status == PVA_SEND_SENT) /* error after the hand-over */
		res->status = PVA_SEND_AMBIGUOUS;
	rc = PVA_ERR_DELIVERY;
out:
	if (res->detail[0] == '\0')
		snprintf(res->detail, sizeof(res->detail), "%s",
			 pva_send_status_name(res->status));
	return rc;
}

void pva_provider_destroy(struct pva_provider *p)
{
	if (p == NULL)
		return;
	if (p->ops != NULL && p->priv != NULL)
		p->ops->destroy(p->priv);
	memset(p, 0, sizeof(*p));
}
