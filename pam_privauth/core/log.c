/* log.c - key=value event lines with sanitised values. */
#include "core/log.h"

#include <stdbool.h>
#include <string.h>

struct sink {
	char *buf;
	size_t len;
	size_t pos;
};

static void put(struct sink *s, char c)
{
	if (s->pos + 1 < s->len)
		s->buf[s->pos++] = c;
	s->buf[s->pos < s->len ? s->pos : s->len - 1] = '\0';
}

static void put_str(struct sink *s, const char *str)
{
	for (; *str; str++)
		put(s, *str);
}

static bool needs_quotes(const char *v)
{
	if (*v == '\0')
		return true;
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;
		if (c == ' ' || c == '"' || c == '=' || c == '\\')
			return true;
	}
	return false;
}

static void put_value(struct sink *s, const char *v)
{
	bool q = needs_quotes(v);

	if (q)
		put(s, '"');
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;
		if (c < 0x20 || c == 0x7f)
			continue; /* control characters never reach the log */
		if (q && (c == '"' || c == '\\'))
			put(s, '\\');
		put(s, (char)c);
	}
	if (q)
		put(s, '"');
}

void pva_log_vformat(char *out, size_t outlen, const char *event, va_list ap)
{
	struct sink s = { out, outlen, 0 };
	const char *k;

	if (outlen == 0)
		return;
	out[0] = '\0';
	put_str(&s, "event=");
	put_value(&s, event ? event : "unknown");
	while ((k = va_arg(ap, const char *)) != NULL) {
		const char *v = va_arg(ap, const char *);
		if (v == NULL)
			continue;
		put(&s, ' ');
		put_str(&s, k);
		put(&s, '=');
		put_value(&s, v);
	}
}

void pva_log_event(const struct pva_log *lg, int prio, const char *event, ...)
{
	char line[PVA_LOG_LINE_MAX];
	va_list ap;

	if (lg == NULL || lg->emit == NULL)
		return;
	if (prio == LOG_DEBUG && !lg->debug)
		return;
	va_start(ap, event);
	pva_log_vformat(line, sizeof(line), event, ap);
	va_end(ap);
	lg->emit(lg->ud, prio, line);
}
