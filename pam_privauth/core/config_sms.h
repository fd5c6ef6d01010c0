/* config_sms.h - warn at load when a text message needs more than one SMS.
 *
 * For every service (the defaults and each services.NAME) the SMS
 * templates -- message, message_zh_CN, and remind_message[_zh_CN] when
 * set and sent by SMS -- are rendered for their worst case and counted
 * with pva_sms_count (delivery/segment.h).  More than one segment is a
 * warning (pva_config_warn), never an error: the gateway splits the text
 * and the phone joins it, but each part is billed and some gateways and
 * phones handle long messages badly.
 */
#ifndef PVA_CONFIG_SMS_H
#define PVA_CONFIG_SMS_H

#include <libconfig.h>

#include "core/config.h"

/* Add the warnings for every service of cfg; root is the parsed file. */
void pva_config_sms_warnings(const config_setting_t *root, struct pva_config *cfg);

#endif
