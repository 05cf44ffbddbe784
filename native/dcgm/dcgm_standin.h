/* Stand-in for the subset of NVIDIA's DCGM C API (dcgm_agent.h / dcgm_structs.h, 4.x) that SolProfiler calls, plus a
 * test back door. Types and layouts follow the x86-64 LP64 layouts in shared/reference/dcgm-nvml.md sections 1-2;
 * written from the documented API, not copied. */
#ifndef SOLPROF_DCGM_STANDIN_H
#define SOLPROF_DCGM_STANDIN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DCGM_PUBLIC_API __attribute__((visibility("default")))

typedef enum dcgmReturn_enum {
    DCGM_ST_OK = 0,
    DCGM_ST_BADPARAM = -1,
    DCGM_ST_GENERIC_ERROR = -3,
    DCGM_ST_MEMORY = -4,
    DCGM_ST_NOT_CONFIGURED = -5,
    DCGM_ST_NOT_SUPPORTED = -6,
    DCGM_ST_INIT_ERROR = -7,
    DCGM_ST_NVML_ERROR = -8,
    DCGM_ST_PENDING = -9,
    DCGM_ST_UNINITIALIZED = -10,
    DCGM_ST_TIMEOUT = -11,
    DCGM_ST_VER_MISMATCH = -12,
    DCGM_ST_UNKNOWN_FIELD = -13,
    DCGM_ST_NO_DATA = -14,
    DCGM_ST_STALE_DATA = -15,
    DCGM_ST_NOT_WATCHED = -16,
    DCGM_ST_NO_PERMISSION = -17,
    DCGM_ST_GPU_IS_LOST = -18,
    DCGM_ST_RESET_REQUIRED = -19,
    DCGM_ST_FUNCTION_NOT_FOUND = -20,
    DCGM_ST_CONNECTION_NOT_VALID = -21,
    DCGM_ST_GPU_NOT_SUPPORTED = -22,
    DCGM_ST_GROUP_INCOMPATIBLE = -23,
    DCGM_ST_MAX_LIMIT = -24,
    DCGM_ST_LIBRARY_NOT_FOUND = -25,
    DCGM_ST_DUPLICATE_KEY = -26,
    DCGM_ST_REQUIRES_ROOT = -29,
    DCGM_ST_INSUFFICIENT_SIZE = -31,
    DCGM_ST_MODULE_NOT_LOADED = -33,
    DCGM_ST_IN_USE = -34,
    DCGM_ST_GROUP_IS_EMPTY = -35,
    DCGM_ST_PROFILING_NOT_SUPPORTED = -36,
    DCGM_ST_PROFILING_LIBRARY_ERROR = -37,
    DCGM_ST_PROFILING_MULTI_PASS = -38,
    DCGM_ST_INSUFFICIENT_DRIVER_VERSION = -44,
    DCGM_ST_NVML_NOT_LOADED = -56,
    DCGM_ST_NVML_DRIVER_TIMEOUT = -57
} dcgmReturn_t;

typedef uintptr_t dcgmHandle_t;
typedef uintptr_t dcgmGpuGrp_t;
typedef uintptr_t dcgmFieldGrp_t;
typedef unsigned int dcgm_field_eid_t;

typedef enum dcgm_field_entity_group_t { DCGM_FE_NONE = 0, DCGM_FE_GPU = 1 } dcgm_field_entity_group_t;
typedef enum dcgmOperationMode_enum { DCGM_OPERATION_MODE_AUTO = 1, DCGM_OPERATION_MODE_MANUAL = 2 } dcgmOperationMode_t;
typedef enum dcgmGroupType_enum { DCGM_GROUP_DEFAULT = 0, DCGM_GROUP_EMPTY = 1 } dcgmGroupType_t;

#define DCGM_EMBEDDED_HANDLE 0x7fffffff
#define DCGM_GROUP_ALL_GPUS 0x7fffffff
#define DCGM_MAX_NUM_DEVICES 32
#define DCGM_MAX_STR_LENGTH 256
#define DCGM_MAX_BLOB_LENGTH 4096
#define DCGM_MAX_NUM_GROUPS 64
#define DCGM_MAX_NUM_FIELD_GROUPS 64
#define DCGM_MAX_FIELD_IDS_PER_FIELD_GROUP 128

#define MAKE_DCGM_VERSION(typeName, ver) (unsigned int)(sizeof(typeName) | ((unsigned long)(ver) << 24U))

/* 72 bytes. */
typedef struct {
    unsigned int version;
    dcgmOperationMode_t opMode;
    dcgmHandle_t dcgmHandle;
    const char *logFile;
    int severity;
    unsigned int denyListCount;
    unsigned int denyList[10];
} dcgmStartEmbeddedV2Params_v1;
/* 80 bytes. */
typedef struct {
    unsigned int version;
    dcgmOperationMode_t opMode;
    dcgmHandle_t dcgmHandle;
    const char *logFile;
    int severity;
    unsigned int denyListCount;
    const char *serviceAccount;
    unsigned int denyList[10];
} dcgmStartEmbeddedV2Params_v2;
/* 104 bytes. */
typedef struct {
    unsigned int version;
    dcgmOperationMode_t opMode;
    dcgmHandle_t dcgmHandle;
    const char *logFile;
    int severity;
    unsigned int denyListCount;
    const char *serviceAccount;
    unsigned int denyList[16];
} dcgmStartEmbeddedV2Params_v3;
#define dcgmStartEmbeddedV2Params_version1 MAKE_DCGM_VERSION(dcgmStartEmbeddedV2Params_v1, 1)
#define dcgmStartEmbeddedV2Params_version2 MAKE_DCGM_VERSION(dcgmStartEmbeddedV2Params_v2, 2)
#define dcgmStartEmbeddedV2Params_version3 MAKE_DCGM_VERSION(dcgmStartEmbeddedV2Params_v3, 3)

/* 8 bytes (deprecated) and 16 bytes. */
typedef struct {
    unsigned int version;
    unsigned int persistAfterDisconnect;
} dcgmConnectV2Params_v1;
typedef struct {
    unsigned int version;
    unsigned int persistAfterDisconnect;
    unsigned int timeoutMs;
    unsigned int addressIsUnixSocket;
} dcgmConnectV2Params_v2;
typedef dcgmConnectV2Params_v2 dcgmConnectV2Params_t;
#define dcgmConnectV2Params_version1 MAKE_DCGM_VERSION(dcgmConnectV2Params_v1, 1)
#define dcgmConnectV2Params_version2 MAKE_DCGM_VERSION(dcgmConnectV2Params_v2, 2)

#define DCGM_FT_BINARY 'b'
#define DCGM_FT_DOUBLE 'd'
#define DCGM_FT_INT64 'i'
#define DCGM_FT_STRING 's'
#define DCGM_FT_TIMESTAMP 't'

#define DCGM_INT64_BLANK 0x7ffffffffffffff0LL
#define DCGM_FP64_BLANK 140737488355328.0
#define DCGM_STR_BLANK "<<<NULL>>>"
#define DCGM_STR_NOT_FOUND "<<<NOT_FOUND>>>"
#define DCGM_STR_NOT_SUPPORTED "<<<NOT_SUPPORTED>>>"
#define DCGM_STR_NOT_PERMISSIONED "<<<NOT_PERM>>>"

typedef union {
    int64_t i64;
    double dbl;
    char str[DCGM_MAX_STR_LENGTH];
    char blob[DCGM_MAX_BLOB_LENGTH];
} dcgmFieldValueUnion;

/* 4120 bytes. */
typedef struct {
    unsigned int version;
    unsigned short fieldId;
    unsigned short fieldType;
    int status;
    int64_t ts;
    dcgmFieldValueUnion value;
} dcgmFieldValue_v1;
/* 4128 bytes. */
typedef struct {
    unsigned int version;
    dcgm_field_entity_group_t entityGroupId;
    dcgm_field_eid_t entityId;
    unsigned short fieldId;
    unsigned short fieldType;
    int status;
    unsigned int unused;
    int64_t ts;
    dcgmFieldValueUnion value;
} dcgmFieldValue_v2;
#define dcgmFieldValue_version1 MAKE_DCGM_VERSION(dcgmFieldValue_v1, 1)
#define dcgmFieldValue_version2 MAKE_DCGM_VERSION(dcgmFieldValue_v2, 2)

typedef struct {
    dcgm_field_entity_group_t entityGroupId;
    dcgm_field_eid_t entityId;
} dcgmGroupEntityPair_t;

typedef int (*dcgmFieldValueEntityEnumeration_f)(dcgm_field_entity_group_t entityGroupId, dcgm_field_eid_t entityId,
                                                 dcgmFieldValue_v1 *values, int numValues, void *userData);

/* ---- DCGM API subset ---- */
DCGM_PUBLIC_API dcgmReturn_t dcgmInit(void);
DCGM_PUBLIC_API dcgmReturn_t dcgmShutdown(void);
DCGM_PUBLIC_API dcgmReturn_t dcgmStartEmbedded(dcgmOperationMode_t opMode, dcgmHandle_t *pDcgmHandle);
DCGM_PUBLIC_API dcgmReturn_t dcgmStartEmbedded_v2(dcgmStartEmbeddedV2Params_v1 *params);
DCGM_PUBLIC_API dcgmReturn_t dcgmStopEmbedded(dcgmHandle_t pDcgmHandle);
DCGM_PUBLIC_API dcgmReturn_t dcgmConnect_v2(const char *ipAddress, dcgmConnectV2Params_t *connectParams,
                                            dcgmHandle_t *pDcgmHandle);
DCGM_PUBLIC_API dcgmReturn_t dcgmDisconnect(dcgmHandle_t pDcgmHandle);
DCGM_PUBLIC_API dcgmReturn_t dcgmGetAllSupportedDevices(dcgmHandle_t pDcgmHandle,
                                                        unsigned int gpuIdList[DCGM_MAX_NUM_DEVICES], int *count);
DCGM_PUBLIC_API dcgmReturn_t dcgmGroupCreate(dcgmHandle_t pDcgmHandle, dcgmGroupType_t type, const char *groupName,
                                             dcgmGpuGrp_t *pDcgmGrpId);
DCGM_PUBLIC_API dcgmReturn_t dcgmGroupDestroy(dcgmHandle_t pDcgmHandle, dcgmGpuGrp_t groupId);
DCGM_PUBLIC_API dcgmReturn_t dcgmFieldGroupCreate(dcgmHandle_t dcgmHandle, int numFieldIds, const unsigned short *fieldIds,
                                                  const char *fieldGroupName, dcgmFieldGrp_t *dcgmFieldGroupId);
DCGM_PUBLIC_API dcgmReturn_t dcgmFieldGroupDestroy(dcgmHandle_t dcgmHandle, dcgmFieldGrp_t dcgmFieldGroupId);
DCGM_PUBLIC_API dcgmReturn_t dcgmWatchFields(dcgmHandle_t pDcgmHandle, dcgmGpuGrp_t groupId, dcgmFieldGrp_t fieldGroupId,
                                             long long updateFreq, double maxKeepAge, int maxKeepSamples);
DCGM_PUBLIC_API dcgmReturn_t dcgmUnwatchFields(dcgmHandle_t pDcgmHandle, dcgmGpuGrp_t groupId, dcgmFieldGrp_t fieldGroupId);
DCGM_PUBLIC_API dcgmReturn_t dcgmUpdateAllFields(dcgmHandle_t pDcgmHandle, int waitForUpdate);
DCGM_PUBLIC_API dcgmReturn_t dcgmGetLatestValues_v2(dcgmHandle_t pDcgmHandle, dcgmGpuGrp_t groupId,
                                                    dcgmFieldGrp_t fieldGroupId,
                                                    dcgmFieldValueEntityEnumeration_f enumCB, void *userData);
DCGM_PUBLIC_API dcgmReturn_t dcgmEntitiesGetLatestValues(dcgmHandle_t pDcgmHandle, dcgmGroupEntityPair_t entities[],
                                                         unsigned int entityCount, unsigned short fields[],
                                                         unsigned int fieldCount, unsigned int flags,
                                                         dcgmFieldValue_v2 values[]);
/* The real library's C error-text export (there is no dcgmErrorString symbol). Static string, or NULL if unknown. */
DCGM_PUBLIC_API const char *errorString(dcgmReturn_t result);

/* ---- Back door (tests and demos only; not part of DCGM) ----
 * Every function returns 0 or DCGM_ST_BADPARAM. None needs dcgmInit. gpu = UINT_MAX means every GPU. */
#define SOLPROF_DCGM_MAX_GPUS 16

/* Back to 8 x "NVIDIA H100 80GB HBM3" with default values, reachable host engine, profiling allowed, no injected
 * errors, no groups/field groups/watches/connections, init count 0. */
DCGM_PUBLIC_API int solprof_dcgm_reset(void);
DCGM_PUBLIC_API int solprof_dcgm_set_gpu_count(unsigned int count);
DCGM_PUBLIC_API int solprof_dcgm_set_gpu_name(unsigned int gpu, const char *name);
/* Field values; the stored type follows the setter (a numeric field may be reported as int64 or double). */
DCGM_PUBLIC_API int solprof_dcgm_set_field_int64(unsigned int gpu, unsigned int fieldId, long long value);
DCGM_PUBLIC_API int solprof_dcgm_set_field_double(unsigned int gpu, unsigned int fieldId, double value);
DCGM_PUBLIC_API int solprof_dcgm_set_field_string(unsigned int gpu, unsigned int fieldId, const char *value);
/* Puts the blank sentinel of the field's current type: kind 0 BLANK, 1 NOT_FOUND, 2 NOT_SUPPORTED, 3 NOT_PERMISSIONED. */
DCGM_PUBLIC_API int solprof_dcgm_set_field_blank(unsigned int gpu, unsigned int fieldId, int kind);
/* code != 0: dcgmWatchFields refuses any field group holding a DCGM_FI_PROF_* id (1001..1099) with that code
 * (the real one gives DCGM_ST_MODULE_NOT_LOADED, _REQUIRES_ROOT or _PROFILING_NOT_SUPPORTED). 0: allowed. */
DCGM_PUBLIC_API int solprof_dcgm_refuse_profiling(int code);
/* Makes `function` (an exported DCGM name) return `code` for the next `calls` calls (< 0 forever, 0 clears). */
DCGM_PUBLIC_API int solprof_dcgm_inject_error(const char *function, int code, int calls);
/* reachable = 0: dcgmConnect_v2 fails with DCGM_ST_CONNECTION_NOT_VALID and every open connection is dropped. */
DCGM_PUBLIC_API int solprof_dcgm_set_hostengine_reachable(int reachable);
/* Drops every open connection (calls on their handles then give DCGM_ST_CONNECTION_NOT_VALID). */
DCGM_PUBLIC_API int solprof_dcgm_drop_connections(void);
/* Init references + open connections + running embedded engine + groups + field groups + watches (for leak checks). */
DCGM_PUBLIC_API int solprof_dcgm_live_objects(void);
/* The severity the last dcgmStartEmbedded_v2 was given (INT_MIN before any call since the last reset). */
DCGM_PUBLIC_API int solprof_dcgm_last_embedded_severity(void);
/* How many times `function` was called since the last reset. */
DCGM_PUBLIC_API int solprof_dcgm_call_count(const char *function);

#ifdef __cplusplus
}
#endif
#endif
