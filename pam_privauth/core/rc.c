/* rc.c - descriptions of library result codes. */
#include "core/rc.h"

const char *pva_rc_str(enum pva_rc rc)
{
	switch (rc) {
	case PVA_OK: return "success";
	case PVA_ERR_NOMEM: return "out of memory";
	case PVA_ERR_IO: return "input/output error";
	case PVA_ERR_PERM: return "unsafe ownership or permissions";
	case PVA_ERR_CONFIG: return "invalid configuration";
	case PVA_ERR_INVAL: return "invalid argument";
	case PVA_ERR_NOTFOUND: return "not found";
	case PVA_ERR_CORRUPT: return "corrupt record";
	case PVA_ERR_BUSY: return "lock not available";
	case PVA_ERR_TIMEOUT: return "timed out";
	case PVA_ERR_LIMIT: return "limit reached";
	case PVA_ERR_DELIVERY: return "delivery failed";
	case PVA_ERR_CONV: return "conversation failed";
	case PVA_DENIED: return "denied";
	case PVA_MAXTRIES: return "too many attempts";
	case PVA_UNAVAIL: return "second factor unavailable";
	case PVA_IGNORE: return "ignored";
	}
	return "unknown error";
}
