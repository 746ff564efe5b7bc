/*
 * commands.h - the subcommands of vastrace, one file each.
 * Every command returns the process exit code: 0 success / no difference,
 * 1 a failed expectation or a divergence, 2 bad usage or malformed input.
 */
#ifndef VASTRACE_COMMANDS_H
#define VASTRACE_COMMANDS_H

/* diff and random: the backends compared when --backends is not given, and
 * the most one run compares. */
#define DIFF_DEFAULT_BACKENDS "impl,oracle"
#define MAX_BACKENDS 8

int cmd_fmt(int argc, char **argv);     /* cmd_codec.c: print canonical text */
int cmd_encode(int argc, char **argv);  /* cmd_codec.c: text -> binary */
int cmd_decode(int argc, char **argv);  /* cmd_codec.c: binary -> text */
int cmd_run(int argc, char **argv);     /* cmd_run.c: run on one backend, print results */
int cmd_check(int argc, char **argv);   /* cmd_check.c: check expectations (batch, --json) */
int cmd_diff(int argc, char **argv);    /* cmd_diff.c: lockstep on several backends */
int cmd_random(int argc, char **argv);  /* cmd_random.c: random differential traces */
int cmd_map(int argc, char **argv);     /* cmd_map.c: the map of the address space */
int cmd_record(int argc, char **argv);  /* cmd_record.c: write expectations from a run */
int cmd_serve(int argc, char **argv);   /* cmd_serve.c: a backend behind the protocol */
int cmd_protocol_check(int argc, char **argv);  /* cmd_protocol_check.c: test a server */
int cmd_backends(int argc, char **argv);  /* cmd_backends.c: the list of backends */

#endif
