//! What the tests share: a small strict JSON parser (the binding has no
//! dependencies, serde included) and scratch files.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use trajplot::{Error, ErrorKind};

#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// Parses a whole document; panics with the position of any error, so a
    /// test fails on invalid JSON.
    pub fn parse(text: &str) -> Json {
        Json::try_parse(text).unwrap_or_else(|error| panic!("{}\nin: {}", error, text))
    }

    pub fn try_parse(text: &str) -> Result<Json, String> {
        let mut parser = Parser {
            bytes: text.as_bytes(),
            position: 0,
        };
        let value = parser.value()?;
        parser.whitespace();
        if parser.position != text.len() {
            return parser.fail("trailing text");
        }
        Ok(value)
    }

    /// The member `key` of an object; None when absent.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members
                .iter()
                .find(|(name, _)| name == key)
                .map(|(_, value)| value),
            _ => panic!("{:?} is not an object (looking up {:?})", self, key),
        }
    }

    /// Follows a path of object keys and array indices, "data.0.z".
    pub fn at(&self, path: &str) -> &Json {
        let mut value = self;
        for step in path.split('.') {
            value = match (value, step.parse::<usize>()) {
                (Json::Array(items), Ok(index)) => items.get(index).unwrap_or_else(|| {
                    panic!("{} has no index {} (path {})", short(value), index, path)
                }),
                _ => value.get(step).unwrap_or_else(|| {
                    panic!("{} has no {:?} (path {})", short(value), step, path)
                }),
            };
        }
        value
    }

    pub fn has(&self, path: &str) -> bool {
        let (parent, last) = match path.rfind('.') {
            Some(dot) => (self.at(&path[..dot]), &path[dot + 1..]),
            None => (self, path),
        };
        parent.get(last).is_some()
    }

    pub fn str(&self) -> &str {
        match self {
            Json::String(text) => text,
            _ => panic!("{} is not a string", short(self)),
        }
    }

    pub fn number(&self) -> f64 {
        match self {
            Json::Number(number) => *number,
            _ => panic!("{} is not a number", short(self)),
        }
    }

    pub fn array(&self) -> &[Json] {
        match self {
            Json::Array(items) => items,
            _ => panic!("{} is not an array", short(self)),
        }
    }

    pub fn strings(&self) -> Vec<String> {
        self.array()
            .iter()
            .map(|item| item.str().to_string())
            .collect()
    }

    /// A matrix of numbers, null as NaN, as float32 (the library writes the
    /// shortest text that reads back as the same float32).
    pub fn matrix(&self) -> Vec<Vec<f32>> {
        self.array()
            .iter()
            .map(|row| {
                row.array()
                    .iter()
                    .map(|cell| match cell {
                        Json::Null => f32::NAN,
                        other => other.number() as f32,
                    })
                    .collect()
            })
            .collect()
    }
}

fn short(value: &Json) -> String {
    let text = format!("{:?}", value);
    if text.len() > 80 {
        format!(
            "{}...",
            &text[..text.char_indices().take(80).last().map_or(0, |(i, _)| i)]
        )
    } else {
        text
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Parser<'a> {
    fn fail<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("invalid JSON at byte {}: {}", self.position, what))
    }

    fn whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.position) {
            self.position += 1;
        }
    }

    fn literal(&mut self, word: &str, value: Json) -> Result<Json, String> {
        if self.bytes[self.position..].starts_with(word.as_bytes()) {
            self.position += word.len();
            Ok(value)
        } else {
            self.fail("unknown literal")
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        self.whitespace();
        match self.bytes.get(self.position) {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => Ok(Json::String(self.string()?)),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => self.fail("expected a value"),
        }
    }

    fn object(&mut self) -> Result<Json, String> {
        self.position += 1;
        let mut members = Vec::new();
        self.whitespace();
        if self.bytes.get(self.position) == Some(&b'}') {
            self.position += 1;
            return Ok(Json::Object(members));
        }
        loop {
            self.whitespace();
            if self.bytes.get(self.position) != Some(&b'"') {
                return self.fail("expected a key");
            }
            let key = self.string()?;
            self.whitespace();
            if self.bytes.get(self.position) != Some(&b':') {
                return self.fail("expected ':'");
            }
            self.position += 1;
            let value = self.value()?;
            if members.iter().any(|(name, _)| *name == key) {
                return self.fail("duplicate key");
            }
            members.push((key, value));
            self.whitespace();
            match self.bytes.get(self.position) {
                Some(b',') => self.position += 1,
                Some(b'}') => {
                    self.position += 1;
                    return Ok(Json::Object(members));
                }
                _ => return self.fail("expected ',' or '}'"),
            }
        }
    }

    fn array(&mut self) -> Result<Json, String> {
        self.position += 1;
        let mut items = Vec::new();
        self.whitespace();
        if self.bytes.get(self.position) == Some(&b']') {
            self.position += 1;
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.whitespace();
            match self.bytes.get(self.position) {
                Some(b',') => self.position += 1,
                Some(b']') => {
                    self.position += 1;
                    return Ok(Json::Array(items));
                }
                _ => return self.fail("expected ',' or ']'"),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .bytes
            .get(self.position..self.position + 4)
            .ok_or("truncated \\u escape")?;
        let text = std::str::from_utf8(digits).map_err(|_| "bad \\u escape".to_string())?;
        let code = u32::from_str_radix(text, 16)
            .map_err(|_| format!("bad \\u escape at byte {}", self.position))?;
        self.position += 4;
        Ok(code)
    }

    fn string(&mut self) -> Result<String, String> {
        self.position += 1;
        let mut text = String::new();
        loop {
            let start = self.position;
            while let Some(&byte) = self.bytes.get(self.position) {
                if byte == b'"' || byte == b'\\' || byte < 0x20 {
                    break;
                }
                self.position += 1;
            }
            text.push_str(
                std::str::from_utf8(&self.bytes[start..self.position])
                    .map_err(|e| e.to_string())?,
            );
            match self.bytes.get(self.position) {
                Some(b'"') => {
                    self.position += 1;
                    return Ok(text);
                }
                Some(b'\\') => {
                    self.position += 1;
                    let escape = *self.bytes.get(self.position).ok_or("truncated escape")?;
                    self.position += 1;
                    match escape {
                        b'"' => text.push('"'),
                        b'\\' => text.push('\\'),
                        b'/' => text.push('/'),
                        b'b' => text.push('\u{8}'),
                        b'f' => text.push('\u{c}'),
                        b'n' => text.push('\n'),
                        b'r' => text.push('\r'),
                        b't' => text.push('\t'),
                        b'u' => {
                            let mut code = self.hex4()?;
                            if (0xD800..0xDC00).contains(&code)
                                && self.bytes[self.position..].starts_with(b"\\u")
                            {
                                self.position += 2;
                                let low = self.hex4()?;
                                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                            }
                            text.push(char::from_u32(code).ok_or("lone surrogate")?);
                        }
                        _ => return self.fail("unknown escape"),
                    }
                }
                _ => return self.fail("unterminated string or control character"),
            }
        }
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.position;
        while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') =
            self.bytes.get(self.position)
        {
            self.position += 1;
        }
        let text =
            std::str::from_utf8(&self.bytes[start..self.position]).map_err(|e| e.to_string())?;
        match text.parse::<f64>() {
            Ok(number) if number.is_finite() => Ok(Json::Number(number)),
            _ => {
                self.position = start;
                self.fail("bad number")
            }
        }
    }
}

/// A fresh path in the test target's scratch directory (nothing is created).
pub fn scratch_path(name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("trajplot-tests");
    std::fs::create_dir_all(&dir).expect("cannot create the scratch directory");
    let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!("{}-{}-{}", std::process::id(), unique, name))
}

/// Asserts that `result` failed with `kind` and a message holding every one
/// of `parts`.
pub fn assert_fails<T: std::fmt::Debug>(
    result: Result<T, Error>,
    kind: ErrorKind,
    parts: &[&str],
) -> Error {
    let error = match result {
        Ok(value) => panic!("expected a {:?} error, got Ok({:?})", kind, value),
        Err(error) => error,
    };
    assert_eq!(error.kind(), kind, "wrong kind for: {}", error);
    for part in parts {
        assert!(
            error.message().contains(part),
            "{:?} is not in the message: {}",
            part,
            error
        );
    }
    assert_eq!(error.to_string(), error.message());
    error
}
