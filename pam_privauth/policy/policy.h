/* policy.h - password strength policy: settings, context, verdict.
 *
 * PAM-free.  The engine (policy/rules.c) checks one candidate password
 * against a struct pva_policy and returns every reason it is refused, each
 * as a code plus one plain sentence with guidance.  Input is bounded
 * (PVA_PW_INPUT_MAX bytes) so every check has a bounded cost.
 *
 * SECRET: candidate and old passwords are borrowed, never copied into
 * anything that outlives the call except sodium_malloc'd scratch that is
 * wiped before return.
 */
#ifndef PVA_POLICY_H
#define PVA_POLICY_H

#include <limits.h>
#include <stddef.h>

#include "core/rc.h"

#define PVA_PW_INPUT_MAX 256     /* bytes; longer input is refused outright */
#define PVA_PW_MAX_REASONS 16
#define PVA_PW_REASON_LEN 200

enum pva_pw_preset { PVA_PRESET_DEFAULT = 0, PVA_PRESET_NIST = 1 };

/* Per-service policy (defaults per preset are set by pva_policy_defaults). */
struct pva_policy {
	enum pva_pw_preset preset;
	unsigned min_length;        /* characters (UTF-8 code points), default 12 */
	unsigned max_length;        /* characters, >= 64, default 128 */
	unsigned min_classes;       /* of upper/lower/digit/other, default 3 */
	int require_upper, require_lower, require_digit, require_other; /* 1,1,1,0 */
	unsigned max_repeat;        /* same character in a row, default 3; 0 = off */
	unsigned max_sequence;      /* abcd, 4321, qwerty, 1qaz runs, default 4; 0 = off */
	int check_user;             /* user name, GECOS words, host, service (also reversed) */
	unsigned min_old_diff;      /* characters that must differ from the old password, default 5 */
	int blocklist;              /* use the blocklist, default 1 */
	char blocklist_file[PATH_MAX]; /* admin list, "" = none */
	unsigned min_guesses_log10; /* zxcvbn estimate, 0 = off */
	int enforce_for_root;       /* default 0: root gets warnings only */
	int warn_only;              /* default 0 */
	unsigned retry;             /* prompts in chauthtok, default 3 */
};

/* Who the password is for; every field may be NULL. */
struct pva_pw_ctx {
	const char *user;
	const char *gecos;
	const char *host;
	const char *service;
	const char *old_password;   /* SECRET; NULL when unknown */
};

enum pva_pw_reason {
	PVA_PW_TOO_SHORT = 1,
	PVA_PW_TOO_LONG,
	PVA_PW_NO_UPPER,
	PVA_PW_NO_LOWER,
	PVA_PW_NO_DIGIT,
	PVA_PW_NO_OTHER,
	PVA_PW_FEW_CLASSES,
	PVA_PW_REPEAT,
	PVA_PW_SEQUENCE,
	PVA_PW_PERSONAL,            /* user, GECOS, host or service name */
	PVA_PW_SIMILAR_OLD,
	PVA_PW_BLOCKLISTED,
	PVA_PW_GUESSABLE,           /* zxcvbn estimate too low */
	PVA_PW_BAD_INPUT,           /* over PVA_PW_INPUT_MAX bytes, invalid UTF-8, control chars */
};

struct pva_pw_verdict {
	size_t n;                                   /* 0 = accepted */
	enum pva_pw_reason code[PVA_PW_MAX_REASONS];
	char text[PVA_PW_MAX_REASONS][PVA_PW_REASON_LEN]; /* one plain sentence each */
};

struct pva_blocklist;          /* policy/blocklist.h */

/* Fill p with the preset's defaults. */
void pva_policy_defaults(struct pva_policy *p, enum pva_pw_preset preset);

/* Check pw.  bl may be NULL (no blocklist).  PVA_OK with v->n == 0 when
 * accepted, PVA_OK with v->n > 0 when refused; errors only for NOMEM. */
enum pva_rc pva_policy_check(const struct pva_policy *p, const struct pva_blocklist *bl,
			     const char *pw, const struct pva_pw_ctx *ctx,
			     struct pva_pw_verdict *v) PVA_WUR;

#endif
