//! What `src/record.rs` takes from `csp_api`, without csp: the fuzz targets
//! include `src/record.rs` as it is, and its record then has everything but
//! its `csp.Struct` binding.

pub use adapter_core::event_record as record;
pub use adapter_core::{DateTime, TimeDelta};
