/* libnvidia-ml.so.1 stand-in: global state behind one mutex, devices in a static array (handles point into it). The
 * lock, call counters and injected errors are the shared scaffolding (native/common). */
#include "nvml_standin.h"
#include "standin_common.h"

#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

_Static_assert(sizeof(nvmlPciInfo_t) == 68, "nvmlPciInfo_t layout");
_Static_assert(sizeof(nvmlUtilization_t) == 8, "nvmlUtilization_t layout");
_Static_assert(sizeof(nvmlMemory_t) == 24, "nvmlMemory_t layout");
_Static_assert(sizeof(nvmlMemory_v2_t) == 40, "nvmlMemory_v2_t layout");
_Static_assert(sizeof(nvmlFieldValue_t) == 40, "nvmlFieldValue_t layout");
_Static_assert(offsetof(nvmlFieldValue_t, value) == 32, "nvmlFieldValue_t value offset");
_Static_assert(sizeof(nvmlGpmMetric_t) == 40, "nvmlGpmMetric_t layout");
_Static_assert(offsetof(nvmlGpmMetric_t, value) == 8, "nvmlGpmMetric_t value offset");
_Static_assert(offsetof(nvmlGpmMetric_t, metricInfo) == 16, "nvmlGpmMetric_t metricInfo offset");
_Static_assert(offsetof(nvmlGpmMetricsGet_t, sample1) == 8, "nvmlGpmMetricsGet_t sample1 offset");
_Static_assert(offsetof(nvmlGpmMetricsGet_t, metrics) == 24, "nvmlGpmMetricsGet_t metrics offset");
_Static_assert(sizeof(nvmlGpmMetricsGet_t) == 13344, "nvmlGpmMetricsGet_t layout (NVML_GPM_METRIC_MAX 333)");
_Static_assert(sizeof(nvmlGpmSupport_t) == 8, "nvmlGpmSupport_t layout");

#define MAX_FIELD_OVERRIDES 16
#define NAME_LEN 96

typedef struct field_override {
    unsigned int field_id;
    int value_type;
    double value;
} field_override;

struct nvmlDevice_st {
    unsigned int index;
    char name[NAME_LEN];
    double power_mw;
    double power_limit_mw;
    double energy_mj;
    double util_gpu;
    double util_memory;
    double clock_sm_mhz;
    double clock_mem_mhz;
    double temp_gpu_c;
    double temp_mem_c;
    double mem_total;
    double mem_used;
    double mem_reserved;
    double clocks_event_reasons;
    double nvlink_tx_kib;
    double nvlink_rx_kib;
    double pcie_tx_kbps;
    double pcie_rx_kbps;
    double gpm_supported;
    double sm_occupancy;
    double tensor_util;
    double sm_util;             /* percent; < 0: GPM SM_UTIL follows util_gpu */
    double nvlink_tx_kib_per_s; /* driven mode: rates integrated into nvlink_tx_kib / nvlink_rx_kib */
    double nvlink_rx_kib_per_s;
    field_override overrides[MAX_FIELD_OVERRIDES];
    int override_count;
    double last_advance_s;
    /* GPM: time integrals (percent * seconds) of dram, sm, occupancy, tensor, graphics since gpm_last_s. */
    double gpm_acc[5];
    double gpm_last_s;
};

enum { GPM_DRAM, GPM_SM, GPM_OCC, GPM_TENSOR, GPM_GRAPHICS, GPM_COUNTERS };

/* Opaque GPM sample: a timestamp and the device's cumulative counters when it was taken. */
struct nvmlGpmSample_st {
    struct nvmlGpmSample_st *next; /* live list, for handle validation */
    int filled;
    unsigned int device_index;
    double at_s;
    double acc[GPM_COUNTERS];
};

static struct nvmlDevice_st g_devices[SOLPROF_NVML_MAX_GPUS];
static unsigned int g_count;
static int g_init_count;
/* Workload modes (solprof_nvml_set_workload). */
enum { WORKLOAD_OFF = 0, WORKLOAD_DRIVEN = 2 };
static int g_workload;
static double g_workload_start_s;
static struct nvmlGpmSample_st *g_samples; /* live GPM samples (not touched by reset) */
static int g_live_samples;

/* Added to the monotonic clock by solprof_nvml_elapse, so that tests can let GPM intervals pass without sleeping. */
static double g_clock_offset_s;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + g_clock_offset_s;
}

static void default_device(struct nvmlDevice_st *d, unsigned int index)
{
    memset(d, 0, sizeof(*d));
    d->index = index;
    snprintf(d->name, sizeof d->name, "%s", "NVIDIA H100 80GB HBM3");
    d->power_mw = 100000.0 + 1000.0 * index; /* 100 W + 1 W per index */
    d->power_limit_mw = 700000.0;
    d->energy_mj = 1.0e9 + 1.0e6 * index; /* 1 MJ + 1 kJ per index */
    d->util_gpu = 10.0 + index;
    d->util_memory = 5.0 + index;
    d->clock_sm_mhz = 1980.0;
    d->clock_mem_mhz = 2619.0;
    d->temp_gpu_c = 40.0 + index;
    d->temp_mem_c = 50.0 + index;
    d->mem_total = 85520809984.0; /* 79.6 GiB as an H100 80GB reports */
    d->mem_reserved = 564133888.0;
    d->mem_used = 1073741824.0 * (1 + index);
    d->clocks_event_reasons = 0.0;
    d->nvlink_tx_kib = 1000.0 * (index + 1);
    d->nvlink_rx_kib = 2000.0 * (index + 1);
    d->pcie_tx_kbps = 100.0 * (index + 1);
    d->pcie_rx_kbps = 200.0 * (index + 1);
    d->gpm_supported = 1.0;
    d->sm_occupancy = 30.0 + index;
    d->tensor_util = 20.0 + index;
    d->sm_util = -1.0;
    d->last_advance_s = now_s();
    d->gpm_last_s = d->last_advance_s;
}

/* The scaffolding's reset_state (under the lock; counters and injections are cleared by it). */
static void reset_state(void)
{
    g_count = 8;
    for (unsigned int i = 0; i < SOLPROF_NVML_MAX_GPUS; i++)
        default_device(&g_devices[i], i);
    g_init_count = 0;
    g_workload = WORKLOAD_OFF;
    g_workload_start_s = now_s();
}

static standin_scaffold g_scaffold = STANDIN_SCAFFOLD_INIT(reset_state);

static void lock(void) { standin_lock(&g_scaffold); }

static void unlock(void) { standin_unlock(&g_scaffold); }

static void count_call(const char *fn) { standin_count_call(&g_scaffold, fn); }

/* Returns an injected code for fn on device (or NVML_SUCCESS) and consumes one call of it. */
static nvmlReturn_t take_injection(const char *fn, int device)
{
    return (nvmlReturn_t)standin_take_fault(&g_scaffold, fn, device);
}

/* Moves the time-driven values of one device forward (workload driver). */
static void advance(struct nvmlDevice_st *d)
{
    double t = now_s();
    double dt = t - d->last_advance_s;
    d->last_advance_s = t;
    if (g_workload != WORKLOAD_DRIVEN || dt <= 0.0)
        return;
    /* Values are set from outside (the demo's GPU model) and held between sets: only the counters move, at the
     * held rates. */
    d->energy_mj += d->power_mw * dt; /* mW * s = mJ */
    d->nvlink_tx_kib += d->nvlink_tx_kib_per_s * dt;
    d->nvlink_rx_kib += d->nvlink_rx_kib_per_s * dt;
}

/* Common prologue for device calls: counts, checks init and the handle, applies injections. */
static nvmlReturn_t enter_device(const char *fn, nvmlDevice_t device, struct nvmlDevice_st **out)
{
    count_call(fn);
    if (g_init_count <= 0)
        return NVML_ERROR_UNINITIALIZED;
    if (device == NULL || device < &g_devices[0] || device >= &g_devices[SOLPROF_NVML_MAX_GPUS] ||
        device->index >= g_count)
        return NVML_ERROR_INVALID_ARGUMENT;
    nvmlReturn_t injected = take_injection(fn, (int)device->index);
    if (injected != NVML_SUCCESS)
        return injected;
    advance(device);
    *out = device;
    return NVML_SUCCESS;
}

static nvmlReturn_t copy_string(char *dst, unsigned int length, const char *src)
{
    if (dst == NULL)
        return NVML_ERROR_INVALID_ARGUMENT;
    size_t need = strlen(src) + 1;
    if (length < need)
        return NVML_ERROR_INSUFFICIENT_SIZE;
    memcpy(dst, src, need);
    return NVML_SUCCESS;
}

static unsigned int to_uint(double v) { return v <= 0.0 ? 0U : v >= 4294967295.0 ? UINT_MAX : (unsigned int)v; }

static unsigned long long to_ull(double v) { return v <= 0.0 ? 0ULL : (unsigned long long)v; }

/* ---------------- NVML API ---------------- */

nvmlReturn_t nvmlInit_v2(void)
{
    lock();
    count_call("nvmlInit_v2");
    nvmlReturn_t r = take_injection("nvmlInit_v2", -1);
    if (r == NVML_SUCCESS)
        g_init_count++;
    unlock();
    return r;
}

nvmlReturn_t nvmlShutdown(void)
{
    lock();
    count_call("nvmlShutdown");
    nvmlReturn_t r = take_injection("nvmlShutdown", -1);
    if (r == NVML_SUCCESS) {
        if (g_init_count <= 0)
            r = NVML_ERROR_UNINITIALIZED;
        else
            g_init_count--;
    }
    unlock();
    return r;
}

const char *nvmlErrorString(nvmlReturn_t result)
{
    switch (result) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
    case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case NVML_ERROR_NO_PERMISSION: return "Insufficient Permissions";
    case NVML_ERROR_ALREADY_INITIALIZED: return "Already Initialized";
    case NVML_ERROR_NOT_FOUND: return "Not Found";
    case NVML_ERROR_INSUFFICIENT_SIZE: return "Insufficient Size";
    case NVML_ERROR_INSUFFICIENT_POWER: return "Insufficient External Power";
    case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
    case NVML_ERROR_TIMEOUT: return "Timeout";
    case NVML_ERROR_IRQ_ISSUE: return "Interrupt request issue";
    case NVML_ERROR_LIBRARY_NOT_FOUND: return "NVML Shared Library Not Found";
    case NVML_ERROR_FUNCTION_NOT_FOUND: return "Function Not Found";
    case NVML_ERROR_CORRUPTED_INFOROM: return "Corrupted infoROM";
    case NVML_ERROR_GPU_IS_LOST: return "GPU is lost";
    case NVML_ERROR_RESET_REQUIRED: return "GPU requires restart";
    case NVML_ERROR_OPERATING_SYSTEM: return "The operating system has blocked the request.";
    case NVML_ERROR_LIB_RM_VERSION_MISMATCH: return "RM has detected an NVML/RM version mismatch.";
    case NVML_ERROR_IN_USE: return "In use by another client";
    case NVML_ERROR_MEMORY: return "Insufficient Memory";
    case NVML_ERROR_NO_DATA: return "No data";
    case NVML_ERROR_ARGUMENT_VERSION_MISMATCH: return "Argument version mismatch";
    case NVML_ERROR_NOT_READY: return "Not ready";
    case NVML_ERROR_GPU_NOT_FOUND: return "GPU not found";
    case NVML_ERROR_INVALID_STATE: return "Invalid state";
    default: return "Unknown Error";
    }
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length)
{
    lock();
    count_call("nvmlSystemGetDriverVersion");
    nvmlReturn_t r = g_init_count <= 0 ? NVML_ERROR_UNINITIALIZED : take_injection("nvmlSystemGetDriverVersion", -1);
    if (r == NVML_SUCCESS)
        r = copy_string(version, length, "580.65.06-solprof");
    unlock();
    return r;
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *deviceCount)
{
    lock();
    count_call("nvmlDeviceGetCount_v2");
    nvmlReturn_t r = g_init_count <= 0 ? NVML_ERROR_UNINITIALIZED : take_injection("nvmlDeviceGetCount_v2", -1);
    if (r == NVML_SUCCESS) {
        if (deviceCount == NULL)
            r = NVML_ERROR_INVALID_ARGUMENT;
        else
            *deviceCount = g_count;
    }
    unlock();
    return r;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device)
{
    lock();
    count_call("nvmlDeviceGetHandleByIndex_v2");
    nvmlReturn_t r = NVML_SUCCESS;
    if (g_init_count <= 0)
        r = NVML_ERROR_UNINITIALIZED;
    else if (device == NULL || index >= g_count)
        r = NVML_ERROR_INVALID_ARGUMENT;
    else
        r = take_injection("nvmlDeviceGetHandleByIndex_v2", (int)index);
    if (r == NVML_SUCCESS)
        *device = &g_devices[index];
    unlock();
    return r;
}

#define DEVICE_CALL(fn, device, ...)                                                                                   \
    do {                                                                                                               \
        struct nvmlDevice_st *d = NULL;                                                                                \
        lock();                                                                                                        \
        nvmlReturn_t r = enter_device(fn, device, &d);                                                                 \
        if (r == NVML_SUCCESS) {                                                                                       \
            __VA_ARGS__                                                                                                \
        }                                                                                                              \
        unlock();                                                                                                      \
        return r;                                                                                                      \
    } while (0)

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length)
{
    DEVICE_CALL("nvmlDeviceGetName", device, { r = copy_string(name, length, d->name); });
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length)
{
    DEVICE_CALL("nvmlDeviceGetUUID", device, {
        char buf[NVML_DEVICE_UUID_V2_BUFFER_SIZE];
        snprintf(buf, sizeof buf, "GPU-5017f0f1-0000-4000-8000-%012x", d->index);
        r = copy_string(uuid, length, buf);
    });
}

nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t *pci)
{
    DEVICE_CALL("nvmlDeviceGetPciInfo_v3", device, {
        if (pci == NULL) {
            r = NVML_ERROR_INVALID_ARGUMENT;
        } else {
            /* H100 SXM-like bus numbers: 0x18, 0x2a, 0x3a, 0x5d, 0x9a, 0xab, 0xba, 0xdb, then 0xe0.. */
            static const unsigned int buses[8] = {0x18, 0x2a, 0x3a, 0x5d, 0x9a, 0xab, 0xba, 0xdb};
            unsigned int bus = d->index < 8 ? buses[d->index] : 0xe0 + d->index;
            memset(pci, 0, sizeof(*pci));
            pci->domain = 0;
            pci->bus = bus;
            pci->device = 0;
            pci->pciDeviceId = 0x233010deU;
            pci->pciSubSystemId = 0x16c110deU;
            snprintf(pci->busIdLegacy, sizeof pci->busIdLegacy, "0000:%02X:00.0", bus);
            snprintf(pci->busId, sizeof pci->busId, "00000000:%02X:00.0", bus);
        }
    });
}

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *power)
{
    DEVICE_CALL("nvmlDeviceGetPowerUsage", device, {
        if (power == NULL) r = NVML_ERROR_INVALID_ARGUMENT; else *power = to_uint(d->power_mw);
    });
}

nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t device, unsigned long long *energy)
{
    DEVICE_CALL("nvmlDeviceGetTotalEnergyConsumption", device, {
        if (energy == NULL) r = NVML_ERROR_INVALID_ARGUMENT; else *energy = to_ull(d->energy_mj);
    });
}

nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t device, unsigned int *limit)
{
    DEVICE_CALL("nvmlDeviceGetEnforcedPowerLimit", device, {
        if (limit == NULL) r = NVML_ERROR_INVALID_ARGUMENT; else *limit = to_uint(d->power_limit_mw);
    });
}

nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *utilization)
{
    DEVICE_CALL("nvmlDeviceGetUtilizationRates", device, {
        if (utilization == NULL) {
            r = NVML_ERROR_INVALID_ARGUMENT;
        } else {
            utilization->gpu = to_uint(d->util_gpu);
            utilization->memory = to_uint(d->util_memory);
        }
    });
}

nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t device, nvmlClockType_t type, unsigned int *clock)
{
    DEVICE_CALL("nvmlDeviceGetClockInfo", device, {
        if (clock == NULL)
            r = NVML_ERROR_INVALID_ARGUMENT;
        else if (type == NVML_CLOCK_SM || type == NVML_CLOCK_GRAPHICS)
            *clock = to_uint(d->clock_sm_mhz);
        else if (type == NVML_CLOCK_MEM)
            *clock = to_uint(d->clock_mem_mhz);
        else if (type == NVML_CLOCK_VIDEO)
            *clock = 1755U;
        else
            r = NVML_ERROR_INVALID_ARGUMENT;
    });
}

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, nvmlTemperatureSensors_t sensorType, unsigned int *temp)
{
    DEVICE_CALL("nvmlDeviceGetTemperature", device, {
        if (temp == NULL || sensorType != NVML_TEMPERATURE_GPU) r = NVML_ERROR_INVALID_ARGUMENT; else *temp = to_uint(d->temp_gpu_c);
    });
}

nvmlReturn_t nvmlDeviceGetTemperatureV(nvmlDevice_t device, nvmlTemperature_t *temperature)
{
    DEVICE_CALL("nvmlDeviceGetTemperatureV", device, {
        if (temperature == NULL || temperature->sensorType != NVML_TEMPERATURE_GPU)
            r = NVML_ERROR_INVALID_ARGUMENT;
        else if (temperature->version != nvmlTemperature_v1)
            r = NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
        else
            temperature->temperature = (int)to_uint(d->temp_gpu_c);
    });
}

nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory)
{
    DEVICE_CALL("nvmlDeviceGetMemoryInfo", device, {
        if (memory == NULL) {
            r = NVML_ERROR_INVALID_ARGUMENT;
        } else {
            /* v1 counts reserved memory as used. */
            memory->total = to_ull(d->mem_total);
            memory->used = to_ull(d->mem_used + d->mem_reserved);
            memory->free = memory->total - memory->used;
        }
    });
}

nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, nvmlMemory_v2_t *memory)
{
    DEVICE_CALL("nvmlDeviceGetMemoryInfo_v2", device, {
        if (memory == NULL) {
            r = NVML_ERROR_INVALID_ARGUMENT;
        } else if (memory->version != nvmlMemory_v2) {
            r = NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
        } else {
            memory->total = to_ull(d->mem_total);
            memory->reserved = to_ull(d->mem_reserved);
            memory->used = to_ull(d->mem_used);
            memory->free = memory->total - memory->reserved - memory->used;
        }
    });
}

static nvmlReturn_t clocks_reasons(const char *fn, nvmlDevice_t device, unsigned long long *reasons)
{
    DEVICE_CALL(fn, device, {
        if (reasons == NULL) r = NVML_ERROR_INVALID_ARGUMENT; else *reasons = to_ull(d->clocks_event_reasons);
    });
}

nvmlReturn_t nvmlDeviceGetCurrentClocksEventReasons(nvmlDevice_t device, unsigned long long *reasons)
{
    return clocks_reasons("nvmlDeviceGetCurrentClocksEventReasons", device, reasons);
}

nvmlReturn_t nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t device, unsigned long long *reasons)
{
    return clocks_reasons("nvmlDeviceGetCurrentClocksThrottleReasons", device, reasons);
}

static void put_value(nvmlFieldValue_t *v, int type, double value)
{
    v->valueType = (nvmlValueType_t)type;
    memset(&v->value, 0, sizeof v->value);
    switch (type) {
    case NVML_VALUE_TYPE_DOUBLE: v->value.dVal = value; break;
    case NVML_VALUE_TYPE_UNSIGNED_INT: v->value.uiVal = to_uint(value); break;
    case NVML_VALUE_TYPE_UNSIGNED_LONG: v->value.ulVal = (unsigned long)to_ull(value); break;
    case NVML_VALUE_TYPE_UNSIGNED_LONG_LONG: v->value.ullVal = to_ull(value); break;
    case NVML_VALUE_TYPE_SIGNED_LONG_LONG: v->value.sllVal = (signed long long)value; break;
    case NVML_VALUE_TYPE_SIGNED_INT: v->value.siVal = (int)value; break;
    case NVML_VALUE_TYPE_UNSIGNED_SHORT: v->value.usVal = (unsigned short)to_uint(value); break;
    default: v->nvmlReturn = NVML_ERROR_UNKNOWN; break;
    }
}

#define NVLINK_LINKS 18U

nvmlReturn_t nvmlDeviceGetFieldValues(nvmlDevice_t device, int valuesCount, nvmlFieldValue_t *values)
{
    DEVICE_CALL("nvmlDeviceGetFieldValues", device, {
        if (values == NULL || valuesCount < 0) {
            r = NVML_ERROR_INVALID_ARGUMENT;
        } else {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            long long stamp = (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
            for (int i = 0; i < valuesCount; i++) {
                nvmlFieldValue_t *v = &values[i];
                char key[STANDIN_FN_LEN];
                snprintf(key, sizeof key, "nvmlDeviceGetFieldValues:%u", v->fieldId);
                v->timestamp = stamp;
                v->latencyUsec = 0;
                v->nvmlReturn = take_injection(key, (int)d->index);
                if (v->nvmlReturn != NVML_SUCCESS)
                    continue;
                int overridden = 0;
                for (int k = 0; k < d->override_count; k++) {
                    if (d->overrides[k].field_id == v->fieldId) {
                        put_value(v, d->overrides[k].value_type, d->overrides[k].value);
                        overridden = 1;
                        break;
                    }
                }
                if (overridden)
                    continue;
                int all_links = v->scopeId == UINT_MAX;
                if ((v->fieldId == NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_TX || v->fieldId == NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_RX) &&
                    !all_links && v->scopeId >= NVLINK_LINKS) {
                    v->nvmlReturn = NVML_ERROR_INVALID_ARGUMENT;
                    continue;
                }
                double link_share = all_links ? 1.0 : 1.0 / NVLINK_LINKS;
                switch (v->fieldId) {
                case NVML_FI_DEV_MEMORY_TEMP: put_value(v, NVML_VALUE_TYPE_UNSIGNED_INT, d->temp_mem_c); break;
                case NVML_FI_DEV_TOTAL_ENERGY_CONSUMPTION: put_value(v, NVML_VALUE_TYPE_UNSIGNED_LONG_LONG, d->energy_mj); break;
                case NVML_FI_DEV_NVLINK_LINK_COUNT: put_value(v, NVML_VALUE_TYPE_UNSIGNED_INT, NVLINK_LINKS); break;
                case NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_TX: put_value(v, NVML_VALUE_TYPE_UNSIGNED_LONG_LONG, floor(d->nvlink_tx_kib * link_share)); break;
                case NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_RX: put_value(v, NVML_VALUE_TYPE_UNSIGNED_LONG_LONG, floor(d->nvlink_rx_kib * link_share)); break;
                case NVML_FI_DEV_POWER_AVERAGE:
                case NVML_FI_DEV_POWER_INSTANT: put_value(v, NVML_VALUE_TYPE_UNSIGNED_INT, d->power_mw); break;
                default: v->nvmlReturn = NVML_ERROR_NOT_SUPPORTED; break;
                }
            }
        }
    });
}

nvmlReturn_t nvmlDeviceGetPcieThroughput(nvmlDevice_t device, nvmlPcieUtilCounter_t counter, unsigned int *value)
{
    DEVICE_CALL("nvmlDeviceGetPcieThroughput", device, {
        if (value == NULL)
            r = NVML_ERROR_INVALID_ARGUMENT;
        else if (counter == NVML_PCIE_UTIL_TX_BYTES)
            *value = to_uint(d->pcie_tx_kbps);
        else if (counter == NVML_PCIE_UTIL_RX_BYTES)
            *value = to_uint(d->pcie_rx_kbps);
        else
            r = NVML_ERROR_INVALID_ARGUMENT;
    });
}

/* ---------------- GPM ---------------- */

static int gpm_sample_live(const struct nvmlGpmSample_st *s)
{
    for (const struct nvmlGpmSample_st *p = g_samples; p != NULL; p = p->next)
        if (p == s)
            return 1;
    return 0;
}

/* Brings the device's GPM integrals up to now, using the current values for the time since the last update. */
static void gpm_accumulate(struct nvmlDevice_st *d, double t)
{
    double dt = t - d->gpm_last_s;
    if (dt > 0.0) {
        d->gpm_acc[GPM_DRAM] += d->util_memory * dt;
        d->gpm_acc[GPM_SM] += (d->sm_util >= 0.0 ? d->sm_util : d->util_gpu) * dt;
        d->gpm_acc[GPM_OCC] += d->sm_occupancy * dt;
        d->gpm_acc[GPM_TENSOR] += d->tensor_util * dt;
        d->gpm_acc[GPM_GRAPHICS] += d->util_gpu * dt;
    }
    d->gpm_last_s = t;
}

nvmlReturn_t nvmlGpmQueryDeviceSupport(nvmlDevice_t device, nvmlGpmSupport_t *gpmSupport)
{
    DEVICE_CALL("nvmlGpmQueryDeviceSupport", device, {
        if (gpmSupport == NULL)
            r = NVML_ERROR_INVALID_ARGUMENT;
        else if (gpmSupport->version != NVML_GPM_SUPPORT_VERSION)
            r = NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
        else
            gpmSupport->isSupportedDevice = d->gpm_supported != 0.0 ? 1U : 0U;
    });
}

nvmlReturn_t nvmlGpmSampleAlloc(nvmlGpmSample_t *gpmSample)
{
    lock();
    count_call("nvmlGpmSampleAlloc");
    nvmlReturn_t r = g_init_count <= 0 ? NVML_ERROR_UNINITIALIZED : take_injection("nvmlGpmSampleAlloc", -1);
    if (r == NVML_SUCCESS && gpmSample == NULL)
        r = NVML_ERROR_INVALID_ARGUMENT;
    if (r == NVML_SUCCESS) {
        struct nvmlGpmSample_st *s = calloc(1, sizeof *s);
        if (s == NULL) {
            r = NVML_ERROR_MEMORY;
        } else {
            s->next = g_samples;
            g_samples = s;
            g_live_samples++;
            *gpmSample = s;
        }
    }
    unlock();
    return r;
}

nvmlReturn_t nvmlGpmSampleFree(nvmlGpmSample_t gpmSample)
{
    lock();
    count_call("nvmlGpmSampleFree");
    nvmlReturn_t r = NVML_ERROR_INVALID_ARGUMENT;
    for (struct nvmlGpmSample_st **p = &g_samples; *p != NULL; p = &(*p)->next) {
        if (*p == gpmSample) {
            *p = gpmSample->next;
            free(gpmSample);
            g_live_samples--;
            r = NVML_SUCCESS;
            break;
        }
    }
    unlock();
    return r;
}

nvmlReturn_t nvmlGpmSampleGet(nvmlDevice_t device, nvmlGpmSample_t gpmSample)
{
    DEVICE_CALL("nvmlGpmSampleGet", device, {
        if (gpmSample == NULL || !gpm_sample_live(gpmSample)) {
            r = NVML_ERROR_INVALID_ARGUMENT;
        } else if (d->gpm_supported == 0.0) {
            r = NVML_ERROR_NOT_SUPPORTED;
        } else {
            double t = now_s();
            gpm_accumulate(d, t);
            gpmSample->filled = 1;
            gpmSample->device_index = d->index;
            gpmSample->at_s = t;
            memcpy(gpmSample->acc, d->gpm_acc, sizeof gpmSample->acc);
        }
    });
}

static char g_unit_percent[] = "%";

static void gpm_info(nvmlGpmMetric_t *m, char *shortName, char *longName)
{
    m->metricInfo.shortName = shortName;
    m->metricInfo.longName = longName;
    m->metricInfo.unit = g_unit_percent;
}

nvmlReturn_t nvmlGpmMetricsGet(nvmlGpmMetricsGet_t *metricsGet)
{
    static char sm_s[] = "sm_util", sm_l[] = "SM utilization";
    static char occ_s[] = "sm_occupancy", occ_l[] = "SM occupancy";
    static char ten_s[] = "any_tensor_util", ten_l[] = "Any tensor utilization";
    static char dram_s[] = "dram_bw_util", dram_l[] = "DRAM bandwidth utilization";
    static char gr_s[] = "graphics_util", gr_l[] = "Graphics utilization";
    lock();
    count_call("nvmlGpmMetricsGet");
    nvmlReturn_t r = NVML_SUCCESS;
    if (g_init_count <= 0)
        r = NVML_ERROR_UNINITIALIZED;
    else if (metricsGet == NULL)
        r = NVML_ERROR_INVALID_ARGUMENT;
    else if (metricsGet->version != NVML_GPM_METRICS_GET_VERSION)
        r = NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
    else if (metricsGet->numMetrics > NVML_GPM_METRIC_MAX || !gpm_sample_live(metricsGet->sample1) ||
             !gpm_sample_live(metricsGet->sample2))
        r = NVML_ERROR_INVALID_ARGUMENT;
    else if (!metricsGet->sample1->filled || !metricsGet->sample2->filled ||
             metricsGet->sample1->device_index != metricsGet->sample2->device_index ||
             metricsGet->sample2->at_s <= metricsGet->sample1->at_s)
        r = NVML_ERROR_INVALID_ARGUMENT;
    /* nvml.h asks for samples more than 100 ms apart; the real library still computes, but on Hopper the values are
     * invalid (DCGM#310). The stand-in refuses instead, so that a caller that samples too often is caught. */
    else if (metricsGet->sample2->at_s - metricsGet->sample1->at_s <= 0.1)
        r = NVML_ERROR_INVALID_ARGUMENT;
    else
        r = take_injection("nvmlGpmMetricsGet", (int)metricsGet->sample2->device_index);
    if (r == NVML_SUCCESS) {
        const struct nvmlGpmSample_st *a = metricsGet->sample1, *b = metricsGet->sample2;
        double dt = b->at_s - a->at_s;
        for (unsigned int i = 0; i < metricsGet->numMetrics; i++) {
            nvmlGpmMetric_t *m = &metricsGet->metrics[i];
            char key[STANDIN_FN_LEN];
            snprintf(key, sizeof key, "nvmlGpmMetricsGet:%u", m->metricId);
            m->value = 0.0;
            memset(&m->metricInfo, 0, sizeof m->metricInfo);
            m->nvmlReturn = take_injection(key, (int)b->device_index);
            if (m->nvmlReturn != NVML_SUCCESS)
                continue;
            int k;
            switch (m->metricId) {
            case NVML_GPM_METRIC_DRAM_BW_UTIL: k = GPM_DRAM; gpm_info(m, dram_s, dram_l); break;
            case NVML_GPM_METRIC_SM_UTIL: k = GPM_SM; gpm_info(m, sm_s, sm_l); break;
            case NVML_GPM_METRIC_SM_OCCUPANCY: k = GPM_OCC; gpm_info(m, occ_s, occ_l); break;
            case NVML_GPM_METRIC_ANY_TENSOR_UTIL: k = GPM_TENSOR; gpm_info(m, ten_s, ten_l); break;
            case NVML_GPM_METRIC_GRAPHICS_UTIL: k = GPM_GRAPHICS; gpm_info(m, gr_s, gr_l); break;
            default: k = -1; break;
            }
            if (k < 0 || m->metricId >= NVML_GPM_METRIC_MAX) {
                m->nvmlReturn = m->metricId == 0 || m->metricId >= NVML_GPM_METRIC_MAX ? NVML_ERROR_INVALID_ARGUMENT : NVML_ERROR_NOT_SUPPORTED;
                continue;
            }
            double v = (b->acc[k] - a->acc[k]) / dt;
            m->value = v < 0.0 ? 0.0 : v > 100.0 ? 100.0 : v;
        }
    }
    unlock();
    return r;
}

/* ---------------- Back door ---------------- */

int solprof_nvml_reset(void)
{
    standin_reset(&g_scaffold);
    return NVML_SUCCESS;
}

int solprof_nvml_set_device_count(unsigned int count)
{
    if (count > SOLPROF_NVML_MAX_GPUS)
        return NVML_ERROR_INVALID_ARGUMENT;
    lock();
    g_count = count;
    unlock();
    return NVML_SUCCESS;
}

int solprof_nvml_set_device_name(unsigned int index, const char *name)
{
    if (index >= SOLPROF_NVML_MAX_GPUS || name == NULL || strlen(name) >= NAME_LEN)
        return NVML_ERROR_INVALID_ARGUMENT;
    lock();
    snprintf(g_devices[index].name, sizeof g_devices[index].name, "%s", name);
    unlock();
    return NVML_SUCCESS;
}

static double *value_slot(struct nvmlDevice_st *d, const char *key)
{
    if (strcmp(key, "power_mw") == 0) return &d->power_mw;
    if (strcmp(key, "power_limit_mw") == 0) return &d->power_limit_mw;
    if (strcmp(key, "energy_mj") == 0) return &d->energy_mj;
    if (strcmp(key, "util_gpu") == 0) return &d->util_gpu;
    if (strcmp(key, "util_memory") == 0) return &d->util_memory;
    if (strcmp(key, "clock_sm_mhz") == 0) return &d->clock_sm_mhz;
    if (strcmp(key, "clock_mem_mhz") == 0) return &d->clock_mem_mhz;
    if (strcmp(key, "temp_gpu_c") == 0) return &d->temp_gpu_c;
    if (strcmp(key, "temp_memory_c") == 0) return &d->temp_mem_c;
    if (strcmp(key, "memory_total_bytes") == 0) return &d->mem_total;
    if (strcmp(key, "memory_used_bytes") == 0) return &d->mem_used;
    if (strcmp(key, "memory_reserved_bytes") == 0) return &d->mem_reserved;
    if (strcmp(key, "clocks_event_reasons") == 0) return &d->clocks_event_reasons;
    if (strcmp(key, "nvlink_tx_kib") == 0) return &d->nvlink_tx_kib;
    if (strcmp(key, "nvlink_rx_kib") == 0) return &d->nvlink_rx_kib;
    if (strcmp(key, "pcie_tx_kbps") == 0) return &d->pcie_tx_kbps;
    if (strcmp(key, "pcie_rx_kbps") == 0) return &d->pcie_rx_kbps;
    if (strcmp(key, "gpm_supported") == 0) return &d->gpm_supported;
    if (strcmp(key, "sm_occupancy") == 0) return &d->sm_occupancy;
    if (strcmp(key, "tensor_util") == 0) return &d->tensor_util;
    if (strcmp(key, "sm_util") == 0) return &d->sm_util;
    if (strcmp(key, "nvlink_tx_kib_per_s") == 0) return &d->nvlink_tx_kib_per_s;
    if (strcmp(key, "nvlink_rx_kib_per_s") == 0) return &d->nvlink_rx_kib_per_s;
    return NULL;
}

int solprof_nvml_set_value(unsigned int index, const char *key, double value)
{
    if (key == NULL || (index != UINT_MAX && index >= SOLPROF_NVML_MAX_GPUS))
        return NVML_ERROR_INVALID_ARGUMENT;
    int r = NVML_SUCCESS;
    lock();
    for (unsigned int i = 0; i < SOLPROF_NVML_MAX_GPUS; i++) {
        if (index != UINT_MAX && i != index)
            continue;
        struct nvmlDevice_st *d = &g_devices[i];
        double *slot = value_slot(d, key);
        if (slot == NULL) {
            r = NVML_ERROR_INVALID_ARGUMENT;
            break;
        }
        if (g_workload == WORKLOAD_DRIVEN) {
            /* Close the interval under the old value first, so piecewise-constant values integrate exactly. Modes 0
             * and 1 keep their old behaviour (a set value also covers the time since the last read). */
            advance(d);
            gpm_accumulate(d, d->last_advance_s);
        }
        *slot = value;
    }
    unlock();
    return r;
}

int solprof_nvml_set_field_value(unsigned int index, unsigned int fieldId, int valueType, double value)
{
    if ((index != UINT_MAX && index >= SOLPROF_NVML_MAX_GPUS) || valueType < 0 || valueType > NVML_VALUE_TYPE_UNSIGNED_SHORT)
        return NVML_ERROR_INVALID_ARGUMENT;
    int r = NVML_SUCCESS;
    lock();
    for (unsigned int i = 0; i < SOLPROF_NVML_MAX_GPUS; i++) {
        if (index != UINT_MAX && i != index)
            continue;
        struct nvmlDevice_st *d = &g_devices[i];
        int k = 0;
        while (k < d->override_count && d->overrides[k].field_id != fieldId)
            k++;
        if (k == MAX_FIELD_OVERRIDES) {
            r = NVML_ERROR_INSUFFICIENT_SIZE;
            break;
        }
        if (k == d->override_count)
            d->override_count++;
        d->overrides[k].field_id = fieldId;
        d->overrides[k].value_type = valueType;
        d->overrides[k].value = value;
    }
    unlock();
    return r;
}

_Static_assert(STANDIN_ANY_DEVICE == -1, "solprof_nvml_inject_error documents device -1 as every GPU");

int solprof_nvml_inject_error(const char *function, int device, int code, int calls)
{
    if (function == NULL || strlen(function) >= STANDIN_FN_LEN || device < -1 || device >= SOLPROF_NVML_MAX_GPUS)
        return NVML_ERROR_INVALID_ARGUMENT;
    return standin_set_fault(&g_scaffold, function, device, code, calls) == 0 ? NVML_SUCCESS : NVML_ERROR_INSUFFICIENT_SIZE;
}

int solprof_nvml_elapse(double seconds)
{
    if (!(seconds >= 0.0))
        return -1;
    lock();
    g_clock_offset_s += seconds;
    unlock();
    return 0;
}

int solprof_nvml_set_workload(int enabled)
{
    /* The sine driver (mode 1) is gone: the one GPU simulator is the demo's, which drives mode 2. */
    if (enabled != WORKLOAD_OFF && enabled != WORKLOAD_DRIVEN)
        return NVML_ERROR_INVALID_ARGUMENT;
    lock();
    g_workload = enabled;
    g_workload_start_s = now_s();
    for (unsigned int i = 0; i < SOLPROF_NVML_MAX_GPUS; i++)
        g_devices[i].last_advance_s = g_workload_start_s;
    unlock();
    return NVML_SUCCESS;
}

int solprof_nvml_init_count(void)
{
    lock();
    int n = g_init_count;
    unlock();
    return n;
}

int solprof_nvml_gpm_live_samples(void)
{
    lock();
    int n = g_live_samples;
    unlock();
    return n;
}

int solprof_nvml_call_count(const char *function)
{
    return standin_call_count(&g_scaffold, function);
}
