/* smtp.h - one plain-text UTF-8 mail through libcurl's SMTP client.
 *
 * Transport rules (the same spirit as delivery/http.h):
 *   smtps://HOST[:PORT]   TLS from the first byte;
 *   smtp://HOST[:PORT]    STARTTLS is required (CURLUSESSL_ALL), except to
 *                         a loopback host (127.0.0.0/8, ::1, localhost),
 *                         where it is used when the server offers it;
 *   certificates are always verified (peer and host name, TLS 1.2 or
 *   newer); ca_file replaces the system store; no proxy (environment
 *   ignored), no .netrc; credentials only from the secrets file; the
 *   whole exchange within smtp.timeout; CURLOPT_NOSIGNAL.  libcurl is
 *   initialised once and never cleaned up.
 *
 * The message: Date, From, To, Subject (RFC 2047 when not ASCII),
 * Message-ID, MIME-Version, Content-Type text/plain; charset=UTF-8 and
 * Content-Transfer-Encoding 7bit (ASCII, short lines) or base64.  The body
 * is never logged or copied into an error text.
 */
#ifndef PVA_SMTP_H
#define PVA_SMTP_H

#include <stddef.h>

#include "core/config.h"
#include "core/rc.h"

#define PVA_MAIL_ADDR_MAX 256
#define PVA_MAIL_BODY_MAX 8192

struct pva_mail {
	const char *to;        /* one address user@domain (pva_mail_address_ok) */
	const char *subject;   /* UTF-8, one line */
	const char *body;      /* UTF-8 text, "\n" line ends */
};

/* PVA_OK for a plain address local@domain: local part of [A-Za-z0-9._+-]
 * (no leading, trailing or doubled '.'), domain of labels [A-Za-z0-9-]
 * joined by '.' (or a bracketed IPv4/IPv6 literal), at most 254 bytes.
 * Anything that could inject a header or an SMTP command is refused. */
enum pva_rc pva_mail_address_ok(const char *addr) PVA_WUR;

/* The recipient of user from the template (smtp.to, "{user}@example.org"):
 * every {user} replaced.  PVA_ERR_INVAL when the user name holds anything
 * but [A-Za-z0-9._-] (or starts with '.' or '-') or the result is not a
 * safe address. */
enum pva_rc pva_mail_recipient(const char *tmpl, const char *user, char *out,
			       size_t outlen) PVA_WUR;

/* PVA_OK when url is smtp:// or smtps:// HOST[:PORT] with an optional
 * "/EHLO-NAME" and nothing else (no user:password@, no query). */
enum pva_rc pva_smtp_check_url(const char *url, char *why, size_t whylen) PVA_WUR;

/* Build the message text (headers, blank line, encoded body; CRLF line
 * ends) into *out (malloc'd, NUL-terminated, *outlen bytes); the caller
 * wipes and frees it.  now is the Date; hostname goes into Message-ID
 * when the From domain cannot be used.  PVA_ERR_INVAL for an unsafe From
 * or To, or a body over PVA_MAIL_BODY_MAX. */
enum pva_rc pva_mail_format(const struct pva_smtp_conf *c, const struct pva_mail *m,
			    long long now, char **out, size_t *outlen) PVA_WUR;

/* Send m through c (c->url must not be "").  helo is the EHLO name used
 * when the URL has none (the host name).  PVA_OK when the server accepted
 * the message; PVA_ERR_INVAL for a bad address or URL, PVA_ERR_DELIVERY
 * when the exchange failed (err: a short reason without the body, e.g.
 * "Failed sending data to the peer (curl 55), SMTP 550"). */
enum pva_rc pva_smtp_send(const struct pva_smtp_conf *c, const char *helo,
			  const struct pva_mail *m, char *err, size_t errlen) PVA_WUR;

#endif
