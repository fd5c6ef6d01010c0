/* test_state.c - per-user state: text form, sealing, purge, pending codes,
 * locking under concurrency, and crash safety under SIGKILL. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/secfile.h"
#include "store/state.h"
#include "../lib/storefx.h"

#pragma GCC diagnostic ignored "-Wformat-truncation"

#define TEXT_MAX 8192

static int setup(void **state)
{
	return storefx_setup(state, "state");
}

static void make_pending(struct pva_pending *p, const char *service, time_t issued,
			 enum pva_channel ch)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->service, sizeof(p->service), "%s", service);
	randombytes_buf(p->hash, sizeof(p->hash));
	p->issued = issued;
	p->expires = issued + 300;
	p->last_sent = issued + 10;
	p->attempts = 2;
	p->channel = ch;
}

/* A state with a bit of everything. */
static void sample(struct pva_state *s, const char *user)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->user, sizeof(s->user), "%s", user);
	s->fails = 2;
	s->lockouts = 3;
	s->locked_until = 1700000500;
	s->sends[0] = 1700000000;
	s->sends[1] = 1700000100;
	s->sends[2] = 1700000200;
	s->n_sends = 3;
	make_pending(&s->pending[0], "sshd", 1700000000, PVA_CH_SMS);
	make_pending(&s->pending[1], "login.x_y-Z", 1700000100, PVA_CH_VOICE);
	s->pending[1].attempts = 0;
	s->n_pending = 2;
}

static void assert_state_equal(const struct pva_state *a, const struct pva_state *b)
{
	size_t i;

	assert_string_equal(a->user, b->user);
	assert_int_equal(a->fails, b->fails);
	assert_int_equal(a->lockouts, b->lockouts);
	assert_int_equal(a->locked_until, b->locked_until);
	assert_int_equal(a->n_sends, b->n_sends);
	for (i = 0; i < a->n_sends; i++)
		assert_int_equal(a->sends[i], b->sends[i]);
	assert_int_equal(a->n_pending, b->n_pending);
	for (i = 0; i < a->n_pending; i++) {
		const struct pva_pending *p = &a->pending[i], *q = &b->pending[i];
		assert_string_equal(p->service, q->service);
		assert_memory_equal(p->hash, q->hash, PVA_HASH_BYTES);
		assert_int_equal(p->issued, q->issued);
		assert_int_equal(p->expires, q->expires);
		assert_int_equal(p->last_sent, q->last_sent);
		assert_int_equal(p->attempts, q->attempts);
		assert_int_equal(p->channel, q->channel);
	}
}

static void test_format_parse_roundtrip(void **state)
{
	struct pva_state a, b;
	char text[TEXT_MAX];
	size_t i;

	(void)state;
	sample(&a, "alice");
	assert_int_equal(pva_state_format(&a, text, sizeof(text)), PVA_OK);
	assert_memory_equal(text, "v=1\nuser=alice\nfails=2\nlockouts=3\n", 34);
	assert_non_null(strstr(text, "\nsends=1700000000,1700000100,1700000200\n"));
	assert_non_null(strstr(text, "\npending=sshd "));
	assert_int_equal(pva_state_parse(text, strlen(text), &b), PVA_OK);
	assert_state_equal(&a, &b);
	/* empty, and full with extreme values */
	memset(&a, 0, sizeof(a));
	strcpy(a.user, "u");
	assert_int_equal(pva_state_format(&a, text, sizeof(text)), PVA_OK);
	assert_int_equal(pva_state_parse(text, strlen(text), &b), PVA_OK);
	assert_state_equal(&a, &b);
	memset(a.user, 'u', 128);
	a.fails = a.lockouts = UINT_MAX;
	a.locked_until = (time_t)PVA_STORE_TIME_MAX;
	for (i = 0; i < PVA_MAX_SENDS; i++)
		a.sends[i] = (time_t)PVA_STORE_TIME_MAX - (time_t)i;
	a.n_sends = PVA_MAX_SENDS;
	for (i = 0; i < PVA_MAX_PENDING; i++) {
		char svc[PVA_SERVICE_MAX];
		memset(svc, 'a', sizeof(svc) - 1);
		svc[sizeof(svc) - 1] = '\0';
		svc[0] = (char)('a' + i);
		make_pending(&a.pending[i], svc, (time_t)PVA_STORE_TIME_MAX - 300, PVA_CH_VOICE);
		a.pending[i].last_sent = (time_t)PVA_STORE_TIME_MAX;
		a.pending[i].attempts = UINT_MAX;
	}
	a.n_pending = PVA_MAX_PENDING;
	assert_int_equal(pva_state_format(&a, text, sizeof(text)), PVA_OK);
	assert_int_equal(pva_state_parse(text, strlen(text), &b), PVA_OK);
	assert_state_equal(&a, &b);
	/* too small a buffer */
	assert_int_equal(pva_state_format(&a, text, 100), PVA_ERR_INVAL);
}

static void test_format_refuses(void **state)
{
	struct pva_state a;
	char text[TEXT_MAX];

	(void)state;
	sample(&a, "");
	assert_int_equal(pva_state_format(&a, text, sizeof(text)), PVA_ERR_INVAL);
	sample(&a, "a\nfails=9");
	assert_int_equal(pva_state_format(&a, text, sizeof(text)), PVA_ERR_INVAL);
	sample(&a, "alice");
	a.locked_until = -1;
	assert_int_equal(pva_state_format(&a, text, sizeof(text)), PVA_ERR_INVAL);
	sample(&a, "alice");
	a.sends[1] = (time_t)PVA_STORE_TIME_MAX + 1;
	assert_int_equal(pva_state_format(&a, text, sizeof(text)), PVA_ERR_INVAL);
	sample(&a, "alice");
	a.pending[1].channel = (enum pva_channel)0;
	assert_int_equal(pva_state_format(&a, text, sizeof(text)), PVA_ERR_INVAL);
	sample(&a, "alice");
	strcpy(a.pending[1].service, "a b");
	assert_int_equal(pva_state_format(&a, text, sizeof(text)), PVA_ERR_INVAL);
	sample(&a, "alice");
	strcpy(a.pending[1].service, "sshd");
	assert_int_equal(pva_state_format(&a, text, sizeof(text)), PVA_ERR_INVAL);
	sample(&a, "alice");
	a.n_sends = PVA_MAX_SENDS + 1;
	assert_int_equal(pva_state_format(&a, text, sizeof(text)), PVA_ERR_INVAL);
}

#define H64 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define HEAD "v=1\nuser=alice\nfails=0\nlockouts=0\nlocked_until=0\n"

static void test_parse_refuses(void **state)
{
	static const char *const bad[] = {
		"", "v=1\n", "v=2\nuser=alice\nfails=0\nlockouts=0\nlocked_until=0\nsends=\n",
		"user=alice\nv=1\nfails=0\nlockouts=0\nlocked_until=0\nsends=\n",
		HEAD, /* no sends= */
		HEAD "sends=\nsends=\n", HEAD "sends=\nfails=1\n", HEAD "sends=\nextra=1\n",
		HEAD "sends=\nmac=00\n", HEAD "sends=1,\n", HEAD "sends=,1\n", HEAD "sends=1,,2\n",
		HEAD "sends=-5\n", HEAD "sends=253402300800\n", HEAD "sends= 1\n",
		HEAD "sends=\n\n", HEAD "sends=", HEAD "sends=\r\n",
		"v=1\nuser=alice\nfails=4294967296\nlockouts=0\nlocked_until=0\nsends=\n",
		"v=1\nuser=alice\nfails=-1\nlockouts=0\nlocked_until=0\nsends=\n",
		"v=1\nuser=alice\nfails=0\nlockouts=0\nlocked_until=999999999999999\nsends=\n",
		"v=1\nuser=\nfails=0\nlockouts=0\nlocked_until=0\nsends=\n",
		HEAD "sends=\npending=sshd " H64 " 1 2 3 0 fax\n",
		HEAD "sends=\npending=sshd " H64 " 1 2 3 0 sms extra\n",
		HEAD "sends=\npending=sshd " H64 " 1 2 3 0\n",
		HEAD "sends=\npending=sshd " H64 "  1 2 3 0 sms\n",
		HEAD "sends=\npending=sshd " H64 " 1 2 3 0 sms \n",
		HEAD "sends=\npending=ss/hd " H64 " 1 2 3 0 sms\n",
		HEAD "sends=\npending= " H64 " 1 2 3 0 sms\n",
		HEAD "sends=\npending=sshd " H64 "00 1 2 3 0 sms\n",
		HEAD "sends=\npending=sshd 00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff"
		     " 1 2 3 0 sms\n",
		HEAD "sends=\npending=sshd " H64 " 1 2 3 4294967296 sms\n",
		HEAD "sends=\npending=sshd " H64 " 1 2 3 0 sms\npending=sshd " H64 " 1 2 3 0 sms\n",
		HEAD "sends=\npending=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa "
		     H64 " 1 2 3 0 sms\n",
		NULL,
	};
	struct pva_state s;
	size_t i;

	(void)state;
	for (i = 0; bad[i]; i++) {
		memset(&s, 0x5a, sizeof(s));
		if (pva_state_parse(bad[i], strlen(bad[i]), &s) != PVA_ERR_CORRUPT)
			fail_msg("accepted bad record #%zu:\n%s", i, bad[i]);
		assert_int_equal(s.n_pending, 0); /* wiped on failure */
	}
	assert_int_equal(pva_state_parse(HEAD "sends=\n", strlen(HEAD "sends=\n"), &s), PVA_OK);
	assert_int_equal(pva_state_parse(HEAD "sends=\npending=sshd " H64 " 1 2 3 0 sms\n",
					 strlen(HEAD "sends=\npending=sshd " H64 " 1 2 3 0 sms\n"),
					 &s), PVA_OK);
	assert_int_equal(s.n_pending, 1);
}

/* Too many entries: 129 sends or 9 pending codes. */
static void test_parse_limits(void **state)
{
	char text[TEXT_MAX];
	struct pva_state s;
	size_t i, n;

	(void)state;
	n = (size_t)snprintf(text, sizeof(text), HEAD "sends=1");
	for (i = 1; i < PVA_MAX_SENDS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, ",%zu", i + 1);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "\n");
	assert_int_equal(pva_state_parse(text, n, &s), PVA_OK);
	assert_int_equal(s.n_sends, PVA_MAX_SENDS);
	text[n - 1] = '\0';
	n = strlen(text);
	n += (size_t)snprintf(text + n, sizeof(text) - n, ",999\n");
	assert_int_equal(pva_state_parse(text, n, &s), PVA_ERR_CORRUPT);
	n = (size_t)snprintf(text, sizeof(text), HEAD "sends=\n");
	for (i = 0; i < PVA_MAX_PENDING; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "pending=s%zu " H64 " 1 2 3 0 sms\n", i);
	assert_int_equal(pva_state_parse(text, n, &s), PVA_OK);
	assert_int_equal(s.n_pending, PVA_MAX_PENDING);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "pending=s99 " H64 " 1 2 3 0 sms\n");
	assert_int_equal(pva_state_parse(text, n, &s), PVA_ERR_CORRUPT);
}

static void state_path(const struct storefx *f, const char *user, char *p, size_t len)
{
	assert_int_equal(pva_store_path(&f->st, "state", user, NULL, p, len), PVA_OK);
}

static char *slurp(const char *path, size_t *len)
{
	char *buf = NULL;

	assert_int_equal(pva_secfile_read(path, PVA_SECFILE_PRIVATE, 1 << 20, &buf, len), PVA_OK);
	return buf;
}

static void test_load_missing_save_load(void **state)
{
	struct storefx *f = *state;
	struct pva_state a, b;

	memset(&b, 0x5a, sizeof(b));
	assert_int_equal(pva_state_load(&f->st, "alice", &b), PVA_OK);
	assert_string_equal(b.user, "alice");
	assert_int_equal(b.fails, 0);
	assert_int_equal(b.locked_until, 0);
	assert_int_equal(b.n_sends, 0);
	assert_int_equal(b.n_pending, 0);
	sample(&a, "alice");
	assert_int_equal(pva_state_save(&f->st, &a, 1700000000), PVA_OK);
	assert_int_equal(pva_state_load(&f->st, "alice", &b), PVA_OK);
	assert_state_equal(&a, &b);
	assert_int_equal(pva_state_load(&f->st, "", &b), PVA_ERR_INVAL);
	assert_int_equal(pva_state_load(&f->st, "a\nb", &b), PVA_ERR_INVAL);
	/* delete, twice */
	assert_int_equal(pva_state_delete(&f->st, "alice"), PVA_OK);
	assert_int_equal(pva_state_delete(&f->st, "alice"), PVA_OK);
	assert_int_equal(pva_state_load(&f->st, "alice", &b), PVA_OK);
	assert_int_equal(b.n_pending, 0);
	/* a user name needing escapes */
	sample(&a, "../weird user");
	assert_int_equal(pva_state_save(&f->st, &a, 1700000000), PVA_OK);
	assert_int_equal(pva_state_load(&f->st, "../weird user", &b), PVA_OK);
	assert_state_equal(&a, &b);
}

static void test_tamper(void **state)
{
	struct storefx *f = *state;
	char pa[PATH_MAX], pb[PATH_MAX], *orig, *bad;
	struct pva_state a, b;
	size_t len = 0, i;

	sample(&a, "alice");
	assert_int_equal(pva_state_save(&f->st, &a, 1700000000), PVA_OK);
	state_path(f, "alice", pa, sizeof(pa));
	orig = slurp(pa, &len);
	bad = malloc(len + 1);
	assert_non_null(bad);
	for (i = 0; i < len; i++) {
		memcpy(bad, orig, len);
		bad[i] = (char)(bad[i] ^ (1 << (i % 8)));
		storefx_put_raw(pa, bad, len);
		if (pva_state_load(&f->st, "alice", &b) != PVA_ERR_CORRUPT)
			fail_msg("flipped byte %zu accepted", i);
		assert_int_equal(b.n_pending, 0);
	}
	for (i = 0; i < len; i++) {
		storefx_put_raw(pa, orig, i);
		if (pva_state_load(&f->st, "alice", &b) != PVA_ERR_CORRUPT)
			fail_msg("truncation to %zu accepted", i);
	}
	/* alice's intact record as bob's */
	storefx_put_raw(pa, orig, len);
	assert_int_equal(pva_state_load(&f->st, "alice", &b), PVA_OK);
	state_path(f, "bob", pb, sizeof(pb));
	storefx_put_raw(pb, orig, len);
	assert_int_equal(pva_state_load(&f->st, "bob", &b), PVA_ERR_CORRUPT);
	/* and as alice's phone record */
	assert_int_equal(pva_store_path(&f->st, "phones", "alice", NULL, pb, sizeof(pb)), PVA_OK);
	storefx_put_raw(pb, orig, len);
	free(bad);
	bad = NULL;
	assert_int_equal(pva_store_read(&f->st, "phones", "alice", &bad, &len), PVA_ERR_CORRUPT);
	assert_null(bad);
	free(orig);
}

/* A correctly sealed record whose user= line names someone else. */
static void test_user_mismatch(void **state)
{
	struct storefx *f = *state;
	struct pva_state a, b;
	char text[TEXT_MAX];

	sample(&a, "mallory");
	assert_int_equal(pva_state_format(&a, text, sizeof(text)), PVA_OK);
	assert_int_equal(pva_store_write(&f->st, "state", "alice", text), PVA_OK);
	assert_int_equal(pva_state_load(&f->st, "alice", &b), PVA_ERR_CORRUPT);
}

static void test_purge(void **state)
{
	struct pva_state s;
	time_t now = 1700001000;

	(void)state;
	sample(&s, "alice");
	s.sends[0] = now - PVA_SEND_DAY; /* exactly a day ago: gone */
	s.sends[1] = now - 3599;
	s.sends[2] = now;
	s.pending[0].expires = now;    /* expires now: gone */
	s.pending[1].expires = now + 1;
	s.locked_until = now;
	assert_int_equal(pva_state_sends_last_hour(&s, now), 2);
	pva_state_purge(&s, now);
	assert_int_equal(s.n_sends, 2);
	assert_int_equal(s.sends[0], now - 3599);
	assert_int_equal(s.sends[1], now);
	assert_int_equal(s.n_pending, 1);
	assert_string_equal(s.pending[0].service, "login.x_y-Z");
	assert_int_equal(s.pending[1].service[0], '\0'); /* wiped */
	assert_int_equal(s.locked_until, 0);
	assert_int_equal(s.lockouts, 3);  /* kept for the doubling */
	assert_int_equal(s.fails, 2);
	/* a running lockout stays */
	s.locked_until = now + 1;
	pva_state_purge(&s, now);
	assert_int_equal(s.locked_until, now + 1);
	pva_state_purge(&s, now + PVA_SEND_DAY);
	assert_int_equal(s.n_sends, 0);
	assert_int_equal(s.n_pending, 0);
	assert_int_equal(s.locked_until, 0);
	assert_int_equal(s.lockouts, 3);
}

static void test_save_purges(void **state)
{
	struct storefx *f = *state;
	struct pva_state a, b;

	sample(&a, "alice");
	assert_int_equal(pva_state_save(&f->st, &a, 1700000250), PVA_OK);
	assert_int_equal(pva_state_load(&f->st, "alice", &b), PVA_OK);
	assert_int_equal(b.n_pending, 2); /* both live */
	assert_int_equal(b.n_sends, 3);
	assert_int_equal(pva_state_save(&f->st, &b, 1700000301), PVA_OK);
	assert_int_equal(pva_state_load(&f->st, "alice", &b), PVA_OK);
	assert_int_equal(b.n_pending, 1);
	assert_string_equal(b.pending[0].service, "login.x_y-Z");
	/* sends are kept a day (the per-day cap counts them) */
	assert_int_equal(pva_state_save(&f->st, &b, 1700009999), PVA_OK);
	assert_int_equal(pva_state_load(&f->st, "alice", &b), PVA_OK);
	assert_int_equal(b.n_sends, 3);
	assert_int_equal(pva_state_save(&f->st, &b, 1700099999), PVA_OK);
	assert_int_equal(pva_state_load(&f->st, "alice", &b), PVA_OK);
	assert_int_equal(b.n_pending, 0);
	assert_int_equal(b.n_sends, 0);
	assert_int_equal(b.locked_until, 0);
	assert_int_equal(b.lockouts, 3);
}

static void test_pending_ops(void **state)
{
	struct pva_state s;
	struct pva_pending p, *q;
	char svc[80];
	size_t i;

	(void)state;
	memset(&s, 0, sizeof(s));
	strcpy(s.user, "alice");
	assert_null(pva_state_pending(&s, "sshd"));
	assert_null(pva_state_pending(&s, NULL));
	for (i = 0; i < PVA_MAX_PENDING; i++) {
		snprintf(svc, sizeof(svc), "svc%zu", i);
		make_pending(&p, svc, 1000 + (time_t)i, PVA_CH_SMS);
		assert_int_equal(pva_state_put_pending(&s, &p), PVA_OK);
	}
	assert_int_equal(s.n_pending, PVA_MAX_PENDING);
	make_pending(&p, "one-more", 1000, PVA_CH_SMS);
	assert_int_equal(pva_state_put_pending(&s, &p), PVA_ERR_LIMIT);
	/* replacing works even when full, in place */
	make_pending(&p, "svc3", 5000, PVA_CH_VOICE);
	assert_int_equal(pva_state_put_pending(&s, &p), PVA_OK);
	assert_int_equal(s.n_pending, PVA_MAX_PENDING);
	q = pva_state_pending(&s, "svc3");
	assert_ptr_equal(q, &s.pending[3]);
	assert_int_equal(q->issued, 5000);
	assert_int_equal(q->channel, PVA_CH_VOICE);
	assert_memory_equal(q->hash, p.hash, PVA_HASH_BYTES);
	/* drop keeps the order of the rest */
	pva_state_drop_pending(&s, "svc3");
	assert_int_equal(s.n_pending, PVA_MAX_PENDING - 1);
	assert_null(pva_state_pending(&s, "svc3"));
	assert_string_equal(s.pending[3].service, "svc4");
	assert_string_equal(s.pending[PVA_MAX_PENDING - 2].service, "svc7");
	assert_int_equal(s.pending[PVA_MAX_PENDING - 1].service[0], '\0');
	pva_state_drop_pending(&s, "nonexistent");
	assert_int_equal(s.n_pending, PVA_MAX_PENDING - 1);
	assert_int_equal(pva_state_put_pending(&s, &p), PVA_OK);
	/* invalid service names and channels */
	make_pending(&p, "a b", 1, PVA_CH_SMS);
	assert_int_equal(pva_state_put_pending(&s, &p), PVA_ERR_INVAL);
	make_pending(&p, "", 1, PVA_CH_SMS);
	assert_int_equal(pva_state_put_pending(&s, &p), PVA_ERR_INVAL);
	make_pending(&p, "a/b", 1, PVA_CH_SMS);
	assert_int_equal(pva_state_put_pending(&s, &p), PVA_ERR_INVAL);
	make_pending(&p, "svc0", 1, (enum pva_channel)7);
	assert_int_equal(pva_state_put_pending(&s, &p), PVA_ERR_INVAL);
	memset(&p, 0, sizeof(p));
	memset(p.service, 'x', sizeof(p.service)); /* not terminated */
	p.channel = PVA_CH_SMS;
	assert_int_equal(pva_state_put_pending(&s, &p), PVA_ERR_INVAL);
	p.service[PVA_SERVICE_MAX - 1] = '\0'; /* 63 characters: fine */
	pva_state_drop_pending(&s, "svc0");
	assert_int_equal(pva_state_put_pending(&s, &p), PVA_OK);
}

static void test_sends(void **state)
{
	struct pva_state s;
	size_t i;

	(void)state;
	memset(&s, 0, sizeof(s));
	for (i = 0; i < PVA_MAX_SENDS + 2; i++)
		pva_state_add_send(&s, 1000 + (time_t)i);
	assert_int_equal(s.n_sends, PVA_MAX_SENDS);
	assert_int_equal(s.sends[0], 1002); /* the two oldest dropped */
	assert_int_equal(s.sends[PVA_MAX_SENDS - 1], 1000 + PVA_MAX_SENDS + 1);
	assert_int_equal(pva_state_sends_last_hour(&s, 1000 + PVA_MAX_SENDS + 1), PVA_MAX_SENDS);
	assert_int_equal(pva_state_sends_last_hour(&s, 1002 + 3600), PVA_MAX_SENDS - 1);
	assert_int_equal(pva_state_sends_last_hour(&s, 1000000), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(pva_state_sends_last_hour(&s, 5000), 0);
	pva_state_add_send(&s, 5000);
	pva_state_add_send(&s, 5100);
	assert_int_equal(pva_state_sends_last_hour(&s, 5100), 2);
	assert_int_equal(pva_state_sends_last_hour(&s, 8600), 1);
	assert_int_equal(pva_state_sends_last_hour(&s, 8700), 0);
}

/* ---- locking and concurrency ----------------------------------------- */

static void test_lock_timeout(void **state)
{
	struct storefx *f = *state;
	struct timespec t0, t1;
	int ready[2], hold[2], fd = -1, status;
	long long ms;
	char c;
	pid_t pid;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(hold), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int lfd = -1;
		close(hold[1]);
		if (pva_state_lock(&f->st, "alice", 1000, &lfd) != PVA_OK)
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(2);
		(void)!read(hold[0], &c, 1); /* until the parent closes the pipe */
		pva_state_unlock(lfd);
		_exit(0);
	}
	close(hold[0]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pva_state_lock(&f->st, "alice", 300, &fd), PVA_ERR_BUSY);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(fd, -1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000LL + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 300 && ms < 3000);
	assert_int_equal(pva_state_lock(&f->st, "alice", 0, &fd), PVA_ERR_BUSY);
	/* another user is not affected */
	assert_int_equal(pva_state_lock(&f->st, "bob", 0, &fd), PVA_OK);
	pva_state_unlock(fd);
	/* released by the holder: taken within the wait */
	close(hold[1]);
	assert_int_equal(pva_state_lock(&f->st, "alice", 5000, &fd), PVA_OK);
	assert_true(fd >= 0);
	pva_state_unlock(fd);
	pva_state_unlock(-1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(ready[0]);
	close(ready[1]);
}

static void test_lock_file_checks(void **state)
{
	struct storefx *f = *state;
	char p[PATH_MAX];
	int fd = -1;

	assert_int_equal(pva_store_path(&f->st, "locks", "alice", NULL, p, sizeof(p)), PVA_OK);
	assert_int_equal(symlink("/tmp", p), 0);
	assert_int_equal(pva_state_lock(&f->st, "alice", 0, &fd), PVA_ERR_PERM);
	assert_int_equal(fd, -1);
	unlink(p);
	assert_int_equal(pva_state_lock(&f->st, "alice", 0, &fd), PVA_OK);
	pva_state_unlock(fd);
	assert_int_equal(chmod(p, 0644), 0);
	assert_int_equal(pva_state_lock(&f->st, "alice", 0, &fd), PVA_ERR_PERM);
	assert_int_equal(pva_state_lock(&f->st, "", 0, &fd), PVA_ERR_INVAL);
}

/* One child: lock, load, fails++, dawdle, save, unlock. */
static int increment(const struct pva_store *st)
{
	struct pva_state s;
	struct timespec nap = { 0, 0 };
	int fd = -1, ok;

	if (pva_state_lock(st, "alice", 60000, &fd) != PVA_OK)
		return 1;
	ok = pva_state_load(st, "alice", &s) == PVA_OK;
	if (ok) {
		s.fails++;
		pva_state_add_send(&s, 1700000000);
		sched_yield();
		nap.tv_nsec = (long)randombytes_uniform(2000000);
		nanosleep(&nap, NULL);
		ok = pva_state_save(st, &s, 1700000000) == PVA_OK;
	}
	pva_state_unlock(fd);
	return ok ? 0 : 2;
}

static void test_concurrent_writers(void **state)
{
	struct storefx *f = *state;
	struct pva_state s;
	pid_t pids[50];
	int i, status;

	for (i = 0; i < 50; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(increment(&f->st));
	}
	for (i = 0; i < 50; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(pva_state_load(&f->st, "alice", &s), PVA_OK);
	assert_int_equal(s.fails, 50);
	assert_int_equal(s.n_sends, 50);
}

/* Save big records in a loop until killed; a byte on `ready` after the
 * first one is complete. */
static void save_forever(const struct pva_store *st, int ready)
{
	struct pva_state s;
	unsigned n = 0;
	size_t i;

	sample(&s, "alice");
	for (i = 0; i < PVA_MAX_SENDS; i++)
		s.sends[i] = 1700000000 + (time_t)i;
	s.n_sends = PVA_MAX_SENDS;
	for (;;) {
		s.fails = ++n;
		if (pva_state_save(st, &s, 1700000000) != PVA_OK)
			_exit(3);
		if (n == 1 && write(ready, "x", 1) != 1)
			_exit(4);
	}
}

static size_t count_tmp(const char *dir, int remove_them)
{
	char p[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strstr(de->d_name, ".tmp.") == NULL)
			continue;
		n++;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (remove_them)
			unlink(p);
	}
	closedir(d);
	return n;
}

/* Kill a writer at random moments: the record always loads, old or new.
 * Even rounds kill after the first complete save (so a new record must
 * show), odd rounds at any moment, the first write included. */
static void test_kill_mid_write(void **state)
{
	struct storefx *f = *state;
	struct pva_state s, small;
	char dir[PATH_MAX], c;
	unsigned fresh = 0;
	int i, status, ready[2];
	pid_t pid;

	sample(&small, "alice");
	for (i = 0; i < 200; i++) {
		struct timespec nap = { 0, (long)(100000 + randombytes_uniform(2000000)) };
		assert_int_equal(pva_state_save(&f->st, &small, 1700000000), PVA_OK);
		assert_int_equal(pipe(ready), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0)
			save_forever(&f->st, ready[1]);
		if (i % 2 == 0)
			assert_int_equal(read(ready[0], &c, 1), 1);
		nanosleep(&nap, NULL);
		assert_int_equal(kill(pid, SIGKILL), 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status)); /* not an early _exit() */
		close(ready[0]);
		close(ready[1]);
		if (pva_state_load(&f->st, "alice", &s) != PVA_OK)
			fail_msg("record unreadable after SIGKILL #%d", i);
		if (s.n_sends == PVA_MAX_SENDS)
			fresh++;
		else if (s.n_sends != 3 || i % 2 == 0)
			fail_msg("round %d: %zu sends", i, s.n_sends);
	}
	assert_true(fresh >= 100);
	snprintf(dir, sizeof(dir), "%s/state", f->st.dir);
	print_message("# %u of 200 kills left the new record; %zu temp files left\n", fresh,
		      count_tmp(dir, 0));
	count_tmp(dir, 1);
	assert_int_equal(count_tmp(dir, 0), 0);
	assert_int_equal(pva_state_load(&f->st, "alice", &s), PVA_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_parse_roundtrip),
		cmocka_unit_test(test_format_refuses),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test_setup_teardown(test_load_missing_save_load, setup, storefx_teardown),
		cmocka_unit_test_setup_teardown(test_tamper, setup, storefx_teardown),
		cmocka_unit_test_setup_teardown(test_user_mismatch, setup, storefx_teardown),
		cmocka_unit_test(test_purge),
		cmocka_unit_test_setup_teardown(test_save_purges, setup, storefx_teardown),
		cmocka_unit_test(test_pending_ops),
		cmocka_unit_test(test_sends),
		cmocka_unit_test_setup_teardown(test_lock_timeout, setup, storefx_teardown),
		cmocka_unit_test_setup_teardown(test_lock_file_checks, setup, storefx_teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_writers, setup, storefx_teardown),
		cmocka_unit_test_setup_teardown(test_kill_mid_write, setup, storefx_teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
