/*
 * oracle_process.h - the oracle's processes (docs/semantics.md section
 * 13.2): the spaces one oracle created, and the handles it holds to them.
 * oracle_process.c works through the public calls of oracle.h only.
 */
#ifndef VAS_ORACLE_PROCESS_H
#define VAS_ORACLE_PROCESS_H

#include <stddef.h>
#include <stdint.h>

#include "oracle.h"

typedef struct held_handle {
    uint64_t value;      /* a non-zero multiple of 4 */
    oracle_t *process;
} held_handle;

typedef struct oracle_processes {
    held_handle *held; size_t n_held;   /* open handles, unordered */
    oracle_t **made; size_t n_made;     /* every process created: freed with the creator */
} oracle_processes;

/* The creator's record (a member of struct oracle, oracle.c). */
oracle_processes *oracle_processes_of(oracle_t *o);
/* Destroys the processes and forgets the handles (oracle_destroy). */
void processes_free_all(oracle_processes *p);

#endif
