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
	time_t now;
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
		if (again.slot[i].last != c.slot[i].last || again.slot[i].n != c.slot[i].n)
			abort();
	/* the window helpers and a new send stay in bounds on any history */
	now = c.n ? c.slot[c.n - 1].last : 0;
	if (pva_counter_free_at(&c, now, 3600, 1) < now)
		abort();
	pva_counter_add(&c, now);
	if (c.n > PVA_COUNTER_SLOTS || pva_counter_format(&c, buf, sizeof(buf)) != PVA_OK)
		abort();
	return 0;
}
