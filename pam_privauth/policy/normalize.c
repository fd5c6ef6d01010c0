/* normalize.c - canonical form for blocklist matching (see normalize.h). */
#include "policy/normalize.h"

static int is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* ASCII, not a letter: a digit, a symbol, a space. */
static int is_strippable(unsigned char c)
{
	return c < 0x80 && !is_alpha(c);
}

/* Case fold, then undo a look-alike substitution (see normalize.h). */
static unsigned char fold(unsigned char c)
{
	switch (c) {
	case '@': case '4':
		return 'a';
	case '8':
		return 'b';
	case '3':
		return 'e';
	case '6': case '9':
		return 'g';
	case 'l': case 'L': case '1': case '!': case '|':
		return 'i';
	case '0':
		return 'o';
	case '$': case '5':
		return 's';
	case '7': case '+':
		return 't';
	case '2':
		return 'z';
	default:
		break;
	}
	if (c >= 'A' && c <= 'Z')
		c = (unsigned char)(c - 'A' + 'a');
	return c;
}

size_t pva_norm_canon(const char *in, size_t len, char *out, size_t outsz)
{
	size_t start = 0, end, n = 0, i;
	unsigned char c;

	if (outsz == 0)
		return 0;
	if (len > outsz - 1)
		len = outsz - 1;
	end = len;
	while (start < end && is_strippable(fold((unsigned char)in[start])))
		start++;
	while (end > start && is_strippable(fold((unsigned char)in[end - 1])))
		end--;
	for (i = start; i < end; i++) {
		c = fold((unsigned char)in[i]);
		if (n > 0 && (unsigned char)out[n - 1] == c)
			continue;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return n;
}

size_t pva_norm_stripped(const char *in, size_t len, char *out, size_t outsz)
{
	size_t start = 0, end = len;

	while (start < end && is_strippable((unsigned char)in[start]))
		start++;
	while (end > start && is_strippable((unsigned char)in[end - 1]))
		end--;
	return pva_norm_canon(in + start, end - start, out, outsz);
}

void pva_norm_reverse(char *buf, size_t len)
{
	size_t i;
	char t;

	for (i = 0; i < len / 2; i++) {
		t = buf[i];
		buf[i] = buf[len - 1 - i];
		buf[len - 1 - i] = t;
	}
}
