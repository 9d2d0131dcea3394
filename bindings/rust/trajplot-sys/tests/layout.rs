//! The Rust declarations against the C header: struct sizes, alignments,
//! field offsets and sizes, constants (compared with what a C compiler
//! reports, by compiling and running tests/layout.c), the INIT defaults
//! (compared with the *_options_init functions of the library actually
//! loaded) and the list of functions.
//!
//! The C compiler is $CC, else `cc`; the header's directory is
//! $TRAJPLOT_INCLUDE_DIR, else the source tree's capi/.

use std::collections::BTreeSet;
use std::env;
use std::mem::{align_of, size_of, MaybeUninit};
use std::path::PathBuf;
use std::process::Command;
use std::ptr::addr_of;

use trajplot_sys::*;

fn include_dir() -> PathBuf {
    match env::var_os("TRAJPLOT_INCLUDE_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../capi"),
    }
}

/// Compiles and runs tests/layout.c; its output lines.
fn c_facts() -> BTreeSet<String> {
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/layout.c");
    let program = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("trajplot_layout");
    let compiler = env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let mut words = compiler.split_whitespace();
    let mut compile = Command::new(words.next().expect("CC is empty"));
    compile
        .args(words)
        .args([
            "-std=c99",
            "-Wall",
            "-Wextra",
            "-Wpedantic",
            "-Werror",
            "-I",
        ])
        .arg(include_dir())
        .arg(&source)
        .arg("-o")
        .arg(&program);
    let compiled = compile
        .output()
        .unwrap_or_else(|error| panic!("cannot run the C compiler {:?}: {}", compiler, error));
    assert!(
        compiled.status.success(),
        "{:?} failed:\n{}",
        compile,
        String::from_utf8_lossy(&compiled.stderr)
    );
    let ran = Command::new(&program)
        .output()
        .expect("cannot run the layout program");
    assert!(ran.status.success(), "{} failed", program.display());
    String::from_utf8(ran.stdout)
        .expect("the layout program printed invalid UTF-8")
        .lines()
        .map(str::to_string)
        .collect()
}

fn pointee_size<T>(_: *const T) -> usize {
    size_of::<T>()
}

macro_rules! structure {
    ($facts:ident, $type:ident) => {
        $facts.insert(format!("size {} {}", stringify!($type), size_of::<$type>()));
        $facts.insert(format!(
            "align {} {}",
            stringify!($type),
            align_of::<$type>()
        ));
    };
}

macro_rules! field {
    ($facts:ident, $type:ident, $field:ident) => {{
        let value = MaybeUninit::<$type>::uninit();
        let base = value.as_ptr();
        // SAFETY: addr_of! takes the field's address without reading it.
        let field = unsafe { addr_of!((*base).$field) };
        let offset = field as usize - base as usize;
        let name = concat!(stringify!($type), " ", stringify!($field));
        $facts.insert(format!("offset {} {}", name, offset));
        $facts.insert(format!("field_size {} {}", name, pointee_size(field)));
    }};
}

macro_rules! constant {
    ($facts:ident, $name:ident) => {
        $facts.insert(format!("const {} {}", stringify!($name), $name as i64));
    };
}

fn rust_facts() -> BTreeSet<String> {
    let mut facts = BTreeSet::new();
    structure!(facts, trajplot_statistic_options);
    field!(facts, trajplot_statistic_options, version);
    field!(facts, trajplot_statistic_options, units);
    field!(facts, trajplot_statistic_options, sequence_labels);
    field!(facts, trajplot_statistic_options, sequence_label_lengths);
    field!(facts, trajplot_statistic_options, trajectory_labels);
    field!(facts, trajplot_statistic_options, layer_labels);
    field!(facts, trajplot_statistic_options, layer_label_lengths);
    field!(facts, trajplot_statistic_options, min);
    field!(facts, trajplot_statistic_options, max);
    field!(facts, trajplot_statistic_options, has_min);
    field!(facts, trajplot_statistic_options, has_max);
    field!(facts, trajplot_statistic_options, includes_output);

    structure!(facts, trajplot_trajectory_options);
    field!(facts, trajplot_trajectory_options, version);
    field!(facts, trajplot_trajectory_options, values);
    field!(facts, trajplot_trajectory_options, vocabulary);
    field!(facts, trajplot_trajectory_options, top_k);
    field!(facts, trajplot_trajectory_options, min_prob);
    field!(facts, trajplot_trajectory_options, min_prob_delta);
    field!(facts, trajplot_trajectory_options, max_batch_items_shown);
    field!(facts, trajplot_trajectory_options, max_string_len);
    field!(facts, trajplot_trajectory_options, ellipsis);
    field!(facts, trajplot_trajectory_options, newline_token);
    field!(facts, trajplot_trajectory_options, newline_replacement);
    field!(facts, trajplot_trajectory_options, whitespace_token);
    field!(facts, trajplot_trajectory_options, whitespace_replacement);
    field!(facts, trajplot_trajectory_options, threads);
    field!(facts, trajplot_trajectory_options, forward_kl);

    structure!(facts, trajplot_figure_options);
    field!(facts, trajplot_figure_options, version);
    field!(facts, trajplot_figure_options, title);
    field!(facts, trajplot_figure_options, colorscale);
    field!(facts, trajplot_figure_options, extra_json);
    field!(facts, trajplot_figure_options, token_width);
    field!(facts, trajplot_figure_options, height);
    field!(facts, trajplot_figure_options, log_scale);
    field!(facts, trajplot_figure_options, hover_value);

    structure!(facts, trajplot_html_options);
    field!(facts, trajplot_html_options, version);
    field!(facts, trajplot_html_options, plotlyjs);
    field!(facts, trajplot_html_options, plotlyjs_location);
    field!(facts, trajplot_html_options, div_id);
    field!(facts, trajplot_html_options, full_html);
    field!(facts, trajplot_html_options, responsive);

    structure!(facts, trajplot_panel_options);
    field!(facts, trajplot_panel_options, version);
    field!(facts, trajplot_panel_options, title);
    field!(facts, trajplot_panel_options, colorscale);
    field!(facts, trajplot_panel_options, extra_json);
    field!(facts, trajplot_panel_options, log_scale);
    field!(facts, trajplot_panel_options, hover_value);

    structure!(facts, trajplot_stack_options);
    field!(facts, trajplot_stack_options, version);
    field!(facts, trajplot_stack_options, title);
    field!(facts, trajplot_stack_options, token_width);
    field!(facts, trajplot_stack_options, height);
    field!(facts, trajplot_stack_options, vertical_spacing);
    field!(facts, trajplot_stack_options, has_vertical_spacing);
    field!(facts, trajplot_stack_options, equal_panel_heights);

    structure!(facts, trajplot_status);
    structure!(facts, trajplot_plotlyjs);
    structure!(facts, trajplot_values);
    structure!(facts, trajplot_measure);

    constant!(facts, TRAJPLOT_VERSION_MAJOR);
    constant!(facts, TRAJPLOT_VERSION_MINOR);
    constant!(facts, TRAJPLOT_VERSION_PATCH);
    constant!(facts, TRAJPLOT_ABI_VERSION);
    constant!(facts, TRAJPLOT_OK);
    constant!(facts, TRAJPLOT_ERROR);
    constant!(facts, TRAJPLOT_EINVAL);
    constant!(facts, TRAJPLOT_ENOMEM);
    constant!(facts, TRAJPLOT_ERANGE);
    constant!(facts, TRAJPLOT_EIO);
    constant!(facts, TRAJPLOT_STATISTIC_OPTIONS_VERSION);
    constant!(facts, TRAJPLOT_TRAJECTORY_OPTIONS_VERSION);
    constant!(facts, TRAJPLOT_VALUES_LOGITS);
    constant!(facts, TRAJPLOT_VALUES_LOG_PROBS);
    constant!(facts, TRAJPLOT_MEASURE_ENTROPY);
    constant!(facts, TRAJPLOT_MEASURE_CROSS_ENTROPY);
    constant!(facts, TRAJPLOT_MEASURE_FORWARD_KL);
    constant!(facts, TRAJPLOT_MEASURE_MAX_PROBABILITY);
    constant!(facts, TRAJPLOT_MEASURE_RANK);
    constant!(facts, TRAJPLOT_MEASURE_LOG_PROB_DIFF);
    constant!(facts, TRAJPLOT_MEASURE_LOG_PROB_DIFF_DELTA);
    constant!(facts, TRAJPLOT_MEASURE_KL_DIVERGENCE);
    constant!(facts, TRAJPLOT_MEASURE_JS_DIVERGENCE);
    constant!(facts, TRAJPLOT_MEASURE_HALF_SYMMETRIC_KL);
    constant!(facts, TRAJPLOT_MEASURE_TOTAL_VARIATION);
    constant!(facts, TRAJPLOT_MEASURE_MAX_ABS_PROB_DIFFERENCE);
    constant!(facts, TRAJPLOT_SHOW_RANKS);
    constant!(facts, TRAJPLOT_FIGURE_OPTIONS_VERSION);
    constant!(facts, TRAJPLOT_HTML_OPTIONS_VERSION);
    constant!(facts, TRAJPLOT_PANEL_OPTIONS_VERSION);
    constant!(facts, TRAJPLOT_STACK_OPTIONS_VERSION);
    constant!(facts, TRAJPLOT_PLOTLYJS_CDN);
    constant!(facts, TRAJPLOT_PLOTLYJS_SRC);
    constant!(facts, TRAJPLOT_PLOTLYJS_INLINE);
    constant!(facts, TRAJPLOT_PLOTLYJS_NONE);
    constant!(facts, TRAJPLOT_PLOTLYJS_LOCAL);
    facts
}

#[test]
fn structs_and_constants_match_the_c_compiler() {
    let c = c_facts();
    let rust = rust_facts();
    let only_c: Vec<&String> = c.difference(&rust).collect();
    let only_rust: Vec<&String> = rust.difference(&c).collect();
    assert!(
        only_c.is_empty() && only_rust.is_empty(),
        "the Rust declarations differ from trajplot.h\n  C says:    {:?}\n  Rust says: {:?}",
        only_c,
        only_rust
    );
    // Guards against comparing two empty sets.
    assert!(c.len() > 110, "layout.c printed only {} lines", c.len());
}

#[test]
fn init_constants_equal_the_library_defaults() {
    // Debug prints every field (pointers as addresses, floats with their
    // sign), so equal text means equal fields.
    let mut statistic = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    statistic.includes_output = !statistic.includes_output;
    statistic.min = 1.5;
    let status = unsafe {
        trajplot_statistic_options_init(&mut statistic, TRAJPLOT_STATISTIC_OPTIONS_VERSION)
    };
    assert_eq!(status, TRAJPLOT_OK);
    assert_eq!(
        format!("{:?}", statistic),
        format!("{:?}", TRAJPLOT_STATISTIC_OPTIONS_INIT)
    );

    let mut trajectory = TRAJPLOT_TRAJECTORY_OPTIONS_INIT;
    trajectory.top_k = 1;
    trajectory.min_prob = -0.5;
    trajectory.forward_kl = !trajectory.forward_kl;
    let status = unsafe {
        trajplot_trajectory_options_init(&mut trajectory, TRAJPLOT_TRAJECTORY_OPTIONS_VERSION)
    };
    assert_eq!(status, TRAJPLOT_OK);
    assert_eq!(
        format!("{:?}", trajectory),
        format!("{:?}", TRAJPLOT_TRAJECTORY_OPTIONS_INIT)
    );

    let mut figure = TRAJPLOT_FIGURE_OPTIONS_INIT;
    figure.token_width = 1;
    figure.log_scale = !figure.log_scale;
    figure.hover_value = !figure.hover_value;
    let status =
        unsafe { trajplot_figure_options_init(&mut figure, TRAJPLOT_FIGURE_OPTIONS_VERSION) };
    assert_eq!(status, TRAJPLOT_OK);
    assert_eq!(
        format!("{:?}", figure),
        format!("{:?}", TRAJPLOT_FIGURE_OPTIONS_INIT)
    );

    let mut panel = TRAJPLOT_PANEL_OPTIONS_INIT;
    panel.log_scale = !panel.log_scale;
    panel.hover_value = !panel.hover_value;
    let status = unsafe { trajplot_panel_options_init(&mut panel, TRAJPLOT_PANEL_OPTIONS_VERSION) };
    assert_eq!(status, TRAJPLOT_OK);
    assert_eq!(
        format!("{:?}", panel),
        format!("{:?}", TRAJPLOT_PANEL_OPTIONS_INIT)
    );

    let mut stack = TRAJPLOT_STACK_OPTIONS_INIT;
    stack.token_width = 1;
    stack.vertical_spacing = 0.5;
    stack.has_vertical_spacing = !stack.has_vertical_spacing;
    stack.equal_panel_heights = !stack.equal_panel_heights;
    let status = unsafe { trajplot_stack_options_init(&mut stack, TRAJPLOT_STACK_OPTIONS_VERSION) };
    assert_eq!(status, TRAJPLOT_OK);
    assert_eq!(
        format!("{:?}", stack),
        format!("{:?}", TRAJPLOT_STACK_OPTIONS_INIT)
    );

    let mut html = TRAJPLOT_HTML_OPTIONS_INIT;
    html.plotlyjs = TRAJPLOT_PLOTLYJS_NONE;
    html.full_html = !html.full_html;
    let status = unsafe { trajplot_html_options_init(&mut html, TRAJPLOT_HTML_OPTIONS_VERSION) };
    assert_eq!(status, TRAJPLOT_OK);
    assert_eq!(
        format!("{:?}", html),
        format!("{:?}", TRAJPLOT_HTML_OPTIONS_INIT)
    );
}

#[test]
fn loaded_library_has_the_declared_versions() {
    assert_eq!(unsafe { trajplot_abi_version() }, TRAJPLOT_ABI_VERSION);
    let (mut major, mut minor, mut patch) = (-1, -1, -1);
    unsafe { trajplot_version(&mut major, &mut minor, &mut patch) };
    assert_eq!(
        (major, minor, patch),
        (
            TRAJPLOT_VERSION_MAJOR,
            TRAJPLOT_VERSION_MINOR,
            TRAJPLOT_VERSION_PATCH
        )
    );
}

/// The names of the functions trajplot.h declares: the identifier before
/// the '(' that follows each TRAJPLOT_API.
fn header_functions() -> BTreeSet<String> {
    let path = include_dir().join("trajplot.h");
    let header = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {}", path.display(), error));
    let mut names = BTreeSet::new();
    for declaration in header.split("TRAJPLOT_API").skip(1) {
        let before_paren = match declaration.find('(') {
            Some(end) => &declaration[..end],
            None => continue,
        };
        let name: String = before_paren
            .trim_end()
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect::<Vec<char>>()
            .into_iter()
            .rev()
            .collect();
        if name.starts_with("trajplot_") {
            names.insert(name);
        }
    }
    names
}

#[test]
fn every_header_function_is_declared() {
    let header = header_functions();
    assert!(
        header.len() > 30,
        "found only {} functions in trajplot.h",
        header.len()
    );
    let source = include_str!("../src/lib.rs");
    let declared: BTreeSet<String> = source
        .split("pub fn ")
        .skip(1)
        .filter_map(|rest| rest.split('(').next())
        .map(str::to_string)
        .collect();
    let missing: Vec<&String> = header.difference(&declared).collect();
    let unknown: Vec<&String> = declared.difference(&header).collect();
    assert!(
        missing.is_empty(),
        "trajplot.h functions not declared in Rust: {:?}",
        missing
    );
    assert!(
        unknown.is_empty(),
        "Rust declares functions trajplot.h lacks: {:?}",
        unknown
    );
}
