//! Raw declarations of `cpp/csp_c_api.h`. Keep in sync with the header.

#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_int, c_void};

pub type CCspErrorCode = i32;
pub type CCspType = i32;
pub type CCspDateTime = i64;
pub type CCspTimeDelta = i64;

pub const CCSP_ABI_VERSION: u32 = 1;

pub const CCSP_OK: CCspErrorCode = 0;
pub const CCSP_ERROR_NULL_POINTER: CCspErrorCode = 1;
pub const CCSP_ERROR_TYPE_MISMATCH: CCspErrorCode = 2;
pub const CCSP_ERROR_KEY_NOT_FOUND: CCspErrorCode = 3;
pub const CCSP_ERROR_INVALID_ARGUMENT: CCspErrorCode = 4;
pub const CCSP_ERROR_OUT_OF_MEMORY: CCspErrorCode = 5;
pub const CCSP_ERROR_RUNTIME: CCspErrorCode = 7;
pub const CCSP_ERROR_VALUE: CCspErrorCode = 8;
pub const CCSP_ERROR_FILE_NOT_FOUND: CCspErrorCode = 11;
pub const CCSP_ERROR_CONNECTION: CCspErrorCode = 12;

pub const CCSP_TYPE_UNKNOWN: CCspType = 0;
pub const CCSP_TYPE_BOOL: CCspType = 1;
pub const CCSP_TYPE_INT64: CCspType = 8;
pub const CCSP_TYPE_DOUBLE: CCspType = 10;
pub const CCSP_TYPE_STRING: CCspType = 11;
pub const CCSP_TYPE_DATETIME: CCspType = 12;
pub const CCSP_TYPE_TIMEDELTA: CCspType = 13;
pub const CCSP_TYPE_STRUCT: CCspType = 17;

pub const CCSP_DATETIME_NONE: CCspDateTime = i64::MIN;

pub type CCspStatusLevel = i32;
pub const CCSP_STATUS_LEVEL_CRITICAL: CCspStatusLevel = 0;
pub const CCSP_STATUS_LEVEL_ERROR: CCspStatusLevel = 1;
pub const CCSP_STATUS_LEVEL_WARNING: CCspStatusLevel = 2;
pub const CCSP_STATUS_LEVEL_INFO: CCspStatusLevel = 3;
pub const CCSP_STATUS_LEVEL_DEBUG: CCspStatusLevel = 4;

#[repr(C)]
pub struct CCspEngine {
    _private: [u8; 0],
}
#[repr(C)]
pub struct CCspPushInputAdapter {
    _private: [u8; 0],
}
#[repr(C)]
pub struct CCspInput {
    _private: [u8; 0],
}
#[repr(C)]
pub struct CCspPushBatch {
    _private: [u8; 0],
}
#[repr(C)]
pub struct CCspAdapterManager {
    _private: [u8; 0],
}
#[repr(C)]
pub struct CCspManagedSimInputAdapter {
    _private: [u8; 0],
}
#[repr(C)]
pub struct CCspStructMeta {
    _private: [u8; 0],
}
#[repr(C)]
pub struct CCspStructField {
    _private: [u8; 0],
}
#[repr(C)]
pub struct CCspStruct {
    _private: [u8; 0],
}

pub type CCspEngineHandle = *mut CCspEngine;
pub type CCspPushInputAdapterHandle = *mut CCspPushInputAdapter;
pub type CCspAdapterManagerHandle = *mut CCspAdapterManager;
pub type CCspManagedSimInputAdapterHandle = *mut CCspManagedSimInputAdapter;
pub type CCspInputHandle = *mut CCspInput;
pub type CCspPushBatchHandle = *mut CCspPushBatch;
pub type CCspStructMetaHandle = *mut CCspStructMeta;
pub type CCspStructFieldHandle = *mut CCspStructField;
pub type CCspStructHandle = *mut CCspStruct;

#[repr(C)]
pub struct CCspPushInputAdapterVTable {
    pub abi_version: u32,
    pub struct_size: u32,
    pub user_data: *mut c_void,
    pub start: Option<
        unsafe extern "C" fn(
            *mut c_void,
            CCspEngineHandle,
            CCspPushInputAdapterHandle,
            CCspDateTime,
            CCspDateTime,
        ) -> CCspErrorCode,
    >,
    pub stop: Option<unsafe extern "C" fn(*mut c_void) -> CCspErrorCode>,
    pub destroy: Option<unsafe extern "C" fn(*mut c_void)>,
    pub value_type: CCspType,
    pub start_managed_sim: Option<
        unsafe extern "C" fn(
            *mut c_void,
            CCspEngineHandle,
            CCspManagedSimInputAdapterHandle,
            CCspDateTime,
            CCspDateTime,
        ) -> CCspErrorCode,
    >,
}

#[repr(C)]
pub struct CCspOutputAdapterVTable {
    pub abi_version: u32,
    pub struct_size: u32,
    pub user_data: *mut c_void,
    pub start: Option<
        unsafe extern "C" fn(
            *mut c_void,
            CCspEngineHandle,
            CCspDateTime,
            CCspDateTime,
        ) -> CCspErrorCode,
    >,
    pub stop: Option<unsafe extern "C" fn(*mut c_void) -> CCspErrorCode>,
    pub execute: Option<
        unsafe extern "C" fn(*mut c_void, CCspEngineHandle, CCspInputHandle) -> CCspErrorCode,
    >,
    pub destroy: Option<unsafe extern "C" fn(*mut c_void)>,
}

#[repr(C)]
pub struct CCspAdapterManagerVTable {
    pub abi_version: u32,
    pub struct_size: u32,
    pub user_data: *mut c_void,
    pub name: Option<unsafe extern "C" fn(*mut c_void) -> *const c_char>,
    pub process_next_sim_time_slice:
        Option<unsafe extern "C" fn(*mut c_void, CCspDateTime) -> CCspDateTime>,
    pub start: Option<
        unsafe extern "C" fn(
            *mut c_void,
            CCspEngineHandle,
            CCspDateTime,
            CCspDateTime,
        ) -> CCspErrorCode,
    >,
    pub stop: Option<unsafe extern "C" fn(*mut c_void) -> CCspErrorCode>,
    pub destroy: Option<unsafe extern "C" fn(*mut c_void)>,
    /// Extension of this bridge: called once before start with the manager handle.
    pub bind: Option<unsafe extern "C" fn(*mut c_void, CCspAdapterManagerHandle)>,
}

unsafe extern "C" {
    pub fn ccsp_set_last_error(code: CCspErrorCode, message: *const c_char, len: usize);
    pub fn ccsp_last_error_message() -> *const c_char;
    pub fn ccsp_clear_last_error();

    pub fn ccsp_push_input_adapter_capsule_new(
        vtable: *const CCspPushInputAdapterVTable,
    ) -> *mut c_void;
    pub fn ccsp_output_adapter_capsule_new(vtable: *const CCspOutputAdapterVTable) -> *mut c_void;
    pub fn ccsp_adapter_manager_capsule_new(vtable: *const CCspAdapterManagerVTable)
    -> *mut c_void;
    pub fn ccsp_register_bridge_functions(module: *mut c_void) -> c_int;

    pub fn ccsp_engine_now(engine: CCspEngineHandle) -> CCspDateTime;
    pub fn ccsp_engine_is_realtime(engine: CCspEngineHandle) -> bool;
    pub fn ccsp_engine_shutdown(engine: CCspEngineHandle) -> CCspErrorCode;
    pub fn ccsp_engine_shutdown_with_error(
        engine: CCspEngineHandle,
        message: *const c_char,
        len: usize,
    ) -> CCspErrorCode;
    pub fn ccsp_engine_shutdown_with_error_code(
        engine: CCspEngineHandle,
        code: CCspErrorCode,
        message: *const c_char,
        len: usize,
    ) -> CCspErrorCode;

    pub fn ccsp_adapter_manager_push_status(
        manager: CCspAdapterManagerHandle,
        level: CCspStatusLevel,
        status_code: i64,
        message: *const c_char,
        len: usize,
    ) -> CCspErrorCode;

    pub fn ccsp_push_input_adapter_type(adapter: CCspPushInputAdapterHandle) -> CCspType;
    pub fn ccsp_push_bool(
        adapter: CCspPushInputAdapterHandle,
        value: bool,
        batch: CCspPushBatchHandle,
    ) -> CCspErrorCode;
    pub fn ccsp_push_int64(
        adapter: CCspPushInputAdapterHandle,
        value: i64,
        batch: CCspPushBatchHandle,
    ) -> CCspErrorCode;
    pub fn ccsp_push_double(
        adapter: CCspPushInputAdapterHandle,
        value: f64,
        batch: CCspPushBatchHandle,
    ) -> CCspErrorCode;
    pub fn ccsp_push_string(
        adapter: CCspPushInputAdapterHandle,
        data: *const c_char,
        len: usize,
        batch: CCspPushBatchHandle,
    ) -> CCspErrorCode;
    pub fn ccsp_push_datetime(
        adapter: CCspPushInputAdapterHandle,
        value: CCspDateTime,
        batch: CCspPushBatchHandle,
    ) -> CCspErrorCode;
    pub fn ccsp_push_timedelta(
        adapter: CCspPushInputAdapterHandle,
        value: CCspTimeDelta,
        batch: CCspPushBatchHandle,
    ) -> CCspErrorCode;

    pub fn ccsp_managed_sim_input_adapter_type(
        adapter: CCspManagedSimInputAdapterHandle,
    ) -> CCspType;
    pub fn ccsp_managed_sim_input_adapter_push_bool(
        adapter: CCspManagedSimInputAdapterHandle,
        value: bool,
    ) -> CCspErrorCode;
    pub fn ccsp_managed_sim_input_adapter_push_int64(
        adapter: CCspManagedSimInputAdapterHandle,
        value: i64,
    ) -> CCspErrorCode;
    pub fn ccsp_managed_sim_input_adapter_push_double(
        adapter: CCspManagedSimInputAdapterHandle,
        value: f64,
    ) -> CCspErrorCode;
    pub fn ccsp_managed_sim_input_adapter_push_string(
        adapter: CCspManagedSimInputAdapterHandle,
        data: *const c_char,
        len: usize,
    ) -> CCspErrorCode;
    pub fn ccsp_managed_sim_input_adapter_push_datetime(
        adapter: CCspManagedSimInputAdapterHandle,
        value: CCspDateTime,
    ) -> CCspErrorCode;
    pub fn ccsp_managed_sim_input_adapter_push_timedelta(
        adapter: CCspManagedSimInputAdapterHandle,
        value: CCspTimeDelta,
    ) -> CCspErrorCode;
    pub fn ccsp_managed_sim_input_adapter_struct_meta(
        adapter: CCspManagedSimInputAdapterHandle,
    ) -> CCspStructMetaHandle;
    pub fn ccsp_managed_sim_input_adapter_push_struct(
        adapter: CCspManagedSimInputAdapterHandle,
        value: CCspStructHandle,
    ) -> CCspErrorCode;

    pub fn ccsp_push_batch_create(engine: CCspEngineHandle) -> CCspPushBatchHandle;
    pub fn ccsp_push_batch_new(adapter: CCspPushInputAdapterHandle) -> CCspPushBatchHandle;
    pub fn ccsp_push_batch_abandon(batch: CCspPushBatchHandle);
    pub fn ccsp_push_batch_flush(batch: CCspPushBatchHandle) -> CCspErrorCode;
    pub fn ccsp_push_batch_destroy(batch: CCspPushBatchHandle);
    pub fn ccsp_push_batch_split(batch: CCspPushBatchHandle) -> CCspErrorCode;
    pub fn ccsp_push_batch_ack(
        batch: CCspPushBatchHandle,
        adapter: CCspPushInputAdapterHandle,
        pushed: u64,
    ) -> CCspErrorCode;
    pub fn ccsp_push_input_adapter_consumed(adapter: CCspPushInputAdapterHandle) -> u64;
    pub fn ccsp_push_input_adapter_is_non_collapsing(adapter: CCspPushInputAdapterHandle) -> bool;
    pub fn ccsp_push_batch_discard(batch: CCspPushBatchHandle);
    pub fn ccsp_push_batch_replay_at(
        batch: CCspPushBatchHandle,
        time: CCspDateTime,
    ) -> CCspErrorCode;
    pub fn ccsp_push_input_adapter_replay_complete(
        adapter: CCspPushInputAdapterHandle,
    ) -> CCspErrorCode;

    pub fn ccsp_input_type(input: CCspInputHandle) -> CCspType;
    pub fn ccsp_input_get_last_bool(input: CCspInputHandle, out: *mut bool) -> CCspErrorCode;
    pub fn ccsp_input_get_last_int64(input: CCspInputHandle, out: *mut i64) -> CCspErrorCode;
    pub fn ccsp_input_get_last_double(input: CCspInputHandle, out: *mut f64) -> CCspErrorCode;
    pub fn ccsp_input_get_last_string(
        input: CCspInputHandle,
        data: *mut *const c_char,
        len: *mut usize,
    ) -> CCspErrorCode;
    pub fn ccsp_input_get_last_datetime(
        input: CCspInputHandle,
        out: *mut CCspDateTime,
    ) -> CCspErrorCode;
    pub fn ccsp_input_get_last_timedelta(
        input: CCspInputHandle,
        out: *mut CCspTimeDelta,
    ) -> CCspErrorCode;

    pub fn ccsp_push_input_adapter_struct_meta(
        adapter: CCspPushInputAdapterHandle,
    ) -> CCspStructMetaHandle;
    pub fn ccsp_push_input_adapter_push_struct(
        adapter: CCspPushInputAdapterHandle,
        value: CCspStructHandle,
        batch: CCspPushBatchHandle,
    ) -> CCspErrorCode;
    pub fn ccsp_input_get_last_struct(
        input: CCspInputHandle,
        out: *mut CCspStructHandle,
    ) -> CCspErrorCode;

    pub fn ccsp_struct_meta_name(meta: CCspStructMetaHandle) -> *const c_char;
    pub fn ccsp_struct_meta_field_count(meta: CCspStructMetaHandle) -> usize;
    pub fn ccsp_struct_meta_field_by_name(
        meta: CCspStructMetaHandle,
        name: *const c_char,
    ) -> CCspStructFieldHandle;
    pub fn ccsp_struct_field_name(field: CCspStructFieldHandle) -> *const c_char;
    pub fn ccsp_struct_field_type(field: CCspStructFieldHandle) -> CCspType;
    pub fn ccsp_struct_meta(s: CCspStructHandle) -> CCspStructMetaHandle;
    pub fn ccsp_struct_create(meta: CCspStructMetaHandle) -> CCspStructHandle;
    pub fn ccsp_struct_destroy(s: CCspStructHandle);
    pub fn ccsp_struct_field_is_set(s: CCspStructHandle, field: CCspStructFieldHandle) -> bool;
    pub fn ccsp_struct_set_bool(
        s: CCspStructHandle,
        field: CCspStructFieldHandle,
        value: bool,
    ) -> CCspErrorCode;
    pub fn ccsp_struct_set_int64(
        s: CCspStructHandle,
        field: CCspStructFieldHandle,
        value: i64,
    ) -> CCspErrorCode;
    pub fn ccsp_struct_set_double(
        s: CCspStructHandle,
        field: CCspStructFieldHandle,
        value: f64,
    ) -> CCspErrorCode;
    pub fn ccsp_struct_set_string(
        s: CCspStructHandle,
        field: CCspStructFieldHandle,
        data: *const c_char,
        len: usize,
    ) -> CCspErrorCode;
    pub fn ccsp_struct_set_datetime(
        s: CCspStructHandle,
        field: CCspStructFieldHandle,
        value: CCspDateTime,
    ) -> CCspErrorCode;
    pub fn ccsp_struct_set_timedelta(
        s: CCspStructHandle,
        field: CCspStructFieldHandle,
        value: CCspTimeDelta,
    ) -> CCspErrorCode;
    pub fn ccsp_struct_get_bool(
        s: CCspStructHandle,
        field: CCspStructFieldHandle,
        out: *mut bool,
    ) -> CCspErrorCode;
    pub fn ccsp_struct_get_int64(
        s: CCspStructHandle,
        field: CCspStructFieldHandle,
        out: *mut i64,
    ) -> CCspErrorCode;
    pub fn ccsp_struct_get_double(
        s: CCspStructHandle,
        field: CCspStructFieldHandle,
        out: *mut f64,
    ) -> CCspErrorCode;
    pub fn ccsp_struct_get_string(
        s: CCspStructHandle,
        field: CCspStructFieldHandle,
        data: *mut *const c_char,
        len: *mut usize,
    ) -> CCspErrorCode;
    pub fn ccsp_struct_get_datetime(
        s: CCspStructHandle,
        field: CCspStructFieldHandle,
        out: *mut CCspDateTime,
    ) -> CCspErrorCode;
    pub fn ccsp_struct_get_timedelta(
        s: CCspStructHandle,
        field: CCspStructFieldHandle,
        out: *mut CCspTimeDelta,
    ) -> CCspErrorCode;
}
