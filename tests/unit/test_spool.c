/* test_spool.c - the "spool" provider: smstools3 files, atomicity, modes. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "delivery/provider.h"
#include "delivery/spool.h"
#include "../lib/regfx.h"

#define CODE "620417"

struct fx {
	struct regfx r;    /* first: regfx_teardown frees the whole */
	char spool[96];    /* dir/out: the spool directory */
	char logbuf[4096]; /* every logged line */
};

static int setup(void **state)
{
	struct fx *f = regfx_new(sizeof(*f), "spool");

	if (f == NULL)
		return -1;
	snprintf(f->spool, sizeof(f->spool), "%s/out", f->r.dir);
	if (mkdir(f->spool, 0700) != 0)
		return -1;
	*state = f;
	return 0;
}

static void log_sink(void *ud, int prio, const char *line)
{
	struct fx *f = ud;
	size_t used = strlen(f->logbuf);

	(void)prio;
	snprintf(f->logbuf + used, sizeof(f->logbuf) - used, "%s\n", line);
}

/* Create provider "s" from the group body (dir defaults to f->spool). */
static enum pva_rc make(struct fx *f, const char *keys, int with_dir)
{
	char text[1024];
	const config_setting_t *grp;

	snprintf(text, sizeof(text), "s = {\ntype = \"spool\";\n%s%s%s\n%s\n};\n",
		 with_dir ? "dir = \"" : "", with_dir ? f->spool : "",
		 with_dir ? "\";" : "", keys);
	regfx_parse(&f->r, text);
	grp = config_lookup(&f->r.cfg, "s");
	assert_non_null(grp);
	return regfx_create(&f->r, "spool.conf", grp);
}

static void init_msg(struct pva_message *m, enum pva_channel ch, const char *text)
{
	memset(m, 0, sizeof(*m));
	m->phone = "+8613812345678";
	m->channel = ch;
	m->text = text;
	m->code = CODE;
	m->ttl = 300;
}

/* Names in the spool dir: *n_final "privauth-*" files, *n_other others. */
static void count_files(const struct fx *f, size_t *n_final, size_t *n_other)
{
	DIR *d = opendir(f->spool);
	struct dirent *e;

	assert_non_null(d);
	*n_final = *n_other = 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (strncmp(e->d_name, "privauth-", 9) == 0)
			(*n_final)++;
		else
			(*n_other)++;
	}
	closedir(d);
}

static size_t read_spool_file(const struct fx *f, const char *name, char *buf,
			      size_t len, struct stat *st)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", f->spool, name);
	fd = open(path, O_RDONLY | O_NOFOLLOW);
	if (fd < 0)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	assert_int_equal(fstat(fd, st), 0);
	n = read(fd, buf, len - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return (size_t)n;
}

static void check_name(const char *name)
{
	const char *p = name + 9, *dash;
	size_t i;

	assert_memory_equal(name, "privauth-", 9);
	dash = strchr(p, '-');
	assert_non_null(dash);
	assert_true(dash - p >= 10); /* unix time */
	for (; p < dash; p++)
		assert_true(*p >= '0' && *p <= '9');
	assert_int_equal(strlen(dash + 1), 16);
	for (i = 1; i <= 16; i++)
		assert_non_null(strchr("0123456789abcdef", dash[i]));
}

static void send_and_check(struct fx *f, enum pva_channel ch, const char *text,
			   const char *want)
{
	struct pva_message m;
	struct pva_send_result res;
	struct pva_log lg = { log_sink, f, 1 };
	struct stat st;
	char buf[1024];
	size_t n_final, n_other, n;

	init_msg(&m, ch, text);
	assert_int_equal(pva_provider_send(&f->r.p, &m, &lg, &res), PVA_OK);
	assert_int_equal(res.status, PVA_SEND_SENT);
	check_name(res.request_id);
	n = read_spool_file(f, res.request_id, buf, sizeof(buf), &st);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(buf, want, n);
	assert_int_equal(st.st_mode & 07777, 0600);
	count_files(f, &n_final, &n_other);
	assert_int_equal(n_final, 1);
	assert_int_equal(n_other, 0);
	assert_null(strstr(f->logbuf, CODE));
	assert_null(strstr(f->logbuf, "13812345678"));
}

static void test_sms_content(void **state)
{
	struct fx *f = *state;

	assert_int_equal(make(f, "", 1), PVA_OK);
	assert_int_equal(f->r.p.channels, PVA_CH_SMS | PVA_CH_VOICE);
	send_and_check(f, PVA_CH_SMS, "Your code: " CODE "\nvalid 5 min",
		       "To: 8613812345678\n\nYour code: " CODE "\nvalid 5 min\n");
}

static void test_voice_content(void **state)
{
	struct fx *f = *state;

	assert_int_equal(make(f, "", 1), PVA_OK);
	send_and_check(f, PVA_CH_VOICE, "6 2 0 4 1 7",
		       "To: 8613812345678\nVoicecall: yes\n\n6 2 0 4 1 7\n");
}

static mode_t mode_after_send(struct fx *f, const char *keys)
{
	struct pva_message m;
	struct pva_send_result res;
	struct stat st;
	char buf[256];

	assert_int_equal(make(f, keys, 1), PVA_OK);
	init_msg(&m, PVA_CH_SMS, "x");
	assert_int_equal(pva_provider_send(&f->r.p, &m, NULL, &res), PVA_OK);
	read_spool_file(f, res.request_id, buf, sizeof(buf), &st);
	return st.st_mode & 07777;
}

static void test_file_mode(void **state)
{
	struct fx *f = *state;
	mode_t old = umask(077);

	assert_int_equal(mode_after_send(f, ""), 0600);
	assert_int_equal(mode_after_send(f, "file_mode = \"0640\";"), 0640);
	assert_int_equal(mode_after_send(f, "file_mode = \"0660\";"), 0660);
	assert_int_equal(mode_after_send(f, "file_mode = 0x1A0;"), 0640);
	umask(old);
}

static void expect_config_error(struct fx *f, const char *keys, int with_dir,
				const char *where)
{
	assert_int_equal(make(f, keys, with_dir), PVA_ERR_CONFIG);
	if (strstr(f->r.err, where) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", f->r.err, where);
	assert_null(f->r.p.ops);
}

static void test_config_errors(void **state)
{
	struct fx *f = *state;

	/* libconfig reads 0640 as decimal 640 = octal 01200 */
	expect_config_error(f, "file_mode = 0640;", 1, "spool.conf:4: file_mode:");
	expect_config_error(f, "file_mode = \"0666\";", 1, "spool.conf:4: file_mode:");
	expect_config_error(f, "file_mode = \"4600\";", 1, "file_mode");
	expect_config_error(f, "file_mode = \"06x0\";", 1, "file_mode");
	expect_config_error(f, "dir = \"var/spool/sms\";", 0, "spool.conf:4: dir:");
	expect_config_error(f, "dir = \"/var/spool/../../etc\";", 0, "dir");
	expect_config_error(f, "url = \"http://x\";", 1, "spool.conf:4: url: unknown key");
}

static void test_default_dir(void **state)
{
	struct fx *f = *state;
	struct pva_message m;
	struct pva_send_result res;

	assert_int_equal(make(f, "", 0), PVA_OK);
	if (access(PVA_SPOOL_DIR_DEFAULT, F_OK) == 0) {
		/* a real smsd queue: never send test messages into it */
		skip();
	}
	init_msg(&m, PVA_CH_SMS, "x");
	assert_int_equal(pva_provider_send(&f->r.p, &m, NULL, &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_TEMPORARY);
	if (strstr(res.detail, "/var/spool/sms/outgoing") == NULL)
		fail_msg("detail: %s", res.detail);
}

static void test_missing_dir(void **state)
{
	struct fx *f = *state;
	struct pva_message m;
	struct pva_send_result res;

	assert_int_equal(make(f, "", 1), PVA_OK);
	assert_int_equal(rmdir(f->spool), 0);
	init_msg(&m, PVA_CH_SMS, "code " CODE);
	assert_int_equal(pva_provider_send(&f->r.p, &m, NULL, &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_TEMPORARY);
	assert_non_null(strstr(res.detail, strerror(ENOENT)));
	assert_null(strstr(res.detail, CODE));
	assert_int_equal(res.request_id[0], '\0');
	assert_int_equal(mkdir(f->spool, 0700), 0);
}

static void test_symlink_dir(void **state)
{
	struct fx *f = *state;
	struct pva_message m;
	struct pva_send_result res;
	char real[128];
	size_t n_final, n_other;

	/* spool -> real: sends must be refused, nothing lands in real */
	snprintf(real, sizeof(real), "%s/real", f->r.dir);
	assert_int_equal(rmdir(f->spool), 0);
	assert_int_equal(mkdir(real, 0700), 0);
	assert_int_equal(symlink(real, f->spool), 0);
	assert_int_equal(make(f, "", 1), PVA_OK);
	init_msg(&m, PVA_CH_SMS, "x");
	assert_int_equal(pva_provider_send(&f->r.p, &m, NULL, &res), PVA_ERR_DELIVERY);
	assert_int_not_equal(res.status, PVA_SEND_SENT);
	assert_non_null(strstr(res.detail, "symlink"));
	assert_int_equal(unlink(f->spool), 0);
	assert_int_equal(rename(real, f->spool), 0);
	count_files(f, &n_final, &n_other);
	assert_int_equal(n_final + n_other, 0);
}

static void test_many_distinct(void **state)
{
	struct fx *f = *state;
	struct pva_message m;
	struct pva_send_result res;
	size_t i, n_final, n_other;

	assert_int_equal(make(f, "", 1), PVA_OK);
	init_msg(&m, PVA_CH_SMS, "x");
	for (i = 0; i < 100; i++) {
		assert_int_equal(pva_provider_send(&f->r.p, &m, NULL, &res), PVA_OK);
		check_name(res.request_id);
	}
	count_files(f, &n_final, &n_other);
	assert_int_equal(n_final, 100);
	assert_int_equal(n_other, 0);
}

static void test_bad_phone(void **state)
{
	struct fx *f = *state;
	struct pva_message m;
	struct pva_send_result res;
	size_t n_final, n_other;

	assert_int_equal(make(f, "", 1), PVA_OK);
	init_msg(&m, PVA_CH_SMS, "x");
	m.phone = "+8613812345678\nTo: 999";
	assert_int_equal(pva_provider_send(&f->r.p, &m, NULL, &res), PVA_ERR_DELIVERY);
	assert_int_equal(res.status, PVA_SEND_PERMANENT);
	count_files(f, &n_final, &n_other);
	assert_int_equal(n_final + n_other, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sms_content, setup, regfx_teardown),
		cmocka_unit_test_setup_teardown(test_voice_content, setup, regfx_teardown),
		cmocka_unit_test_setup_teardown(test_file_mode, setup, regfx_teardown),
		cmocka_unit_test_setup_teardown(test_config_errors, setup, regfx_teardown),
		cmocka_unit_test_setup_teardown(test_default_dir, setup, regfx_teardown),
		cmocka_unit_test_setup_teardown(test_missing_dir, setup, regfx_teardown),
		cmocka_unit_test_setup_teardown(test_symlink_dir, setup, regfx_teardown),
		cmocka_unit_test_setup_teardown(test_many_distinct, setup, regfx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_phone, setup, regfx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
