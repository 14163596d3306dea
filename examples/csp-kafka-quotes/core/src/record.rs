//! Fields of records (`csp.Struct` values): their cells in events files and
//! typed files, and their demo values.
//!
//! A field is one of the six scalar types (`String` for `str`), or an
//! `Option` of one for a field that may be unset. In an events file a field
//! is the column `value.<field>`; an unset field is an empty cell. So an
//! optional `str` field cannot hold the empty string there: writing one is an
//! error, not a silent change. The demo value of a field for event `i` is
//! its type's demo value `i` ([`crate::demo`]); optional fields are unset on
//! every third event (`i % 3 == 2`).

use crate::demo::DemoValue;
use crate::row::{CellType, ColumnType, TypedCell};
use crate::text::TextValue;
use crate::time::{DateTime, TimeDelta};

/// A field type of a record.
pub trait RecordField: Sized {
    /// The type of the field's column in a typed file.
    const TYPE: ColumnType;

    /// Reads the field from its cell.
    fn parse_cell(text: &str) -> Result<Self, String>;

    /// Reads the field from its cell of a typed file.
    fn from_typed(cell: TypedCell<'_>) -> Result<Self, String>;

    /// The field as a cell of a typed file.
    fn typed(&self) -> TypedCell<'_>;

    /// Writes the field into its (empty) cell.
    fn write_cell(&self, out: &mut String) -> Result<(), String>;

    /// The field's demo value for event `index`.
    fn demo(index: u64) -> Self;

    /// Whether `self` is the field's demo value for event `index`.
    fn is_demo(&self, index: u64) -> bool;
}

/// Whether optional fields of event `index` are unset in the demo.
pub fn demo_unset(index: u64) -> bool {
    index % 3 == 2
}

/// The error of a typed cell that is not of the column's type.
fn wrong_cell(wanted: ColumnType, cell: TypedCell<'_>) -> String {
    match cell {
        TypedCell::Null => format!("null, where {} needs a value", wanted.cell),
        cell => format!("{cell:?} is not a {}", wanted.cell),
    }
}

macro_rules! record_field {
    ($($owned:ty => $scalar:ty : $cell:ident),*) => {$(
        impl RecordField for $owned {
            const TYPE: ColumnType = ColumnType {
                cell: CellType::$cell,
                optional: false,
            };

            fn parse_cell(text: &str) -> Result<Self, String> {
                <$scalar as TextValue>::parse_text(text)
            }

            #[inline]
            fn from_typed(cell: TypedCell<'_>) -> Result<Self, String> {
                match cell {
                    TypedCell::$cell(value) => Ok(value.to_owned()),
                    cell => Err(wrong_cell(Self::TYPE, cell)),
                }
            }

            fn typed(&self) -> TypedCell<'_> {
                TypedCell::from(self)
            }

            fn write_cell(&self, out: &mut String) -> Result<(), String> {
                <$scalar as TextValue>::write_text(self, out);
                Ok(())
            }

            fn demo(index: u64) -> Self {
                <$scalar as DemoValue>::demo(index)
            }

            fn is_demo(&self, index: u64) -> bool {
                <$scalar as DemoValue>::is_demo(index, self)
            }
        }

        impl RecordField for Option<$owned> {
            const TYPE: ColumnType = ColumnType {
                cell: CellType::$cell,
                optional: true,
            };

            fn parse_cell(text: &str) -> Result<Self, String> {
                match text.is_empty() {
                    true => Ok(None),
                    false => <$owned as RecordField>::parse_cell(text).map(Some),
                }
            }

            #[inline]
            fn from_typed(cell: TypedCell<'_>) -> Result<Self, String> {
                match cell {
                    TypedCell::Null => Ok(None),
                    cell => <$owned as RecordField>::from_typed(cell).map(Some),
                }
            }

            fn typed(&self) -> TypedCell<'_> {
                self.as_ref().map_or(TypedCell::Null, TypedCell::from)
            }

            fn write_cell(&self, out: &mut String) -> Result<(), String> {
                let Some(value) = self else {
                    return Ok(());
                };
                value.write_cell(out)?;
                match out.is_empty() {
                    true => Err("an empty str in an optional field reads back as unset: \
                                 an events file cannot hold it".to_owned()),
                    false => Ok(()),
                }
            }

            fn demo(index: u64) -> Self {
                (!demo_unset(index)).then(|| <$owned as RecordField>::demo(index))
            }

            fn is_demo(&self, index: u64) -> bool {
                match self {
                    None => demo_unset(index),
                    Some(value) => !demo_unset(index) && value.is_demo(index),
                }
            }
        }
    )*};
}

record_field!(
    bool => bool: Bool,
    i64 => i64: Int,
    f64 => f64: Float,
    String => str: Str,
    DateTime => DateTime: DateTime,
    TimeDelta => TimeDelta: TimeDelta
);

/// Declares a record without csp: a plain struct with its events-file
/// columns (`value.<field>`), typed cells and demo values. `csp_api::record!`
/// builds on it (and adds the `csp.Struct` binding); the fuzz targets use it
/// alone.
#[macro_export]
macro_rules! event_record {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $($(#[$field_meta:meta])* $field_vis:vis $field:ident : $ty:ty),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        $vis struct $name {
            $($(#[$field_meta])* $field_vis $field: $ty,)*
        }

        impl $crate::EventValue for $name {
            type Owned = Self;

            fn columns() -> &'static [&'static str] {
                &[$(concat!("value.", stringify!($field))),*]
            }

            fn parse_cells(cells: &mut $crate::Cells<'_>) -> ::std::result::Result<Self, String> {
                Ok(Self {
                    $($field: cells.next_field::<$ty>()
                        .map_err(|e| format!(concat!("value.", stringify!($field), ": {}"), e))?,)*
                })
            }

            fn column_types() -> &'static [$crate::ColumnType] {
                const TYPES: &[$crate::ColumnType] = &[$(<$ty as $crate::RecordField>::TYPE),*];
                TYPES
            }

            fn typed_cells(&self, each: &mut dyn FnMut($crate::TypedCell<'_>)) {
                $(each(<$ty as $crate::RecordField>::typed(&self.$field));)*
            }

            fn write_cells(&self, cells: &mut $crate::CellsOut) -> ::std::result::Result<(), String> {
                $(<$ty as $crate::RecordField>::write_cell(&self.$field, cells.next_cell())
                    .map_err(|e| format!(concat!("value.", stringify!($field), ": {}"), e))?;)*
                Ok(())
            }
        }

        impl $crate::demo::DemoValue for $name {
            type Owned = Self;

            fn demo(index: u64) -> Self {
                Self {
                    $($field: <$ty as $crate::RecordField>::demo(index),)*
                }
            }

            fn is_demo(index: u64, value: &Self) -> bool {
                true $(&& <$ty as $crate::RecordField>::is_demo(&value.$field, index))*
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell<T: RecordField>(value: &T) -> Result<String, String> {
        let mut out = String::new();
        value.write_cell(&mut out).map(|()| out)
    }

    #[test]
    fn unset_is_an_empty_cell() {
        assert_eq!(cell(&None::<i64>), Ok(String::new()));
        assert_eq!(Option::<i64>::parse_cell(""), Ok(None));
        assert_eq!(Option::<bool>::parse_cell("true"), Ok(Some(true)));
        assert_eq!(Option::<String>::parse_cell(""), Ok(None));
        assert!(i64::parse_cell("").is_err(), "a required int needs a value");
        assert_eq!(String::parse_cell(""), Ok(String::new()));
    }

    #[test]
    fn an_empty_optional_str_is_refused_not_lost() {
        let error = cell(&Some(String::new())).unwrap_err();
        assert!(error.contains("reads back as unset"), "{error}");
        assert_eq!(cell(&Some("x".to_owned())), Ok("x".to_owned()));
    }

    #[test]
    fn optional_demo_fields_are_unset_on_every_third_event() {
        let values: Vec<Option<i64>> = (0..6).map(Option::<i64>::demo).collect();
        assert_eq!(values, [Some(0), Some(1), None, Some(3), Some(4), None]);
        for (index, value) in values.iter().enumerate() {
            assert!(value.is_demo(index as u64));
        }
        assert!(
            !Some(2_i64).is_demo(2),
            "set where the demo leaves it unset"
        );
        assert!(!None::<i64>.is_demo(1), "unset where the demo sets it");
        assert!(!Some(5_i64).is_demo(4));
    }

    #[test]
    fn typed_cells_round_trip_and_nulls_are_unset_or_refused() {
        assert_eq!(i64::from_typed(TypedCell::Int(-7)), Ok(-7));
        assert_eq!(String::from_typed(TypedCell::Str("é")), Ok("é".to_owned()));
        assert_eq!(Option::<f64>::from_typed(TypedCell::Null), Ok(None));
        assert_eq!(Some(1.5_f64).typed(), TypedCell::Float(1.5));
        assert_eq!(None::<bool>.typed(), TypedCell::Null);
        let error = i64::from_typed(TypedCell::Null).unwrap_err();
        assert_eq!(error, "null, where int needs a value");
        let error = bool::from_typed(TypedCell::Int(1)).unwrap_err();
        assert!(error.contains("is not a bool"), "{error}");
        let optional = (Option::<TimeDelta>::TYPE.optional, TimeDelta::TYPE.optional);
        assert_eq!(optional, (true, false));
    }

    #[test]
    fn cells_round_trip() {
        let time = DateTime::from_nanos(1_577_836_800_000_000_001);
        assert_eq!(DateTime::parse_cell(&cell(&time).unwrap()), Ok(time));
        let delta = Some(TimeDelta::from_nanos(-1_500_000_000));
        assert_eq!(
            Option::<TimeDelta>::parse_cell(&cell(&delta).unwrap()),
            Ok(delta)
        );
        assert_eq!(f64::parse_cell(&cell(&0.1).unwrap()), Ok(0.1));
    }
}
