//! Records: Rust structs that cross into csp as `csp.Struct` values.
//!
//! Declare one with [`record!`](crate::record): a plain struct whose fields
//! are `bool`, `i64`, `f64`, `String`, [`DateTime`] or [`TimeDelta`], or an
//! `Option` of one for a field that may be unset. The macro implements
//! [`Record`] (and the events-file and demo traits of `adapter_core`), which
//! makes the struct a value that input adapters push and output adapters
//! read. The `csp.Struct` class in Python must have fields of the same names
//! and types (it may have more); an adapter checks that when it starts, or
//! at its first tick, and looks the fields up only then.

use std::any::Any;
use std::ffi::{CStr, CString, c_char};
use std::ptr;

use super::error::{Error, Result};
use super::ffi;
use super::value::{AdapterHandle, PushValue, TickValue, ValueType, utf8};
use adapter_core::{DateTime, TimeDelta};

/// A Rust struct that is a `csp.Struct` value; implemented by
/// [`record!`](crate::record).
pub trait Record: Clone + std::fmt::Debug + Send + Sync + 'static {
    /// Its fields: name and type, in declaration order.
    const FIELDS: &'static [(&'static str, ValueType)];

    /// Sets the fields of a new struct, one [`StructWriter::write`] each, in order.
    #[doc(hidden)]
    fn write_fields(&self, out: &mut StructWriter<'_>) -> Result<()>;

    /// Reads the fields of a struct, one [`StructReader::read`] each, in order.
    #[doc(hidden)]
    fn read_fields(input: &mut StructReader<'_>) -> Result<Self>;

    /// Reads the fields of a struct into `self`, reusing its strings' memory,
    /// one [`StructReader::read_into`] each, in order.
    #[doc(hidden)]
    fn read_fields_into(&mut self, input: &mut StructReader<'_>) -> Result<()>;
}

/// The field handles of one `csp.Struct` type, in a record's field order;
/// an output adapter also keeps the record it reads each tick into.
#[doc(hidden)]
pub struct StructBinding {
    meta: ffi::CCspStructMetaHandle,
    fields: Vec<ffi::CCspStructFieldHandle>,
    record: Option<Box<dyn Any + Send + Sync>>,
}

impl Default for StructBinding {
    fn default() -> Self {
        Self {
            meta: ptr::null_mut(),
            fields: Vec::new(),
            record: None,
        }
    }
}

// SAFETY: struct types and their fields are immutable while the graph runs;
// the handles are only read.
unsafe impl Send for StructBinding {}
// SAFETY: as above.
unsafe impl Sync for StructBinding {}

impl StructBinding {
    /// Looks up the fields of `R` in the struct type `meta`, checking their types.
    ///
    /// # Safety
    /// `meta` must be a live struct type.
    unsafe fn resolve<R: Record>(meta: ffi::CCspStructMetaHandle) -> Result<Self> {
        // SAFETY: the caller guarantees a live meta.
        let struct_name = unsafe { text(ffi::ccsp_struct_meta_name(meta)) };
        let mut fields = Vec::with_capacity(R::FIELDS.len());
        for &(name, wanted) in R::FIELDS {
            let c_name = CString::new(name).map_err(|_| Error::value("a field name has a NUL"))?;
            // SAFETY: live meta, NUL-terminated name.
            let field = unsafe { ffi::ccsp_struct_meta_field_by_name(meta, c_name.as_ptr()) };
            if field.is_null() {
                return Err(Error::type_mismatch(format!(
                    "{struct_name} has no field {name:?}, which the Rust record {} reads and writes",
                    short_name::<R>()
                )));
            }
            // SAFETY: a live field of the meta.
            let actual = ValueType::from_raw(unsafe { ffi::ccsp_struct_field_type(field) });
            if actual != wanted {
                return Err(Error::type_mismatch(format!(
                    "field {name:?} of {struct_name} is {actual}, but {wanted} in the Rust record {}",
                    short_name::<R>()
                )));
            }
            fields.push(field);
        }
        Ok(Self {
            meta,
            fields,
            record: None,
        })
    }
}

/// Sets the fields of a new struct in a record's field order.
#[doc(hidden)]
pub struct StructWriter<'a> {
    target: ffi::CCspStructHandle,
    fields: std::slice::Iter<'a, ffi::CCspStructFieldHandle>,
}

impl StructWriter<'_> {
    /// Sets the next field to `value` (an unset `Option` leaves it unset).
    #[inline]
    pub fn write<F: StructField>(&mut self, value: &F) -> Result<()> {
        let field = self.next_field()?;
        // SAFETY: a new struct of the binding's type, and a field of it.
        unsafe { value.write(self.target, field) }
    }

    fn next_field(&mut self) -> Result<ffi::CCspStructFieldHandle> {
        self.fields
            .next()
            .copied()
            .ok_or_else(|| Error::runtime("a record wrote more fields than it declares"))
    }
}

/// Reads the fields of a struct in a record's field order.
#[doc(hidden)]
pub struct StructReader<'a> {
    source: ffi::CCspStructHandle,
    fields: std::iter::Zip<
        std::slice::Iter<'a, ffi::CCspStructFieldHandle>,
        std::slice::Iter<'a, (&'static str, ValueType)>,
    >,
}

impl StructReader<'_> {
    /// Reads the next field.
    #[inline]
    pub fn read<F: StructField>(&mut self) -> Result<F> {
        let (field, name) = self.next_field()?;
        // SAFETY: a live struct of the binding's type, and a field of it.
        unsafe { F::read(self.source, field, name) }
    }

    /// Reads the next field into `value`.
    #[inline]
    pub fn read_into<F: StructField>(&mut self, value: &mut F) -> Result<()> {
        let (field, name) = self.next_field()?;
        // SAFETY: a live struct of the binding's type, and a field of it.
        unsafe { value.read_into(self.source, field, name) }
    }

    fn next_field(&mut self) -> Result<(ffi::CCspStructFieldHandle, &'static str)> {
        self.fields
            .next()
            .map(|(&field, &(name, _))| (field, name))
            .ok_or_else(|| Error::runtime("a record read more fields than it declares"))
    }
}

impl<R: Record> PushValue for R {
    const TYPE: ValueType = ValueType::Struct;
    type Arg<'a> = &'a R;

    unsafe fn bind(adapter: AdapterHandle) -> Result<StructBinding> {
        // SAFETY: forwarded from the caller.
        let meta = unsafe { adapter.struct_meta() };
        if meta.is_null() {
            return Err(Error::type_mismatch(
                "the adapter's time series is not of a csp.Struct",
            ));
        }
        // SAFETY: the adapter's struct type lives as long as the graph.
        unsafe { StructBinding::resolve::<R>(meta) }
    }

    #[inline]
    unsafe fn push_raw(
        adapter: AdapterHandle,
        binding: &StructBinding,
        value: &R,
        batch: ffi::CCspPushBatchHandle,
    ) -> Result<()> {
        // SAFETY: the binding's meta is the adapter's live struct type.
        let target = unsafe { ffi::ccsp_struct_create(binding.meta) };
        if target.is_null() {
            return Error::check(ffi::CCSP_ERROR_OUT_OF_MEMORY);
        }
        let mut writer = StructWriter {
            target,
            fields: binding.fields.iter(),
        };
        if let Err(error) = value.write_fields(&mut writer) {
            // SAFETY: we own the new struct's only reference.
            unsafe { ffi::ccsp_struct_destroy(target) };
            return Err(error);
        }
        // SAFETY: forwarded from the caller; the bridge takes the reference.
        Error::check(unsafe {
            match adapter {
                AdapterHandle::Push(adapter) => {
                    ffi::ccsp_push_input_adapter_push_struct(adapter, target, batch)
                }
                AdapterHandle::Sim(adapter) => {
                    ffi::ccsp_managed_sim_input_adapter_push_struct(adapter, target)
                }
            }
        })
    }
}

impl<'a, R: Record> TickValue<'a> for &'a R {
    const TYPE: ValueType = ValueType::Struct;

    #[inline]
    unsafe fn read_raw(
        input: ffi::CCspInputHandle,
        binding: &'a mut StructBinding,
    ) -> Result<Self> {
        let mut source = ptr::null_mut();
        // SAFETY: forwarded from the caller; `source` is a valid out pointer.
        Error::check(unsafe { ffi::ccsp_input_get_last_struct(input, &mut source) })?;
        // SAFETY: the input's struct lives until execute returns.
        let meta = unsafe { ffi::ccsp_struct_meta(source) };
        if meta != binding.meta {
            // The first tick, or a struct of a derived type.
            // SAFETY: a live struct's type.
            let fresh = unsafe { StructBinding::resolve::<R>(meta) }?;
            (binding.meta, binding.fields) = (fresh.meta, fresh.fields);
        }
        let StructBinding { fields, record, .. } = binding;
        let mut reader = StructReader {
            source,
            fields: fields.iter().zip(R::FIELDS.iter()),
        };
        match record.as_mut().and_then(|last| last.downcast_mut::<R>()) {
            Some(last) => last.read_fields_into(&mut reader)?,
            None => *record = Some(Box::new(R::read_fields(&mut reader)?)),
        }
        let record: &'a Option<Box<dyn Any + Send + Sync>> = record;
        record
            .as_ref()
            .and_then(|last| last.downcast_ref::<R>())
            .ok_or_else(|| Error::runtime("the record read was not kept"))
    }
}

/// A field type of a record: a scalar, or an `Option` of one for a field
/// that may be unset.
pub trait StructField: Sized {
    /// The csp type of the field.
    const TYPE: ValueType;

    /// # Safety
    /// `target` must be a live struct and `field` one of its fields.
    #[doc(hidden)]
    unsafe fn write(
        &self,
        target: ffi::CCspStructHandle,
        field: ffi::CCspStructFieldHandle,
    ) -> Result<()>;

    /// # Safety
    /// As for `write`; `name` is the field's name, for messages.
    #[doc(hidden)]
    unsafe fn read(
        source: ffi::CCspStructHandle,
        field: ffi::CCspStructFieldHandle,
        name: &str,
    ) -> Result<Self>;

    /// Reads the field into `self` (a string keeps its memory).
    ///
    /// # Safety
    /// As for `read`.
    #[doc(hidden)]
    unsafe fn read_into(
        &mut self,
        source: ffi::CCspStructHandle,
        field: ffi::CCspStructFieldHandle,
        name: &str,
    ) -> Result<()> {
        // SAFETY: forwarded from the caller.
        *self = unsafe { Self::read(source, field, name) }?;
        Ok(())
    }
}

macro_rules! struct_field {
    ($rust:ty, $variant:ident, $raw:ty, $set:ident, $get:ident, $to_raw:expr, $from_raw:expr) => {
        impl StructField for $rust {
            const TYPE: ValueType = ValueType::$variant;

            #[inline]
            unsafe fn write(
                &self,
                target: ffi::CCspStructHandle,
                field: ffi::CCspStructFieldHandle,
            ) -> Result<()> {
                let to_raw: fn(&$rust) -> $raw = $to_raw;
                // SAFETY: forwarded from the caller; the bridge checks the field's type.
                Error::check(unsafe { ffi::$set(target, field, to_raw(self)) })
            }

            #[inline]
            unsafe fn read(
                source: ffi::CCspStructHandle,
                field: ffi::CCspStructFieldHandle,
                name: &str,
            ) -> Result<Self> {
                let mut raw = <$raw>::default();
                // SAFETY: forwarded from the caller; `raw` is a valid out pointer.
                let code = unsafe { ffi::$get(source, field, &mut raw) };
                if code == ffi::CCSP_ERROR_KEY_NOT_FOUND {
                    return Err(unset(name));
                }
                Error::check(code)?;
                let from_raw: fn($raw) -> $rust = $from_raw;
                Ok(from_raw(raw))
            }
        }
    };
}

struct_field!(
    bool,
    Bool,
    bool,
    ccsp_struct_set_bool,
    ccsp_struct_get_bool,
    |v| *v,
    |v| v
);
struct_field!(
    i64,
    Int,
    i64,
    ccsp_struct_set_int64,
    ccsp_struct_get_int64,
    |v| *v,
    |v| v
);
struct_field!(
    f64,
    Float,
    f64,
    ccsp_struct_set_double,
    ccsp_struct_get_double,
    |v| *v,
    |v| v
);
struct_field!(
    DateTime,
    DateTime,
    i64,
    ccsp_struct_set_datetime,
    ccsp_struct_get_datetime,
    |v| v.as_nanos(),
    DateTime::from_nanos
);
struct_field!(
    TimeDelta,
    TimeDelta,
    i64,
    ccsp_struct_set_timedelta,
    ccsp_struct_get_timedelta,
    |v| v.as_nanos(),
    TimeDelta::from_nanos
);

impl StructField for String {
    const TYPE: ValueType = ValueType::Str;

    #[inline]
    unsafe fn write(
        &self,
        target: ffi::CCspStructHandle,
        field: ffi::CCspStructFieldHandle,
    ) -> Result<()> {
        // SAFETY: forwarded from the caller; the bridge copies the bytes.
        Error::check(unsafe {
            ffi::ccsp_struct_set_string(target, field, self.as_ptr().cast(), self.len())
        })
    }

    #[inline]
    unsafe fn read(
        source: ffi::CCspStructHandle,
        field: ffi::CCspStructFieldHandle,
        name: &str,
    ) -> Result<Self> {
        // SAFETY: forwarded from the caller.
        unsafe { read_str(source, field, name) }.map(str::to_owned)
    }

    #[inline]
    unsafe fn read_into(
        &mut self,
        source: ffi::CCspStructHandle,
        field: ffi::CCspStructFieldHandle,
        name: &str,
    ) -> Result<()> {
        // SAFETY: forwarded from the caller.
        let text = unsafe { read_str(source, field, name) }?;
        self.clear();
        self.push_str(text);
        Ok(())
    }
}

/// A str field of a live struct, borrowed from it.
///
/// # Safety
/// As for [`StructField::read`]; the text lives as long as the struct does
/// and the field is unchanged.
unsafe fn read_str<'s>(
    source: ffi::CCspStructHandle,
    field: ffi::CCspStructFieldHandle,
    name: &str,
) -> Result<&'s str> {
    let mut data: *const c_char = ptr::null();
    let mut len = 0usize;
    // SAFETY: forwarded from the caller; both out pointers are valid.
    let code = unsafe { ffi::ccsp_struct_get_string(source, field, &mut data, &mut len) };
    if code == ffi::CCSP_ERROR_KEY_NOT_FOUND {
        return Err(unset(name));
    }
    Error::check(code)?;
    if len == 0 {
        return Ok("");
    }
    // SAFETY: the bridge points at `len` bytes of the live struct.
    let bytes = unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) };
    utf8(bytes).map_err(|e| Error::value(format!("field {name:?} is not UTF-8: {e}")))
}

macro_rules! optional_field {
    ($($rust:ty),*) => {$(
        impl StructField for Option<$rust> {
            const TYPE: ValueType = <$rust as StructField>::TYPE;

            #[inline]
            unsafe fn write(
                &self,
                target: ffi::CCspStructHandle,
                field: ffi::CCspStructFieldHandle,
            ) -> Result<()> {
                match self {
                    // SAFETY: forwarded from the caller.
                    Some(value) => unsafe { value.write(target, field) },
                    None => Ok(()),
                }
            }

            #[inline]
            unsafe fn read(
                source: ffi::CCspStructHandle,
                field: ffi::CCspStructFieldHandle,
                name: &str,
            ) -> Result<Self> {
                // SAFETY: forwarded from the caller.
                if !unsafe { ffi::ccsp_struct_field_is_set(source, field) } {
                    return Ok(None);
                }
                // SAFETY: forwarded from the caller.
                unsafe { <$rust as StructField>::read(source, field, name) }.map(Some)
            }

            #[inline]
            unsafe fn read_into(
                &mut self,
                source: ffi::CCspStructHandle,
                field: ffi::CCspStructFieldHandle,
                name: &str,
            ) -> Result<()> {
                // SAFETY: forwarded from the caller.
                if !unsafe { ffi::ccsp_struct_field_is_set(source, field) } {
                    *self = None;
                    return Ok(());
                }
                match self {
                    // SAFETY: forwarded from the caller.
                    Some(value) => unsafe { value.read_into(source, field, name) },
                    None => {
                        // SAFETY: forwarded from the caller.
                        *self = Some(unsafe { <$rust as StructField>::read(source, field, name) }?);
                        Ok(())
                    }
                }
            }
        }
    )*};
}

optional_field!(bool, i64, f64, String, DateTime, TimeDelta);

#[cold]
fn unset(name: &str) -> Error {
    Error::value(format!(
        "field {name:?} is not set: the Rust record requires it (declare it as an Option to allow unset)"
    ))
}

/// A C string of the bridge as Rust text (empty for NULL).
///
/// # Safety
/// `raw` must be NULL or a NUL-terminated string.
unsafe fn text(raw: *const c_char) -> String {
    if raw.is_null() {
        return String::new();
    }
    // SAFETY: the caller guarantees a NUL-terminated string.
    unsafe { CStr::from_ptr(raw) }
        .to_string_lossy()
        .into_owned()
}

fn short_name<R>() -> &'static str {
    super::input::short_type_name::<R>()
}

/// Declares a record: a Rust struct that is a `csp.Struct` value, with its
/// events-file columns (`value.<field>`) and demo values (those from
/// [`adapter_core::event_record!`], which needs no csp).
///
/// ```ignore
/// csp_api::record! {
///     /// A trade, `Trade` in Python.
///     pub struct Trade {
///         pub symbol: String,
///         pub price: f64,
///         pub note: Option<String>,
///     }
/// }
/// ```
#[macro_export]
macro_rules! record {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $($(#[$field_meta:meta])* $field_vis:vis $field:ident : $ty:ty),* $(,)?
        }
    ) => {
        $crate::__core::event_record! {
            $(#[$meta])*
            $vis struct $name {
                $($(#[$field_meta])* $field_vis $field: $ty),*
            }
        }

        impl $crate::Record for $name {
            const FIELDS: &'static [(&'static str, $crate::ValueType)] =
                &[$((stringify!($field), <$ty as $crate::StructField>::TYPE)),*];

            fn write_fields(&self, out: &mut $crate::StructWriter<'_>) -> $crate::Result<()> {
                $(out.write(&self.$field)?;)*
                Ok(())
            }

            fn read_fields(input: &mut $crate::StructReader<'_>) -> $crate::Result<Self> {
                Ok(Self {
                    $($field: input.read()?,)*
                })
            }

            fn read_fields_into(
                &mut self,
                input: &mut $crate::StructReader<'_>,
            ) -> $crate::Result<()> {
                $(input.read_into(&mut self.$field)?;)*
                Ok(())
            }
        }
    };
}
