//! The parameters of a WebSocket source (`WebSocket(...)` in Python).

use std::path::PathBuf;
use std::time::Duration;

use crate::wire::{BadMessages, reconnect_wait};

/// How to connect, and how hard to try.
#[derive(Clone, Debug)]
pub struct WebSocketOptions {
    /// `ws://host:port/path` or `wss://...`.
    pub url: String,
    /// Extra headers of the opening handshake (an API key, say).
    pub headers: Vec<(String, String)>,
    /// PEM certificates to trust besides the public roots (a private CA).
    pub ca_file: Option<PathBuf>,
    /// How long one attempt to connect (TCP, TLS, handshake) may take.
    pub connect_timeout: Duration,
    /// The wait before the first reconnect; it doubles after each failed
    /// attempt, up to `max_reconnect_interval`.
    pub reconnect_interval: Duration,
    pub max_reconnect_interval: Duration,
    /// Failed attempts in a row before the source gives up (GAVE_UP, then
    /// a `ConnectionError`); `None` tries for ever.
    pub max_attempts: Option<u32>,
    /// A connection silent this long is pinged...
    pub ping_interval: Duration,
    /// ...and treated as lost when nothing comes back within this.
    pub pong_timeout: Duration,
    /// Larger messages are bad messages (and the connection is reset).
    pub max_message_size: usize,
    pub bad_messages: BadMessages,
}

impl WebSocketOptions {
    /// The options for `url`, with the defaults of the Python `WebSocket`.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            headers: Vec::new(),
            ca_file: None,
            connect_timeout: Duration::from_secs(10),
            reconnect_interval: Duration::from_secs(1),
            max_reconnect_interval: Duration::from_secs(30),
            max_attempts: Some(10),
            ping_interval: Duration::from_secs(10),
            pong_timeout: Duration::from_secs(10),
            max_message_size: 64 << 20,
            bad_messages: BadMessages::Skip,
        }
    }

    /// The wait before the next attempt, after `failed` failed ones in a row
    /// (0 after a connection that was up).
    pub fn reconnect_wait(&self, failed: u32) -> Duration {
        reconnect_wait(self.reconnect_interval, self.max_reconnect_interval, failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_up_to_the_limit() {
        let options = WebSocketOptions {
            reconnect_interval: Duration::from_millis(100),
            max_reconnect_interval: Duration::from_millis(700),
            ..WebSocketOptions::new("ws://localhost")
        };
        let waits: Vec<u128> = (0..5)
            .map(|n| options.reconnect_wait(n).as_millis())
            .collect();
        assert_eq!(waits, [100, 200, 400, 700, 700]);
        assert_eq!(options.reconnect_wait(u32::MAX).as_millis(), 700);
    }
}
