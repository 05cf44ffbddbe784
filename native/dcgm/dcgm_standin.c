/* libdcgm.so.4 stand-in: global state behind one mutex. Connections, groups, field groups and watches live in fixed
 * tables so that leak checks can count them; values come from a per-GPU field table the back door edits. The lock,
 * call counters and injected errors are the shared scaffolding (native/common). */
#include "dcgm_standin.h"
#include "standin_common.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

_Static_assert(sizeof(dcgmStartEmbeddedV2Params_v1) == 72, "dcgmStartEmbeddedV2Params_v1 layout");
_Static_assert(sizeof(dcgmStartEmbeddedV2Params_v2) == 80, "dcgmStartEmbeddedV2Params_v2 layout");
_Static_assert(sizeof(dcgmStartEmbeddedV2Params_v3) == 104, "dcgmStartEmbeddedV2Params_v3 layout");
_Static_assert(sizeof(dcgmConnectV2Params_v2) == 16, "dcgmConnectV2Params_v2 layout");
_Static_assert(sizeof(dcgmFieldValue_v1) == 4120, "dcgmFieldValue_v1 layout");
_Static_assert(sizeof(dcgmFieldValue_v2) == 4128, "dcgmFieldValue_v2 layout");
_Static_assert(offsetof(dcgmFieldValue_v1, value) == 24, "dcgmFieldValue_v1 value offset");
_Static_assert(offsetof(dcgmFieldValue_v2, value) == 32, "dcgmFieldValue_v2 value offset");
_Static_assert(sizeof(dcgmGroupEntityPair_t) == 8, "dcgmGroupEntityPair_t layout");

#define MAX_FIELDS 48
#define MAX_CONNECTIONS 64
#define MAX_WATCHES 128

typedef struct field_slot {
    unsigned int id;
    int type; /* DCGM_FT_* */
    long long i64;
    double dbl;
    char str[DCGM_MAX_STR_LENGTH];
} field_slot;

typedef struct gpu_state {
    field_slot fields[MAX_FIELDS];
    int field_count;
} gpu_state;

typedef struct connection {
    dcgmHandle_t handle; /* 0 = free */
    int dropped;
} connection;

typedef struct group {
    dcgmGpuGrp_t id; /* 0 = free */
    dcgmHandle_t owner;
} group;

typedef struct field_group {
    dcgmFieldGrp_t id; /* 0 = free */
    dcgmHandle_t owner;
    char name[DCGM_MAX_STR_LENGTH];
    int count;
    unsigned short ids[DCGM_MAX_FIELD_IDS_PER_FIELD_GROUP];
} field_group;

typedef struct watch {
    int used;
    dcgmHandle_t owner;
    dcgmGpuGrp_t group;
    dcgmFieldGrp_t field_group;
} watch;

static gpu_state g_gpus[SOLPROF_DCGM_MAX_GPUS];
static unsigned int g_gpu_count;
static int g_init_count; /* 0 or 1: dcgmInit counts nothing */
static int g_embedded;
static int g_reachable;
/* The logging severity the last dcgmStartEmbedded_v2 asked for (-1 = DcgmLoggingSeverityUnspecified, the stock call's;
 * 0 = DcgmLoggingSeverityNone, which turns the real engine's logging off); INT_MIN before any call. */
static int g_last_severity;
static int g_refuse_profiling;
static uintptr_t g_next_id;
static connection g_connections[MAX_CONNECTIONS];
static group g_groups[DCGM_MAX_NUM_GROUPS];
static field_group g_field_groups[DCGM_MAX_NUM_FIELD_GROUPS];
static watch g_watches[MAX_WATCHES];

static const char *const k_bus_ids[8] = {"18", "2A", "3A", "5D", "9A", "AB", "BA", "DB"};

static field_slot *slot(gpu_state *g, unsigned int id, int create)
{
    for (int i = 0; i < g->field_count; i++)
        if (g->fields[i].id == id)
            return &g->fields[i];
    if (!create || g->field_count >= MAX_FIELDS)
        return NULL;
    field_slot *s = &g->fields[g->field_count++];
    memset(s, 0, sizeof *s);
    s->id = id;
    return s;
}

static void put_i64(gpu_state *g, unsigned int id, long long v)
{
    field_slot *s = slot(g, id, 1);
    s->type = DCGM_FT_INT64;
    s->i64 = v;
}

static void put_dbl(gpu_state *g, unsigned int id, double v)
{
    field_slot *s = slot(g, id, 1);
    s->type = DCGM_FT_DOUBLE;
    s->dbl = v;
}

static void put_str(gpu_state *g, unsigned int id, const char *v)
{
    field_slot *s = slot(g, id, 1);
    s->type = DCGM_FT_STRING;
    snprintf(s->str, sizeof s->str, "%s", v);
}

static void default_gpu(gpu_state *g, unsigned int i)
{
    char text[DCGM_MAX_STR_LENGTH];
    memset(g, 0, sizeof *g);
    put_str(g, 50, "NVIDIA H100 80GB HBM3");
    snprintf(text, sizeof text, "GPU-5017f0f1-0000-4000-8000-%012x", i);
    put_str(g, 54, text);
    snprintf(text, sizeof text, "00000000:%s:00.0", i < 8 ? k_bus_ids[i] : "E0");
    put_str(g, 57, text);
    put_i64(g, 52, i);                                 /* NVML index */
    put_i64(g, 100, 1980);                             /* SM clock MHz */
    put_i64(g, 101, 2619);                             /* memory clock MHz */
    put_i64(g, 112, 0);                                /* clock event reasons */
    put_i64(g, 140, 50 + i);                           /* memory temperature C */
    put_i64(g, 150, 40 + i);                           /* GPU temperature C */
    put_dbl(g, 155, 100.0 + i);                        /* power W */
    put_i64(g, 156, 1000000000LL + 1000000LL * i);     /* energy mJ */
    put_dbl(g, 164, 700.0);                            /* enforced power limit W */
    put_i64(g, 203, 10 + i);                           /* GPU utilization percent */
    put_i64(g, 230, 0);                                /* last XID */
    put_i64(g, 250, 81559);                            /* FB total MiB */
    put_i64(g, 252, 1024LL * (1 + i));                 /* FB used MiB */
    put_dbl(g, 1001, 0.50 + 0.01 * i);                 /* GR engine active */
    put_dbl(g, 1002, 0.40 + 0.01 * i);                 /* SM active */
    put_dbl(g, 1003, 0.30 + 0.01 * i);                 /* SM occupancy */
    put_dbl(g, 1004, 0.20 + 0.01 * i);                 /* tensor pipe active */
    put_dbl(g, 1005, 0.10 + 0.01 * i);                 /* DRAM active */
    put_i64(g, 1009, 1000000LL * (i + 1));             /* PCIe TX B/s */
    put_i64(g, 1010, 2000000LL * (i + 1));             /* PCIe RX B/s */
    put_i64(g, 1011, 3000000LL * (i + 1));             /* NVLink TX B/s */
    put_i64(g, 1012, 4000000LL * (i + 1));             /* NVLink RX B/s */
}

/* The scaffolding's reset_state (under the lock; counters and injections are cleared by it). */
static void reset_state(void)
{
    for (unsigned int i = 0; i < SOLPROF_DCGM_MAX_GPUS; i++)
        default_gpu(&g_gpus[i], i);
    g_gpu_count = 8;
    g_init_count = 0;
    g_embedded = 0;
    g_reachable = 1;
    g_last_severity = INT_MIN;
    g_refuse_profiling = 0;
    g_next_id = 1;
    memset(g_connections, 0, sizeof g_connections);
    memset(g_groups, 0, sizeof g_groups);
    memset(g_field_groups, 0, sizeof g_field_groups);
    memset(g_watches, 0, sizeof g_watches);
}

static standin_scaffold g_scaffold = STANDIN_SCAFFOLD_INIT(reset_state);

static void lock(void) { standin_lock(&g_scaffold); }

static void unlock(void) { standin_unlock(&g_scaffold); }

/* Prologue of every API call: counts it and applies an injected error (DCGM's calls have no per-GPU injections). */
static dcgmReturn_t enter(const char *fn)
{
    standin_count_call(&g_scaffold, fn);
    return (dcgmReturn_t)standin_take_fault(&g_scaffold, fn, STANDIN_ANY_DEVICE);
}

static uintptr_t new_id(void)
{
    uintptr_t id = g_next_id++;
    if (g_next_id >= 0x7ffffff0u)
        g_next_id = 1;
    return id;
}

static connection *find_connection(dcgmHandle_t h)
{
    for (int i = 0; i < MAX_CONNECTIONS; i++)
        if (g_connections[i].handle != 0 && g_connections[i].handle == h)
            return &g_connections[i];
    return NULL;
}

/* Whether h is a usable handle: the running embedded engine or a live connection. */
static dcgmReturn_t check_handle(dcgmHandle_t h)
{
    if (g_init_count <= 0)
        return DCGM_ST_UNINITIALIZED;
    if (h == DCGM_EMBEDDED_HANDLE)
        return g_embedded ? DCGM_ST_OK : DCGM_ST_BADPARAM;
    connection *c = find_connection(h);
    if (c == NULL)
        return DCGM_ST_BADPARAM;
    return c->dropped ? DCGM_ST_CONNECTION_NOT_VALID : DCGM_ST_OK;
}

/* persistAfterDisconnect = 0: everything a handle created goes with it. */
static void release_owned(dcgmHandle_t h)
{
    for (int i = 0; i < MAX_WATCHES; i++)
        if (g_watches[i].used && g_watches[i].owner == h)
            memset(&g_watches[i], 0, sizeof g_watches[i]);
    for (int i = 0; i < DCGM_MAX_NUM_GROUPS; i++)
        if (g_groups[i].id != 0 && g_groups[i].owner == h)
            memset(&g_groups[i], 0, sizeof g_groups[i]);
    for (int i = 0; i < DCGM_MAX_NUM_FIELD_GROUPS; i++)
        if (g_field_groups[i].id != 0 && g_field_groups[i].owner == h)
            memset(&g_field_groups[i], 0, sizeof g_field_groups[i]);
}

static void close_everything(void)
{
    for (int i = 0; i < MAX_CONNECTIONS; i++)
        if (g_connections[i].handle != 0) {
            release_owned(g_connections[i].handle);
            memset(&g_connections[i], 0, sizeof g_connections[i]);
        }
    if (g_embedded) {
        release_owned(DCGM_EMBEDDED_HANDLE);
        g_embedded = 0;
    }
}

static int group_ok(dcgmHandle_t h, dcgmGpuGrp_t id)
{
    if (id == DCGM_GROUP_ALL_GPUS)
        return 1;
    for (int i = 0; i < DCGM_MAX_NUM_GROUPS; i++)
        if (g_groups[i].id == id && g_groups[i].owner == h)
            return 1;
    return 0;
}

static field_group *find_field_group(dcgmHandle_t h, dcgmFieldGrp_t id)
{
    for (int i = 0; i < DCGM_MAX_NUM_FIELD_GROUPS; i++)
        if (g_field_groups[i].id != 0 && g_field_groups[i].id == id && g_field_groups[i].owner == h)
            return &g_field_groups[i];
    return NULL;
}

static int is_watched(unsigned short field_id)
{
    for (int i = 0; i < MAX_WATCHES; i++) {
        if (!g_watches[i].used)
            continue;
        field_group *fg = find_field_group(g_watches[i].owner, g_watches[i].field_group);
        for (int k = 0; fg != NULL && k < fg->count; k++)
            if (fg->ids[k] == field_id)
                return 1;
    }
    return 0;
}

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* Fills one value (type, status, value) for a GPU field; unknown fields and unwatched fields are blank. */
static void fill_value(unsigned int gpu, unsigned short field_id, unsigned short *type, int *status, long long *ts,
                       dcgmFieldValueUnion *value)
{
    memset(value, 0, sizeof *value);
    *ts = now_us();
    field_slot *s = gpu < g_gpu_count ? slot(&g_gpus[gpu], field_id, 0) : NULL;
    if (s == NULL) {
        *type = DCGM_FT_INT64;
        *status = gpu < g_gpu_count ? DCGM_ST_OK : DCGM_ST_BADPARAM;
        value->i64 = DCGM_INT64_BLANK + 2; /* NOT_SUPPORTED */
        return;
    }
    *type = (unsigned short)s->type;
    *status = is_watched(field_id) ? DCGM_ST_OK : DCGM_ST_NOT_WATCHED;
    if (*status != DCGM_ST_OK) {
        if (s->type == DCGM_FT_DOUBLE)
            value->dbl = DCGM_FP64_BLANK;
        else if (s->type == DCGM_FT_STRING)
            snprintf(value->str, sizeof value->str, "%s", DCGM_STR_BLANK);
        else
            value->i64 = DCGM_INT64_BLANK;
        return;
    }
    if (s->type == DCGM_FT_DOUBLE)
        value->dbl = s->dbl;
    else if (s->type == DCGM_FT_STRING)
        snprintf(value->str, sizeof value->str, "%s", s->str);
    else
        value->i64 = s->i64;
}

/* ---- API ---- */

/* As the real library (DCGM 4.6.0 dcgmlib/src/DcgmApi.cpp): dcgmInit is idempotent and counts nothing, and one
 * dcgmShutdown tears down every connection and the embedded engine of the process, whoever made them. A shutdown
 * before any init is OK. A caller with two sessions must count them itself. */
dcgmReturn_t dcgmInit(void)
{
    lock();
    dcgmReturn_t r = enter("dcgmInit");
    if (r == DCGM_ST_OK)
        g_init_count = 1;
    unlock();
    return r;
}

dcgmReturn_t dcgmShutdown(void)
{
    lock();
    dcgmReturn_t r = enter("dcgmShutdown");
    if (r == DCGM_ST_OK && g_init_count > 0) {
        close_everything();
        g_init_count = 0;
    }
    unlock();
    return r;
}

static dcgmReturn_t start_embedded_locked(dcgmOperationMode_t mode, dcgmHandle_t *out)
{
    if (g_init_count <= 0)
        return DCGM_ST_UNINITIALIZED;
    if (out == NULL || (mode != DCGM_OPERATION_MODE_AUTO && mode != DCGM_OPERATION_MODE_MANUAL))
        return DCGM_ST_BADPARAM;
    /* As the real library: when the process's engine already runs, OK is returned and the handle is left as the
     * caller had it (not written), so a caller that reads it back gets its own initial value. */
    if (g_embedded)
        return DCGM_ST_OK;
    g_embedded = 1;
    *out = DCGM_EMBEDDED_HANDLE;
    return DCGM_ST_OK;
}

dcgmReturn_t dcgmStartEmbedded(dcgmOperationMode_t opMode, dcgmHandle_t *pDcgmHandle)
{
    lock();
    dcgmReturn_t r = enter("dcgmStartEmbedded");
    if (r == DCGM_ST_OK)
        r = start_embedded_locked(opMode, pDcgmHandle);
    unlock();
    return r;
}

dcgmReturn_t dcgmStartEmbedded_v2(dcgmStartEmbeddedV2Params_v1 *params)
{
    lock();
    dcgmReturn_t r = enter("dcgmStartEmbedded_v2");
    if (r == DCGM_ST_OK && params == NULL)
        r = DCGM_ST_BADPARAM;
    if (r == DCGM_ST_OK && params->version != dcgmStartEmbeddedV2Params_version1 &&
        params->version != dcgmStartEmbeddedV2Params_version2 && params->version != dcgmStartEmbeddedV2Params_version3)
        r = DCGM_ST_VER_MISMATCH;
    if (r == DCGM_ST_OK) /* the handle sits at offset 8 and the severity at 24 in v1, v2 and v3 */
    {
        g_last_severity = params->severity;
        r = start_embedded_locked(params->opMode, &params->dcgmHandle);
    }
    unlock();
    return r;
}

dcgmReturn_t dcgmStopEmbedded(dcgmHandle_t pDcgmHandle)
{
    lock();
    dcgmReturn_t r = enter("dcgmStopEmbedded");
    if (r == DCGM_ST_OK && g_init_count <= 0)
        r = DCGM_ST_UNINITIALIZED;
    /* As the real library: only the handle value is checked; stopping an engine that does not run is OK. */
    if (r == DCGM_ST_OK && pDcgmHandle != DCGM_EMBEDDED_HANDLE)
        r = DCGM_ST_BADPARAM;
    if (r == DCGM_ST_OK && g_embedded) {
        release_owned(DCGM_EMBEDDED_HANDLE);
        g_embedded = 0;
    }
    unlock();
    return r;
}

dcgmReturn_t dcgmConnect_v2(const char *ipAddress, dcgmConnectV2Params_t *connectParams, dcgmHandle_t *pDcgmHandle)
{
    lock();
    dcgmReturn_t r = enter("dcgmConnect_v2");
    if (r == DCGM_ST_OK && g_init_count <= 0)
        r = DCGM_ST_UNINITIALIZED;
    if (r == DCGM_ST_OK && (ipAddress == NULL || ipAddress[0] == '\0' || connectParams == NULL || pDcgmHandle == NULL))
        r = DCGM_ST_BADPARAM;
    if (r == DCGM_ST_OK && connectParams->version != dcgmConnectV2Params_version2 &&
        connectParams->version != dcgmConnectV2Params_version1)
        r = DCGM_ST_VER_MISMATCH;
    if (r == DCGM_ST_OK && !g_reachable)
        r = DCGM_ST_CONNECTION_NOT_VALID;
    /* As the real library: a socket path with addressIsUnixSocket = 0 is dialled as a TCP host name, and fails. */
    if (r == DCGM_ST_OK && ipAddress[0] == '/' &&
        (connectParams->version != dcgmConnectV2Params_version2 || connectParams->addressIsUnixSocket == 0))
        r = DCGM_ST_CONNECTION_NOT_VALID;
    if (r == DCGM_ST_OK) {
        connection *free_slot = NULL;
        for (int i = 0; i < MAX_CONNECTIONS && free_slot == NULL; i++)
            if (g_connections[i].handle == 0)
                free_slot = &g_connections[i];
        if (free_slot == NULL) {
            r = DCGM_ST_MAX_LIMIT;
        } else {
            free_slot->handle = new_id();
            free_slot->dropped = 0;
            *pDcgmHandle = free_slot->handle;
        }
    }
    unlock();
    return r;
}

dcgmReturn_t dcgmDisconnect(dcgmHandle_t pDcgmHandle)
{
    lock();
    dcgmReturn_t r = enter("dcgmDisconnect");
    connection *c = find_connection(pDcgmHandle);
    if (r == DCGM_ST_OK && g_init_count <= 0)
        r = DCGM_ST_UNINITIALIZED;
    if (r == DCGM_ST_OK && c == NULL)
        r = DCGM_ST_BADPARAM;
    if (c != NULL && g_init_count > 0) { /* a dropped connection is still released */
        release_owned(c->handle);
        memset(c, 0, sizeof *c);
    }
    unlock();
    return r;
}

dcgmReturn_t dcgmGetAllSupportedDevices(dcgmHandle_t pDcgmHandle, unsigned int gpuIdList[DCGM_MAX_NUM_DEVICES], int *count)
{
    lock();
    dcgmReturn_t r = enter("dcgmGetAllSupportedDevices");
    if (r == DCGM_ST_OK)
        r = check_handle(pDcgmHandle);
    if (r == DCGM_ST_OK && (gpuIdList == NULL || count == NULL))
        r = DCGM_ST_BADPARAM;
    if (r == DCGM_ST_OK) {
        for (unsigned int i = 0; i < g_gpu_count; i++)
            gpuIdList[i] = i;
        *count = (int)g_gpu_count;
    }
    unlock();
    return r;
}

dcgmReturn_t dcgmGroupCreate(dcgmHandle_t pDcgmHandle, dcgmGroupType_t type, const char *groupName, dcgmGpuGrp_t *pDcgmGrpId)
{
    lock();
    dcgmReturn_t r = enter("dcgmGroupCreate");
    if (r == DCGM_ST_OK)
        r = check_handle(pDcgmHandle);
    if (r == DCGM_ST_OK && (groupName == NULL || pDcgmGrpId == NULL || (type != DCGM_GROUP_DEFAULT && type != DCGM_GROUP_EMPTY)))
        r = DCGM_ST_BADPARAM;
    if (r == DCGM_ST_OK) {
        group *g = NULL;
        for (int i = 0; i < DCGM_MAX_NUM_GROUPS && g == NULL; i++)
            if (g_groups[i].id == 0)
                g = &g_groups[i];
        if (g == NULL) {
            r = DCGM_ST_MAX_LIMIT;
        } else {
            g->id = new_id();
            g->owner = pDcgmHandle;
            *pDcgmGrpId = g->id;
        }
    }
    unlock();
    return r;
}

dcgmReturn_t dcgmGroupDestroy(dcgmHandle_t pDcgmHandle, dcgmGpuGrp_t groupId)
{
    lock();
    dcgmReturn_t r = enter("dcgmGroupDestroy");
    if (r == DCGM_ST_OK)
        r = check_handle(pDcgmHandle);
    if (r == DCGM_ST_OK) {
        r = DCGM_ST_BADPARAM;
        for (int i = 0; i < DCGM_MAX_NUM_GROUPS; i++)
            if (g_groups[i].id != 0 && g_groups[i].id == groupId && g_groups[i].owner == pDcgmHandle) {
                for (int w = 0; w < MAX_WATCHES; w++)
                    if (g_watches[w].used && g_watches[w].group == groupId)
                        memset(&g_watches[w], 0, sizeof g_watches[w]);
                memset(&g_groups[i], 0, sizeof g_groups[i]);
                r = DCGM_ST_OK;
            }
    }
    unlock();
    return r;
}

dcgmReturn_t dcgmFieldGroupCreate(dcgmHandle_t dcgmHandle, int numFieldIds, const unsigned short *fieldIds,
                                  const char *fieldGroupName, dcgmFieldGrp_t *dcgmFieldGroupId)
{
    lock();
    dcgmReturn_t r = enter("dcgmFieldGroupCreate");
    if (r == DCGM_ST_OK)
        r = check_handle(dcgmHandle);
    if (r == DCGM_ST_OK && (numFieldIds < 1 || numFieldIds > DCGM_MAX_FIELD_IDS_PER_FIELD_GROUP || fieldIds == NULL ||
                            fieldGroupName == NULL || dcgmFieldGroupId == NULL))
        r = DCGM_ST_BADPARAM;
    for (int i = 0; r == DCGM_ST_OK && i < DCGM_MAX_NUM_FIELD_GROUPS; i++)
        if (g_field_groups[i].id != 0 && strcmp(g_field_groups[i].name, fieldGroupName) == 0)
            r = DCGM_ST_DUPLICATE_KEY;
    if (r == DCGM_ST_OK) {
        field_group *fg = NULL;
        for (int i = 0; i < DCGM_MAX_NUM_FIELD_GROUPS && fg == NULL; i++)
            if (g_field_groups[i].id == 0)
                fg = &g_field_groups[i];
        if (fg == NULL) {
            r = DCGM_ST_MAX_LIMIT;
        } else {
            fg->id = new_id();
            fg->owner = dcgmHandle;
            snprintf(fg->name, sizeof fg->name, "%s", fieldGroupName);
            fg->count = numFieldIds;
            memcpy(fg->ids, fieldIds, sizeof(unsigned short) * (size_t)numFieldIds);
            *dcgmFieldGroupId = fg->id;
        }
    }
    unlock();
    return r;
}

dcgmReturn_t dcgmFieldGroupDestroy(dcgmHandle_t dcgmHandle, dcgmFieldGrp_t dcgmFieldGroupId)
{
    lock();
    dcgmReturn_t r = enter("dcgmFieldGroupDestroy");
    if (r == DCGM_ST_OK)
        r = check_handle(dcgmHandle);
    if (r == DCGM_ST_OK) {
        field_group *fg = find_field_group(dcgmHandle, dcgmFieldGroupId);
        if (fg == NULL) {
            r = DCGM_ST_BADPARAM;
        } else {
            for (int w = 0; w < MAX_WATCHES; w++)
                if (g_watches[w].used && g_watches[w].field_group == dcgmFieldGroupId)
                    memset(&g_watches[w], 0, sizeof g_watches[w]);
            memset(fg, 0, sizeof *fg);
        }
    }
    unlock();
    return r;
}

dcgmReturn_t dcgmWatchFields(dcgmHandle_t pDcgmHandle, dcgmGpuGrp_t groupId, dcgmFieldGrp_t fieldGroupId,
                             long long updateFreq, double maxKeepAge, int maxKeepSamples)
{
    lock();
    dcgmReturn_t r = enter("dcgmWatchFields");
    if (r == DCGM_ST_OK)
        r = check_handle(pDcgmHandle);
    field_group *fg = r == DCGM_ST_OK ? find_field_group(pDcgmHandle, fieldGroupId) : NULL;
    if (r == DCGM_ST_OK && (fg == NULL || !group_ok(pDcgmHandle, groupId) || updateFreq <= 0 || maxKeepAge < 0.0 ||
                            maxKeepSamples < 0))
        r = DCGM_ST_BADPARAM;
    for (int k = 0; r == DCGM_ST_OK && g_refuse_profiling != 0 && k < fg->count; k++)
        if (fg->ids[k] >= 1001 && fg->ids[k] <= 1099)
            r = (dcgmReturn_t)g_refuse_profiling;
    if (r == DCGM_ST_OK) {
        watch *w = NULL;
        for (int i = 0; i < MAX_WATCHES && w == NULL; i++)
            if (!g_watches[i].used)
                w = &g_watches[i];
        if (w == NULL) {
            r = DCGM_ST_MAX_LIMIT;
        } else {
            w->used = 1;
            w->owner = pDcgmHandle;
            w->group = groupId;
            w->field_group = fieldGroupId;
        }
    }
    unlock();
    return r;
}

dcgmReturn_t dcgmUnwatchFields(dcgmHandle_t pDcgmHandle, dcgmGpuGrp_t groupId, dcgmFieldGrp_t fieldGroupId)
{
    lock();
    dcgmReturn_t r = enter("dcgmUnwatchFields");
    if (r == DCGM_ST_OK)
        r = check_handle(pDcgmHandle);
    if (r == DCGM_ST_OK) {
        r = DCGM_ST_BADPARAM;
        for (int i = 0; i < MAX_WATCHES; i++)
            if (g_watches[i].used && g_watches[i].owner == pDcgmHandle && g_watches[i].group == groupId &&
                g_watches[i].field_group == fieldGroupId) {
                memset(&g_watches[i], 0, sizeof g_watches[i]);
                r = DCGM_ST_OK;
            }
    }
    unlock();
    return r;
}

dcgmReturn_t dcgmUpdateAllFields(dcgmHandle_t pDcgmHandle, int waitForUpdate)
{
    (void)waitForUpdate;
    lock();
    dcgmReturn_t r = enter("dcgmUpdateAllFields");
    if (r == DCGM_ST_OK)
        r = check_handle(pDcgmHandle);
    unlock();
    return r;
}

dcgmReturn_t dcgmGetLatestValues_v2(dcgmHandle_t pDcgmHandle, dcgmGpuGrp_t groupId, dcgmFieldGrp_t fieldGroupId,
                                    dcgmFieldValueEntityEnumeration_f enumCB, void *userData)
{
    static dcgmFieldValue_v1 values[DCGM_MAX_FIELD_IDS_PER_FIELD_GROUP]; /* used under the stand-in's lock only */
    lock();
    dcgmReturn_t r = enter("dcgmGetLatestValues_v2");
    if (r == DCGM_ST_OK)
        r = check_handle(pDcgmHandle);
    field_group *fg = r == DCGM_ST_OK ? find_field_group(pDcgmHandle, fieldGroupId) : NULL;
    if (r == DCGM_ST_OK && (fg == NULL || enumCB == NULL || !group_ok(pDcgmHandle, groupId)))
        r = DCGM_ST_BADPARAM;
    for (unsigned int gpu = 0; r == DCGM_ST_OK && gpu < g_gpu_count; gpu++) {
        for (int k = 0; k < fg->count; k++) {
            dcgmFieldValue_v1 *v = &values[k];
            v->version = dcgmFieldValue_version1;
            v->fieldId = fg->ids[k];
            long long ts;
            fill_value(gpu, fg->ids[k], &v->fieldType, &v->status, &ts, &v->value);
            v->ts = ts;
        }
        /* The callback runs under the stand-in's lock: it must not call back into the library. */
        if (enumCB(DCGM_FE_GPU, gpu, values, fg->count, userData) < 0)
            break;
    }
    unlock();
    return r;
}

dcgmReturn_t dcgmEntitiesGetLatestValues(dcgmHandle_t pDcgmHandle, dcgmGroupEntityPair_t entities[],
                                         unsigned int entityCount, unsigned short fields[], unsigned int fieldCount,
                                         unsigned int flags, dcgmFieldValue_v2 values[])
{
    (void)flags;
    lock();
    dcgmReturn_t r = enter("dcgmEntitiesGetLatestValues");
    if (r == DCGM_ST_OK)
        r = check_handle(pDcgmHandle);
    if (r == DCGM_ST_OK && (entities == NULL || entityCount == 0 || fields == NULL || fieldCount == 0 || values == NULL))
        r = DCGM_ST_BADPARAM;
    for (unsigned int e = 0; r == DCGM_ST_OK && e < entityCount; e++) {
        for (unsigned int f = 0; f < fieldCount; f++) {
            dcgmFieldValue_v2 *v = &values[(size_t)e * fieldCount + f];
            v->version = dcgmFieldValue_version2;
            v->entityGroupId = entities[e].entityGroupId;
            v->entityId = entities[e].entityId;
            v->fieldId = fields[f];
            v->unused = 0;
            long long ts;
            unsigned int gpu = entities[e].entityGroupId == DCGM_FE_GPU ? entities[e].entityId : UINT_MAX;
            fill_value(gpu, fields[f], &v->fieldType, &v->status, &ts, &v->value);
            v->ts = ts;
        }
    }
    unlock();
    return r;
}

const char *errorString(dcgmReturn_t result)
{
    switch (result) {
    case DCGM_ST_OK: return "Success";
    case DCGM_ST_BADPARAM: return "Bad parameter passed to function";
    case DCGM_ST_GENERIC_ERROR: return "Generic unspecified error";
    case DCGM_ST_MEMORY: return "Out of memory error";
    case DCGM_ST_NOT_CONFIGURED: return "Setting not configured";
    case DCGM_ST_NOT_SUPPORTED: return "Feature not supported";
    case DCGM_ST_INIT_ERROR: return "DCGM initialization error";
    case DCGM_ST_NVML_ERROR: return "NVML error";
    case DCGM_ST_PENDING: return "Object is in a pending state";
    case DCGM_ST_UNINITIALIZED: return "Object is in an undefined state";
    case DCGM_ST_TIMEOUT: return "Timeout";
    case DCGM_ST_VER_MISMATCH: return "API version mismatch";
    case DCGM_ST_UNKNOWN_FIELD: return "Unknown field identifier";
    case DCGM_ST_NO_DATA: return "No data is available";
    case DCGM_ST_STALE_DATA: return "Data is considered stale";
    case DCGM_ST_NOT_WATCHED: return "Field is not being updated";
    case DCGM_ST_NO_PERMISSION: return "Not permissioned";
    case DCGM_ST_GPU_IS_LOST: return "GPU is lost";
    case DCGM_ST_RESET_REQUIRED: return "GPU requires reset";
    case DCGM_ST_FUNCTION_NOT_FOUND: return "Unable to find function";
    case DCGM_ST_CONNECTION_NOT_VALID: return "Host engine connection invalid/disconnected";
    case DCGM_ST_GPU_NOT_SUPPORTED: return "This GPU is not supported by DCGM";
    case DCGM_ST_GROUP_INCOMPATIBLE: return "The GPUs of this group are incompatible with each other";
    case DCGM_ST_MAX_LIMIT: return "Max limit reached for the object";
    case DCGM_ST_LIBRARY_NOT_FOUND: return "DCGM library could not be found";
    case DCGM_ST_DUPLICATE_KEY: return "Duplicate key passed to function";
    case DCGM_ST_REQUIRES_ROOT: return "Host engine is running as non-root";
    case DCGM_ST_INSUFFICIENT_SIZE: return "More data is available than the provided buffer can hold";
    case DCGM_ST_MODULE_NOT_LOADED: return "This request is serviced by a module of DCGM that is not currently loaded";
    case DCGM_ST_IN_USE: return "The requested operation could not be completed because the affected resource is in use";
    case DCGM_ST_GROUP_IS_EMPTY: return "The specified group is empty";
    case DCGM_ST_PROFILING_NOT_SUPPORTED: return "Profiling is not supported for this group of GPUs or GPU";
    case DCGM_ST_PROFILING_LIBRARY_ERROR: return "The third-party Profiling module returned an unrecoverable error";
    case DCGM_ST_PROFILING_MULTI_PASS: return "The requested profiling metrics cannot be collected in a single pass";
    case DCGM_ST_INSUFFICIENT_DRIVER_VERSION: return "The installed driver version is insufficient for this API";
    case DCGM_ST_NVML_NOT_LOADED: return "NVML was not loaded";
    case DCGM_ST_NVML_DRIVER_TIMEOUT: return "NVML driver timeout";
    default: return NULL;
    }
}

/* ---- Back door ---- */

static int for_gpus(unsigned int gpu, unsigned int *first, unsigned int *last)
{
    if (gpu == UINT_MAX) {
        *first = 0;
        *last = SOLPROF_DCGM_MAX_GPUS - 1;
        return 1;
    }
    if (gpu >= SOLPROF_DCGM_MAX_GPUS)
        return 0;
    *first = *last = gpu;
    return 1;
}

int solprof_dcgm_reset(void)
{
    standin_reset(&g_scaffold);
    return 0;
}

int solprof_dcgm_set_gpu_count(unsigned int count)
{
    if (count > SOLPROF_DCGM_MAX_GPUS)
        return DCGM_ST_BADPARAM;
    lock();
    g_gpu_count = count;
    unlock();
    return 0;
}

int solprof_dcgm_set_gpu_name(unsigned int gpu, const char *name)
{
    return solprof_dcgm_set_field_string(gpu, 50, name);
}

#define SET_FIELD_BODY(stmt)                                                                                          \
    unsigned int first, last;                                                                                         \
    if (fieldId == 0 || fieldId > 0xffff || !for_gpus(gpu, &first, &last))                                            \
        return DCGM_ST_BADPARAM;                                                                                      \
    lock();                                                                                                           \
    int rc = 0;                                                                                                       \
    for (unsigned int i = first; i <= last; i++) {                                                                    \
        gpu_state *g = &g_gpus[i];                                                                                    \
        if (slot(g, fieldId, 1) == NULL) {                                                                            \
            rc = DCGM_ST_BADPARAM;                                                                                    \
            break;                                                                                                    \
        }                                                                                                             \
        stmt;                                                                                                         \
    }                                                                                                                 \
    unlock();                                                                                                         \
    return rc

int solprof_dcgm_set_field_int64(unsigned int gpu, unsigned int fieldId, long long value)
{
    SET_FIELD_BODY(put_i64(g, fieldId, value));
}

int solprof_dcgm_set_field_double(unsigned int gpu, unsigned int fieldId, double value)
{
    SET_FIELD_BODY(put_dbl(g, fieldId, value));
}

int solprof_dcgm_set_field_string(unsigned int gpu, unsigned int fieldId, const char *value)
{
    if (value == NULL)
        return DCGM_ST_BADPARAM;
    SET_FIELD_BODY(put_str(g, fieldId, value));
}

static void put_blank(gpu_state *g, unsigned int fieldId, int kind)
{
    static const char *const strs[4] = {DCGM_STR_BLANK, DCGM_STR_NOT_FOUND, DCGM_STR_NOT_SUPPORTED, DCGM_STR_NOT_PERMISSIONED};
    field_slot *s = slot(g, fieldId, 1);
    if (s->type == DCGM_FT_DOUBLE)
        s->dbl = DCGM_FP64_BLANK + kind;
    else if (s->type == DCGM_FT_STRING)
        snprintf(s->str, sizeof s->str, "%s", strs[kind]);
    else {
        s->type = DCGM_FT_INT64;
        s->i64 = DCGM_INT64_BLANK + kind;
    }
}

int solprof_dcgm_set_field_blank(unsigned int gpu, unsigned int fieldId, int kind)
{
    if (kind < 0 || kind > 3)
        return DCGM_ST_BADPARAM;
    SET_FIELD_BODY(put_blank(g, fieldId, kind));
}

int solprof_dcgm_refuse_profiling(int code)
{
    if (code > 0)
        return DCGM_ST_BADPARAM;
    lock();
    g_refuse_profiling = code;
    unlock();
    return 0;
}

int solprof_dcgm_inject_error(const char *function, int code, int calls)
{
    if (function == NULL || function[0] == '\0' || strlen(function) >= STANDIN_FN_LEN)
        return DCGM_ST_BADPARAM;
    return standin_set_fault(&g_scaffold, function, STANDIN_ANY_DEVICE, code, calls) == 0 ? 0 : DCGM_ST_BADPARAM;
}

int solprof_dcgm_drop_connections(void)
{
    lock();
    for (int i = 0; i < MAX_CONNECTIONS; i++)
        if (g_connections[i].handle != 0)
            g_connections[i].dropped = 1;
    unlock();
    return 0;
}

int solprof_dcgm_set_hostengine_reachable(int reachable)
{
    lock();
    g_reachable = reachable != 0;
    unlock();
    return reachable ? 0 : solprof_dcgm_drop_connections();
}

int solprof_dcgm_last_embedded_severity(void)
{
    lock();
    int severity = g_last_severity;
    unlock();
    return severity;
}

int solprof_dcgm_live_objects(void)
{
    lock();
    int n = g_init_count + g_embedded;
    for (int i = 0; i < MAX_CONNECTIONS; i++)
        n += g_connections[i].handle != 0;
    for (int i = 0; i < DCGM_MAX_NUM_GROUPS; i++)
        n += g_groups[i].id != 0;
    for (int i = 0; i < DCGM_MAX_NUM_FIELD_GROUPS; i++)
        n += g_field_groups[i].id != 0;
    for (int i = 0; i < MAX_WATCHES; i++)
        n += g_watches[i].used;
    unlock();
    return n;
}

int solprof_dcgm_call_count(const char *function)
{
    return standin_call_count(&g_scaffold, function);
}
