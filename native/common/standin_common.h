/* Scaffolding the NVML and DCGM stand-ins share: one mutex around all of a stand-in's state (reset lazily on the first
 * call), a per-function call counter and a fault-injection table, with the internals of the back doors that read and
 * set them. Each stand-in owns one standin_scaffold; its exported API and back door wrap these calls.
 *
 * Nothing here is exported: the object library is built with hidden visibility, so a process that loads both stand-ins
 * (the test hosts do) gets two independent copies, never one resolved into the other. */
#ifndef SOLPROF_STANDIN_COMMON_H
#define SOLPROF_STANDIN_COMMON_H

#include <pthread.h>

/* Longest function name (with NUL) a counter or a fault can hold: the back doors refuse longer names. */
#define STANDIN_FN_LEN 64
#define STANDIN_MAX_COUNTED 64
#define STANDIN_MAX_FAULTS 64
/* A fault's device that matches every device (and calls that take none). */
#define STANDIN_ANY_DEVICE (-1)

typedef struct standin_counter {
    char function[STANDIN_FN_LEN]; /* "" = free */
    int count;
} standin_counter;

typedef struct standin_fault {
    char function[STANDIN_FN_LEN]; /* "" = free */
    int device;                    /* STANDIN_ANY_DEVICE = all */
    int code;
    int calls; /* < 0 forever, 0 spent (the slot may be reused) */
} standin_fault;

typedef struct standin_scaffold {
    pthread_mutex_t mutex;
    int ready;                 /* 0 until the first lock has reset the state */
    void (*reset_state)(void); /* the stand-in's own state back to defaults; runs under the mutex */
    standin_counter counters[STANDIN_MAX_COUNTED];
    standin_fault faults[STANDIN_MAX_FAULTS];
} standin_scaffold;

/* Static initialiser: a process-lifetime scaffold whose state is reset by reset_state on first use. */
#define STANDIN_SCAFFOLD_INIT(reset) {.mutex = PTHREAD_MUTEX_INITIALIZER, .ready = 0, .reset_state = (reset)}

/* Takes the mutex; the first time, also resets (counters, faults and the stand-in's state). */
void standin_lock(standin_scaffold *s);
void standin_unlock(standin_scaffold *s);
/* The back door's reset: under the mutex, clears counters and faults and runs reset_state. */
void standin_reset(standin_scaffold *s);

/* Under the mutex: counts one call of fn (successful or not). A full table drops new names silently. */
void standin_count_call(standin_scaffold *s, const char *fn);
/* Under the mutex: the code injected for fn on device, consuming one of its calls, or 0 (NVML_SUCCESS and DCGM_ST_OK
 * alike) when none applies. */
int standin_take_fault(standin_scaffold *s, const char *fn, int device);

/* Back-door internals; they take the mutex themselves. */
/* How many times fn was counted since the last reset (0 for NULL or an unknown name). */
int standin_call_count(standin_scaffold *s, const char *fn);
/* Makes fn on device return code for the next calls calls (< 0 forever, 0 clears): replaces the entry for the same
 * (fn, device), else takes a free or spent slot. 0 when set, -1 when the table is full. The caller checks the name
 * (non-NULL, shorter than STANDIN_FN_LEN) and the device against its own API's rules. */
int standin_set_fault(standin_scaffold *s, const char *fn, int device, int code, int calls);

#endif
