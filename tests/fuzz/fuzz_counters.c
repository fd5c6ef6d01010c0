/* fuzz_counters.c - libFuzzer target for the shared send-history record
 * parser (store/counters.c) and the format/parse round trip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/counters.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pva_counter c, again;
	static char buf[PVA_STORE_REC_MAX];
	size_t i;

	if (pva_counter_parse((const char *)data, size, &c) != PVA_OK)
		return 0;
	/* whatever parses must format and parse back to the same record */
	if (pva_counter_format(&c, buf, sizeof(buf)) != PVA_OK)
		abort();
	if (pva_counter_parse(buf, strlen(buf), &again) != PVA_OK)
		abort();
	if (again.n != c.n || strcmp(again.name, c.name) != 0)
		abort();
	for (i = 0; i < c.n; i++)
		if (again.sends[i] != c.sends[i])
			abort();
	/* the window helpers stay in bounds on any history */
	if (c.n > 0 && pva_times_within(c.sends, c.n, c.sends[0], 3600) > c.n)
		abort();
	(void)pva_times_free_at(c.sends, c.n, c.sends[c.n ? c.n - 1 : 0], 86400, 1);
	return 0;
}
