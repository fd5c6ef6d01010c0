/* fuzz_config.c - libFuzzer target for the configuration parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pva_config *cfg = NULL;
	char err[512];
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (pva_config_parse(text, "fuzz.conf", &cfg, err, sizeof(err)) == PVA_OK) {
		(void)pva_config_service(cfg, "sshd");
		pva_config_free(cfg);
	}
	free(text);
	return 0;
}
