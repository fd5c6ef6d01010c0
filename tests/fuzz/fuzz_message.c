/* fuzz_message.c - libFuzzer target for template checks and rendering. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "delivery/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pva_message_vars v = { "123456", "sshd", "host", 300, PVA_CH_VOICE };
	char why[160], out[PVA_MESSAGE_MAX];
	char *t = malloc(size + 1);

	if (t == NULL)
		return 0;
	memcpy(t, data, size);
	t[size] = '\0';
	if (pva_message_check(t, why, sizeof(why)) == PVA_OK &&
	    pva_message_render(t, &v, out, sizeof(out)) == PVA_OK &&
	    strstr(out, "1, 2, 3") == NULL)
		abort(); /* a valid template always carries the spoken code */
	free(t);
	return 0;
}
