/*
 * A C ABI for csp adapters, bundled with this project.
 *
 * csp releases up to 0.19.1 ship no C API of their own. This header and
 * csp_c_api_bridge.cpp implement one, close to the C API proposed upstream
 * (same VTable layouts, capsule names and function names), compiled against
 * the installed csp's C++ headers. Rust talks to csp only through the
 * functions declared here.
 *
 * Plumbing: you should not need to edit this file.
 */
#ifndef CSP_C_API_H
#define CSP_C_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CCSP_ABI_VERSION 1u

/* Error codes returned by every fallible function and callback. */
typedef int32_t CCspErrorCode;
#define CCSP_OK 0
#define CCSP_ERROR_NULL_POINTER 1
#define CCSP_ERROR_TYPE_MISMATCH 2
#define CCSP_ERROR_KEY_NOT_FOUND 3
#define CCSP_ERROR_INVALID_ARGUMENT 4
#define CCSP_ERROR_OUT_OF_MEMORY 5
#define CCSP_ERROR_OUT_OF_RANGE 6
#define CCSP_ERROR_RUNTIME 7
#define CCSP_ERROR_VALUE 8
#define CCSP_ERROR_NOT_IMPLEMENTED 9
#define CCSP_ERROR_UNKNOWN 10
/* Extension of this bridge: a file that does not exist (FileNotFoundError). */
#define CCSP_ERROR_FILE_NOT_FOUND 11
/* Extension of this bridge: a peer that cannot be reached (ConnectionError). */
#define CCSP_ERROR_CONNECTION 12

/* Value types (the C API's own numbering, not csp's C++ CspType numbers). */
typedef int32_t CCspType;
#define CCSP_TYPE_UNKNOWN 0
#define CCSP_TYPE_BOOL 1
#define CCSP_TYPE_INT8 2
#define CCSP_TYPE_UINT8 3
#define CCSP_TYPE_INT16 4
#define CCSP_TYPE_UINT16 5
#define CCSP_TYPE_INT32 6
#define CCSP_TYPE_UINT32 7
#define CCSP_TYPE_INT64 8
#define CCSP_TYPE_UINT64 9
#define CCSP_TYPE_DOUBLE 10
#define CCSP_TYPE_STRING 11
#define CCSP_TYPE_DATETIME 12
#define CCSP_TYPE_TIMEDELTA 13
#define CCSP_TYPE_DATE 14
#define CCSP_TYPE_TIME 15
#define CCSP_TYPE_ENUM 16
#define CCSP_TYPE_STRUCT 17
#define CCSP_TYPE_ARRAY 18
#define CCSP_TYPE_DIALECT_GENERIC 19

/* Nanoseconds since the Unix epoch (UTC), and nanosecond durations. */
typedef int64_t CCspDateTime;
typedef int64_t CCspTimeDelta;
#define CCSP_DATETIME_NONE INT64_MIN

/* Opaque handles, valid only while the engine runs the adapter they belong to. */
typedef struct CCspEngine *CCspEngineHandle;
typedef struct CCspPushInputAdapter *CCspPushInputAdapterHandle;
typedef struct CCspInput *CCspInputHandle;
typedef struct CCspPushBatch *CCspPushBatchHandle;
typedef struct CCspAdapterManager *CCspAdapterManagerHandle;
typedef struct CCspManagedSimInputAdapter *CCspManagedSimInputAdapterHandle;
/* csp.Struct types (metas) and their fields live as long as the graph's
 * types; a struct handle is a reference to one csp.Struct value. */
typedef struct CCspStructMeta *CCspStructMetaHandle;
typedef struct CCspStructField *CCspStructFieldHandle;
typedef struct CCspStruct *CCspStructHandle;

/* Status levels, numbered as the upstream proposal numbers them. csp's own
 * csp.adapters.status.Level numbers them the other way round (DEBUG 0 ...
 * CRITICAL 4); the bridge converts. */
typedef int32_t CCspStatusLevel;
#define CCSP_STATUS_LEVEL_CRITICAL 0
#define CCSP_STATUS_LEVEL_ERROR 1
#define CCSP_STATUS_LEVEL_WARNING 2
#define CCSP_STATUS_LEVEL_INFO 3
#define CCSP_STATUS_LEVEL_DEBUG 4

/* Capsule names. */
#define CCSP_INPUT_ADAPTER_CAPSULE_NAME "csp.c.InputAdapterCapsule"
#define CCSP_OUTPUT_ADAPTER_CAPSULE_NAME "csp.c.OutputAdapterCapsule"
#define CCSP_ADAPTER_MANAGER_CAPSULE_NAME "csp.c.AdapterManagerCapsule"

/*
 * VTables. Each starts with abi_version (CCSP_ABI_VERSION) and struct_size
 * (sizeof the struct as the caller knows it). Callbacks returning
 * CCspErrorCode report failures by returning non-zero after calling
 * ccsp_set_last_error(); the bridge raises that message in Python.
 * destroy(user_data) is required and called exactly once.
 */
typedef struct CCspPushInputAdapterVTable {
    uint32_t abi_version;
    uint32_t struct_size;
    void *user_data;
    CCspErrorCode (*start)(void *user_data, CCspEngineHandle engine,
                           CCspPushInputAdapterHandle adapter,
                           CCspDateTime start_time, CCspDateTime end_time);
    CCspErrorCode (*stop)(void *user_data);
    void (*destroy)(void *user_data);
    /* Extension of this bridge, read only when struct_size covers it: the
     * type the adapter pushes, so that wiring it as another type fails
     * when the graph is built. CCSP_TYPE_UNKNOWN skips the check. */
    CCspType value_type;
    /* Extension of this bridge, read only when struct_size covers it: the
     * start of the adapter in a simulation (csp.run(realtime=False)), where
     * the bridge makes it a managed sim input adapter of its manager. NULL
     * means the adapter runs in realtime only (wiring it in a simulation
     * fails). */
    CCspErrorCode (*start_managed_sim)(void *user_data, CCspEngineHandle engine,
                                       CCspManagedSimInputAdapterHandle adapter,
                                       CCspDateTime start_time, CCspDateTime end_time);
} CCspPushInputAdapterVTable;

/* VTables this short (the upstream proposal's layout) are accepted too. */
#define CCSP_PUSH_INPUT_ADAPTER_VTABLE_MIN_SIZE offsetof(CCspPushInputAdapterVTable, value_type)

typedef struct CCspOutputAdapterVTable {
    uint32_t abi_version;
    uint32_t struct_size;
    void *user_data;
    CCspErrorCode (*start)(void *user_data, CCspEngineHandle engine,
                           CCspDateTime start_time, CCspDateTime end_time);
    CCspErrorCode (*stop)(void *user_data);
    CCspErrorCode (*execute)(void *user_data, CCspEngineHandle engine,
                             CCspInputHandle input);
    void (*destroy)(void *user_data);
} CCspOutputAdapterVTable;

typedef struct CCspAdapterManagerVTable {
    uint32_t abi_version;
    uint32_t struct_size;
    void *user_data;
    /* Returns a NUL-terminated name that stays valid until destroy. */
    const char *(*name)(void *user_data);
    /* Pushes every event at `time` into the manager's managed sim input
     * adapters and returns the time of the next event, or
     * CCSP_DATETIME_NONE when there is none. The first call is at the
     * engine's start time; csp makes that first call in a realtime run too,
     * where a manager without sim data returns CCSP_DATETIME_NONE (see
     * ccsp_engine_is_realtime). To fail, call ccsp_set_last_error() and
     * return CCSP_DATETIME_NONE: csp.run raises the error. */
    CCspDateTime (*process_next_sim_time_slice)(void *user_data, CCspDateTime time);
    CCspErrorCode (*start)(void *user_data, CCspEngineHandle engine,
                           CCspDateTime start_time, CCspDateTime end_time);
    CCspErrorCode (*stop)(void *user_data);
    void (*destroy)(void *user_data);
    /* Extension of this bridge, read only when struct_size covers it: called
     * once, before start, with the engine-owned manager, the handle that
     * ccsp_adapter_manager_push_status takes. It stays valid until destroy. */
    void (*bind)(void *user_data, CCspAdapterManagerHandle manager);
} CCspAdapterManagerVTable;

/* VTables this short (the upstream proposal's layout) are accepted too. */
#define CCSP_ADAPTER_MANAGER_VTABLE_MIN_SIZE offsetof(CCspAdapterManagerVTable, bind)

/* Last error of the calling thread. */
void ccsp_set_last_error(CCspErrorCode code, const char *message, size_t len);
const char *ccsp_last_error_message(void);
void ccsp_clear_last_error(void);

/*
 * Capsules. Each copies the VTable and returns a new reference to a
 * single-use capsule (NULL with a Python error set on failure). If the
 * capsule is never used to build an adapter, its destructor calls destroy.
 * Call with the GIL held. The PyObject type is left opaque here.
 */
void *ccsp_push_input_adapter_capsule_new(const CCspPushInputAdapterVTable *vtable);
void *ccsp_output_adapter_capsule_new(const CCspOutputAdapterVTable *vtable);
void *ccsp_adapter_manager_capsule_new(const CCspAdapterManagerVTable *vtable);

/* Registers _c_api_push_input_adapter, _c_api_output_adapter,
 * _c_api_adapter_manager_bridge and _c_api_status_adapter on a Python module. Returns 0 on success,
 * -1 with a Python error set. */
int ccsp_register_bridge_functions(void *py_module);

/* Engine. */
CCspDateTime ccsp_engine_now(CCspEngineHandle engine);
/* Extension of this bridge: whether the run is realtime (false in a
 * simulation, csp.run(realtime=False)). */
bool ccsp_engine_is_realtime(CCspEngineHandle engine);
CCspErrorCode ccsp_engine_shutdown(CCspEngineHandle engine);
CCspErrorCode ccsp_engine_shutdown_with_error(CCspEngineHandle engine, const char *message,
                                              size_t len);
/* Extension of this bridge: csp.run raises the Python exception of `code`
 * (TypeError, ValueError, FileNotFoundError, else RuntimeError). */
CCspErrorCode ccsp_engine_shutdown_with_error_code(CCspEngineHandle engine, CCspErrorCode code,
                                                   const char *message, size_t len);

/* Adapter manager: ticks a Status(level, status_code, msg) on every
 * status() time series of the manager (none: nothing happens). Callable from
 * any thread between the manager's start and stop. In a simulation the
 * status ticks at the start or the end of the manager's next (or current)
 * sim time slice: one reported after the last slice never ticks, nor does
 * one reported in a slice that fails (the error ends the engine cycle). */
CCspErrorCode ccsp_adapter_manager_push_status(CCspAdapterManagerHandle manager,
                                               CCspStatusLevel level, int64_t status_code,
                                               const char *message, size_t len);

/* Push input adapter: callable from any thread between start and stop. */
CCspType ccsp_push_input_adapter_type(CCspPushInputAdapterHandle adapter);
CCspErrorCode ccsp_push_bool(CCspPushInputAdapterHandle adapter, bool value,
                             CCspPushBatchHandle batch);
CCspErrorCode ccsp_push_int64(CCspPushInputAdapterHandle adapter, int64_t value,
                              CCspPushBatchHandle batch);
CCspErrorCode ccsp_push_double(CCspPushInputAdapterHandle adapter, double value,
                               CCspPushBatchHandle batch);
CCspErrorCode ccsp_push_string(CCspPushInputAdapterHandle adapter, const char *data,
                               size_t len, CCspPushBatchHandle batch);
CCspErrorCode ccsp_push_datetime(CCspPushInputAdapterHandle adapter, CCspDateTime value,
                                 CCspPushBatchHandle batch);
CCspErrorCode ccsp_push_timedelta(CCspPushInputAdapterHandle adapter, CCspTimeDelta value,
                                  CCspPushBatchHandle batch);

/* Extension of this bridge: the csp.Struct type a push input adapter of a
 * struct time series pushes (NULL for other types). */
CCspStructMetaHandle ccsp_push_input_adapter_struct_meta(CCspPushInputAdapterHandle adapter);
/* Pushes `value`, a struct of the adapter's type (or derived from it), and
 * takes over the caller's reference, also when it fails. */
CCspErrorCode ccsp_push_input_adapter_push_struct(CCspPushInputAdapterHandle adapter,
                                                  CCspStructHandle value,
                                                  CCspPushBatchHandle batch);

/*
 * Managed sim input adapters: in a simulation the bridge builds each push
 * input adapter of a manager as one of these (see start_managed_sim). A push
 * ticks at the engine's current time, so it is only accepted on the engine
 * thread, inside its manager's process_next_sim_time_slice (or the error is
 * CCSP_ERROR_RUNTIME). Several pushes of one time slice: LAST_VALUE ticks
 * the last, BURST ticks them as one list, NON_COLLAPSING ticks them in turn
 * in the next engine cycles, all at that time. The upstream proposal's
 * ccsp_adapter_manager_create_managed_sim_input_adapter is not provided:
 * csp's wiring builds every adapter of a graph, through the capsules.
 */
CCspType ccsp_managed_sim_input_adapter_type(CCspManagedSimInputAdapterHandle adapter);
CCspErrorCode ccsp_managed_sim_input_adapter_push_bool(CCspManagedSimInputAdapterHandle adapter,
                                                       bool value);
CCspErrorCode ccsp_managed_sim_input_adapter_push_int64(CCspManagedSimInputAdapterHandle adapter,
                                                        int64_t value);
CCspErrorCode ccsp_managed_sim_input_adapter_push_double(CCspManagedSimInputAdapterHandle adapter,
                                                         double value);
CCspErrorCode ccsp_managed_sim_input_adapter_push_string(CCspManagedSimInputAdapterHandle adapter,
                                                         const char *data, size_t len);
CCspErrorCode ccsp_managed_sim_input_adapter_push_datetime(
    CCspManagedSimInputAdapterHandle adapter, CCspDateTime value);
CCspErrorCode ccsp_managed_sim_input_adapter_push_timedelta(
    CCspManagedSimInputAdapterHandle adapter, CCspTimeDelta value);
/* Extension of this bridge, as for push input adapters. */
CCspStructMetaHandle ccsp_managed_sim_input_adapter_struct_meta(
    CCspManagedSimInputAdapterHandle adapter);
CCspErrorCode ccsp_managed_sim_input_adapter_push_struct(CCspManagedSimInputAdapterHandle adapter,
                                                         CCspStructHandle value);

/* Push batches: events pushed into a batch reach the engine together when
 * it is flushed or destroyed. A batch of the engine takes events of any of
 * its push input adapters that share one push group (or have none). */
CCspPushBatchHandle ccsp_push_batch_create(CCspEngineHandle engine);
CCspPushBatchHandle ccsp_push_batch_new(CCspPushInputAdapterHandle adapter);
CCspErrorCode ccsp_push_batch_flush(CCspPushBatchHandle batch);
void ccsp_push_batch_destroy(CCspPushBatchHandle batch);
/* Extension of this bridge: frees a batch without sending it, for when the
 * engine has stopped (its events are not freed: csp has no way to). */
void ccsp_push_batch_abandon(CCspPushBatchHandle batch);
/* Extension of this bridge: ends a batch inside the batch. The events pushed
 * so far tick as one batch and those pushed after as the next (csp's push
 * group rules apply to each), and one flush sends them all at once. */
CCspErrorCode ccsp_push_batch_split(CCspPushBatchHandle batch);

/* Extension of this bridge: how much of what a feed pushed the engine has
 * consumed. An ack pushed into a batch (after the events it counts) carries
 * `pushed`, the feed's count of events pushed before it; once the engine
 * has consumed it, ccsp_push_input_adapter_consumed of the same adapter
 * returns that count (the last consumed ack's; 0 before any). The ack is an
 * event of a hidden adapter of the adapter's push group that never ticks a
 * node: it changes no tick. */
CCspErrorCode ccsp_push_batch_ack(CCspPushBatchHandle batch, CCspPushInputAdapterHandle adapter,
                                  uint64_t pushed);
uint64_t ccsp_push_input_adapter_consumed(CCspPushInputAdapterHandle adapter);
/* Extension of this bridge: whether the adapter ticks every value it is
 * pushed (csp.PushMode.NON_COLLAPSING), as a feed must know to order the
 * events of a batch (see the Rust outbox). */
bool ccsp_push_input_adapter_is_non_collapsing(CCspPushInputAdapterHandle adapter);

/* History then live. The push input adapters of a realtime run made with
 * replays (csp's PushPullInputAdapter underneath) take replayed ticks:
 * while a batch's replay time is set (not CCSP_DATETIME_NONE), every push
 * into it is a tick recorded at that time, scheduled to tick then (before
 * the run's start: at its start), not added to the batch. A replayed tick
 * after the adapter's first live one is an error. An adapter made without
 * replays refuses replayed ticks. */
CCspErrorCode ccsp_push_batch_replay_at(CCspPushBatchHandle batch, CCspDateTime time);
/* Ends the adapter's replay (its first live tick also does): csp's engine
 * waits for it before the adapter's first cycle and after its last replayed
 * tick, so a feed that replays must end every adapter's replay, even when
 * it fails. Does nothing for an adapter made without replays. */
CCspErrorCode ccsp_push_input_adapter_replay_complete(CCspPushInputAdapterHandle adapter);
/* Extension of this bridge: frees the events pushed into the batch since it
 * was last flushed, without sending them; their adapters must be alive (so
 * not for a batch whose engine has gone: see abandon). */
void ccsp_push_batch_discard(CCspPushBatchHandle batch);

/* The time series an output adapter consumes: read during execute. The
 * string getter points into engine memory valid until execute returns. */
CCspType ccsp_input_type(CCspInputHandle input);
CCspErrorCode ccsp_input_get_last_bool(CCspInputHandle input, bool *out);
CCspErrorCode ccsp_input_get_last_int64(CCspInputHandle input, int64_t *out);
CCspErrorCode ccsp_input_get_last_double(CCspInputHandle input, double *out);
CCspErrorCode ccsp_input_get_last_string(CCspInputHandle input, const char **data,
                                         size_t *len);
CCspErrorCode ccsp_input_get_last_datetime(CCspInputHandle input, CCspDateTime *out);
CCspErrorCode ccsp_input_get_last_timedelta(CCspInputHandle input, CCspTimeDelta *out);

/* The input's struct, borrowed: valid until execute returns. */
CCspErrorCode ccsp_input_get_last_struct(CCspInputHandle input, CCspStructHandle *out);

/*
 * Structs. A struct from ccsp_struct_create is a reference the caller owns
 * (ccsp_struct_destroy drops it); structs are not thread-safe, so one thread
 * at a time uses a struct. A field handle must come from the struct's own
 * meta (or a base's). Setters and getters check the field's type; getters
 * of an unset field return CCSP_ERROR_KEY_NOT_FOUND, and the string getter
 * points into the struct, valid while it lives and the field is unchanged.
 */
const char *ccsp_struct_meta_name(CCspStructMetaHandle meta);
size_t ccsp_struct_meta_field_count(CCspStructMetaHandle meta);
/* NULL when the struct type has no field of that name. */
CCspStructFieldHandle ccsp_struct_meta_field_by_name(CCspStructMetaHandle meta, const char *name);
const char *ccsp_struct_field_name(CCspStructFieldHandle field);
CCspType ccsp_struct_field_type(CCspStructFieldHandle field);
CCspStructMetaHandle ccsp_struct_meta(CCspStructHandle s);
/* A new struct of `meta` with every field unset; NULL when out of memory. */
CCspStructHandle ccsp_struct_create(CCspStructMetaHandle meta);
void ccsp_struct_destroy(CCspStructHandle s);
bool ccsp_struct_field_is_set(CCspStructHandle s, CCspStructFieldHandle field);
CCspErrorCode ccsp_struct_set_bool(CCspStructHandle s, CCspStructFieldHandle field, bool value);
CCspErrorCode ccsp_struct_set_int64(CCspStructHandle s, CCspStructFieldHandle field,
                                    int64_t value);
CCspErrorCode ccsp_struct_set_double(CCspStructHandle s, CCspStructFieldHandle field,
                                     double value);
CCspErrorCode ccsp_struct_set_string(CCspStructHandle s, CCspStructFieldHandle field,
                                     const char *data, size_t len);
CCspErrorCode ccsp_struct_set_datetime(CCspStructHandle s, CCspStructFieldHandle field,
                                       CCspDateTime value);
CCspErrorCode ccsp_struct_set_timedelta(CCspStructHandle s, CCspStructFieldHandle field,
                                        CCspTimeDelta value);
CCspErrorCode ccsp_struct_get_bool(CCspStructHandle s, CCspStructFieldHandle field, bool *out);
CCspErrorCode ccsp_struct_get_int64(CCspStructHandle s, CCspStructFieldHandle field,
                                    int64_t *out);
CCspErrorCode ccsp_struct_get_double(CCspStructHandle s, CCspStructFieldHandle field,
                                     double *out);
CCspErrorCode ccsp_struct_get_string(CCspStructHandle s, CCspStructFieldHandle field,
                                     const char **data, size_t *len);
CCspErrorCode ccsp_struct_get_datetime(CCspStructHandle s, CCspStructFieldHandle field,
                                       CCspDateTime *out);
CCspErrorCode ccsp_struct_get_timedelta(CCspStructHandle s, CCspStructFieldHandle field,
                                        CCspTimeDelta *out);

#ifdef __cplusplus
}
#endif

#endif /* CSP_C_API_H */
