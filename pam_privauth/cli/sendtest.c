/* sendtest.c - privauthctl send-test: one test message through the route
 * a user's number takes, every attempt printed.
 *
 * The send is real (it costs money and reaches the phone), so it goes
 * through the same destination check and caps as a login code and is
 * counted against them.  Template-only gateways (aliyun, tencent) cannot
 * carry free text: they send their approved template with a random code
 * that is stored nowhere and can never log anyone in.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cli/cli.h"
#include "core/i18n.h"
#include "core/phone.h"
#include "delivery/deliver.h"
#include "delivery/route.h"
#include "otp/code.h"
#include "otp/ledger.h"
#include "store/phones.h"

#define DEFAULT_SERVICE "send-test"

struct send_opts {
	const char *user;
	const char *service;
	enum pva_channel channel;
	int have_channel;
	enum pva_lang lang;
	int have_lang;
};

static int parse_opts(int argc, char **argv, struct send_opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->service = DEFAULT_SERVICE;
	if (argc < 2 || argv[1][0] == '-')
		return -1;
	o->user = argv[1];
	for (i = 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--service") == 0) {
			o->service = argv[i + 1];
		} else if (strcmp(argv[i], "--channel") == 0) {
			if (strcmp(argv[i + 1], "sms") == 0)
				o->channel = PVA_CH_SMS;
			else if (strcmp(argv[i + 1], "voice") == 0)
				o->channel = PVA_CH_VOICE;
			else
				return -1;
			o->have_channel = 1;
		} else if (strcmp(argv[i], "--lang") == 0) {
			if (strcmp(argv[i + 1], "en") == 0)
				o->lang = PVA_LANG_EN;
			else if (strcmp(argv[i + 1], "zh_CN") == 0)
				o->lang = PVA_LANG_ZH_CN;
			else
				return -1;
			o->have_lang = 1;
		} else {
			return -1;
		}
	}
	if (i != argc || o->service[0] == '\0' || strlen(o->service) >= PVA_NAME_MAX ||
	    strspn(o->service, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		   "0123456789._-") != strlen(o->service))
		return -1;
	return 0;
}

static int channel_enabled(const struct pva_settings *s, enum pva_channel ch)
{
	size_t i;

	for (i = 0; i < s->n_channels; i++)
		if (s->channels[i] == ch)
			return 1;
	return 0;
}

/* "route: +86 -> tencent, aliyun (sms)" */
static void print_route(const struct pva_settings *s, const char *phone,
			enum pva_channel ch)
{
	const struct pva_provider *const *list;
	const char *prefix;
	size_t n, i;

	if (pva_route_select(s, phone, ch, &list, &n, &prefix) != PVA_OK) {
		printf("route: none matches this number\n");
		return;
	}
	printf("route: %s ->", prefix[0] ? prefix : "(providers list)");
	for (i = 0; i < n; i++)
		printf("%s %s", i ? "," : "", list[i]->name);
	printf(" (%s)%s\n", pva_channel_name(ch),
	       s->voice_fallback && ch == PVA_CH_SMS ? ", then voice if all fail" : "");
}

/* The destination check and caps, counted like a login code's send. */
static int charge(struct pva_cli *cli, const struct pva_settings *s,
		  const struct send_opts *o, const char *phone)
{
	struct pva_ledger_ctx lc = { &cli->store, cli->key, s, o->user, o->service,
				     phone, 0 };
	struct pva_ledger_result r;
	time_t now = time(NULL);
	enum pva_rc rc;

	rc = pva_ledger_charge(&lc, now, &r);
	if (rc != PVA_OK) {
		fprintf(stderr, "privauthctl: send-test: %s\n", pva_rc_str(rc));
		return 1;
	}
	if (r.outcome == PVA_LEDGER_REFUSED) {
		printf("refused: the number is outside allowed_prefixes; nothing sent\n");
		return 1;
	}
	if (r.outcome == PVA_LEDGER_CAPPED) {
		printf("refused: limit %s reached, try again in %lld s; nothing sent\n",
		       pva_limit_name(r.limit), (long long)(r.until - now));
		return 1;
	}
	return 0;
}

static void print_attempts(const struct pva_deliver_result *res)
{
	size_t i;

	for (i = 0; i < res->attempts && i < PVA_DELIVER_MAX_ATTEMPTS; i++) {
		const struct pva_deliver_attempt *a = &res->attempt[i];
		printf("attempt %zu: provider=%s channel=%s outcome=%s request_id=%s "
		       "elapsed_ms=%u detail=\"%s\"\n", i + 1, a->provider,
		       pva_channel_name(a->channel), pva_send_status_name(a->status),
		       a->request_id[0] ? a->request_id : "-", a->elapsed_ms, a->detail);
	}
}

/* Send the test message; 0 when a provider accepted it. */
static int send_it(struct pva_cli *cli, const struct pva_settings *s,
		   const struct send_opts *o, const char *phone, enum pva_channel ch,
		   enum pva_lang lang)
{
	struct pva_deliver_result res;
	struct pva_deliver_req req;
	char code[PVA_CODE_MAX + 1], text[256];
	enum pva_rc rc;

	if (lang == PVA_LANG_ZH_CN)
		snprintf(text, sizeof(text), "pam_privauth 测试消息：发给 %s 上的用户 "
			 "%.100s，无需任何操作。", cli->cfg->hostname, o->user);
	else
		snprintf(text, sizeof(text), "pam_privauth test message for %.100s on %s: "
			 "no action needed.", o->user, cli->cfg->hostname);
	rc = pva_code_generate(s->code_length, code, sizeof(code));
	if (rc != PVA_OK) {
		fprintf(stderr, "privauthctl: send-test: %s\n", pva_rc_str(rc));
		return 1;
	}
	req = (struct pva_deliver_req){ .user = o->user, .service = o->service,
					.phone = phone, .channel = ch, .code = code,
					.text = text, .lang = lang };
	rc = pva_deliver(cli->cfg, s, &req, NULL, &res);
	sodium_memzero(code, sizeof(code));
	print_attempts(&res);
	if (rc == PVA_OK) {
		printf("result: sent by %s (%s)\n", res.provider, pva_channel_name(res.channel));
		return 0;
	}
	printf("result: not sent (%s)%s\n", res.attempts ? pva_send_status_name(res.status) :
	       "no provider tried", res.maybe_sent ? "; it may still arrive" : "");
	return 1;
}

int pva_cli_send_test(struct pva_cli *cli, int argc, char **argv)
{
	const struct pva_settings *s;
	struct pva_phone_rec rec;
	struct send_opts o;
	char mask[PVA_PHONE_MASK_MAX];
	enum pva_channel ch;
	enum pva_lang lang;
	enum pva_rc rc;
	int r = 1;

	if (parse_opts(argc, argv, &o) != 0)
		return 2;
	if (pva_cli_open_store(cli, 0) != 0)
		return 1;
	memset(&rec, 0, sizeof(rec));
	rc = pva_phones_get(&cli->store, o.user, &rec);
	if (rc != PVA_OK) {
		fprintf(stderr, "privauthctl: %s: %s\n", o.user, rc == PVA_ERR_NOTFOUND ?
			"no phone number (privauthctl user set)" : pva_rc_str(rc));
		goto out;
	}
	s = pva_config_service(cli->cfg, o.service);
	ch = o.have_channel ? o.channel :
	     channel_enabled(s, rec.channel) ? rec.channel : s->channels[0];
	if (!channel_enabled(s, ch)) {
		fprintf(stderr, "privauthctl: channel %s is not enabled for service %s\n",
			pva_channel_name(ch), o.service);
		goto out;
	}
	pva_phone_mask(rec.phone, mask, sizeof(mask));
	printf("user: %s\nphone: %s\nservice: %s%s\n", o.user, mask, o.service,
	       s == &cli->cfg->defaults ? " (defaults)" : "");
	lang = o.have_lang ? o.lang : pva_lang_choose(s, rec.lang, NULL);
	printf("language: %s\n", pva_lang_name(lang));
	print_route(s, rec.phone, ch);
	if (charge(cli, s, &o, rec.phone) == 0)
		r = send_it(cli, s, &o, rec.phone, ch, lang);
out:
	sodium_memzero(&rec, sizeof(rec));
	return r;
}
