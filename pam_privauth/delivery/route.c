/* route.c - prefix routing and the allowed destinations: selection at
 * send time, parsing and cross-checks at configuration load. */
#include "delivery/route.h"

#include <string.h>

static const char *const route_keys[] = { "prefix", "sms", "voice", NULL };

enum pva_rc pva_route_prefix_check(const char *p)
{
	size_t n;

	if (p == NULL || p[0] != '+')
		return PVA_ERR_INVAL;
	n = strlen(p + 1);
	if (n > PVA_PREFIX_MAX - 2 || strspn(p + 1, "0123456789") != n)
		return PVA_ERR_INVAL;
	return PVA_OK;
}

int pva_route_prefix_match(const char *prefix, const char *phone)
{
	if (prefix == NULL || phone == NULL || prefix[0] == '\0')
		return 0;
	return strncmp(phone, prefix, strlen(prefix)) == 0;
}

const struct pva_route *pva_route_find(const struct pva_settings *s, const char *phone)
{
	const struct pva_route *best = NULL;
	size_t i;

	for (i = 0; i < s->n_routes && i < PVA_MAX_ROUTES; i++) {
		const struct pva_route *r = &s->routes[i];
		if (!pva_route_prefix_match(r->prefix, phone))
			continue;
		if (best == NULL || strlen(r->prefix) > strlen(best->prefix))
			best = r;
	}
	return best;
}

enum pva_rc pva_route_select(const struct pva_settings *s, const char *phone,
			     enum pva_channel ch, const struct pva_provider *const **list,
			     size_t *n, const char **prefix)
{
	const struct pva_route *r;

	*list = NULL;
	*n = 0;
	*prefix = "";
	if (s->n_routes == 0) {
		*list = s->providers;
		*n = s->n_providers;
		return PVA_OK;
	}
	r = pva_route_find(s, phone);
	if (r == NULL)
		return PVA_ERR_NOTFOUND;
	*prefix = r->prefix;
	*list = ch == PVA_CH_VOICE ? r->voice : r->sms;
	*n = ch == PVA_CH_VOICE ? r->n_voice : r->n_sms;
	return PVA_OK;
}

int pva_route_allowed(const struct pva_settings *s, const char *phone)
{
	size_t i;

	for (i = 0; i < s->n_allowed && i < PVA_MAX_PREFIXES; i++)
		if (pva_route_prefix_match(s->allowed_prefixes[i], phone))
			return 1;
	return 0;
}

/* ---- configuration ---------------------------------------------------- */

static const struct pva_provider *lookup(const struct pva_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_providers; i++)
		if (strcmp(cfg->providers[i].name, name) == 0)
			return &cfg->providers[i];
	return NULL;
}

/* One channel's provider list of a route ("sms" or "voice"). */
static enum pva_rc read_list(struct pva_cfgread *rd, const config_setting_t *g,
			     const struct pva_config *cfg, enum pva_channel ch,
			     const struct pva_provider **out, size_t *n)
{
	const char *key = pva_channel_name(ch);
	const config_setting_t *list;
	int i, len;
	size_t j;

	*n = 0;
	if (pva_cfg_strlist(rd, g, key, PVA_MAX_ROUTE, &list) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (list == NULL)
		return PVA_OK;
	len = config_setting_length(list);
	if (len == 0)
		return pva_cfg_fail(rd, list, key, "needs at least one provider (or leave it out)");
	for (i = 0; i < len; i++) {
		const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
		const char *v = config_setting_get_string(e);
		const struct pva_provider *p = lookup(cfg, v);

		if (p == NULL)
			return pva_cfg_fail(rd, e, key,
					    "no provider named \"%.40s\" in the providers group", v);
		if (!(p->channels & (unsigned)ch))
			return pva_cfg_fail(rd, e, key, "provider %s cannot deliver by %s",
					    p->name, key);
		for (j = 0; j < *n; j++)
			if (out[j] == p)
				return pva_cfg_fail(rd, e, key, "provider %s listed twice", p->name);
		out[(*n)++] = p;
	}
	return PVA_OK;
}

static enum pva_rc read_route(struct pva_cfgread *rd, const config_setting_t *g,
			      const struct pva_config *cfg, struct pva_route *r)
{
	memset(r, 0, sizeof(*r));
	if (!config_setting_is_group(g))
		return pva_cfg_fail(rd, g, "routes",
				    "each route must be a group { prefix = \"+86\"; sms = [...]; }");
	if (pva_cfg_known_keys(rd, g, route_keys) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (config_setting_get_member(g, "prefix") == NULL)
		return pva_cfg_fail(rd, g, "prefix", "missing; every route needs a prefix");
	if (pva_cfg_string(rd, g, "prefix", 0, r->prefix, sizeof(r->prefix)) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (pva_route_prefix_check(r->prefix) != PVA_OK)
		return pva_cfg_fail(rd, config_setting_get_member(g, "prefix"), "prefix",
				    "\"%s\" is not \"+\" followed by up to 15 digits", r->prefix);
	if (read_list(rd, g, cfg, PVA_CH_SMS, r->sms, &r->n_sms) != PVA_OK ||
	    read_list(rd, g, cfg, PVA_CH_VOICE, r->voice, &r->n_voice) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (r->n_sms == 0 && r->n_voice == 0)
		return pva_cfg_fail(rd, g, "routes", "route \"%s\" names no providers "
				    "(give sms = [...] and/or voice = [...])", r->prefix);
	return PVA_OK;
}

static enum pva_rc read_routes(struct pva_cfgread *rd, const config_setting_t *grp,
			       const struct pva_config *cfg, struct pva_settings *s)
{
	const config_setting_t *rs = config_setting_get_member(grp, "routes");
	const config_setting_t *provs = config_setting_get_member(grp, "providers");
	int i, n;
	size_t j;

	if (rs == NULL) {
		if (provs != NULL) /* the group's own providers beat inherited routes */
			s->n_routes = 0;
		return PVA_OK;
	}
	n = config_setting_length(rs);
	if (!(config_setting_is_list(rs) || (config_setting_is_array(rs) && n == 0)))
		return pva_cfg_fail(rd, rs, "routes", "expected a list of groups "
				    "( { prefix = \"+86\"; sms = [...]; voice = [...]; }, ... )");
	if (n > PVA_MAX_ROUTES)
		return pva_cfg_fail(rd, rs, "routes", "at most %d routes allowed", PVA_MAX_ROUTES);
	if (n > 0 && provs != NULL)
		return pva_cfg_fail(rd, provs, "providers",
				    "set either providers or routes in one group, not both");
	memset(s->routes, 0, sizeof(s->routes));
	s->n_routes = 0;
	for (i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(rs, (unsigned)i);
		struct pva_route *r = &s->routes[i];

		if (read_route(rd, g, cfg, r) != PVA_OK)
			return PVA_ERR_CONFIG;
		for (j = 0; j < (size_t)i; j++)
			if (strcmp(s->routes[j].prefix, r->prefix) == 0)
				return pva_cfg_fail(rd, g, "routes", "prefix \"%s\" listed twice",
						    r->prefix);
		s->n_routes++;
	}
	return PVA_OK;
}

static enum pva_rc read_allowed(struct pva_cfgread *rd, const config_setting_t *grp,
				struct pva_settings *s)
{
	const config_setting_t *list;
	int i, n;
	size_t j;

	if (pva_cfg_strlist(rd, grp, "allowed_prefixes", PVA_MAX_PREFIXES, &list) != PVA_OK)
		return PVA_ERR_CONFIG;
	if (list == NULL)
		return PVA_OK;
	n = config_setting_length(list);
	if (n == 0)
		return pva_cfg_fail(rd, list, "allowed_prefixes",
				    "needs at least one prefix ([\"+\"] allows every number)");
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
		const char *v = config_setting_get_string(e);

		if (pva_route_prefix_check(v) != PVA_OK)
			return pva_cfg_fail(rd, e, "allowed_prefixes",
					    "\"%.40s\" is not \"+\" followed by up to 15 digits", v);
		for (j = 0; j < (size_t)i; j++)
			if (strcmp(s->allowed_prefixes[j], v) == 0)
				return pva_cfg_fail(rd, e, "allowed_prefixes",
						    "\"%s\" listed twice", v);
		memcpy(s->allowed_prefixes[i], v, strlen(v) + 1);
	}
	s->n_allowed = (size_t)n;
	return PVA_OK;
}

enum pva_rc pva_route_read(struct pva_cfgread *rd, const config_setting_t *grp,
			   const struct pva_config *cfg, struct pva_settings *s)
{
	if (read_routes(rd, grp, cfg, s) != PVA_OK || read_allowed(rd, grp, s) != PVA_OK)
		return PVA_ERR_CONFIG;
	return PVA_OK;
}

enum pva_rc pva_route_check(struct pva_cfgread *rd, const config_setting_t *grp,
			    const struct pva_settings *s)
{
	const char *what = s->service[0] ? s->service : "defaults";
	size_t i, c;

	for (i = 0; i < s->n_routes; i++) {
		const struct pva_route *r = &s->routes[i];
		for (c = 0; c < s->n_channels; c++) {
			enum pva_channel ch = s->channels[c];
			if ((ch == PVA_CH_VOICE ? r->n_voice : r->n_sms) == 0)
				return pva_cfg_fail(rd, grp, "routes", "route \"%s\" has no %s "
						    "providers but channels has \"%s\" (service %s)",
						    r->prefix, pva_channel_name(ch),
						    pva_channel_name(ch), what);
		}
	}
	for (i = 0; s->n_routes > 0 && i < s->n_allowed; i++) {
		for (c = 0; c < s->n_routes; c++)
			if (pva_route_prefix_match(s->routes[c].prefix, s->allowed_prefixes[i]))
				break;
		if (c == s->n_routes)
			return pva_cfg_fail(rd, grp, "allowed_prefixes", "\"%s\" has no route: "
					    "add a route whose prefix starts it, e.g. \"+\" "
					    "(service %s)", s->allowed_prefixes[i], what);
	}
	return PVA_OK;
}
