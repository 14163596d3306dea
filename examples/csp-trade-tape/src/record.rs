//! `TradeTapeRecord`: the record the adapters carry, a `csp.Struct` in Python.
//!
//! To add a field, add it here and to the `TradeTapeRecord` class in
//! `csp_trade_tape/records.py` (same name, same type). `Option` fields may be
//! unset; the others must be set in every record that reaches Rust.

csp_api::record! {
    /// One record of the feed: `TradeTapeRecord` in Python.
    pub struct TradeTapeRecord {
        pub symbol: String,
        pub price: f64,
        pub size: i64,
        pub venue: Option<String>,
    }
}
