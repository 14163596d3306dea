//! The adapter's values as `src/` declares them, without csp: `src/record.rs`
//! as it is, and the value types of `src/input_adapter.rs` and
//! `src/output_adapter.rs`.

pub mod input_adapter {

    /// As in `src/input_adapter.rs`.
    pub type InputValue = i64;
}

pub mod output_adapter {

    /// As in `src/output_adapter.rs`.
    #[allow(dead_code)]
    pub type OutputValue<'a> = i64;
}
