//! Crossing the C boundary: status checks, the library's strings, and Rust
//! strings laid out for it.

use std::ffi::{CStr, CString};
use std::marker::PhantomData;
use std::os::raw::c_char;
use std::path::Path;

use trajplot_sys as sys;

use crate::error::{Error, Result};

/// Ok for TRAJPLOT_OK, else the error just recorded on this thread.
pub(crate) fn check(status: sys::trajplot_status) -> Result<()> {
    if status == sys::TRAJPLOT_OK {
        Ok(())
    } else {
        Err(Error::last(status))
    }
}

/// For calls that can fail only on a NULL handle or an index out of range,
/// which the safe types rule out: a failure is a bug of this binding, caught
/// by the tests, and the caller falls back to an empty value.
pub(crate) fn expect_ok(status: sys::trajplot_status, function: &str) {
    if status != sys::TRAJPLOT_OK {
        let error = Error::last(status);
        if cfg!(debug_assertions) {
            panic!("{} failed unexpectedly: {}", function, error);
        }
    }
}

/// A string the library allocated; released with trajplot_string_free even
/// if converting it fails.
pub(crate) struct LibraryString {
    pointer: *mut c_char,
    len: usize,
}

impl LibraryString {
    /// SAFETY: `pointer` is NULL or a string the library returned, `len`
    /// bytes long, owned by nobody else.
    pub(crate) unsafe fn new(pointer: *mut c_char, len: usize) -> LibraryString {
        LibraryString { pointer, len }
    }

    pub(crate) fn text(&self) -> String {
        if self.pointer.is_null() {
            return String::new();
        }
        // SAFETY: the library wrote `len` bytes at `pointer` (see new).
        let bytes = unsafe { std::slice::from_raw_parts(self.pointer as *const u8, self.len) };
        utf8(bytes)
    }

    /// The bytes as they are: an image, which may hold any byte.
    pub(crate) fn bytes(&self) -> Vec<u8> {
        if self.pointer.is_null() {
            return Vec::new();
        }
        // SAFETY: the library wrote `len` bytes at `pointer` (see new).
        unsafe { std::slice::from_raw_parts(self.pointer as *const u8, self.len) }.to_vec()
    }
}

impl Drop for LibraryString {
    fn drop(&mut self) {
        // SAFETY: see new; NULL is ignored by the library.
        unsafe { sys::trajplot_string_free(self.pointer) }
    }
}

/// The library's text is valid UTF-8 (invalid input bytes become U+FFFD);
/// the lossy fallback only keeps a broken promise from becoming a panic.
fn utf8(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Copies a borrowed string of `len` bytes.
/// SAFETY: `pointer` is NULL or points at `len` readable bytes.
pub(crate) unsafe fn borrowed_string(pointer: *const c_char, len: usize) -> String {
    if pointer.is_null() {
        return String::new();
    }
    utf8(std::slice::from_raw_parts(pointer.cast::<u8>(), len))
}

/// Copies a borrowed NUL-terminated string; None for NULL.
/// SAFETY: `pointer` is NULL or a valid NUL-terminated string.
pub(crate) unsafe fn borrowed_c_string(pointer: *const c_char) -> Option<String> {
    if pointer.is_null() {
        None
    } else {
        Some(utf8(CStr::from_ptr(pointer).to_bytes()))
    }
}

/// `value` as a C string; the C API takes some strings (names, titles,
/// options, paths) NUL-terminated, so they cannot hold NUL bytes.
pub(crate) fn c_string(value: &str, what: &str) -> Result<CString> {
    CString::new(value).map_err(|error| {
        Error::invalid_argument(format!(
            "{} contains a NUL byte at byte {}, which the C API cannot pass",
            what,
            error.nul_position()
        ))
    })
}

#[cfg(unix)]
pub(crate) fn c_path(path: &Path, what: &str) -> Result<CString> {
    use std::os::unix::ffi::OsStrExt;
    CString::new(path.as_os_str().as_bytes()).map_err(|error| {
        Error::invalid_argument(format!(
            "{} {:?} contains a NUL byte at byte {}",
            what,
            path,
            error.nul_position()
        ))
    })
}

#[cfg(not(unix))]
pub(crate) fn c_path(path: &Path, what: &str) -> Result<CString> {
    match path.to_str() {
        Some(text) => c_string(text, what),
        None => Err(Error::invalid_argument(format!(
            "{} {:?} is not valid Unicode",
            what, path
        ))),
    }
}

/// Strings laid out as the C API's `const char *const *` plus byte lengths,
/// borrowing the Rust strings (so they may hold NUL bytes).
pub(crate) struct StringArray<'a> {
    pointers: Vec<*const c_char>,
    lengths: Vec<usize>,
    _strings: PhantomData<&'a str>,
}

impl<'a> StringArray<'a> {
    pub(crate) fn new<S: AsRef<str>>(strings: &'a [S]) -> StringArray<'a> {
        StringArray {
            pointers: strings
                .iter()
                .map(|s| s.as_ref().as_ptr().cast::<c_char>())
                .collect(),
            lengths: strings.iter().map(|s| s.as_ref().len()).collect(),
            _strings: PhantomData,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.pointers.len()
    }

    pub(crate) fn pointers(&self) -> *const *const c_char {
        self.pointers.as_ptr()
    }

    pub(crate) fn lengths(&self) -> *const usize {
        self.lengths.as_ptr()
    }
}

/// The product of the dimensions, or an OutOfRange error naming them.
pub(crate) fn element_count(function: &str, dimensions: &[(&str, usize)]) -> Result<usize> {
    dimensions
        .iter()
        .try_fold(1usize, |count, (_, size)| count.checked_mul(*size))
        .ok_or_else(|| {
            Error::out_of_range(format!("{}: {} overflows", function, describe(dimensions)))
        })
}

/// "n_layers x seq_len (2 x 3)".
pub(crate) fn describe(dimensions: &[(&str, usize)]) -> String {
    let names: Vec<&str> = dimensions.iter().map(|(name, _)| *name).collect();
    let sizes: Vec<String> = dimensions
        .iter()
        .map(|(_, size)| size.to_string())
        .collect();
    format!("{} ({})", names.join(" x "), sizes.join(" x "))
}

/// An InvalidArgument error unless `given` strings or values were passed
/// where the dimensions call for `expected`.
pub(crate) fn require_len(
    function: &str,
    what: &str,
    given: usize,
    dimensions: &[(&str, usize)],
) -> Result<()> {
    let expected = element_count(function, dimensions)?;
    if given == expected {
        Ok(())
    } else {
        Err(Error::invalid_argument(format!(
            "{}: {} has {} elements but {} needs {}",
            function,
            what,
            given,
            describe(dimensions),
            expected
        )))
    }
}
