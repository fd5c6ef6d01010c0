/* command.c - the "command" provider: fork + execve a local program. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2, close_range */
#endif
#include "delivery/command.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/phone.h"

#define EXIT_TEMPFAIL 75   /* sysexits.h EX_TEMPFAIL */
#define EXIT_NOEXEC 127
#define REAP_GRACE_MS 2000 /* how long to wait for a killed child */

struct command {
	char *argv[PVA_COMMAND_ARGV_MAX + 1]; /* templates, NULL-terminated */
	unsigned timeout;                     /* seconds */
};

/* A started child and our ends of its pipes. */
struct child {
	pid_t pid;
	int in_w;   /* its stdin */
	int err_r;  /* errno of a failed execve, EOF on success */
};

enum placeholder { PH_BAD, PH_PHONE, PH_DIGITS, PH_CHANNEL, PH_SECRET };

static const char *const command_keys[] = {
	"type", "channels", "company", "country", "argv", "timeout", NULL
};

static const char *const child_env[] = { PVA_COMMAND_PATH, PVA_COMMAND_LANG, NULL };

/* Length of the name of a "{name}" placeholder starting at s, or 0. */
static size_t placeholder_len(const char *s)
{
	size_t n = 0;

	if (s[0] != '{')
		return 0;
	for (s++; (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		  (*s >= '0' && *s <= '9') || *s == '_'; s++)
		n++;
	return (n > 0 && *s == '}') ? n : 0;
}

static enum placeholder placeholder_kind(const char *name, size_t n)
{
	if (n == 5 && strncmp(name, "phone", n) == 0)
		return PH_PHONE;
	if (n == 12 && strncmp(name, "phone_digits", n) == 0)
		return PH_DIGITS;
	if (n == 7 && strncmp(name, "channel", n) == 0)
		return PH_CHANNEL;
	if ((n == 4 && strncmp(name, "code", n) == 0) ||
	    (n == 7 && strncmp(name, "message", n) == 0))
		return PH_SECRET;
	return PH_BAD;
}

static enum pva_rc check_arg(struct pva_cfgread *rd, const config_setting_t *e,
			     const char *v, int idx)
{
	size_t i, n;

	if (strlen(v) > PVA_COMMAND_ARG_LEN_MAX)
		return pva_cfg_fail(rd, e, "argv", "entry %d is longer than %d bytes",
				    idx + 1, PVA_COMMAND_ARG_LEN_MAX);
	for (i = 0; v[i]; i++) {
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return pva_cfg_fail(rd, e, "argv", "entry %d contains control characters",
					    idx + 1);
		n = placeholder_len(v + i);
		if (n == 0)
			continue;
		if (idx == 0)
			return pva_cfg_fail(rd, e, "argv", "the program path must not contain placeholders");
		switch (placeholder_kind(v + i + 1, n)) {
		case PH_SECRET:
			return pva_cfg_fail(rd, e, "argv",
					    "entry %d uses {%.*s}: the code must never be on a command line; the command reads the message on stdin",
					    idx + 1, (int)n, v + i + 1);
		case PH_BAD:
			return pva_cfg_fail(rd, e, "argv",
					    "entry %d: unknown placeholder {%.*s} (valid: {phone}, {phone_digits}, {channel})",
					    idx + 1, (int)(n > 40 ? 40 : n), v + i + 1);
		default:
			i += n + 1;
		}
	}
	return PVA_OK;
}

static enum pva_rc read_argv(struct pva_cfgread *rd, const config_setting_t *grp,
			     struct command *cmd)
{
	const config_setting_t *list = NULL;
	int i, n;

	if (pva_cfg_strlist(rd, grp, "argv", PVA_COMMAND_ARGV_MAX, &list) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (list == NULL)
		return pva_cfg_fail(rd, grp, "argv", "missing; give the program as [\"/path/to/program\", ...]");
	n = config_setting_length(list);
	if (n == 0)
		return pva_cfg_fail(rd, list, "argv", "needs at least the program path");
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
		const char *v = config_setting_get_string(e);

		if (i == 0 && v[0] != '/')
			return pva_cfg_fail(rd, e, "argv", "the program \"%.60s\" must be an absolute path", v);
		if (check_arg(rd, e, v, i) != PVA_OK)
			return PVA_ERR_CONFIG;
		cmd->argv[i] = strdup(v);
		if (cmd->argv[i] == NULL)
			return PVA_ERR_NOMEM;
	}
	return PVA_OK;
}

static void command_destroy(void *priv)
{
	struct command *cmd = priv;
	size_t i;

	if (cmd == NULL)
		return;
	for (i = 0; cmd->argv[i] != NULL; i++)
		free(cmd->argv[i]);
	free(cmd);
}

static enum pva_rc command_create(struct pva_cfgread *rd, const config_setting_t *grp,
				  void **priv)
{
	struct command *cmd = calloc(1, sizeof(*cmd));
	enum pva_rc rc = PVA_ERR_NOMEM;

	*priv = NULL;
	if (cmd == NULL)
		goto out;
	cmd->timeout = PVA_COMMAND_TIMEOUT_DEFAULT;
	rc = pva_cfg_known_keys(rd, grp, command_keys);
	if (rc == PVA_OK)
		rc = read_argv(rd, grp, cmd);
	if (rc == PVA_OK)
		rc = pva_cfg_uint(rd, grp, "timeout", 1, 60, &cmd->timeout);
	if (rc != PVA_OK)
		goto out;
	*priv = cmd;
	cmd = NULL;
out:
	command_destroy(cmd);
	return rc;
}

/* ---- argument expansion ---- */

static void wipe_free(char *s)
{
	if (s == NULL)
		return;
	sodium_memzero(s, strlen(s));
	free(s);
}

static void wipe_argv(char **av)
{
	size_t i;

	for (i = 0; av[i] != NULL; i++) {
		wipe_free(av[i]);
		av[i] = NULL;
	}
}

/* Expand one template.  Every placeholder is at least 7 bytes ("{phone}")
 * and expands to at most 16, so three times the template always fits. */
static char *expand_arg(const char *tmpl, const struct pva_message *msg)
{
	size_t cap = strlen(tmpl) * 3 + 1, pos = 0, n;
	char *out = malloc(cap);
	const char *val;

	if (out == NULL)
		return NULL;
	while (*tmpl) {
		n = placeholder_len(tmpl);
		if (n == 0) {
			out[pos++] = *tmpl++;
			continue;
		}
		switch (placeholder_kind(tmpl + 1, n)) {
		case PH_PHONE:
			val = msg->phone;
			break;
		case PH_DIGITS:
			val = msg->phone + 1;
			break;
		case PH_CHANNEL:
			val = pva_channel_name(msg->channel);
			break;
		default: /* refused at load; never expand anything else */
			val = "";
		}
		memcpy(out + pos, val, strlen(val));
		pos += strlen(val);
		tmpl += n + 2;
	}
	out[pos] = '\0';
	return out;
}

static int expand_argv(const struct command *cmd, const struct pva_message *msg,
		       char **av)
{
	size_t i;

	for (i = 0; cmd->argv[i] != NULL; i++) {
		av[i] = expand_arg(cmd->argv[i], msg);
		if (av[i] == NULL) {
			wipe_argv(av);
			return ENOMEM;
		}
	}
	av[i] = NULL;
	return 0;
}

/* ---- the child ---- */

/* Runs between fork and execve: async-signal-safe calls only. */
static void child_exec(char *const *av, int in_r, int null_fd, int err_w,
		       int max_fd, const struct sigaction *dfl)
{
	sigset_t none;
	int sig, fd, e;

	setpgid(0, 0);
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, dfl, NULL); /* EINVAL for KILL/STOP: harmless */
	if (dup2(in_r, 0) < 0 || dup2(null_fd, 1) < 0 || dup2(null_fd, 2) < 0 ||
	    (err_w != 3 && dup2(err_w, 3) < 0) || fcntl(3, F_SETFD, FD_CLOEXEC) < 0)
		goto fail;
	err_w = 3;
	if (close_range(4, ~0U, 0) != 0)
		for (fd = 4; fd < max_fd; fd++)
			close(fd);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(av[0], av, (char *const *)child_env);
fail:
	e = errno;
	if (write(err_w, &e, sizeof(e)) < 0)
		e = 0;
	_exit(EXIT_NOEXEC);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Move *fd above the standard descriptors (hosts may have closed them). */
static int fd_high(int *fd)
{
	int nfd;

	if (*fd > 2)
		return 0;
	nfd = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
	if (nfd < 0)
		return errno;
	close(*fd);
	*fd = nfd;
	return 0;
}

static int open_fds(int in[2], int ep[2], int *null_fd)
{
	int *const fds[] = { &in[0], &in[1], &ep[0], &ep[1], null_fd };
	size_t i;
	int err;

	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(ep, O_CLOEXEC) != 0)
		return errno;
	*null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (*null_fd < 0)
		return errno;
	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		err = fd_high(fds[i]);
		if (err)
			return err;
	}
	return fcntl(in[1], F_SETFL, O_NONBLOCK) == 0 ? 0 : errno;
}

static int max_fd_guess(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > 65536)
		return 65536;
	return (int)rl.rlim_cur;
}

/* Start av[0]; 0 and *c filled, or an errno value. */
static int spawn(char *const *av, struct child *c)
{
	int in[2] = { -1, -1 }, ep[2] = { -1, -1 }, null_fd = -1, err, max_fd;
	struct sigaction dfl;
	sigset_t all, old;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	max_fd = max_fd_guess();
	err = open_fds(in, ep, &null_fd);
	if (err)
		goto out;
	/* No host handler may run in the child before execve. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	c->pid = fork();
	if (c->pid == 0)
		child_exec(av, in[0], null_fd, ep[1], max_fd, &dfl);
	err = c->pid < 0 ? errno : 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		goto out;
	setpgid(c->pid, c->pid); /* also here, so a kill of the group never misses */
	c->in_w = in[1];
	c->err_r = ep[0];
	in[1] = ep[0] = -1;
out:
	close_fd(&in[0]);
	close_fd(&in[1]);
	close_fd(&ep[0]);
	close_fd(&ep[1]);
	close_fd(&null_fd);
	return err;
}

/* ---- feeding and waiting ---- */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int write_until(int fd, const char *buf, size_t len, int64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	int64_t left;

	while (len > 0) {
		ssize_t w = write(fd, buf, len);
		if (w > 0) {
			buf += w;
			len -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w == 0 || errno != EAGAIN)
			return w == 0 ? EIO : errno;
		left = deadline - now_ms();
		if (left <= 0)
			return ETIMEDOUT;
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			return errno;
	}
	return 0;
}

/* Write buf to the child's stdin without letting SIGPIPE reach the host:
 * blocked around the write, and a SIGPIPE it raised is consumed. */
static int feed(int fd, const char *buf, size_t len, int64_t deadline)
{
	static const struct timespec zero = { 0, 0 };
	sigset_t pipe_set, pending, old;
	int err, was_pending;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigemptyset(&pending);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	err = write_until(fd, buf, len, deadline);
	if (err == EPIPE && !was_pending)
		while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE)
			;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

/* Reap pid before deadline: 0 with *status, ETIMEDOUT, or an errno. */
static int reap(pid_t pid, int64_t deadline, int *status)
{
	struct timespec nap;
	int64_t step = 1, left;
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return errno;
		left = deadline - now_ms();
		if (left <= 0)
			return ETIMEDOUT;
		if (step > left)
			step = left;
		nap.tv_sec = 0;
		nap.tv_nsec = (long)step * 1000000L;
		nanosleep(&nap, NULL);
		if (step < 20)
			step *= 2;
	}
}

static void kill_and_reap(pid_t pid)
{
	int status;

	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	if (reap(pid, now_ms() + REAP_GRACE_MS, &status) != 0)
		return; /* unkillable (D state) or lost: leave it */
}

/* ---- outcome ---- */

static void set_res(struct pva_send_result *res, enum pva_send_status st,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void set_res(struct pva_send_result *res, enum pva_send_status st,
		    const char *fmt, ...)
{
	va_list ap;

	res->status = st;
	va_start(ap, fmt);
	vsnprintf(res->detail, sizeof(res->detail), fmt, ap);
	va_end(ap);
}

static int exec_errno(int fd)
{
	int e = 0;

	if (read(fd, &e, sizeof(e)) != (ssize_t)sizeof(e))
		return 0;
	return e;
}

static void classify(const struct child *c, int status, const char *prog,
		     struct pva_send_result *res)
{
	int code, e;

	if (WIFSIGNALED(status)) {
		set_res(res, PVA_SEND_AMBIGUOUS, "command killed by signal %d",
			WTERMSIG(status));
		return;
	}
	code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (code == 0)
		set_res(res, PVA_SEND_SENT, "command exited 0");
	else if (code == EXIT_TEMPFAIL)
		set_res(res, PVA_SEND_TEMPORARY, "command exited 75 (temporary failure)");
	else if (code == EXIT_NOEXEC && (e = exec_errno(c->err_r)) != 0)
		set_res(res, PVA_SEND_PERMANENT, "cannot execute %.80s: %s", prog,
			strerror(e));
	else
		set_res(res, PVA_SEND_PERMANENT, "command exited %d", code);
}

/* Run av with text on stdin until deadline; fills res. */
static void run(char *const *av, const char *text, size_t len, int64_t deadline,
		struct pva_send_result *res)
{
	struct child c = { -1, -1, -1 };
	int err, status = 0;

	err = spawn(av, &c);
	if (err) {
		set_res(res, PVA_SEND_TEMPORARY, "cannot start command: %s", strerror(err));
		return;
	}
	err = feed(c.in_w, text, len, deadline);
	close_fd(&c.in_w);
	if (err != ETIMEDOUT)
		err = reap(c.pid, deadline, &status);
	if (err == ETIMEDOUT) {
		kill_and_reap(c.pid);
		set_res(res, PVA_SEND_AMBIGUOUS,
			"command timed out after the message was handed over");
	} else if (err) {
		set_res(res, PVA_SEND_AMBIGUOUS, "exit status of the command lost: %s",
			strerror(err));
	} else {
		classify(&c, status, av[0], res);
	}
	close_fd(&c.err_r);
}

static int64_t deadline_for(const struct command *cmd, const struct pva_message *msg)
{
	int64_t ms = (int64_t)cmd->timeout * 1000;

	if (msg->timeout_ms != 0 && (int64_t)msg->timeout_ms < ms)
		ms = (int64_t)msg->timeout_ms;
	return now_ms() + ms;
}

static enum pva_rc command_send(const void *priv, const struct pva_message *msg,
				const struct pva_log *lg, struct pva_send_result *res)
{
	const struct command *cmd = priv;
	char *av[PVA_COMMAND_ARGV_MAX + 1] = { NULL };
	char *text = NULL;
	size_t len = 0;
	int64_t deadline = deadline_for(cmd, msg);

	if (pva_phone_validate(msg->phone) != PVA_OK || msg->text == NULL) {
		set_res(res, PVA_SEND_PERMANENT, "invalid phone number or no text");
		goto out;
	}
	len = strlen(msg->text) + 1;
	text = malloc(len + 1);
	if (text == NULL || expand_argv(cmd, msg, av) != 0) {
		set_res(res, PVA_SEND_TEMPORARY, "out of memory");
		goto out;
	}
	memcpy(text, msg->text, len - 1);
	memcpy(text + len - 1, "\n", 2);
	run(av, text, len, deadline, res);
	pva_log_event(lg, LOG_DEBUG, "command_run", "status",
		      pva_send_status_name(res->status), "detail", res->detail, NULL);
out:
	wipe_argv(av);
	wipe_free(text);
	return res->status == PVA_SEND_SENT ? PVA_OK : PVA_ERR_DELIVERY;
}

const struct pva_provider_ops pva_provider_command = {
	.type = "command",
	.channels = PVA_CH_SMS | PVA_CH_VOICE,
	.create = command_create,
	.send = command_send,
	.destroy = command_destroy,
};
