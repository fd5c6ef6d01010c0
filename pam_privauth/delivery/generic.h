/* generic.h - the "http" provider: a templated request for any other
 * SMS/voice gateway (Kannel, in-house services).
 *
 * Configuration (a group under `providers`):
 *   type = "http";
 *   method = "POST";                 "GET" or "POST" (default POST)
 *   url = "https://gw.example.com/send";   may hold placeholders
 *   encoding = "json";               "form", "json" or "query" (default:
 *                                    form for POST, query for GET)
 *   fields = { to = "{phone}"; text = "{message}"; from = "Acme"; };
 *   headers = { X-Api-Version = "2"; };     fixed values, no placeholders;
 *                                    Authorization is refused (use auth)
 *   auth = "bearer";                 "none" (default), "basic" (secrets
 *                                    user, password) or "bearer" (token)
 *   success_status = [200, 201, 202];       the default
 *   success_json = "status=0";       optional: the JSON answer's member
 *                                    (dotted path, array indexes as
 *                                    numbers: "messages.0.status") must
 *                                    print as this value
 *   success_prefix = "0: Accepted";  optional: the body must start so
 *   request_id_json = "id";          optional: path of the message id
 *   channels = ["sms"];              the default; list "voice" explicitly
 *                                    for a gateway that places calls
 *   ca_file, pinned_pubkey, proxy, connect_timeout_ms, timeout_ms: http.h
 * Credentials, in the secrets file under the provider's name:
 *   NAME = { token = "..."; };  or  NAME = { user = "..."; password = "..."; };
 *
 * Placeholders, in the url and in field values: {phone} (E.164 with '+'),
 * {phone_digits}, {code}, {message} (the full text), {ttl} (seconds),
 * {service}, {host}, {channel} ("sms" or "voice"), and the credentials
 * {user}, {password}, {token} from the secrets file (for gateways that
 * take them as fields, e.g. Kannel's username/password; they are loaded
 * only when used, and are then required).  Expansion is single
 * pass (an expanded value is never expanded again) and every value is
 * escaped for where it lands: percent-encoding in the url, the query and
 * form bodies; JSON strings built by json-c for json bodies.
 *
 * WARNING: with GET (or encoding "query") any {code}, {message} or
 * credential goes into the URL, which the gateway and any proxy in between
 * may write to their access logs.  Only the administrator's template can do that
 * (Kannel's sendsms works this way); prefer POST.  This module never logs
 * the URL.  The URL must be https:// (or http:// to a loopback address).
 */
#ifndef PVA_GENERIC_H
#define PVA_GENERIC_H

#include "delivery/provider.h"

#define PVA_GENERIC_FIELDS_MAX 16
#define PVA_GENERIC_HEADERS_MAX 8
#define PVA_GENERIC_TEMPLATE_MAX 512

extern const struct pva_provider_ops pva_provider_http;

#endif
