/* command.h - the "command" provider: run a local program per message.
 *
 * Configuration (a group under `providers`):
 *   type    = "command";
 *   argv    = ["/usr/local/bin/send-sms", "--to", "{phone}"];
 *             1..32 strings; argv[0] is an absolute path without
 *             placeholders.  Placeholders in the other entries:
 *             {phone} (E.164 with '+'), {phone_digits} (without '+'),
 *             {channel} ("sms" or "voice").  {code} and {message} are
 *             configuration errors: secrets never go on a command line.
 *   timeout = 10;    seconds, 1..60
 *   channels = ["sms", "voice"];
 *
 * The program is started with fork + execve (never a shell) in its own
 * process group, with stdin a pipe carrying the message text followed by
 * "\n", stdout/stderr on /dev/null, no other descriptors, an environment
 * of only PATH=/usr/sbin:/usr/bin:/sbin:/bin and LANG=C.UTF-8, default
 * signal dispositions and an empty signal mask.
 *
 * Outcome: exit 0 -> sent; 75 (EX_TEMPFAIL) -> temporary; killed by a
 * signal, or still running at the deadline (min(timeout,
 * msg->timeout_ms)) -> ambiguous (the whole process group is then killed
 * with SIGKILL); failure to execute or any other exit status -> permanent.
 *
 * The host process keeps its signal dispositions; SIGPIPE is blocked only
 * around the write and a SIGPIPE raised by it is consumed.  Only the
 * started child is reaped.  If the host ignores SIGCHLD the exit status
 * is lost and the result is ambiguous.
 */
#ifndef PVA_COMMAND_H
#define PVA_COMMAND_H

#include "delivery/provider.h"

#define PVA_COMMAND_ARGV_MAX 32
#define PVA_COMMAND_ARG_LEN_MAX 1024
#define PVA_COMMAND_TIMEOUT_DEFAULT 10
#define PVA_COMMAND_PATH "PATH=/usr/sbin:/usr/bin:/sbin:/bin"
#define PVA_COMMAND_LANG "LANG=C.UTF-8"

extern const struct pva_provider_ops pva_provider_command;

#endif
