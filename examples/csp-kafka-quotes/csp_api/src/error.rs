//! Errors returned to and from csp.

use std::ffi::CStr;
use std::fmt;

use super::ffi;

/// What kind of failure an [`Error`] is; decides the Python exception type
/// (`TypeError`, `ValueError`, `FileNotFoundError`, `ConnectionError` or
/// `RuntimeError`) that `csp.run` raises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A value of the wrong csp type.
    TypeMismatch,
    /// A bad value or argument.
    Value,
    /// A file that does not exist.
    NotFound,
    /// A peer that cannot be reached or was lost for good.
    Connection,
    /// The adapter was stopped or the engine shut down.
    Stopped,
    /// Anything else.
    Runtime,
}

/// An error from an adapter callback or from a call into csp.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    pub fn runtime(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Runtime, message)
    }

    pub fn value(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Value, message)
    }

    pub fn connection(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Connection, message)
    }

    pub fn type_mismatch(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::TypeMismatch, message)
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The same error with `context: ` in front of its message.
    pub fn context(self, context: impl fmt::Display) -> Self {
        Self {
            kind: self.kind,
            message: format!("{context}: {}", self.message),
        }
    }

    pub(crate) fn code(&self) -> ffi::CCspErrorCode {
        match self.kind {
            ErrorKind::TypeMismatch => ffi::CCSP_ERROR_TYPE_MISMATCH,
            ErrorKind::Value => ffi::CCSP_ERROR_VALUE,
            ErrorKind::NotFound => ffi::CCSP_ERROR_FILE_NOT_FOUND,
            ErrorKind::Connection => ffi::CCSP_ERROR_CONNECTION,
            ErrorKind::Stopped | ErrorKind::Runtime => ffi::CCSP_ERROR_RUNTIME,
        }
    }

    /// Turns a bridge return code into a `Result`, reading the bridge's
    /// last-error message of this thread on failure. Inlined: it runs on
    /// every push and every tick.
    #[inline]
    pub(crate) fn check(code: ffi::CCspErrorCode) -> Result<()> {
        if code == ffi::CCSP_OK {
            Ok(())
        } else {
            Err(Self::from_bridge(code))
        }
    }

    #[cold]
    fn from_bridge(code: ffi::CCspErrorCode) -> Self {
        // SAFETY: the bridge returns a NUL-terminated thread-local string.
        let message = unsafe { CStr::from_ptr(ffi::ccsp_last_error_message()) }
            .to_string_lossy()
            .into_owned();
        // SAFETY: plain call; resets this thread's last error.
        unsafe { ffi::ccsp_clear_last_error() };
        let kind = match code {
            ffi::CCSP_ERROR_TYPE_MISMATCH => ErrorKind::TypeMismatch,
            ffi::CCSP_ERROR_VALUE | ffi::CCSP_ERROR_INVALID_ARGUMENT => ErrorKind::Value,
            ffi::CCSP_ERROR_FILE_NOT_FOUND => ErrorKind::NotFound,
            ffi::CCSP_ERROR_CONNECTION => ErrorKind::Connection,
            _ => ErrorKind::Runtime,
        };
        let message = if message.is_empty() {
            format!("csp bridge error code {code}")
        } else {
            message
        };
        Self::new(kind, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<String> for Error {
    fn from(message: String) -> Self {
        Self::runtime(message)
    }
}

impl From<&str> for Error {
    fn from(message: &str) -> Self {
        Self::runtime(message)
    }
}

impl From<std::io::Error> for Error {
    fn from(error: std::io::Error) -> Self {
        let kind = match error.kind() {
            std::io::ErrorKind::NotFound => ErrorKind::NotFound,
            _ => ErrorKind::Runtime,
        };
        Self::new(kind, error.to_string())
    }
}

impl From<adapter_core::EventsError> for Error {
    /// A missing file is `NotFound`, bad content a `Value` error, a lost
    /// peer a `Connection` error, the rest `Runtime`.
    fn from(error: adapter_core::EventsError) -> Self {
        let kind = match error.kind() {
            adapter_core::EventsErrorKind::NotFound => ErrorKind::NotFound,
            adapter_core::EventsErrorKind::Malformed => ErrorKind::Value,
            adapter_core::EventsErrorKind::Connection => ErrorKind::Connection,
            adapter_core::EventsErrorKind::Io => ErrorKind::Runtime,
        };
        Self::new(kind, error.message())
    }
}
