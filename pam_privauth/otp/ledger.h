/* ledger.h - the login state machine's transactions on a user's record.
 *
 * Each function is one short critical section: lock the user's record,
 * load, decide, save, unlock.  None of them talks to the user or a
 * provider, so the lock is never held while a person types or a gateway
 * answers.  Time is a parameter.  A corrupt record is PVA_ERR_CORRUPT and
 * the caller refuses the login.
 *
 * Fraud and cost limits are decided in the transaction that issues a
 * code, before anything is sent: the destination must start with one of
 * the service's allowed_prefixes, and the user's sends (per hour, per
 * day), the number's sends (all users; per hour, per day) and the host's
 * sends (all users and services; per hour) must be under their caps.  A
 * send that passes is recorded in all three histories at once (locks
 * taken user, then number, then host; released before delivery).
 *
 * A code that dies with wrong entries against it -- by reaching
 * max_attempts, or by expiring -- counts as a failed code towards the
 * lockout, so letting codes run out is no way around it.
 */
#ifndef PVA_LEDGER_H
#define PVA_LEDGER_H

#include <time.h>

#include "core/config.h"
#include "core/hostkey.h"
#include "otp/code.h"
#include "store/state.h"

enum pva_ledger_outcome {
	PVA_LEDGER_ISSUED,     /* a new code was made and recorded: send it */
	PVA_LEDGER_PENDING,    /* a valid code is already out: reuse it */
	PVA_LEDGER_LOCKED,     /* user locked out until `until` */
	PVA_LEDGER_CAPPED,     /* a send cap (`limit`) reached until `until` */
	PVA_LEDGER_COOLDOWN,   /* resend asked too soon: wait until `until` */
	PVA_LEDGER_CORRECT,    /* the answer matched: code consumed */
	PVA_LEDGER_WRONG,      /* wrong answer, `left` attempts left */
	PVA_LEDGER_MAXTRIES,   /* wrong answer, code dead (maybe locked now) */
	PVA_LEDGER_EXPIRED,    /* no live code for this service */
	PVA_LEDGER_REFUSED,    /* the number is outside allowed_prefixes */
	PVA_LEDGER_ALLOWED,    /* pva_ledger_charge: the send was counted */
};

/* Which cap refused a send. */
enum pva_limit {
	PVA_LIMIT_NONE = 0,
	PVA_LIMIT_USER_HOUR,    /* max_sends_per_hour */
	PVA_LIMIT_USER_DAY,     /* max_sends_per_day */
	PVA_LIMIT_NUMBER_HOUR,  /* number_max_per_hour */
	PVA_LIMIT_NUMBER_DAY,   /* number_max_per_day */
	PVA_LIMIT_HOST_HOUR,    /* host_max_sends_per_hour */
};

/* "user_hour", "number_day", ... for logs. */
const char *pva_limit_name(enum pva_limit l);

struct pva_ledger_ctx {
	const struct pva_store *store;
	const struct pva_hostkey *key;
	const struct pva_settings *s;
	const char *user;
	const char *service;
	/* The destination (E.164; PERSONAL DATA, never stored in the clear).
	 * NULL: no destination check and no per-number cap. */
	const char *phone;
	/* phone is a decoy (nothing will be sent): allowed_prefixes is not
	 * applied, every cap is, so the dialogue looks the same. */
	int decoy;
};

struct pva_ledger_result {
	enum pva_ledger_outcome outcome;
	time_t until;             /* LOCKED, CAPPED, COOLDOWN */
	enum pva_limit limit;     /* CAPPED: the cap that frees last */
	time_t expires;           /* ISSUED, PENDING */
	enum pva_channel channel; /* ISSUED, PENDING */
	unsigned left;            /* WRONG */
	int locked_now;           /* MAXTRIES that started a lockout */
	unsigned char hash[PVA_CODE_HASH_BYTES]; /* ISSUED: identifies the code */
	char code[PVA_CODE_MAX + 1]; /* ISSUED only. SECRET: wipe after sending */
	int has_prev;             /* ISSUED by a resend: the code it replaced */
	struct pva_pending prev;  /* (restored by pva_ledger_cancel) */
};

/* Start of a login: reuse a live code of this service, or issue one on
 * `channel` (lockout and hourly cap permitting). */
enum pva_rc pva_ledger_begin(const struct pva_ledger_ctx *c, enum pva_channel channel,
			     time_t now, struct pva_ledger_result *r) PVA_WUR;

/* The user asked for a new code on `channel`: cooldown and hourly cap
 * apply, the wrong-entry count of the code it replaces is carried over. */
enum pva_rc pva_ledger_resend(const struct pva_ledger_ctx *c, enum pva_channel channel,
			      time_t now, struct pva_ledger_result *r) PVA_WUR;

/* Check an answer against the live code of this service. */
enum pva_rc pva_ledger_verify(const struct pva_ledger_ctx *c, const char *answer,
			      time_t now, struct pva_ledger_result *r) PVA_WUR;

/* Count one send that carries no login code (privauthctl send-test)
 * against the same destination check and caps: ALLOWED (recorded),
 * REFUSED or CAPPED.  Lockouts do not apply. */
enum pva_rc pva_ledger_charge(const struct pva_ledger_ctx *c, time_t now,
			      struct pva_ledger_result *r) PVA_WUR;

/* Delivery of the code issued in r failed: forget it and, after a resend,
 * put back the code it replaced (with its wrong-entry count).  The send
 * still counts against the hourly cap. */
enum pva_rc pva_ledger_cancel(const struct pva_ledger_ctx *c,
			      const struct pva_ledger_result *r, time_t now) PVA_WUR;

/* The code identified by hash went out on another channel than it was
 * issued for (SMS failed, a voice call delivered it): record that, so a
 * later login's "already sent by ..." is true. */
enum pva_rc pva_ledger_set_channel(const struct pva_ledger_ctx *c,
				   const unsigned char hash[PVA_CODE_HASH_BYTES],
				   enum pva_channel channel, time_t now) PVA_WUR;

/* Wipe the secret parts of r. */
void pva_ledger_result_wipe(struct pva_ledger_result *r);

#endif
