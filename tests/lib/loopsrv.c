/* loopsrv.c - TEST ONLY: a one-shot loopback HTTP server (see loopsrv.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strcasestr */
#endif
#include "loopsrv.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Read until the headers and Content-Length bytes of body are in. */
static void read_request(struct loopsrv *s, int fd)
{
	char *hend, *cl;
	size_t need;
	ssize_t n;

	while (s->got_len < sizeof(s->got) - 1) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 3000) <= 0)
			return;
		n = read(fd, s->got + s->got_len, sizeof(s->got) - 1 - s->got_len);
		if (n <= 0)
			return;
		s->got_len += (size_t)n;
		s->got[s->got_len] = '\0';
		hend = strstr(s->got, "\r\n\r\n");
		if (hend == NULL)
			continue;
		cl = strcasestr(s->got, "\r\nContent-Length:");
		need = (size_t)(hend + 4 - s->got) + (cl ? strtoul(cl + 17, NULL, 10) : 0);
		if (s->got_len >= need)
			return;
	}
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void *loopsrv_main(void *arg)
{
	struct loopsrv *s = arg;
	struct pollfd p = { s->lfd, POLLIN, 0 };
	int fd;

	if (poll(&p, 1, 10000) <= 0)
		return NULL;
	fd = accept(s->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	if (!s->no_read)
		read_request(s, fd);
	if (s->delay_ms)
		usleep(s->delay_ms * 1000);
	if (s->reply != NULL)
		write_all(fd, s->reply, s->reply_len ? s->reply_len : strlen(s->reply));
	close(fd);
	return NULL;
}

int loopsrv_start(struct loopsrv *s)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);

	s->got[0] = '\0';
	s->got_len = 0;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->lfd < 0)
		return -1;
	if (bind(s->lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(s->lfd, 4) != 0 ||
	    getsockname(s->lfd, (struct sockaddr *)&a, &alen) != 0 ||
	    pthread_create(&s->th, NULL, loopsrv_main, s) != 0) {
		close(s->lfd);
		s->lfd = -1;
		return -1;
	}
	s->port = ntohs(a.sin_port);
	return 0;
}

void loopsrv_stop(struct loopsrv *s)
{
	if (s->lfd < 0)
		return;
	pthread_join(s->th, NULL);
	close(s->lfd);
	s->lfd = -1;
}

const char *loopsrv_body(const struct loopsrv *s)
{
	const char *b = strstr(s->got, "\r\n\r\n");

	return b ? b + 4 : "";
}

int loopsrv_closed_port(void)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &alen) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

const char *loopsrv_reply(char *buf, size_t len, int status, const char *extra,
			  const char *body)
{
	snprintf(buf, len,
		 "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n%sContent-Length: %zu\r\n"
		 "Connection: close\r\n\r\n%s", status, extra ? extra : "", strlen(body), body);
	return buf;
}
