use std::ffi::CStr;
use std::fmt;
use std::io;
use std::sync::Arc;

use trajplot_sys as sys;

/// What kind of failure an [`Error`] is; the library's status codes, plus
/// the binding's own ABI check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An argument is wrong: a shape, a length, a value, a name
    /// (`TRAJPLOT_EINVAL`).
    InvalidArgument,
    /// Out of memory (`TRAJPLOT_ENOMEM`).
    OutOfMemory,
    /// A size overflows or exceeds a limit (`TRAJPLOT_ERANGE`).
    OutOfRange,
    /// A file could not be read or written, or a writer failed
    /// (`TRAJPLOT_EIO`).
    Io,
    /// The loaded libtrajplot has another ABI version than this binding.
    AbiMismatch,
    /// Any other failure (`TRAJPLOT_ERROR`, or a status this binding does
    /// not know).
    Other,
}

impl ErrorKind {
    fn of_status(status: sys::trajplot_status) -> ErrorKind {
        match status {
            sys::TRAJPLOT_EINVAL => ErrorKind::InvalidArgument,
            sys::TRAJPLOT_ENOMEM => ErrorKind::OutOfMemory,
            sys::TRAJPLOT_ERANGE => ErrorKind::OutOfRange,
            sys::TRAJPLOT_EIO => ErrorKind::Io,
            _ => ErrorKind::Other,
        }
    }
}

/// A failed call: its kind and the library's message, which names the C
/// function and says what was wrong ("trajplot_statistic_stride: ...").
/// Checks made by the binding itself name the Rust method instead. When a
/// writer given to [`Figure::write_to`](crate::Figure::write_to) failed,
/// the error is of kind [`ErrorKind::Io`] and carries the writer's
/// [`io::Error`] ([`io_error`](Error::io_error), and as its
/// [`source`](std::error::Error::source)).
#[derive(Clone, Debug)]
pub struct Error {
    kind: ErrorKind,
    status: sys::trajplot_status,
    message: String,
    // Shared so that the error stays Clone.
    io_error: Option<Arc<io::Error>>,
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The C status code (`TRAJPLOT_EINVAL`, ...), never `TRAJPLOT_OK`.
    pub fn status(&self) -> i32 {
        self.status
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The error of the writer that stopped an export, when that is what
    /// failed.
    pub fn io_error(&self) -> Option<&io::Error> {
        self.io_error.as_deref()
    }

    /// The error of the call that just failed with `status` on this thread.
    /// The library keeps the message per thread until the next call, so this
    /// must run right after the failed call, before any other trajplot call.
    pub(crate) fn last(status: sys::trajplot_status) -> Error {
        // SAFETY: the message is never NULL and stays valid until the next
        // trajplot call on this thread; it is copied before that call.
        let message = unsafe {
            let text = sys::trajplot_error_last();
            let message = if text.is_null() {
                String::new()
            } else {
                CStr::from_ptr(text).to_string_lossy().into_owned()
            };
            sys::trajplot_error_clear();
            message
        };
        let status = if status == sys::TRAJPLOT_OK {
            sys::TRAJPLOT_ERROR
        } else {
            status
        };
        Error::new(ErrorKind::of_status(status), status, message)
    }

    fn new(kind: ErrorKind, status: sys::trajplot_status, message: String) -> Error {
        Error {
            kind,
            status,
            message,
            io_error: None,
        }
    }

    /// A writer's error, which stopped an export in `function`.
    pub(crate) fn writer(function: &str, error: io::Error) -> Error {
        Error {
            kind: ErrorKind::Io,
            status: sys::TRAJPLOT_EIO,
            message: format!("{}: the writer failed: {}", function, error),
            io_error: Some(Arc::new(error)),
        }
    }

    pub(crate) fn invalid_argument(message: String) -> Error {
        Error::new(ErrorKind::InvalidArgument, sys::TRAJPLOT_EINVAL, message)
    }

    pub(crate) fn out_of_range(message: String) -> Error {
        Error::new(ErrorKind::OutOfRange, sys::TRAJPLOT_ERANGE, message)
    }

    pub(crate) fn other(message: String) -> Error {
        Error::new(ErrorKind::Other, sys::TRAJPLOT_ERROR, message)
    }

    pub(crate) fn abi_mismatch(message: String) -> Error {
        Error::new(ErrorKind::AbiMismatch, sys::TRAJPLOT_ERROR, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.message)
    }
}

/// Errors are equal when their kind, status and message are (and, for a
/// writer's error, its [`io::ErrorKind`]).
impl PartialEq for Error {
    fn eq(&self, other: &Error) -> bool {
        self.kind == other.kind
            && self.status == other.status
            && self.message == other.message
            && self.io_error.as_ref().map(|error| error.kind())
                == other.io_error.as_ref().map(|error| error.kind())
    }
}

impl Eq for Error {}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.io_error {
            Some(error) => Some(error.as_ref()),
            None => None,
        }
    }
}

/// `Result<T, trajplot::Error>`.
pub type Result<T> = std::result::Result<T, Error>;
