/* fuzz_state.c - libFuzzer target for the state record parser and the
 * format/parse round trip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pva_state st, again;
	static char buf[PVA_STORE_REC_MAX];

	if (pva_state_parse((const char *)data, size, &st) != PVA_OK)
		return 0;
	/* whatever parses must format and parse back to the same record */
	if (pva_state_format(&st, buf, sizeof(buf)) != PVA_OK)
		abort();
	if (pva_state_parse(buf, strlen(buf), &again) != PVA_OK)
		abort();
	if (again.fails != st.fails || again.n_pending != st.n_pending ||
	    again.n_sends != st.n_sends || again.locked_until != st.locked_until)
		abort();
	return 0;
}
