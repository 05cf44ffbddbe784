/* The stand-ins' shared scaffolding (see standin_common.h). Linear scans: the tables hold a few dozen names. */
#include "standin_common.h"

#include <stdio.h>
#include <string.h>

/* Under the mutex. Counters and faults go first, so a reset_state never sees stale ones. */
static void reset_locked(standin_scaffold *s)
{
    memset(s->counters, 0, sizeof s->counters);
    memset(s->faults, 0, sizeof s->faults);
    s->reset_state();
    s->ready = 1;
}

void standin_lock(standin_scaffold *s)
{
    pthread_mutex_lock(&s->mutex);
    if (!s->ready)
        reset_locked(s);
}

void standin_unlock(standin_scaffold *s) { pthread_mutex_unlock(&s->mutex); }

void standin_reset(standin_scaffold *s)
{
    /* The raw mutex, not standin_lock: a first call would otherwise reset twice. */
    pthread_mutex_lock(&s->mutex);
    reset_locked(s);
    pthread_mutex_unlock(&s->mutex);
}

void standin_count_call(standin_scaffold *s, const char *fn)
{
    for (int i = 0; i < STANDIN_MAX_COUNTED; i++) {
        standin_counter *c = &s->counters[i];
        if (c->function[0] == '\0') {
            snprintf(c->function, sizeof c->function, "%s", fn);
            c->count = 1;
            return;
        }
        if (strcmp(c->function, fn) == 0) {
            c->count++;
            return;
        }
    }
}

int standin_take_fault(standin_scaffold *s, const char *fn, int device)
{
    for (int i = 0; i < STANDIN_MAX_FAULTS; i++) {
        standin_fault *f = &s->faults[i];
        if (f->function[0] == '\0' || f->calls == 0 || strcmp(f->function, fn) != 0)
            continue;
        if (f->device != STANDIN_ANY_DEVICE && f->device != device)
            continue;
        if (f->calls > 0)
            f->calls--;
        return f->code;
    }
    return 0;
}

int standin_call_count(standin_scaffold *s, const char *fn)
{
    if (fn == NULL)
        return 0;
    int n = 0;
    standin_lock(s);
    for (int i = 0; i < STANDIN_MAX_COUNTED; i++) {
        if (strcmp(s->counters[i].function, fn) == 0) {
            n = s->counters[i].count;
            break;
        }
    }
    standin_unlock(s);
    return n;
}

int standin_set_fault(standin_scaffold *s, const char *fn, int device, int code, int calls)
{
    standin_lock(s);
    /* The entry for the same (fn, device) wins over the first free or spent slot, which is the fallback. */
    int slot = -1;
    for (int i = 0; i < STANDIN_MAX_FAULTS; i++) {
        const standin_fault *f = &s->faults[i];
        if (f->function[0] != '\0' && f->device == device && strcmp(f->function, fn) == 0) {
            slot = i;
            break;
        }
        if (slot < 0 && (f->function[0] == '\0' || f->calls == 0))
            slot = i;
    }
    if (slot >= 0) {
        standin_fault *f = &s->faults[slot];
        snprintf(f->function, sizeof f->function, "%s", fn);
        f->device = device;
        f->code = code;
        f->calls = calls;
    }
    standin_unlock(s);
    return slot >= 0 ? 0 : -1;
}
