//! The csp value types adapters push and read, and their Rust forms.
//!
//! | csp / Python | push with ([`PushValue`]) | read as ([`TickValue`]) |
//! |--------------|---------------------------|-------------------------|
//! | `bool`       | `bool`                    | `bool`                  |
//! | `int`        | `i64`                     | `i64`                   |
//! | `float`      | `f64`                     | `f64`                   |
//! | `str`        | `str` (pushes `&str`)     | `&str`                  |
//! | `datetime`   | [`DateTime`]              | [`DateTime`]            |
//! | `timedelta`  | [`TimeDelta`]             | [`TimeDelta`]           |
//! | a `csp.Struct` | a [`Record`](crate::Record) (pushes `&R`) | `&R` |

use std::fmt;
use std::ptr;

use super::error::{Error, Result};
use super::ffi;
use super::record::StructBinding;
use adapter_core::{DateTime, TimeDelta};

/// A csp value type, as the C ABI numbers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    Bool,
    Int,
    Float,
    Str,
    DateTime,
    TimeDelta,
    Struct,
    Other(i32),
}

impl ValueType {
    pub(crate) fn to_raw(self) -> ffi::CCspType {
        match self {
            Self::Bool => ffi::CCSP_TYPE_BOOL,
            Self::Int => ffi::CCSP_TYPE_INT64,
            Self::Float => ffi::CCSP_TYPE_DOUBLE,
            Self::Str => ffi::CCSP_TYPE_STRING,
            Self::DateTime => ffi::CCSP_TYPE_DATETIME,
            Self::TimeDelta => ffi::CCSP_TYPE_TIMEDELTA,
            Self::Struct => ffi::CCSP_TYPE_STRUCT,
            Self::Other(raw) => raw,
        }
    }

    pub(crate) fn from_raw(raw: ffi::CCspType) -> Self {
        match raw {
            ffi::CCSP_TYPE_BOOL => Self::Bool,
            ffi::CCSP_TYPE_INT64 => Self::Int,
            ffi::CCSP_TYPE_DOUBLE => Self::Float,
            ffi::CCSP_TYPE_STRING => Self::Str,
            ffi::CCSP_TYPE_DATETIME => Self::DateTime,
            ffi::CCSP_TYPE_TIMEDELTA => Self::TimeDelta,
            ffi::CCSP_TYPE_STRUCT => Self::Struct,
            other => Self::Other(other),
        }
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bool => f.write_str("bool"),
            Self::Int => f.write_str("int"),
            Self::Float => f.write_str("float"),
            Self::Str => f.write_str("str"),
            Self::DateTime => f.write_str("datetime"),
            Self::TimeDelta => f.write_str("timedelta"),
            Self::Struct => f.write_str("a csp.Struct"),
            Self::Other(ffi::CCSP_TYPE_UNKNOWN) => f.write_str("an unknown type"),
            Self::Other(raw) => write!(f, "csp C type {raw}"),
        }
    }
}

/// The engine object behind a push input adapter: a push input adapter in
/// realtime, a managed sim input adapter of its manager in a simulation.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub enum AdapterHandle {
    Push(ffi::CCspPushInputAdapterHandle),
    Sim(ffi::CCspManagedSimInputAdapterHandle),
}

impl AdapterHandle {
    /// The type of the adapter's time series.
    ///
    /// # Safety
    /// The adapter must be alive.
    pub(crate) unsafe fn value_type(self) -> ValueType {
        // SAFETY: forwarded from the caller.
        ValueType::from_raw(unsafe {
            match self {
                Self::Push(adapter) => ffi::ccsp_push_input_adapter_type(adapter),
                Self::Sim(adapter) => ffi::ccsp_managed_sim_input_adapter_type(adapter),
            }
        })
    }

    /// The csp.Struct type of the adapter's time series (null for others).
    ///
    /// # Safety
    /// The adapter must be alive.
    pub(crate) unsafe fn struct_meta(self) -> ffi::CCspStructMetaHandle {
        // SAFETY: forwarded from the caller.
        unsafe {
            match self {
                Self::Push(adapter) => ffi::ccsp_push_input_adapter_struct_meta(adapter),
                Self::Sim(adapter) => ffi::ccsp_managed_sim_input_adapter_struct_meta(adapter),
            }
        }
    }
}

/// A type a push input adapter can push. `Arg` is what `push` takes.
pub trait PushValue {
    const TYPE: ValueType;
    type Arg<'a>: Copy;

    /// What the adapter looks up once, when it starts (a record's fields).
    ///
    /// # Safety
    /// `adapter` must be a starting adapter.
    #[doc(hidden)]
    unsafe fn bind(_adapter: AdapterHandle) -> Result<StructBinding> {
        Ok(StructBinding::default())
    }

    /// Pushes `value`: into `batch` (null: a batch of its own) in realtime,
    /// at the engine's time in a simulation (no batch there).
    ///
    /// # Safety
    /// `adapter` must be a started adapter bound to `binding`; `batch` null
    /// or a live batch.
    #[doc(hidden)]
    unsafe fn push_raw(
        adapter: AdapterHandle,
        binding: &StructBinding,
        value: Self::Arg<'_>,
        batch: ffi::CCspPushBatchHandle,
    ) -> Result<()>;
}

/// A type an output adapter can read from its input time series.
pub trait TickValue<'a>: Sized {
    const TYPE: ValueType;

    /// # Safety
    /// `input` must be the input handle of the running `execute` callback;
    /// `binding` is the adapter's own, kept from tick to tick (a record is
    /// read into it).
    #[doc(hidden)]
    unsafe fn read_raw(input: ffi::CCspInputHandle, binding: &'a mut StructBinding)
    -> Result<Self>;
}

macro_rules! scalar_value {
    (
        $rust:ty,
        $variant:ident,
        $raw:ty,
        $push:ident,
        $sim_push:ident,
        $read:ident,
        $to_raw:expr,
        $from_raw:expr
    ) => {
        impl PushValue for $rust {
            const TYPE: ValueType = ValueType::$variant;
            type Arg<'a> = $rust;

            #[inline]
            unsafe fn push_raw(
                adapter: AdapterHandle,
                _binding: &StructBinding,
                value: $rust,
                batch: ffi::CCspPushBatchHandle,
            ) -> Result<()> {
                let to_raw: fn($rust) -> $raw = $to_raw;
                // SAFETY: forwarded from the caller.
                Error::check(unsafe {
                    match adapter {
                        AdapterHandle::Push(adapter) => ffi::$push(adapter, to_raw(value), batch),
                        AdapterHandle::Sim(adapter) => ffi::$sim_push(adapter, to_raw(value)),
                    }
                })
            }
        }

        impl TickValue<'_> for $rust {
            const TYPE: ValueType = ValueType::$variant;

            #[inline]
            unsafe fn read_raw(
                input: ffi::CCspInputHandle,
                _binding: &mut StructBinding,
            ) -> Result<Self> {
                let mut raw = <$raw>::default();
                // SAFETY: forwarded from the caller; `raw` is a valid out pointer.
                Error::check(unsafe { ffi::$read(input, &mut raw) })?;
                let from_raw: fn($raw) -> $rust = $from_raw;
                Ok(from_raw(raw))
            }
        }
    };
}

scalar_value!(
    bool,
    Bool,
    bool,
    ccsp_push_bool,
    ccsp_managed_sim_input_adapter_push_bool,
    ccsp_input_get_last_bool,
    |v| v,
    |v| v
);
scalar_value!(
    i64,
    Int,
    i64,
    ccsp_push_int64,
    ccsp_managed_sim_input_adapter_push_int64,
    ccsp_input_get_last_int64,
    |v| v,
    |v| v
);
scalar_value!(
    f64,
    Float,
    f64,
    ccsp_push_double,
    ccsp_managed_sim_input_adapter_push_double,
    ccsp_input_get_last_double,
    |v| v,
    |v| v
);
scalar_value!(
    DateTime,
    DateTime,
    i64,
    ccsp_push_datetime,
    ccsp_managed_sim_input_adapter_push_datetime,
    ccsp_input_get_last_datetime,
    DateTime::as_nanos,
    DateTime::from_nanos
);
scalar_value!(
    TimeDelta,
    TimeDelta,
    i64,
    ccsp_push_timedelta,
    ccsp_managed_sim_input_adapter_push_timedelta,
    ccsp_input_get_last_timedelta,
    TimeDelta::as_nanos,
    TimeDelta::from_nanos
);

impl PushValue for str {
    const TYPE: ValueType = ValueType::Str;
    type Arg<'a> = &'a str;

    #[inline]
    unsafe fn push_raw(
        adapter: AdapterHandle,
        _binding: &StructBinding,
        value: &str,
        batch: ffi::CCspPushBatchHandle,
    ) -> Result<()> {
        let (data, len) = (value.as_ptr().cast(), value.len());
        // SAFETY: forwarded from the caller; the bridge copies the bytes.
        Error::check(unsafe {
            match adapter {
                AdapterHandle::Push(adapter) => ffi::ccsp_push_string(adapter, data, len, batch),
                AdapterHandle::Sim(adapter) => {
                    ffi::ccsp_managed_sim_input_adapter_push_string(adapter, data, len)
                }
            }
        })
    }
}

impl<'a> TickValue<'a> for &'a str {
    const TYPE: ValueType = ValueType::Str;

    #[inline]
    unsafe fn read_raw(input: ffi::CCspInputHandle, _binding: &mut StructBinding) -> Result<Self> {
        let mut data = ptr::null();
        let mut len = 0usize;
        // SAFETY: forwarded from the caller; both out pointers are valid.
        Error::check(unsafe { ffi::ccsp_input_get_last_string(input, &mut data, &mut len) })?;
        if len == 0 {
            return Ok("");
        }
        // SAFETY: the bridge points at `len` bytes of engine memory that stay
        // valid until `execute` returns, which bounds the lifetime 'a.
        let bytes = unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) };
        utf8(bytes).map_err(|e| Error::value(format!("the input's str value is not UTF-8: {e}")))
    }
}

/// `bytes` as text when they are UTF-8. ASCII is checked first: that is
/// several times cheaper than full validation for the short strings values
/// and records usually hold.
#[inline]
pub(crate) fn utf8(bytes: &[u8]) -> std::result::Result<&str, std::str::Utf8Error> {
    if bytes.is_ascii() {
        // SAFETY: ASCII is UTF-8.
        return Ok(unsafe { std::str::from_utf8_unchecked(bytes) });
    }
    std::str::from_utf8(bytes)
}
