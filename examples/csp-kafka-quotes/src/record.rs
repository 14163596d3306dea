//! `KafkaQuotesRecord`: the record the adapters carry, a `csp.Struct` in Python.
//!
//! To add a field, add it here and to the `KafkaQuotesRecord` class in
//! `csp_kafka_quotes/records.py` (same name, same type). `Option` fields may be
//! unset; the others must be set in every record that reaches Rust.

csp_api::record! {
    /// One record of the feed: `KafkaQuotesRecord` in Python.
    pub struct KafkaQuotesRecord {
        pub bid: f64,
        pub ask: f64,
        pub size: i64,
        pub venue: Option<String>,
    }
}
