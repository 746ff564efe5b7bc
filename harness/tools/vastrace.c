/*
 * vastrace.c - the vastrace command: reads the subcommand and hands the rest
 * of the command line to its cmd_* function (commands.h).
 *
 * Exit codes, for every subcommand: 0 success / no difference, 1 a failed
 * expectation or a divergence, 2 bad usage or malformed input.
 */
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "harness/backend.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
} command;

static const command commands[] = {
    {"run", cmd_run, "run [--backend NAME] FILE\n"
     "      run a trace on one backend, printing each operation and its result"},
    {"check", cmd_check, "check [--backend NAME] [--json] [--files-from LIST|-] FILE...\n"
     "      check every expectation of each trace (fresh address space per file);\n"
     "      --files-from reads more paths, one per line (a batch longer than a\n"
     "      Windows command line);\n"
     "      --json prints one object per case: file, case, backend, status\n"
     "      (pass|fail|error), line, op, expected, actual, message, elapsed_us"},
    {"diff", cmd_diff, "diff [--backends A,B,...] FILE...\n"
     "      run each trace on several backends in lockstep (default " DIFF_DEFAULT_BACKENDS ")\n"
     "      and report the first operation where they disagree"},
    {"random", cmd_random, "random [--backends A,B,...] [--traces N] [--ops M] [--seed S] [--save-dir DIR]\n"
     "       [--corpus DIR]  (mutate the .bin seeds of DIR instead of uniform bytes)\n"
     "       [--compare sampled|walk]  (walk: the whole map after every op, for benchmarks)\n"
     "      diff N random traces of M operations; save divergent ones to DIR;\n"
     "      print traces/s, ops/s and each backend's ops/s"},
    {"map", cmd_map, "map [--backend NAME] [--at N] [--svg FILE] TRACE\n"
     "      the address space after op N (default: the last; 0: fresh) as VMMap shows it:\n"
     "      each allocation's kind, size, committed bytes and protections, totals per\n"
     "      kind, the largest free block, fragmentation; --svg also draws it into FILE"},
    {"record", cmd_record, "record [--backend NAME] IN.trace [OUT.trace]\n"
     "      print the trace with each expectation replaced by what the backend did"},
    {"serve", cmd_serve, "serve [--backend NAME]\n"
     "      serve a backend over the backend protocol on stdin/stdout\n"
     "      (docs/backend-protocol.md); any command takes it as --backend 'exec:vastrace serve ...'"},
    {"protocol-check", cmd_protocol_check, "protocol-check 'exec:COMMAND ARGS'\n"
     "      check a protocol server: handshake, every operation kind, malformed requests,\n"
     "      version mismatch, fresh-space isolation"},
    {"backends", cmd_backends, "backends\n"
     "      the project's backends, one a line: NAME KIND [PROGRAM]; KIND is model, mirror\n"
     "      (the model over real memory) or windows; PROGRAM names the build that has a\n"
     "      backend this one lacks (vastrace.exe)"},
    {"fmt", cmd_fmt, "fmt FILE\n      print a trace in canonical text form"},
    {"encode", cmd_encode, "encode IN.trace OUT.bin\n      text -> the fuzzers' byte form"},
    {"decode", cmd_decode, "decode IN.bin [--max-ops N]\n      bytes -> text"},
};

static void print_usage(FILE *out)
{
    const backend *const *b;
    size_t i;
    fprintf(out, "usage: vastrace COMMAND [ARGS]\n\ncommands:\n");
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %s\n", commands[i].usage);
    fprintf(out, "\nbackends:");
    for (b = backend_list(); *b != NULL; b++)
        fprintf(out, " %s", (*b)->name);
    fprintf(out, " exec:COMMAND");
    fprintf(out, "\n\nexit status: 0 success / no difference, 1 failed expectation or divergence,\n"
                 "2 bad usage or malformed input\n");
}

int main(int argc, char **argv)
{
    size_t i;
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_usage(stdout);
        return 0;
    }
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i].name) != 0)
            continue;
        return commands[i].run(argc - 1, argv + 1);
    }
    fprintf(stderr, "vastrace: unknown command '%s'\n\n", argv[1]);
    print_usage(stderr);
    return 2;
}
