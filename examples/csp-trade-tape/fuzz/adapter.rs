//! The adapter's values as `src/` declares them, without csp: `src/record.rs`
//! as it is, and the value types of `src/input_adapter.rs` and
//! `src/output_adapter.rs`.

#[path = "../src/record.rs"]
pub mod record;

pub mod input_adapter {
    use super::record::TradeTapeRecord;

    /// As in `src/input_adapter.rs`.
    pub type InputValue = TradeTapeRecord;
}

pub mod output_adapter {
    use super::record::TradeTapeRecord;

    /// As in `src/output_adapter.rs`.
    #[allow(dead_code)]
    pub type OutputValue<'a> = &'a TradeTapeRecord;
}
