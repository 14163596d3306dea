//! [`WebSocketSource`]: the connection's life (connect, subscribe, read,
//! ping, lose, reconnect, give up) run on the feed's thread, one message at
//! a time, on a single-threaded tokio runtime of its own.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{FutureExt, SinkExt, StreamExt};
use tokio::sync::{Notify, mpsc};
use tokio::time::{Instant, sleep, sleep_until, timeout};
use tokio_tungstenite::tungstenite::{self, Message};

use super::codec::Codec;
use super::connect::{Dialer, Socket};
use super::options::WebSocketOptions;
use crate::events::{Event, EventsError};
use crate::row::EventValue;
use crate::source::{EachEvent, LentEvent, Source, SourceContext};
use crate::status::{StatusReporter, excerpt};
use crate::stop::StopSignal;
use crate::time::DateTime;
use crate::wire::BadMessages;

/// How much of a bad message a status or an error quotes.
const QUOTED: usize = 80;

/// Sends text messages on a [`WebSocketSource`]'s connection (`publish`).
/// Messages sent while it reconnects go out once it is back.
#[derive(Clone, Debug)]
pub struct Publisher(mpsc::UnboundedSender<String>);

impl Publisher {
    /// Queues `text`; false once the source has ended (the run is ending,
    /// and the source's own status or error says why).
    pub fn send(&self, text: String) -> bool {
        self.0.send(text).is_ok()
    }
}

/// A live source of the messages of one WebSocket (see the module).
pub struct WebSocketSource<V: EventValue + ?Sized, C: Codec<V>> {
    runtime: tokio::runtime::Runtime,
    link: Link<C>,
    _value: PhantomData<fn() -> Box<V>>,
}

/// The connection's state: everything but the runtime that drives it.
struct Link<C> {
    options: WebSocketOptions,
    dialer: Dialer,
    codec: C,
    symbols: Vec<String>,
    stop: StopSignal,
    stopped: Arc<Notify>,
    status: StatusReporter,
    outgoing: Option<mpsc::UnboundedReceiver<String>>,
    connection: Option<Connection>,
    /// Failed attempts to connect in a row.
    failed: u32,
    /// Whether the next attempt waits first (after a loss or a failure).
    wait_first: bool,
    /// A read that came in while handing out the last batch.
    ready: Option<Read>,
    messages: u64,
}

type Read = Option<Result<Message, tungstenite::Error>>;

struct Connection {
    socket: Socket,
    last_heard: Instant,
    ping_sent: Option<Instant>,
}

/// What woke the connection up.
enum Woken {
    Stopped,
    Read(Read),
    Outgoing(Option<String>),
    Deadline,
}

impl<V: EventValue + ?Sized, C: Codec<V>> WebSocketSource<V, C> {
    /// A source of `options.url` for the run of `context`, decoding with
    /// `codec`, and the publisher of its connection. Nothing connects until
    /// the feed reads; a bad URL, header or CA file is a `ValueError` now.
    pub fn new(
        options: WebSocketOptions,
        codec: C,
        context: &SourceContext,
    ) -> Result<(Self, Publisher), EventsError> {
        let dialer = Dialer::new(&options).map_err(EventsError::bad_data)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| EventsError::failed(format!("{}: no tokio runtime: {e}", options.url)))?;
        let stopped = Arc::new(Notify::new());
        let wake = Arc::clone(&stopped);
        context.stop.on_stop(move || wake.notify_one());
        let (publish, outgoing) = mpsc::unbounded_channel();
        let link = Link {
            options,
            dialer,
            codec,
            symbols: context.symbols.clone(),
            stop: context.stop.clone(),
            stopped,
            status: context.status.clone(),
            outgoing: Some(outgoing),
            connection: None,
            failed: 0,
            wait_first: false,
            ready: None,
            messages: 0,
        };
        let source = Self {
            runtime,
            link,
            _value: PhantomData,
        };
        Ok((source, Publisher(publish)))
    }
}

impl<V, C> Source<V> for WebSocketSource<V, C>
where
    V: EventValue + ?Sized,
    V::Owned: Send,
    C: Codec<V>,
{
    fn next_batch(&mut self, batch: &mut Vec<Event<V::Owned>>) -> Result<bool, EventsError> {
        let each = &mut |event: LentEvent<'_, V>| batch.push(event.into_owned());
        self.next_batch_lent(&mut Vec::new(), each)
    }

    fn next_batch_lent(
        &mut self,
        _scratch: &mut Vec<Event<V::Owned>>,
        each: &mut EachEvent<'_, V>,
    ) -> Result<bool, EventsError> {
        let Self { runtime, link, .. } = self;
        runtime.block_on(link.next_batch(each))
    }

    /// A message that arrived while the last one was handed out.
    fn next_batch_ready(&self) -> bool {
        self.link.ready.is_some()
    }

    fn is_live(&self) -> bool {
        true
    }
}

impl<C> Link<C> {
    /// Reads until a message hands out events (`Ok(true)`), the run stops
    /// (`Ok(false)`) or the source gives up. After a read ahead it never
    /// waits: it may then hand out nothing.
    async fn next_batch<V>(&mut self, each: &mut EachEvent<'_, V>) -> Result<bool, EventsError>
    where
        V: EventValue + ?Sized,
        C: Codec<V>,
    {
        loop {
            if self.stop.is_stopped() {
                return Ok(false);
            }
            if let Some(read) = self.ready.take() {
                // The feed was told a batch is ready: it holds the batches
                // before unsent, so this call must not wait.
                let handed = self.on_read(read, each)?;
                self.read_ahead();
                if handed || self.ready.is_none() {
                    return Ok(true);
                }
                continue;
            }
            if self.connection.is_none() {
                if !self.connect().await? {
                    return Ok(false);
                }
                continue;
            }
            match self.wait().await {
                Woken::Stopped => return Ok(false),
                Woken::Read(read) => {
                    if self.on_read(read, each)? {
                        self.read_ahead();
                        return Ok(true);
                    }
                }
                Woken::Outgoing(Some(text)) => self.send(Message::text(text)).await,
                Woken::Outgoing(None) => self.outgoing = None,
                Woken::Deadline => self.on_deadline().await,
            }
        }
    }

    /// Waits for the stop signal, a message, a value to publish or the
    /// ping deadline, whichever comes first.
    async fn wait(&mut self) -> Woken {
        let Some(connection) = self.connection.as_mut() else {
            return Woken::Deadline;
        };
        let deadline = match connection.ping_sent {
            None => connection.last_heard + self.options.ping_interval,
            Some(sent) => sent + self.options.pong_timeout,
        };
        let outgoing = async {
            match self.outgoing.as_mut() {
                Some(outgoing) => outgoing.recv().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            () = self.stopped.notified() => Woken::Stopped,
            read = connection.socket.next() => Woken::Read(read),
            text = outgoing => Woken::Outgoing(text),
            () = sleep_until(deadline) => Woken::Deadline,
        }
    }

    /// Keeps a message that is already there for the next call, so that the
    /// feed sends this batch together with the next one.
    fn read_ahead(&mut self) {
        if let Some(connection) = self.connection.as_mut()
            && let Some(read) = connection.socket.next().now_or_never()
        {
            self.ready = Some(read);
        }
    }

    /// Handles one read; true when it handed out events.
    fn on_read<V>(&mut self, read: Read, each: &mut EachEvent<'_, V>) -> Result<bool, EventsError>
    where
        V: EventValue + ?Sized,
        C: Codec<V>,
    {
        if let Some(connection) = self.connection.as_mut() {
            connection.last_heard = Instant::now();
            connection.ping_sent = None;
        }
        match read {
            Some(Ok(Message::Text(text))) => self.decode(text.as_str(), each),
            Some(Ok(Message::Binary(bytes))) => match std::str::from_utf8(&bytes) {
                Ok(text) => self.decode(text, each),
                Err(_) => {
                    self.messages += 1;
                    let quoted =
                        String::from_utf8_lossy(&bytes[..bytes.len().min(QUOTED)]).into_owned();
                    self.bad_message("a binary message that is not UTF-8 text", &quoted)?;
                    Ok(false)
                }
            },
            Some(Ok(Message::Close(frame))) => {
                let why = frame.map_or_else(String::new, |f| format!(" ({} {})", f.code, f.reason));
                self.lost(&format!("the server closed the connection{why}"));
                Ok(false)
            }
            Some(Ok(_)) => Ok(false),
            Some(Err(tungstenite::Error::Capacity(error))) => {
                self.messages += 1;
                let what = format!(
                    "{error} (max_message_size is {})",
                    self.options.max_message_size
                );
                self.bad_message(&what, "")?;
                self.lost("reset after a message too large");
                Ok(false)
            }
            Some(Err(tungstenite::Error::Utf8(error))) => {
                self.messages += 1;
                self.bad_message(&format!("a text message that is not UTF-8: {error}"), "")?;
                self.lost("reset after a text message that is not UTF-8");
                Ok(false)
            }
            Some(Err(error)) => {
                self.lost(&error.to_string());
                Ok(false)
            }
            None => {
                self.lost("the connection ended");
                Ok(false)
            }
        }
    }

    fn decode<V>(&mut self, text: &str, each: &mut EachEvent<'_, V>) -> Result<bool, EventsError>
    where
        V: EventValue + ?Sized,
        C: Codec<V>,
    {
        self.messages += 1;
        let mut handed = false;
        let decoded = self.codec.decode(text, DateTime::now(), &mut |event| {
            handed = true;
            each(event);
        });
        match decoded {
            Ok(()) => Ok(handed),
            Err(reason) => self.bad_message(&reason, text).map(|()| false),
        }
    }

    /// Reports a message that did not decode, or fails the run with it.
    fn bad_message(&self, reason: &str, text: &str) -> Result<(), EventsError> {
        let url = &self.options.url;
        let mut what = format!("{url}: message {} does not decode: {reason}", self.messages);
        if !text.is_empty() {
            what = format!("{what}: {}", excerpt(text, QUOTED));
        }
        match self.options.bad_messages {
            BadMessages::Skip => {
                self.status.bad_message(what);
                Ok(())
            }
            BadMessages::Raise => Err(EventsError::bad_data(what)),
        }
    }

    async fn send(&mut self, message: Message) {
        let Some(connection) = self.connection.as_mut() else {
            return;
        };
        if let Err(error) = connection.socket.send(message).await {
            self.lost(&format!("a send failed: {error}"));
        }
    }

    /// Pings a silent connection; drops one that did not answer.
    async fn on_deadline(&mut self) {
        let Some(connection) = self.connection.as_mut() else {
            return;
        };
        if connection.ping_sent.is_some() {
            let waited = self.options.pong_timeout;
            self.lost(&format!("no answer to a ping within {waited:?}"));
            return;
        }
        connection.ping_sent = Some(Instant::now());
        self.send(Message::Ping(Vec::new().into())).await;
    }

    fn lost(&mut self, why: &str) {
        self.connection = None;
        self.ready = None;
        self.wait_first = true;
        self.status
            .disconnected(format!("{}: {why}", self.options.url));
    }

    /// Connects and subscribes, waiting and retrying as the options say:
    /// `Ok(false)` when the run stopped first, an error of kind
    /// `Connection` once it gave up.
    async fn connect<V>(&mut self) -> Result<bool, EventsError>
    where
        V: EventValue + ?Sized,
        C: Codec<V>,
    {
        let url = self.options.url.clone();
        loop {
            if self.wait_first {
                let wait = self.options.reconnect_wait(self.failed);
                let attempt = self.failed + 1;
                self.status.reconnecting(format!(
                    "{url}: reconnecting in {wait:?} (attempt {attempt})"
                ));
                if self.pause(wait).await {
                    return Ok(false);
                }
            }
            let attempt = timeout(self.options.connect_timeout, self.dialer.dial());
            let dialed = tokio::select! {
                biased;
                () = self.stopped.notified() => return Ok(false),
                dialed = attempt => dialed,
            };
            let why = match dialed {
                Ok(Ok(socket)) => match self.subscribe::<V>(socket).await {
                    Ok(()) => return Ok(true),
                    Err(why) => why,
                },
                Ok(Err(why)) => why,
                Err(_) => format!("no connection within {:?}", self.options.connect_timeout),
            };
            self.failed += 1;
            self.wait_first = true;
            let failed = self.failed;
            if self
                .options
                .max_attempts
                .is_some_and(|limit| failed >= limit)
            {
                // One status, not two: csp ticks a status adapter once per
                // cycle, and the failure ends the run at the next.
                let gave_up =
                    format!("{url}: gave up after {failed} failed attempts in a row: {why}");
                self.status.gave_up(gave_up);
                return Err(EventsError::connection(format!(
                    "{url}: could not connect ({failed} attempts in a row; the last: {why})"
                )));
            }
            self.status.disconnected(format!("{url}: {why}"));
        }
    }

    /// Sends the subscriptions on a new connection and keeps it.
    async fn subscribe<V>(&mut self, mut socket: Socket) -> Result<(), String>
    where
        V: EventValue + ?Sized,
        C: Codec<V>,
    {
        for text in Codec::<V>::subscribe(&self.codec, &self.symbols) {
            socket
                .feed(Message::text(text))
                .await
                .map_err(|e| format!("sending the subscriptions failed: {e}"))?;
        }
        socket
            .flush()
            .await
            .map_err(|e| format!("sending the subscriptions failed: {e}"))?;
        self.failed = 0;
        self.wait_first = false;
        let count = self.symbols.len();
        (self.status).connected(format!(
            "{}: connected, subscribed to {count} symbols",
            self.options.url
        ));
        self.connection = Some(Connection {
            socket,
            last_heard: Instant::now(),
            ping_sent: None,
        });
        Ok(())
    }

    /// Sleeps `wait`; true when the run stopped meanwhile.
    async fn pause(&self, wait: Duration) -> bool {
        tokio::select! {
            biased;
            () = self.stopped.notified() => true,
            () = sleep(wait) => false,
        }
    }
}
