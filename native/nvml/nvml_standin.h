/* Stand-in for the subset of NVIDIA's NVML C API that SolProfiler calls, plus a test back door.
 * Types and layouts follow the NVML header (x86-64 LP64); written from the documented API, not copied. */
#ifndef SOLPROF_NVML_STANDIN_H
#define SOLPROF_NVML_STANDIN_H

#ifdef __cplusplus
extern "C" {
#endif

#define NVML_API __attribute__((visibility("default")))

typedef enum nvmlReturn_enum {
    NVML_SUCCESS = 0,
    NVML_ERROR_UNINITIALIZED = 1,
    NVML_ERROR_INVALID_ARGUMENT = 2,
    NVML_ERROR_NOT_SUPPORTED = 3,
    NVML_ERROR_NO_PERMISSION = 4,
    NVML_ERROR_ALREADY_INITIALIZED = 5,
    NVML_ERROR_NOT_FOUND = 6,
    NVML_ERROR_INSUFFICIENT_SIZE = 7,
    NVML_ERROR_INSUFFICIENT_POWER = 8,
    NVML_ERROR_DRIVER_NOT_LOADED = 9,
    NVML_ERROR_TIMEOUT = 10,
    NVML_ERROR_IRQ_ISSUE = 11,
    NVML_ERROR_LIBRARY_NOT_FOUND = 12,
    NVML_ERROR_FUNCTION_NOT_FOUND = 13,
    NVML_ERROR_CORRUPTED_INFOROM = 14,
    NVML_ERROR_GPU_IS_LOST = 15,
    NVML_ERROR_RESET_REQUIRED = 16,
    NVML_ERROR_OPERATING_SYSTEM = 17,
    NVML_ERROR_LIB_RM_VERSION_MISMATCH = 18,
    NVML_ERROR_IN_USE = 19,
    NVML_ERROR_MEMORY = 20,
    NVML_ERROR_NO_DATA = 21,
    NVML_ERROR_VGPU_ECC_NOT_SUPPORTED = 22,
    NVML_ERROR_INSUFFICIENT_RESOURCES = 23,
    NVML_ERROR_FREQ_NOT_SUPPORTED = 24,
    NVML_ERROR_ARGUMENT_VERSION_MISMATCH = 25,
    NVML_ERROR_DEPRECATED = 26,
    NVML_ERROR_NOT_READY = 27,
    NVML_ERROR_GPU_NOT_FOUND = 28,
    NVML_ERROR_INVALID_STATE = 29,
    NVML_ERROR_RESET_TYPE_NOT_SUPPORTED = 30,
    NVML_ERROR_UNKNOWN = 999
} nvmlReturn_t;

typedef struct nvmlDevice_st *nvmlDevice_t;

typedef enum nvmlClockType_enum {
    NVML_CLOCK_GRAPHICS = 0,
    NVML_CLOCK_SM = 1,
    NVML_CLOCK_MEM = 2,
    NVML_CLOCK_VIDEO = 3
} nvmlClockType_t;

typedef enum nvmlTemperatureSensors_enum { NVML_TEMPERATURE_GPU = 0 } nvmlTemperatureSensors_t;

typedef enum nvmlPcieUtilCounter_enum { NVML_PCIE_UTIL_TX_BYTES = 0, NVML_PCIE_UTIL_RX_BYTES = 1 } nvmlPcieUtilCounter_t;

typedef enum nvmlValueType_enum {
    NVML_VALUE_TYPE_DOUBLE = 0,
    NVML_VALUE_TYPE_UNSIGNED_INT = 1,
    NVML_VALUE_TYPE_UNSIGNED_LONG = 2,
    NVML_VALUE_TYPE_UNSIGNED_LONG_LONG = 3,
    NVML_VALUE_TYPE_SIGNED_LONG_LONG = 4,
    NVML_VALUE_TYPE_SIGNED_INT = 5,
    NVML_VALUE_TYPE_UNSIGNED_SHORT = 6
} nvmlValueType_t;

#define NVML_DEVICE_NAME_V2_BUFFER_SIZE 96
#define NVML_DEVICE_UUID_V2_BUFFER_SIZE 96
#define NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE 80
#define NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE 32
#define NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE 16

/* 68 bytes. */
typedef struct nvmlPciInfo_st {
    char busIdLegacy[NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE];
    unsigned int domain;
    unsigned int bus;
    unsigned int device;
    unsigned int pciDeviceId;
    unsigned int pciSubSystemId;
    char busId[NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE];
} nvmlPciInfo_t;

/* 8 bytes, percent. */
typedef struct nvmlUtilization_st {
    unsigned int gpu;
    unsigned int memory;
} nvmlUtilization_t;

/* v1: 24 bytes. */
typedef struct nvmlMemory_st {
    unsigned long long total;
    unsigned long long free;
    unsigned long long used;
} nvmlMemory_t;

/* v2: 40 bytes, version word = sizeof | (2 << 24) = 0x02000028. */
typedef struct nvmlMemory_v2_st {
    unsigned int version;
    unsigned long long total;
    unsigned long long reserved;
    unsigned long long free;
    unsigned long long used;
} nvmlMemory_v2_t;
#define NVML_STRUCT_VERSION(data, ver) (unsigned int)(sizeof(nvml##data##_v##ver##_t) | ((ver) << 24U))
#define nvmlMemory_v2 NVML_STRUCT_VERSION(Memory, 2)

/* 12 bytes, version word = sizeof | (1 << 24) = 0x0100000C (NVML 12.8 on). */
typedef struct {
    unsigned int version;
    nvmlTemperatureSensors_t sensorType;
    int temperature;
} nvmlTemperature_v1_t;
typedef nvmlTemperature_v1_t nvmlTemperature_t;
#define nvmlTemperature_v1 NVML_STRUCT_VERSION(Temperature, 1)

typedef union nvmlValue_st {
    double dVal;
    int siVal;
    unsigned int uiVal;
    unsigned long ulVal;
    unsigned long long ullVal;
    signed long long sllVal;
    unsigned short usVal;
} nvmlValue_t;

/* 40 bytes. */
typedef struct nvmlFieldValue_st {
    unsigned int fieldId;
    unsigned int scopeId;
    long long timestamp;
    long long latencyUsec;
    nvmlValueType_t valueType;
    nvmlReturn_t nvmlReturn;
    nvmlValue_t value;
} nvmlFieldValue_t;

#define NVML_FI_DEV_MEMORY_TEMP 82
#define NVML_FI_DEV_TOTAL_ENERGY_CONSUMPTION 83
#define NVML_FI_DEV_NVLINK_LINK_COUNT 91
#define NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_TX 138
#define NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_RX 139
#define NVML_FI_DEV_POWER_AVERAGE 185
#define NVML_FI_DEV_POWER_INSTANT 186

/* ---- GPM (GPU Performance Monitoring, Hopper+) ---- */
typedef struct nvmlGpmSample_st *nvmlGpmSample_t;

typedef enum nvmlGpmMetricId_enum {
    NVML_GPM_METRIC_GRAPHICS_UTIL = 1,
    NVML_GPM_METRIC_SM_UTIL = 2,
    NVML_GPM_METRIC_SM_OCCUPANCY = 3,
    NVML_GPM_METRIC_INTEGER_UTIL = 4,
    NVML_GPM_METRIC_ANY_TENSOR_UTIL = 5,
    NVML_GPM_METRIC_DRAM_BW_UTIL = 10,
    NVML_GPM_METRIC_MAX = 333 /* 13.3 header */
} nvmlGpmMetricId_t;

/* 40 bytes. */
typedef struct nvmlGpmMetric_st {
    unsigned int metricId;   /* IN */
    nvmlReturn_t nvmlReturn; /* OUT, per metric */
    double value;            /* OUT */
    struct {
        char *shortName;
        char *longName;
        char *unit;
    } metricInfo;            /* OUT, owned by NVML */
} nvmlGpmMetric_t;

#define NVML_GPM_METRICS_GET_VERSION 1
/* 24 + 333 * 40 = 13344 bytes (13.2+ header). */
typedef struct nvmlGpmMetricsGet_st {
    unsigned int version;
    unsigned int numMetrics;
    nvmlGpmSample_t sample1; /* older */
    nvmlGpmSample_t sample2; /* newer */
    nvmlGpmMetric_t metrics[NVML_GPM_METRIC_MAX];
} nvmlGpmMetricsGet_t;

#define NVML_GPM_SUPPORT_VERSION 1
/* 8 bytes. */
typedef struct nvmlGpmSupport_st {
    unsigned int version;
    unsigned int isSupportedDevice;
} nvmlGpmSupport_t;

/* ---- NVML API subset ---- */
NVML_API nvmlReturn_t nvmlInit_v2(void);
NVML_API nvmlReturn_t nvmlShutdown(void);
NVML_API const char *nvmlErrorString(nvmlReturn_t result);
NVML_API nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length);
NVML_API nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *deviceCount);
NVML_API nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device);
NVML_API nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length);
NVML_API nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length);
NVML_API nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t *pci);
NVML_API nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *power);
NVML_API nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t device, unsigned long long *energy);
NVML_API nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t device, unsigned int *limit);
NVML_API nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *utilization);
NVML_API nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t device, nvmlClockType_t type, unsigned int *clock);
NVML_API nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, nvmlTemperatureSensors_t sensorType, unsigned int *temp);
NVML_API nvmlReturn_t nvmlDeviceGetTemperatureV(nvmlDevice_t device, nvmlTemperature_t *temperature);
NVML_API nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory);
NVML_API nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, nvmlMemory_v2_t *memory);
NVML_API nvmlReturn_t nvmlDeviceGetCurrentClocksEventReasons(nvmlDevice_t device, unsigned long long *reasons);
NVML_API nvmlReturn_t nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t device, unsigned long long *reasons);
NVML_API nvmlReturn_t nvmlDeviceGetFieldValues(nvmlDevice_t device, int valuesCount, nvmlFieldValue_t *values);
NVML_API nvmlReturn_t nvmlDeviceGetPcieThroughput(nvmlDevice_t device, nvmlPcieUtilCounter_t counter, unsigned int *value);
NVML_API nvmlReturn_t nvmlGpmQueryDeviceSupport(nvmlDevice_t device, nvmlGpmSupport_t *gpmSupport);
NVML_API nvmlReturn_t nvmlGpmSampleAlloc(nvmlGpmSample_t *gpmSample);
NVML_API nvmlReturn_t nvmlGpmSampleFree(nvmlGpmSample_t gpmSample);
NVML_API nvmlReturn_t nvmlGpmSampleGet(nvmlDevice_t device, nvmlGpmSample_t gpmSample);
NVML_API nvmlReturn_t nvmlGpmMetricsGet(nvmlGpmMetricsGet_t *metricsGet);

/* ---- Back door (tests and demos only; not part of NVML) ----
 * Every function returns an nvmlReturn_t code: NVML_SUCCESS or NVML_ERROR_INVALID_ARGUMENT. None needs nvmlInit. */
#define SOLPROF_NVML_MAX_GPUS 16

/* Back to 8 x "NVIDIA H100 80GB HBM3" with default values, no injected errors, workload off, init count 0. */
NVML_API int solprof_nvml_reset(void);
/* 0..16 GPUs. */
NVML_API int solprof_nvml_set_device_count(unsigned int count);
NVML_API int solprof_nvml_set_device_name(unsigned int index, const char *name);
/* Sets a named value of one GPU (index) or of every GPU (index = UINT_MAX). Keys:
 * power_mw, power_limit_mw, energy_mj, util_gpu, util_memory, clock_sm_mhz, clock_mem_mhz, temp_gpu_c,
 * memory_total_bytes, memory_used_bytes, memory_reserved_bytes, clocks_event_reasons, nvlink_tx_kib,
 * nvlink_rx_kib, pcie_tx_kbps, pcie_rx_kbps, gpm_supported (0 = not GPM-capable: nvmlGpmQueryDeviceSupport reports 0
 * and nvmlGpmSampleGet returns NOT_SUPPORTED), sm_occupancy (percent; GPM SM_OCCUPANCY), tensor_util (percent;
 * GPM ANY_TENSOR_UTIL), sm_util (percent; GPM SM_UTIL; default -1 = follow util_gpu), nvlink_tx_kib_per_s and
 * nvlink_rx_kib_per_s (rates the driven workload integrates into nvlink_tx_kib / nvlink_rx_kib). GPM GRAPHICS_UTIL
 * follows util_gpu, SM_UTIL follows sm_util (or util_gpu) and DRAM_BW_UTIL follows util_memory (fractional percent
 * allowed): each sample holds the time integral of those percentages, and nvmlGpmMetricsGet returns their average
 * between the two samples. In the driven workload a set first brings the GPU's counters and GPM integrals up to now
 * under the old values, so piecewise-constant values integrate exactly. */
NVML_API int solprof_nvml_set_value(unsigned int index, const char *key, double value);
/* Overrides what nvmlDeviceGetFieldValues returns for fieldId on one GPU (UINT_MAX = all), with the given
 * nvmlValueType_t; the value is converted to that type. Built-in fields: 82, 83, 91, 138, 139, 185, 186. */
NVML_API int solprof_nvml_set_field_value(unsigned int index, unsigned int fieldId, int valueType, double value);
/* Makes `function` (an exported NVML name, or "nvmlDeviceGetFieldValues:<fieldId>" for one field's per-value
 * status) return `code` for the next `calls` calls (calls < 0: forever, calls == 0: clear) on one GPU
 * (device = index) or on all (device = -1; also used for functions that take no device). */
NVML_API int solprof_nvml_inject_error(const char *function, int device, int code, int calls);
/* Workload driver. 0: off (values stay as set). 2: driven: values hold what solprof_nvml_set_value last set (the
 * demo's GPU model sets them), and only the counters move with time: energy_mj += power_mw * dt,
 * nvlink_{tx,rx}_kib += nvlink_{tx,rx}_kib_per_s * dt. Any other mode is NVML_ERROR_INVALID_ARGUMENT (1 was a sine
 * wave, removed: one GPU simulator). */
#define SOLPROF_NVML_WORKLOAD_DRIVEN 2
NVML_API int solprof_nvml_set_workload(int enabled);
/* Current nvmlInit_v2 reference count (for leak checks). */
/* Moves the stand-in's clock forward (GPM sample times, counters, the workload) as if the time had passed. */
NVML_API int solprof_nvml_elapse(double seconds);

NVML_API int solprof_nvml_init_count(void);
/* GPM samples allocated and not yet freed (for leak checks). */
NVML_API int solprof_nvml_gpm_live_samples(void);
/* How many times `function` was called since the last reset (successful or not). */
NVML_API int solprof_nvml_call_count(const char *function);

#ifdef __cplusplus
}
#endif
#endif
