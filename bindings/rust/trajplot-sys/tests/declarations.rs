//! The declarations of src/lib.rs, read as text, against the C API as
//! scripts/describe_capi.py describes capi/trajplot.h (tests/capi/mod.rs):
//!
//! - every function of the header is declared once in an `extern "C"`
//!   block, with as many parameters, each of a Rust type that passes the C
//!   type (`*const c_char` for `const char *`, `*mut *mut trajplot_labels`
//!   for `trajplot_labels **`, `usize` for `size_t`, ...), and the return
//!   type; nothing else is declared there;
//! - every struct is a `#[repr(C)]` struct with the C struct's fields, in
//!   order, of matching types; every opaque type, enum and function pointer
//!   type has a Rust type of its name (a function pointer type: an
//!   `Option<unsafe extern "C" fn(...)>` of the same parameters);
//! - every integer constant and enum member is a `pub const` of the same
//!   value; other #define constants, when declared, have the header's value;
//! - every `*_INIT` initializer is a `pub const` of its struct whose fields
//!   have the header's values.
//!
//! tests/layout.rs compares the layouts the compiler gives both sides.

mod capi;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use capi::Description;

// ---------------------------------------------------------------------------
// Reading src/lib.rs

#[derive(Clone, Debug, PartialEq)]
enum Kind {
    Ident,
    Literal,
    Punct,
}

#[derive(Clone, Debug)]
struct Token {
    kind: Kind,
    text: String,
    line: usize,
}

fn tokenize(source: &str) -> Vec<Token> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut k = 0;
    let count_lines =
        |from: usize, to: usize| chars[from..to].iter().filter(|c| **c == '\n').count();
    while k < chars.len() {
        let c = chars[k];
        let start = k;
        if c.is_whitespace() {
            if c == '\n' {
                line += 1;
            }
            k += 1;
            continue;
        }
        if c == '/' && chars.get(k + 1) == Some(&'/') {
            while k < chars.len() && chars[k] != '\n' {
                k += 1;
            }
            continue;
        }
        if c == '/' && chars.get(k + 1) == Some(&'*') {
            let mut depth = 0;
            while k < chars.len() {
                if chars[k] == '/' && chars.get(k + 1) == Some(&'*') {
                    depth += 1;
                    k += 2;
                } else if chars[k] == '*' && chars.get(k + 1) == Some(&'/') {
                    depth -= 1;
                    k += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    k += 1;
                }
            }
            line += count_lines(start, k);
            continue;
        }
        if c == '"' || (c == 'b' && chars.get(k + 1) == Some(&'"')) {
            k += if c == 'b' { 2 } else { 1 };
            while k < chars.len() && chars[k] != '"' {
                k += if chars[k] == '\\' { 2 } else { 1 };
            }
            k += 1;
            tokens.push(Token {
                kind: Kind::Literal,
                text: chars[start..k.min(chars.len())].iter().collect(),
                line,
            });
            line += count_lines(start, k.min(chars.len()));
            continue;
        }
        if c == '\'' {
            // A character literal ('a', '\n') or a lifetime ('a).
            if chars.get(k + 2) == Some(&'\'') || chars.get(k + 1) == Some(&'\\') {
                k += 1;
                while k < chars.len() && chars[k] != '\'' {
                    k += if chars[k] == '\\' { 2 } else { 1 };
                }
                k += 1;
                tokens.push(Token {
                    kind: Kind::Literal,
                    text: chars[start..k].iter().collect(),
                    line,
                });
            } else {
                k += 1;
                while k < chars.len() && (chars[k].is_alphanumeric() || chars[k] == '_') {
                    k += 1;
                }
                tokens.push(Token {
                    kind: Kind::Ident,
                    text: chars[start..k].iter().collect(),
                    line,
                });
            }
            continue;
        }
        if c.is_ascii_digit() {
            while k < chars.len()
                && (chars[k].is_alphanumeric()
                    || chars[k] == '_'
                    || (chars[k] == '.'
                        && chars.get(k + 1).map_or(false, |next| next.is_ascii_digit())))
            {
                k += 1;
            }
            tokens.push(Token {
                kind: Kind::Literal,
                text: chars[start..k].iter().collect(),
                line,
            });
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            while k < chars.len() && (chars[k].is_alphanumeric() || chars[k] == '_') {
                k += 1;
            }
            tokens.push(Token {
                kind: Kind::Ident,
                text: chars[start..k].iter().collect(),
                line,
            });
            continue;
        }
        let two: String = chars[k..(k + 2).min(chars.len())].iter().collect();
        let text = if ["::", "->", "=>", "..", "==", "!=", "<=", ">="].contains(&two.as_str()) {
            if two == ".." && chars.get(k + 2) == Some(&'.') {
                "...".to_string()
            } else {
                two
            }
        } else {
            c.to_string()
        };
        k += text.chars().count();
        tokens.push(Token {
            kind: Kind::Punct,
            text,
            line,
        });
    }
    tokens
}

/// Index of the bracket closing tokens[open] ((), [], {} and, in types, <>).
fn closing(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0i32;
    for (k, token) in tokens.iter().enumerate().skip(open) {
        if token.kind != Kind::Punct {
            continue;
        }
        match token.text.as_str() {
            "(" | "[" | "{" | "<" => depth += 1,
            ")" | "]" | "}" | ">" => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    panic!(
        "src/lib.rs:{}: `{}` is never closed",
        tokens[open].line, tokens[open].text
    );
}

/// The items between top-level commas (outside (), [], {}, <>).
fn split_commas(tokens: &[Token]) -> Vec<Vec<Token>> {
    let mut items = vec![Vec::new()];
    let mut depth = 0i32;
    for token in tokens {
        if token.kind == Kind::Punct {
            match token.text.as_str() {
                "(" | "[" | "{" | "<" => depth += 1,
                ")" | "]" | "}" | ">" => depth -= 1,
                "," if depth == 0 => {
                    items.push(Vec::new());
                    continue;
                }
                _ => {}
            }
        }
        items.last_mut().unwrap().push(token.clone());
    }
    if items.last().map_or(false, |item| item.is_empty()) {
        items.pop();
    }
    items
}

/// A Rust type as tokens, paths dropped (`std::os::raw::c_char` is
/// `c_char`), joined by spaces: "* const * const c_char".
fn rust_type(tokens: &[Token]) -> String {
    let mut words: Vec<String> = Vec::new();
    for (k, token) in tokens.iter().enumerate() {
        if token.text == "::" {
            continue;
        }
        if tokens.get(k + 1).map_or(false, |next| next.text == "::") {
            continue; // a path segment
        }
        words.push(token.text.clone());
    }
    words.join(" ")
}

/// `name: Type` (or a lone type in a fn pointer type): (name, type).
fn typed(tokens: &[Token]) -> (String, String) {
    if tokens.len() > 2 && tokens[1].text == ":" {
        (tokens[0].text.clone(), rust_type(&tokens[2..]))
    } else {
        (String::new(), rust_type(tokens))
    }
}

#[derive(Debug)]
struct RustFunction {
    line: usize,
    parameters: Vec<(String, String)>,
    variadic: bool,
    /// "" for none.
    return_type: String,
}

#[derive(Debug)]
struct RustStruct {
    line: usize,
    repr_c: bool,
    /// None for a unit or tuple struct.
    fields: Option<Vec<(String, String)>>,
}

#[derive(Debug)]
struct RustConst {
    line: usize,
    ty: String,
    value: Vec<Token>,
}

#[derive(Debug, Default)]
struct RustModule {
    functions: BTreeMap<String, Vec<RustFunction>>,
    structs: BTreeMap<String, RustStruct>,
    consts: BTreeMap<String, RustConst>,
    /// `pub type` aliases: name -> (line, type).
    types: BTreeMap<String, (usize, String)>,
    enums: BTreeMap<String, usize>,
}

fn skip_attributes(tokens: &[Token], mut k: usize) -> (usize, Vec<String>) {
    let mut attributes = Vec::new();
    while k < tokens.len() && tokens[k].text == "#" {
        let open = if tokens.get(k + 1).map_or(false, |t| t.text == "!") {
            k + 2
        } else {
            k + 1
        };
        let close = closing(tokens, open);
        attributes.push(rust_type(&tokens[open + 1..close]));
        k = close + 1;
    }
    (k, attributes)
}

fn skip_visibility(tokens: &[Token], mut k: usize) -> usize {
    if k < tokens.len() && tokens[k].text == "pub" {
        k += 1;
        if k < tokens.len() && tokens[k].text == "(" {
            k = closing(tokens, k) + 1;
        }
    }
    k
}

/// The end (index of the `;`) of an item starting at k.
fn item_end(tokens: &[Token], mut k: usize) -> usize {
    while k < tokens.len() && tokens[k].text != ";" {
        if ["(", "[", "{"].contains(&tokens[k].text.as_str()) {
            k = closing_plain(tokens, k);
        }
        k += 1;
    }
    k
}

/// closing() without <> (in expressions `<` is a comparison).
fn closing_plain(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0i32;
    for (k, token) in tokens.iter().enumerate().skip(open) {
        match token.text.as_str() {
            "(" | "[" | "{" if token.kind == Kind::Punct => depth += 1,
            ")" | "]" | "}" if token.kind == Kind::Punct => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    panic!(
        "src/lib.rs:{}: `{}` is never closed",
        tokens[open].line, tokens[open].text
    );
}

fn parse_extern_block(tokens: &[Token], module: &mut RustModule) {
    let mut k = 0;
    while k < tokens.len() {
        let (next, _) = skip_attributes(tokens, k);
        k = skip_visibility(tokens, next);
        if k >= tokens.len() {
            break;
        }
        if tokens[k].text != "fn" {
            let end = item_end(tokens, k);
            panic!(
                "src/lib.rs:{}: cannot read `{}` in the extern \"C\" block: only functions are checked",
                tokens[k].line,
                rust_type(&tokens[k..end.min(tokens.len())])
            );
        }
        let name = tokens[k + 1].text.clone();
        let line = tokens[k].line;
        let open = k + 2;
        let close = closing_plain(tokens, open);
        let mut variadic = false;
        let parameters = split_commas(&tokens[open + 1..close])
            .into_iter()
            .filter(|item| {
                if item.len() == 1 && item[0].text == "..." {
                    variadic = true;
                    false
                } else {
                    true
                }
            })
            .map(|item| {
                let (skipped, _) = skip_attributes(&item, 0);
                typed(&item[skipped..])
            })
            .collect();
        let end = item_end(tokens, close + 1);
        let return_type = if tokens.get(close + 1).map_or(false, |t| t.text == "->") {
            rust_type(&tokens[close + 2..end])
        } else {
            String::new()
        };
        module
            .functions
            .entry(name)
            .or_default()
            .push(RustFunction {
                line,
                parameters,
                variadic,
                return_type,
            });
        k = end + 1;
    }
}

fn parse_module(source: &str) -> RustModule {
    let tokens = tokenize(source);
    let mut module = RustModule::default();
    let mut k = 0;
    while k < tokens.len() {
        let (next, attributes) = skip_attributes(&tokens, k);
        if next != k {
            k = next;
            // The attributes belong to the item that follows.
            let item = skip_visibility(&tokens, k);
            if item < tokens.len() && tokens[item].text == "struct" {
                let repr_c = attributes
                    .iter()
                    .any(|attribute| attribute.starts_with("repr ( C"));
                k = parse_struct(&tokens, item, repr_c, &mut module);
            }
            continue;
        }
        let token = &tokens[k];
        if token.text == "extern"
            && tokens.get(k + 1).map_or(false, |t| t.text == "\"C\"")
            && tokens.get(k + 2).map_or(false, |t| t.text == "{")
        {
            let close = closing_plain(&tokens, k + 2);
            parse_extern_block(&tokens[k + 3..close], &mut module);
            k = close + 1;
            continue;
        }
        if token.text == "pub" {
            let item = skip_visibility(&tokens, k);
            match tokens.get(item).map(|t| t.text.as_str()) {
                Some("struct") => {
                    k = parse_struct(&tokens, item, false, &mut module);
                    continue;
                }
                Some("const") => {
                    let name = tokens[item + 1].text.clone();
                    let end = item_end(&tokens, item);
                    let equals =
                        (item..end)
                            .find(|&j| tokens[j].text == "=")
                            .unwrap_or_else(|| {
                                panic!(
                                    "src/lib.rs:{}: const {} has no value",
                                    tokens[item].line, name
                                )
                            });
                    module.consts.insert(
                        name,
                        RustConst {
                            line: tokens[item].line,
                            ty: rust_type(&tokens[item + 3..equals]),
                            value: tokens[equals + 1..end].to_vec(),
                        },
                    );
                    k = end + 1;
                    continue;
                }
                Some("type") => {
                    let name = tokens[item + 1].text.clone();
                    let end = item_end(&tokens, item);
                    module
                        .types
                        .insert(name, (tokens[item].line, rust_type(&tokens[item + 3..end])));
                    k = end + 1;
                    continue;
                }
                Some("enum") => {
                    module
                        .enums
                        .insert(tokens[item + 1].text.clone(), tokens[item].line);
                    k = item + 2;
                    continue;
                }
                _ => {}
            }
        }
        k += 1;
    }
    module
}

/// Reads `struct Name { fields }` (or a unit/tuple struct) at k; the index
/// after it.
fn parse_struct(tokens: &[Token], k: usize, repr_c: bool, module: &mut RustModule) -> usize {
    let name = tokens[k + 1].text.clone();
    let line = tokens[k].line;
    let mut j = k + 2;
    if tokens.get(j).map_or(false, |t| t.text == "<") {
        j = closing(tokens, j) + 1;
    }
    let (fields, after) = match tokens.get(j).map(|t| t.text.as_str()) {
        Some("{") => {
            let close = closing_plain(tokens, j);
            let fields = split_commas(&tokens[j + 1..close])
                .into_iter()
                .map(|item| {
                    let (skipped, _) = skip_attributes(&item, 0);
                    let start = skip_visibility(&item, skipped);
                    typed(&item[start..])
                })
                .collect();
            (Some(fields), close + 1)
        }
        _ => (None, item_end(tokens, j) + 1),
    };
    module.structs.insert(
        name,
        RustStruct {
            line,
            repr_c,
            fields,
        },
    );
    after
}

fn lib_rs() -> RustModule {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs");
    let source = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {}", path.display(), error));
    parse_module(&source)
}

// ---------------------------------------------------------------------------
// C types and the Rust types that pass them

struct Api<'a> {
    description: &'a Description,
    module: &'a RustModule,
}

fn words(text: &str) -> Vec<String> {
    tokenize(text).into_iter().map(|token| token.text).collect()
}

/// The C function pointer type "R (*)(T1, T2)": (R, [T1, T2]).
fn c_function_pointer(c_type: &str) -> Option<(String, Vec<String>)> {
    let open = c_type.find(" (*)(")?;
    let inner = &c_type[open + 5..c_type.len() - 1];
    let mut parameters = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in inner.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parameters.push(current.trim().to_string());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() && current.trim() != "void" {
        parameters.push(current.trim().to_string());
    }
    Some((c_type[..open].to_string(), parameters))
}

/// A Rust fn pointer type, `Option<unsafe extern "C" fn(A, b: B) -> R>` or
/// without the Option: (parameter types, return type).
fn rust_function_pointer(rust: &str) -> Option<(Vec<String>, String)> {
    let mut tokens = tokenize(rust);
    if tokens.first().map_or(false, |t| t.text == "Option")
        && tokens.get(1).map_or(false, |t| t.text == "<")
    {
        if tokens.last().map_or(true, |t| t.text != ">") {
            return None;
        }
        tokens = tokens[2..tokens.len() - 1].to_vec();
    }
    let fn_index = tokens.iter().position(|t| t.text == "fn")?;
    let prefix: Vec<&str> = tokens[..fn_index].iter().map(|t| t.text.as_str()).collect();
    if !(prefix == ["unsafe", "extern", "\"C\""] || prefix == ["extern", "\"C\""]) {
        return None;
    }
    let open = fn_index + 1;
    if tokens.get(open).map_or(true, |t| t.text != "(") {
        return None;
    }
    let close = closing_plain(&tokens, open);
    let parameters = split_commas(&tokens[open + 1..close])
        .iter()
        .map(|item| typed(item).1)
        .collect();
    let return_type = if tokens.get(close + 1).map_or(false, |t| t.text == "->") {
        rust_type(&tokens[close + 2..])
    } else {
        String::new()
    };
    Some((parameters, return_type))
}

impl<'a> Api<'a> {
    fn is_enum(&self, name: &str) -> bool {
        self.description.enums.iter().any(|item| item.name == name)
    }

    fn is_named_type(&self, name: &str) -> bool {
        self.description
            .structs
            .iter()
            .any(|item| item.name == name)
            || self
                .description
                .opaque_types
                .iter()
                .any(|item| item.name == name)
    }

    fn alias(&self, name: &str) -> Option<&'a str> {
        self.description
            .aliases
            .iter()
            .find(|item| item.name == name)
            .map(|item| item.c_type.as_str())
    }

    fn function_pointer(&self, name: &str) -> Option<&'a capi::Function> {
        self.description
            .function_pointers
            .iter()
            .find(|item| item.name == name)
    }

    /// A Rust alias of lib.rs (`pub type trajplot_status = c_int;`) as what
    /// it stands for, repeatedly.
    fn resolve(&self, rust: &str) -> String {
        let mut rust = rust.to_string();
        for _ in 0..8 {
            match self.module.types.get(&rust) {
                Some((_, target)) => rust = target.clone(),
                None => break,
            }
        }
        rust
    }

    /// Whether the Rust type `rust` passes a C `c_type`. `returned`: as a
    /// return type, where C `void` is no Rust type at all.
    fn matches(&self, rust: &str, c_type: &str, returned: bool) -> bool {
        if rust != self.resolve(rust) && self.matches(&self.resolve(rust), c_type, returned) {
            return true;
        }
        if let Some((c_return, c_parameters)) = c_function_pointer(c_type) {
            return self.function_pointer_matches(rust, &c_return, &c_parameters);
        }
        let c_words = words(c_type);
        // An array field: `char [16]` is `[c_char; 16]`.
        if c_words.last().map_or(false, |w| w == "]") {
            let open = c_words.iter().rposition(|w| w == "[").unwrap();
            let length = &c_words[open + 1];
            let element =
                c_words[..open].join(" ") + &c_words[open + 2..c_words.len() - 1].join(" ");
            let rust_words = words(rust);
            return rust_words.first().map_or(false, |w| w == "[")
                && rust_words.last().map_or(false, |w| w == "]")
                && rust_words.len() >= 5
                && rust_words[rust_words.len() - 2] == *length
                && rust_words[rust_words.len() - 3] == ";"
                && self.matches(
                    &rust_words[1..rust_words.len() - 3].join(" "),
                    &element,
                    false,
                );
        }
        // Pointers: the last `*` is the outermost pointer; its pointee is
        // const when a `const` precedes it (after the previous `*`).
        if let Some(star) = c_words.iter().rposition(|w| w == "*") {
            let pointee: Vec<String> = c_words[..star].to_vec();
            let since_star = match pointee.iter().rposition(|w| w == "*") {
                Some(previous) => &pointee[previous + 1..],
                None => &pointee[..],
            };
            let pointee_const = since_star.iter().any(|w| w == "const");
            let rust_words = words(rust);
            let wanted = if pointee_const { "const" } else { "mut" };
            if rust_words.len() < 3 || rust_words[0] != "*" || rust_words[1] != wanted {
                return false;
            }
            let inner_rust = rust_words[2..].join(" ");
            let mut inner_c: Vec<String> = pointee.clone();
            // The pointee's own top-level const is carried by the `*const`.
            if let Some(previous) = inner_c.iter().rposition(|w| w == "*") {
                let tail: Vec<String> = inner_c[previous + 1..]
                    .iter()
                    .filter(|w| *w != "const")
                    .cloned()
                    .collect();
                inner_c.truncate(previous + 1);
                inner_c.extend(tail);
            } else {
                inner_c.retain(|w| w != "const");
            }
            let inner_c = inner_c.join(" ");
            if inner_c.trim() == "void" {
                return inner_rust == "c_void";
            }
            return self.matches(&inner_rust, &inner_c, false);
        }
        let base: Vec<&str> = c_words
            .iter()
            .map(String::as_str)
            .filter(|w| !["const", "volatile", "struct", "enum"].contains(w))
            .collect();
        let base = base.join(" ");
        if base == "void" {
            return returned && (rust.is_empty() || rust == "( )");
        }
        if let Some(target) = self.alias(&base) {
            return rust == base || self.matches(rust, target, returned);
        }
        if self.is_enum(&base) {
            return rust == base || rust == "c_int" || rust == "i32";
        }
        if self.is_named_type(&base) {
            return rust == base;
        }
        if let Some(pointer) = self.function_pointer(&base) {
            if rust == base || rust == format!("Option < {} >", base) {
                return true;
            }
            let parameters: Vec<String> =
                pointer.parameters.iter().map(|(_, t)| t.clone()).collect();
            return self.function_pointer_matches(rust, &pointer.return_type, &parameters);
        }
        let accepted: &[&str] = match base.as_str() {
            "char" => &["c_char"],
            "signed char" => &["c_schar", "i8"],
            "unsigned char" => &["c_uchar", "u8"],
            "short" => &["c_short", "i16"],
            "unsigned short" => &["c_ushort", "u16"],
            "int" => &["c_int", "i32"],
            "unsigned int" | "unsigned" => &["c_uint", "u32"],
            "long" => &["c_long"],
            "unsigned long" => &["c_ulong"],
            "long long" => &["c_longlong", "i64"],
            "unsigned long long" => &["c_ulonglong", "u64"],
            "size_t" => &["usize", "size_t"],
            "ptrdiff_t" => &["isize"],
            "int8_t" => &["i8"],
            "uint8_t" => &["u8"],
            "int16_t" => &["i16"],
            "uint16_t" => &["u16"],
            "int32_t" => &["i32"],
            "uint32_t" => &["u32"],
            "int64_t" => &["i64"],
            "uint64_t" => &["u64"],
            "float" => &["c_float", "f32"],
            "double" => &["c_double", "f64"],
            "bool" | "_Bool" => &["bool"],
            _ => &[],
        };
        accepted.contains(&rust)
    }

    fn function_pointer_matches(
        &self,
        rust: &str,
        c_return: &str,
        c_parameters: &[String],
    ) -> bool {
        let (parameters, return_type) = match rust_function_pointer(&self.resolve(rust)) {
            Some(found) => found,
            None => return false,
        };
        parameters.len() == c_parameters.len()
            && self.matches(&return_type, c_return, true)
            && parameters
                .iter()
                .zip(c_parameters)
                .all(|(rust, c)| self.matches(rust, c, false))
    }
}

fn shown(rust: &str) -> String {
    if rust.is_empty() {
        "nothing".to_string()
    } else {
        format!("`{}`", rust)
    }
}

fn report(problems: Vec<String>, what: &str, header: &str) {
    assert!(
        problems.is_empty(),
        "{} problem(s) between src/lib.rs and {} ({}):\n  {}",
        problems.len(),
        header,
        what,
        problems.join("\n  ")
    );
}

// ---------------------------------------------------------------------------
// The checks

#[test]
fn every_header_function_is_declared_with_its_parameters() {
    let description = capi::description();
    let module = lib_rs();
    let api = Api {
        description: &description,
        module: &module,
    };
    let header = &description.header;
    assert!(
        description.functions.len() > 30,
        "the description lists only {} functions",
        description.functions.len()
    );
    let mut problems = Vec::new();
    for function in &description.functions {
        let declared = match module.functions.get(&function.name) {
            Some(declared) => declared,
            None => {
                problems.push(format!(
                    "{}:{}: {} is not declared in src/lib.rs",
                    header, function.line, function.name
                ));
                continue;
            }
        };
        if declared.len() > 1 {
            problems.push(format!(
                "src/lib.rs:{}: {} is declared {} times",
                declared[1].line,
                function.name,
                declared.len()
            ));
        }
        let rust = &declared[0];
        if rust.variadic {
            problems.push(format!(
                "src/lib.rs:{}: {} is variadic in Rust only",
                rust.line, function.name
            ));
        }
        if rust.parameters.len() != function.parameters.len() {
            problems.push(format!(
                "src/lib.rs:{}: {} takes {} parameters in {} (line {}), but {} in Rust",
                rust.line,
                function.name,
                function.parameters.len(),
                header,
                function.line,
                rust.parameters.len()
            ));
            continue;
        }
        if !api.matches(&rust.return_type, &function.return_type, true) {
            problems.push(format!(
                "src/lib.rs:{}: {} returns `{}` in {}, but {} in Rust",
                rust.line,
                function.name,
                function.return_type,
                header,
                shown(&rust.return_type)
            ));
        }
        for (index, ((rust_name, rust_type), (c_name, c_type))) in
            rust.parameters.iter().zip(&function.parameters).enumerate()
        {
            if !api.matches(rust_type, c_type, false) {
                problems.push(format!(
                    "src/lib.rs:{}: {} parameter {} (`{} {}`) is `{}: {}` in Rust",
                    rust.line,
                    function.name,
                    index + 1,
                    c_type,
                    c_name,
                    rust_name,
                    rust_type
                ));
            }
        }
    }
    let known: BTreeSet<&str> = description
        .functions
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    for (name, declared) in &module.functions {
        if !known.contains(name.as_str()) {
            problems.push(format!(
                "src/lib.rs:{}: {} is declared, but {} lacks it",
                declared[0].line, name, header
            ));
        }
    }
    report(problems, "functions", header);
}

#[test]
fn structs_and_types_are_declared_field_for_field() {
    let description = capi::description();
    let module = lib_rs();
    let api = Api {
        description: &description,
        module: &module,
    };
    let header = &description.header;
    let mut problems = Vec::new();
    for structure in &description.structs {
        let rust = match module.structs.get(&structure.name) {
            Some(rust) => rust,
            None => {
                problems.push(format!(
                    "{}:{}: struct {} is not declared in src/lib.rs",
                    header, structure.line, structure.name
                ));
                continue;
            }
        };
        if !rust.repr_c {
            problems.push(format!(
                "src/lib.rs:{}: struct {} is not #[repr(C)]",
                rust.line, structure.name
            ));
        }
        let fields = rust.fields.clone().unwrap_or_default();
        let rust_names: Vec<&str> = fields.iter().map(|(name, _)| name.as_str()).collect();
        let c_names: Vec<&str> = structure
            .fields
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        if rust_names != c_names {
            problems.push(format!(
                "src/lib.rs:{}: struct {} has the fields {:?} in {} (line {}), but {:?} in Rust",
                rust.line, structure.name, c_names, header, structure.line, rust_names
            ));
            continue;
        }
        for ((name, rust_type), (_, c_type)) in fields.iter().zip(&structure.fields) {
            if !api.matches(rust_type, c_type, false) {
                problems.push(format!(
                    "src/lib.rs:{}: field {}.{} is `{}` in {}, but `{}` in Rust",
                    rust.line, structure.name, name, c_type, header, rust_type
                ));
            }
        }
    }
    for opaque in &description.opaque_types {
        if !module.structs.contains_key(&opaque.name) && !module.types.contains_key(&opaque.name) {
            problems.push(format!(
                "{}:{}: the handle type {} is not declared in src/lib.rs",
                header, opaque.line, opaque.name
            ));
        }
    }
    for enumeration in &description.enums {
        let declared = module.types.contains_key(&enumeration.name)
            || module.enums.contains_key(&enumeration.name)
            || module.structs.contains_key(&enumeration.name);
        if !declared {
            problems.push(format!(
                "{}:{}: enum {} has no Rust type of its name in src/lib.rs",
                header, enumeration.line, enumeration.name
            ));
        }
    }
    for alias in &description.aliases {
        match module.types.get(&alias.name) {
            Some((line, target)) if !api.matches(target, &alias.c_type, false) => {
                problems.push(format!(
                    "src/lib.rs:{}: type {} is `{}` in {}, but `{}` in Rust",
                    line, alias.name, alias.c_type, header, target
                ))
            }
            Some(_) => {}
            None => problems.push(format!(
                "{}:{}: type {} is not declared in src/lib.rs",
                header, alias.line, alias.name
            )),
        }
    }
    for pointer in &description.function_pointers {
        let (line, target) = match module.types.get(&pointer.name) {
            Some(found) => found,
            None => {
                problems.push(format!(
                    "{}:{}: the function pointer type {} is not declared in src/lib.rs",
                    header, pointer.line, pointer.name
                ));
                continue;
            }
        };
        let parameters: Vec<String> = pointer.parameters.iter().map(|(_, t)| t.clone()).collect();
        if !api.function_pointer_matches(target, &pointer.return_type, &parameters) {
            problems.push(format!(
                "src/lib.rs:{}: type {} is `{} (*)({})` in {}, but `{}` in Rust (an \
                 Option<unsafe extern \"C\" fn(...)> of the same parameters)",
                line,
                pointer.name,
                pointer.return_type,
                parameters.join(", "),
                header,
                target
            ));
        }
    }
    report(problems, "structs and types", header);
}

/// The value of a Rust constant expression: an integer literal (suffix and
/// underscores allowed), optionally negated or parenthesised, a constant of
/// lib.rs, with `as` casts.
fn integer_value(tokens: &[Token], module: &RustModule) -> Option<i64> {
    rust_integer(tokens, module, 0)
}

fn rust_integer(tokens: &[Token], module: &RustModule, depth: usize) -> Option<i64> {
    let mut tokens = tokens;
    if let Some(position) = tokens.iter().position(|t| t.text == "as") {
        tokens = &tokens[..position];
    }
    while tokens.len() >= 2 && tokens[0].text == "(" && tokens[tokens.len() - 1].text == ")" {
        tokens = &tokens[1..tokens.len() - 1];
    }
    if tokens.len() == 2 && tokens[0].text == "-" {
        return rust_integer(&tokens[1..], module, depth).map(|value| -value);
    }
    if tokens.len() != 1 || depth > 8 {
        return None;
    }
    let token = &tokens[0];
    if token.kind == Kind::Literal {
        let text = token.text.replace('_', "");
        let digits = strip_integer_suffix(&text);
        return match digits.strip_prefix("0x") {
            Some(hex) => i64::from_str_radix(hex, 16).ok(),
            None => digits.parse().ok(),
        };
    }
    let constant = module.consts.get(&token.text)?;
    rust_integer(&constant.value, module, depth + 1)
}

fn strip_integer_suffix(text: &str) -> &str {
    for suffix in [
        "usize", "isize", "u64", "i64", "u32", "i32", "u16", "i16", "u8", "i8",
    ] {
        if let Some(stripped) = text.strip_suffix(suffix) {
            return stripped;
        }
    }
    text
}

#[test]
fn constants_have_the_header_values() {
    let description = capi::description();
    let module = lib_rs();
    let header = &description.header;
    let mut problems = Vec::new();
    let integers = description.integer_constants();
    assert!(
        integers.len() > 20,
        "the description lists only {} integer constants",
        integers.len()
    );
    for (name, value, line) in &integers {
        match module.consts.get(name) {
            None => problems.push(format!(
                "{}:{}: {} ({}) has no `pub const {}` in src/lib.rs",
                header, line, name, value, name
            )),
            Some(constant) => match integer_value(&constant.value, &module) {
                Some(rust) if rust == *value => {}
                Some(rust) => problems.push(format!(
                    "src/lib.rs:{}: {} is {}, but {} in {}",
                    constant.line, name, rust, value, header
                )),
                None => problems.push(format!(
                    "src/lib.rs:{}: cannot read the value `{}` of {}: write an integer literal or a constant",
                    constant.line,
                    rust_type(&constant.value),
                    name
                )),
            },
        }
    }
    for constant in &description.constants {
        let rust = match module.consts.get(&constant.name) {
            Some(rust) => rust,
            None => continue, // integers are reported above; other constants are optional
        };
        let matches = match &constant.value {
            capi::Value::Integer(_) => continue,
            capi::Value::Float(value) => {
                rust.value.len() == 1
                    && rust.value[0]
                        .text
                        .trim_end_matches("f32")
                        .trim_end_matches("f64")
                        .parse::<f64>()
                        == Ok(*value)
            }
            capi::Value::Text(text) => {
                let literal = rust
                    .value
                    .iter()
                    .map(|t| t.text.clone())
                    .collect::<Vec<_>>()
                    .join("");
                let inner = literal
                    .trim_start_matches('b')
                    .trim_start_matches('"')
                    .trim_end_matches('"')
                    .trim_end_matches("\\0");
                inner == text.replace('\\', "\\\\").replace('"', "\\\"")
            }
        };
        if !matches {
            problems.push(format!(
                "src/lib.rs:{}: {} is `{}`, but {:?} in {}",
                rust.line,
                constant.name,
                rust_type(&rust.value),
                constant.value,
                header
            ));
        }
    }
    report(problems, "constants", header);
}

/// Whether a Rust value expression equals a C initializer value as written.
fn same_value(
    rust: &[Token],
    written: &str,
    integers: &BTreeMap<String, i64>,
    module: &RustModule,
) -> bool {
    let rust_text = rust_type(rust);
    match written {
        "NULL" => ["null ( )", "null_mut ( )", "None"].contains(&rust_text.as_str()),
        "true" | "false" => rust_text == written,
        _ => {
            if let Some(value) = integers.get(written) {
                return rust_text == written || integer_value(rust, module) == Some(*value);
            }
            let number = written.trim_end_matches(|c: char| "fFuUlL".contains(c));
            if let Ok(value) = number.parse::<f64>() {
                let rust_number = rust_text.replace(' ', "");
                let rust_number = rust_number.trim_end_matches("f32").trim_end_matches("f64");
                return rust_number.parse::<f64>() == Ok(value)
                    || integer_value(rust, module).map(|v| v as f64) == Some(value);
            }
            false
        }
    }
}

#[test]
fn initializers_have_the_header_values() {
    let description = capi::description();
    let module = lib_rs();
    let header = &description.header;
    let integers: BTreeMap<String, i64> = description
        .integer_constants()
        .into_iter()
        .map(|(name, value, _)| (name, value))
        .collect();
    let mut problems = Vec::new();
    for initializer in &description.initializers {
        let rust = match module.consts.get(&initializer.name) {
            Some(rust) => rust,
            None => {
                problems.push(format!(
                    "{}:{}: {} has no `pub const {}` in src/lib.rs",
                    header, initializer.line, initializer.name, initializer.name
                ));
                continue;
            }
        };
        let structure = description.structs.iter().find(|s| s.name == rust.ty);
        let structure = match structure {
            Some(structure) => structure,
            None => {
                problems.push(format!(
                    "src/lib.rs:{}: {} is a `{}`, which is no struct of {}",
                    rust.line, initializer.name, rust.ty, header
                ));
                continue;
            }
        };
        if structure.fields.len() != initializer.values.len() {
            problems.push(format!(
                "{}:{}: {} has {} values for the {} fields of {}",
                header,
                initializer.line,
                initializer.name,
                initializer.values.len(),
                structure.fields.len(),
                structure.name
            ));
            continue;
        }
        // `Struct { field: value, ... }`, in any order.
        let open = rust.value.iter().position(|t| t.text == "{");
        let fields: BTreeMap<String, Vec<Token>> = match open {
            Some(open)
                if rust.value[..open]
                    .iter()
                    .map(|t| t.text.as_str())
                    .eq([structure.name.as_str()]) =>
            {
                let close = closing_plain(&rust.value, open);
                split_commas(&rust.value[open + 1..close])
                    .into_iter()
                    .filter(|item| item.len() > 2 && item[1].text == ":")
                    .map(|item| (item[0].text.clone(), item[2..].to_vec()))
                    .collect()
            }
            _ => {
                problems.push(format!(
                    "src/lib.rs:{}: cannot read {}: write `{} {{ field: value, ... }}`",
                    rust.line, initializer.name, structure.name
                ));
                continue;
            }
        };
        for ((field, _), written) in structure.fields.iter().zip(&initializer.values) {
            match fields.get(field) {
                None => problems.push(format!(
                    "src/lib.rs:{}: {} does not set the field {}",
                    rust.line, initializer.name, field
                )),
                Some(value) if !same_value(value, written, &integers, &module) => {
                    problems.push(format!(
                        "src/lib.rs:{}: {}.{} is `{}`, but `{}` in {} (line {})",
                        rust.line,
                        initializer.name,
                        field,
                        rust_type(value),
                        written,
                        header,
                        initializer.line
                    ))
                }
                Some(_) => {}
            }
        }
    }
    report(problems, "initializers", header);
}

#[test]
fn the_reader_of_lib_rs_finds_what_it_declares() {
    let module = parse_module(
        "#[repr(C)]\npub struct a { pub x: *const *const std::os::raw::c_char, pub y: [u8; 4] }\n\
         pub struct h { _private: [u8; 0] }\n\
         pub type cb = Option<unsafe extern \"C\" fn(user: *mut c_void, len: usize) -> c_int>;\n\
         pub const A_INIT: a = a { x: ptr::null(), y: [0; 4] };\n\
         pub const N: c_uint = 1_0u32; // ten\n\
         extern \"C\" {\n    /// doc\n    pub fn f(a: *mut *mut h, b: cb) -> c_int;\n    pub fn g();\n}\n",
    );
    let a = &module.structs["a"];
    assert!(a.repr_c);
    assert_eq!(
        a.fields.clone().unwrap(),
        vec![
            ("x".to_string(), "* const * const c_char".to_string()),
            ("y".to_string(), "[ u8 ; 4 ]".to_string())
        ]
    );
    assert!(!module.structs["h"].repr_c);
    assert_eq!(module.functions["f"][0].parameters.len(), 2);
    assert_eq!(module.functions["f"][0].return_type, "c_int");
    assert_eq!(module.functions["g"][0].return_type, "");
    assert_eq!(integer_value(&module.consts["N"].value, &module), Some(10));
    assert_eq!(
        rust_function_pointer(&module.types["cb"].1),
        Some((
            vec!["* mut c_void".to_string(), "usize".to_string()],
            "c_int".to_string()
        ))
    );
}
