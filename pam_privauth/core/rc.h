/* rc.h - the one result enum of the pam_privauth library.
 *
 * Every library function returns enum pva_rc and hands data back through
 * out-parameters.  Only pam/ maps these values to PAM return codes.
 */
#ifndef PVA_RC_H
#define PVA_RC_H

#define PVA_WUR __attribute__((warn_unused_result))

enum pva_rc {
	PVA_OK = 0,
	PVA_ERR_NOMEM,      /* out of memory */
	PVA_ERR_IO,         /* a system call failed */
	PVA_ERR_PERM,       /* a root-only file has the wrong owner or mode */
	PVA_ERR_CONFIG,     /* the configuration is invalid */
	PVA_ERR_INVAL,      /* a bad argument (user name, phone number, ...) */
	PVA_ERR_NOTFOUND,   /* no such record */
	PVA_ERR_CORRUPT,    /* a stored record failed its integrity check */
	PVA_ERR_BUSY,       /* a lock could not be taken in time */
	PVA_ERR_TIMEOUT,    /* an operation ran out of time */
	PVA_ERR_LIMIT,      /* a rate limit or cap refused the operation */
	PVA_ERR_DELIVERY,   /* no provider could deliver the code */
	PVA_ERR_CONV,       /* the conversation with the user failed */
	/* outcomes of the login flow */
	PVA_DENIED,         /* authentication failed */
	PVA_MAXTRIES,       /* too many wrong codes */
	PVA_UNAVAIL,        /* no code could be delivered (failmode secure) */
	PVA_IGNORE,         /* this module has no say (out of scope) */
};

/* Static English description of rc; never NULL. */
const char *pva_rc_str(enum pva_rc rc);

#endif
