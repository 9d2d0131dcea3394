//! The C API as `scripts/describe_capi.py` describes `capi/trajplot.h`: the
//! JSON file CMake generates into the build tree, whose path CTest passes in
//! `TRAJPLOT_CAPI_DESCRIPTION`. Without it (`cargo test` by hand) the header
//! (`$TRAJPLOT_INCLUDE_DIR/trajplot.h`, else the source tree's) is described
//! on the spot by running the script with `python3` (`$TRAJPLOT_PYTHON`).
//!
//! The crates depend on nothing from crates.io, so the JSON is read by the
//! small parser below.

#![allow(dead_code)]

use std::env;
use std::path::PathBuf;
use std::process::Command;

// ---------------------------------------------------------------------------
// JSON

#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// The number as written, so that integers stay exact.
    Number(String),
    String(String),
    Array(Vec<Json>),
    /// Members in their order.
    Object(Vec<(String, Json)>),
}

impl Json {
    pub fn parse(text: &str) -> Result<Json, String> {
        let mut parser = Parser {
            chars: text.chars().collect(),
            at: 0,
        };
        let value = parser.value()?;
        parser.space();
        if parser.at != parser.chars.len() {
            return Err(parser.error("text after the JSON value"));
        }
        Ok(value)
    }

    pub fn get(&self, key: &str) -> &Json {
        match self {
            Json::Object(members) => members
                .iter()
                .find(|(name, _)| name == key)
                .map(|(_, value)| value)
                .unwrap_or_else(|| {
                    panic!("the description has no \"{}\" in {}", key, self.brief())
                }),
            _ => panic!(
                "the description has {} where an object with \"{}\" belongs",
                self.brief(),
                key
            ),
        }
    }

    pub fn array(&self) -> &[Json] {
        match self {
            Json::Array(items) => items,
            _ => panic!(
                "the description has {} where an array belongs",
                self.brief()
            ),
        }
    }

    pub fn str(&self) -> &str {
        match self {
            Json::String(text) => text,
            _ => panic!(
                "the description has {} where a string belongs",
                self.brief()
            ),
        }
    }

    pub fn int(&self) -> i64 {
        match self {
            Json::Number(text) => text.parse().unwrap_or_else(|_| {
                panic!("the description has {} where an integer belongs", text)
            }),
            _ => panic!(
                "the description has {} where an integer belongs",
                self.brief()
            ),
        }
    }

    fn brief(&self) -> String {
        let text = format!("{:?}", self);
        if text.len() > 60 {
            format!("{}...", &text[..60])
        } else {
            text
        }
    }
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    fn error(&self, what: &str) -> String {
        format!("invalid JSON at character {}: {}", self.at, what)
    }

    fn space(&mut self) {
        while self.at < self.chars.len() && self.chars[self.at].is_whitespace() {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        self.space();
        if self.peek() == Some(c) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected '{}'", c)))
        }
    }

    fn literal(&mut self, word: &str, value: Json) -> Result<Json, String> {
        let end = self.at + word.chars().count();
        if end <= self.chars.len() && self.chars[self.at..end].iter().collect::<String>() == word {
            self.at = end;
            Ok(value)
        } else {
            Err(self.error("unknown literal"))
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        self.space();
        match self.peek() {
            None => Err(self.error("unexpected end")),
            Some('{') => {
                self.at += 1;
                let mut members = Vec::new();
                self.space();
                if self.peek() == Some('}') {
                    self.at += 1;
                    return Ok(Json::Object(members));
                }
                loop {
                    self.space();
                    let key = self.string()?;
                    self.expect(':')?;
                    let value = self.value()?;
                    members.push((key, value));
                    self.space();
                    match self.peek() {
                        Some(',') => self.at += 1,
                        Some('}') => {
                            self.at += 1;
                            return Ok(Json::Object(members));
                        }
                        _ => return Err(self.error("expected ',' or '}'")),
                    }
                }
            }
            Some('[') => {
                self.at += 1;
                let mut items = Vec::new();
                self.space();
                if self.peek() == Some(']') {
                    self.at += 1;
                    return Ok(Json::Array(items));
                }
                loop {
                    items.push(self.value()?);
                    self.space();
                    match self.peek() {
                        Some(',') => self.at += 1,
                        Some(']') => {
                            self.at += 1;
                            return Ok(Json::Array(items));
                        }
                        _ => return Err(self.error("expected ',' or ']'")),
                    }
                }
            }
            Some('"') => Ok(Json::String(self.string()?)),
            Some('t') => self.literal("true", Json::Bool(true)),
            Some('f') => self.literal("false", Json::Bool(false)),
            Some('n') => self.literal("null", Json::Null),
            Some(c) if c == '-' || c.is_ascii_digit() => {
                let start = self.at;
                while self
                    .peek()
                    .map_or(false, |c| c.is_ascii_digit() || "+-.eE".contains(c))
                {
                    self.at += 1;
                }
                Ok(Json::Number(self.chars[start..self.at].iter().collect()))
            }
            Some(_) => Err(self.error("unexpected character")),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        if self.peek() != Some('"') {
            return Err(self.error("expected a string"));
        }
        self.at += 1;
        let mut out = String::new();
        loop {
            let c = self
                .peek()
                .ok_or_else(|| self.error("unterminated string"))?;
            self.at += 1;
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let escape = self
                        .peek()
                        .ok_or_else(|| self.error("unterminated escape"))?;
                    self.at += 1;
                    match escape {
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        '/' => out.push('/'),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        'u' => {
                            let mut code = self.hex4()?;
                            if (0xD800..0xDC00).contains(&code) {
                                self.expect('\\')?;
                                self.expect('u')?;
                                let low = self.hex4()?;
                                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                            }
                            out.push(
                                char::from_u32(code).ok_or_else(|| self.error("bad \\u escape"))?,
                            );
                        }
                        _ => return Err(self.error("unknown escape")),
                    }
                }
                c => out.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        if self.at + 4 > self.chars.len() {
            return Err(self.error("short \\u escape"));
        }
        let digits: String = self.chars[self.at..self.at + 4].iter().collect();
        self.at += 4;
        u32::from_str_radix(&digits, 16).map_err(|_| self.error("bad \\u escape"))
    }
}

// ---------------------------------------------------------------------------
// The description

/// A #define NAME <value>.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Integer(i64),
    Float(f64),
    Text(String),
}

#[derive(Clone, Debug)]
pub struct Constant {
    pub name: String,
    pub value: Value,
    pub line: i64,
}

#[derive(Clone, Debug)]
pub struct Initializer {
    pub name: String,
    /// As written in the header: "NULL", "0.0f", "TRAJPLOT_X_VERSION", ...
    pub values: Vec<String>,
    pub line: i64,
}

/// A name and a C type: a parameter or a field.
pub type Typed = (String, String);

#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    pub return_type: String,
    pub parameters: Vec<Typed>,
    pub line: i64,
}

#[derive(Clone, Debug)]
pub struct Struct {
    pub name: String,
    pub fields: Vec<Typed>,
    pub line: i64,
}

#[derive(Clone, Debug)]
pub struct Enum {
    pub name: String,
    pub members: Vec<(String, i64)>,
    pub line: i64,
}

#[derive(Clone, Debug)]
pub struct Alias {
    pub name: String,
    pub c_type: String,
    pub line: i64,
}

#[derive(Clone, Debug)]
pub struct Opaque {
    pub name: String,
    pub line: i64,
}

#[derive(Clone, Debug)]
pub struct Description {
    pub header: String,
    pub constants: Vec<Constant>,
    pub initializers: Vec<Initializer>,
    pub opaque_types: Vec<Opaque>,
    pub aliases: Vec<Alias>,
    /// Function pointer typedefs, as functions.
    pub function_pointers: Vec<Function>,
    pub enums: Vec<Enum>,
    pub structs: Vec<Struct>,
    pub functions: Vec<Function>,
}

fn typed_list(json: &Json) -> Vec<Typed> {
    json.array()
        .iter()
        .map(|pair| {
            let pair = pair.array();
            assert_eq!(
                pair.len(),
                2,
                "a [name, type] pair of the description has {} items",
                pair.len()
            );
            (pair[0].str().to_string(), pair[1].str().to_string())
        })
        .collect()
}

fn function(json: &Json) -> Function {
    Function {
        name: json.get("name").str().to_string(),
        return_type: json.get("return_type").str().to_string(),
        parameters: typed_list(json.get("parameters")),
        line: json.get("line").int(),
    }
}

impl Description {
    pub fn from_json(json: &Json) -> Description {
        assert_eq!(
            json.get("format").int(),
            1,
            "the description's format is not the one describe_capi.py writes"
        );
        Description {
            header: json.get("header").str().to_string(),
            constants: json
                .get("constants")
                .array()
                .iter()
                .map(|item| Constant {
                    name: item.get("name").str().to_string(),
                    value: match item.get("value") {
                        Json::Number(text) => match text.parse::<i64>() {
                            Ok(value) => Value::Integer(value),
                            Err(_) => Value::Float(text.parse().unwrap_or_else(|_| {
                                panic!("the value {} of a constant is no number", text)
                            })),
                        },
                        Json::String(text) => Value::Text(text.clone()),
                        other => panic!("a constant's value is {:?}", other),
                    },
                    line: item.get("line").int(),
                })
                .collect(),
            initializers: json
                .get("initializers")
                .array()
                .iter()
                .map(|item| Initializer {
                    name: item.get("name").str().to_string(),
                    values: item
                        .get("values")
                        .array()
                        .iter()
                        .map(|value| value.str().to_string())
                        .collect(),
                    line: item.get("line").int(),
                })
                .collect(),
            opaque_types: json
                .get("opaque_types")
                .array()
                .iter()
                .map(|item| Opaque {
                    name: item.get("name").str().to_string(),
                    line: item.get("line").int(),
                })
                .collect(),
            aliases: json
                .get("aliases")
                .array()
                .iter()
                .map(|item| Alias {
                    name: item.get("name").str().to_string(),
                    c_type: item.get("type").str().to_string(),
                    line: item.get("line").int(),
                })
                .collect(),
            function_pointers: json
                .get("function_pointers")
                .array()
                .iter()
                .map(function)
                .collect(),
            enums: json
                .get("enums")
                .array()
                .iter()
                .map(|item| Enum {
                    name: item.get("name").str().to_string(),
                    members: item
                        .get("members")
                        .array()
                        .iter()
                        .map(|member| {
                            let member = member.array();
                            (member[0].str().to_string(), member[1].int())
                        })
                        .collect(),
                    line: item.get("line").int(),
                })
                .collect(),
            structs: json
                .get("structs")
                .array()
                .iter()
                .map(|item| Struct {
                    name: item.get("name").str().to_string(),
                    fields: typed_list(item.get("fields")),
                    line: item.get("line").int(),
                })
                .collect(),
            functions: json.get("functions").array().iter().map(function).collect(),
        }
    }

    /// Every integer constant: the #define integers and the enum members.
    pub fn integer_constants(&self) -> Vec<(String, i64, i64)> {
        let mut constants: Vec<(String, i64, i64)> = self
            .constants
            .iter()
            .filter_map(|constant| match constant.value {
                Value::Integer(value) => Some((constant.name.clone(), value, constant.line)),
                _ => None,
            })
            .collect();
        for enumeration in &self.enums {
            for (name, value) in &enumeration.members {
                constants.push((name.clone(), *value, enumeration.line));
            }
        }
        constants
    }
}

pub fn source_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

pub fn include_dir() -> PathBuf {
    match env::var_os("TRAJPLOT_INCLUDE_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => source_dir().join("capi"),
    }
}

/// The description CTest passes, else the header described now.
pub fn description() -> Description {
    let text = match env::var_os("TRAJPLOT_CAPI_DESCRIPTION") {
        Some(path) if !path.is_empty() => {
            let path = PathBuf::from(path);
            std::fs::read_to_string(&path).unwrap_or_else(|error| {
                panic!(
                    "cannot read the description of the C API {} (TRAJPLOT_CAPI_DESCRIPTION): {}; \
                     CMake generates it (cmake --build)",
                    path.display(),
                    error
                )
            })
        }
        _ => {
            let python = env::var("TRAJPLOT_PYTHON").unwrap_or_else(|_| "python3".to_string());
            let script = source_dir().join("scripts/describe_capi.py");
            let header = include_dir().join("trajplot.h");
            let described = Command::new(&python)
                .arg(&script)
                .arg("--header")
                .arg(&header)
                .output()
                .unwrap_or_else(|error| {
                    panic!(
                        "TRAJPLOT_CAPI_DESCRIPTION is not set and {} cannot run {}: {}",
                        python,
                        script.display(),
                        error
                    )
                });
            assert!(
                described.status.success(),
                "{} cannot describe {}:\n{}",
                script.display(),
                header.display(),
                String::from_utf8_lossy(&described.stderr)
            );
            String::from_utf8(described.stdout).expect("the description is not UTF-8")
        }
    };
    let json = Json::parse(&text)
        .unwrap_or_else(|error| panic!("the description of the C API: {}", error));
    Description::from_json(&json)
}

#[test]
fn json_reader_reads_what_describe_capi_writes() {
    let json = Json::parse(
        "{\"a\": [1, -2, 0.5, \"x\\u2026\\\"\", true, null], \"b\": {}, \"c\": [], \"d\": \"\\ud83d\\ude00\"}",
    )
    .unwrap();
    assert_eq!(json.get("a").array().len(), 6);
    assert_eq!(json.get("a").array()[1].int(), -2);
    assert_eq!(json.get("a").array()[2], Json::Number("0.5".to_string()));
    assert_eq!(json.get("a").array()[3].str(), "x\u{2026}\"");
    assert_eq!(json.get("d").str(), "\u{1F600}");
    assert!(Json::parse("[1, 2").is_err());
    assert!(Json::parse("{\"a\": 1} x").is_err());
}
