/* loopsrv.h - TEST ONLY: a one-shot plain-HTTP server on 127.0.0.1 in a
 * thread, for unit tests of the HTTP layer and the HTTPS provider types
 * (which allow plain http:// to a loopback host).
 *
 * It accepts one connection, reads one request (headers plus
 * Content-Length bytes of body) into `got`, waits delay_ms, writes `reply`
 * verbatim (nothing when NULL) and closes.  With no_read set it reads
 * nothing (for TLS-handshake stalls).
 */
#ifndef PVA_LOOPSRV_H
#define PVA_LOOPSRV_H

#include <pthread.h>
#include <stddef.h>

struct loopsrv {
	const char *reply;       /* raw HTTP response; NULL = close silently */
	size_t reply_len;        /* 0 = strlen(reply) */
	unsigned delay_ms;       /* before replying (or, with no_read, closing) */
	int no_read;
	/* filled in */
	int lfd;
	int port;
	pthread_t th;
	char got[32768];         /* the request as received, NUL-terminated */
	size_t got_len;
};

/* Listen on 127.0.0.1:<any> and start the thread; 0 on success. */
int loopsrv_start(struct loopsrv *s);

/* Wait for the thread and close the socket. */
void loopsrv_stop(struct loopsrv *s);

/* The body of the received request ("" if none). */
const char *loopsrv_body(const struct loopsrv *s);

/* A loopback port nothing listens on. */
int loopsrv_closed_port(void);

/* A "HTTP/1.1 <status>" response with a JSON body and Connection: close,
 * in buf (extra: more header lines, each ending "\r\n", may be ""). */
const char *loopsrv_reply(char *buf, size_t len, int status, const char *extra,
			  const char *body);

#endif
