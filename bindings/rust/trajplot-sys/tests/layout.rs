//! The Rust declarations against the C header: struct sizes, alignments,
//! field offsets and sizes, enum sizes and constants, compared with what a
//! C compiler reports for every struct, enum and integer constant of the C
//! API as scripts/describe_capi.py describes it (a C program generated from
//! that description, compiled and run here), and the INIT defaults
//! (compared with the *_options_init functions of the library actually
//! loaded). tests/declarations.rs checks the declarations of src/lib.rs
//! themselves (every function, its parameters, struct fields, constants)
//! against the description.
//!
//! The C compiler is $CC, else `cc`; the header's directory is
//! $TRAJPLOT_INCLUDE_DIR, else the source tree's capi/; the description is
//! $TRAJPLOT_CAPI_DESCRIPTION (tests/capi/mod.rs).

mod capi;

use std::collections::{BTreeMap, BTreeSet};
use std::env;
use std::fmt::Write as _;
use std::mem::{align_of, size_of, MaybeUninit};
use std::path::PathBuf;
use std::process::Command;
use std::ptr::addr_of;

use trajplot_sys::*;

/// A C program printing one fact per line about everything the
/// description lists:
///   size <type> <bytes> | align <type> <bytes>
///   offset <struct> <field> <bytes> | field_size <struct> <field> <bytes>
///   const <macro or enumerator> <value>
fn layout_program(description: &capi::Description) -> String {
    let mut program = String::from(
        "#include <stddef.h>\n#include <stdio.h>\n\n#include <trajplot.h>\n\n\
         /* C99 has no alignof: the offset of a member placed after a char is\n \
         * the member's alignment. */\n",
    );
    let types: Vec<&str> = description
        .structs
        .iter()
        .map(|item| item.name.as_str())
        .chain(description.enums.iter().map(|item| item.name.as_str()))
        .collect();
    for name in &types {
        writeln!(
            program,
            "struct align_of_{0} {{ char c; {0} member; }};",
            name
        )
        .unwrap();
    }
    program.push_str("\nint main(void) {\n");
    for name in &types {
        writeln!(
            program,
            "    printf(\"size {0} %zu\\n\", sizeof({0}));",
            name
        )
        .unwrap();
        writeln!(
            program,
            "    printf(\"align {0} %zu\\n\", offsetof(struct align_of_{0}, member));",
            name
        )
        .unwrap();
    }
    for structure in &description.structs {
        for (field, _) in &structure.fields {
            writeln!(
                program,
                "    printf(\"offset {0} {1} %zu\\n\", offsetof({0}, {1}));",
                structure.name, field
            )
            .unwrap();
            writeln!(
                program,
                "    printf(\"field_size {0} {1} %zu\\n\", sizeof((({0} *)0)->{1}));",
                structure.name, field
            )
            .unwrap();
        }
    }
    for (name, _, _) in description.integer_constants() {
        writeln!(
            program,
            "    printf(\"const {0} %lld\\n\", (long long)({0}));",
            name
        )
        .unwrap();
    }
    program.push_str("    return 0;\n}\n");
    program
}

/// The number of facts layout_program prints.
fn fact_count(description: &capi::Description) -> usize {
    2 * (description.structs.len() + description.enums.len())
        + 2 * description
            .structs
            .iter()
            .map(|item| item.fields.len())
            .sum::<usize>()
        + description.integer_constants().len()
}

/// Compiles and runs the layout program; its output lines.
fn c_facts(description: &capi::Description) -> BTreeSet<String> {
    let directory = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let source = directory.join("trajplot_layout.c");
    let program = directory.join("trajplot_layout");
    std::fs::write(&source, layout_program(description))
        .unwrap_or_else(|error| panic!("cannot write {}: {}", source.display(), error));
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
        .arg(capi::include_dir())
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
    structure!(facts, trajplot_strings);
    field!(facts, trajplot_strings, version);
    field!(facts, trajplot_strings, layout);
    field!(facts, trajplot_strings, count);
    field!(facts, trajplot_strings, data);
    field!(facts, trajplot_strings, lengths);
    field!(facts, trajplot_strings, width);
    field!(facts, trajplot_strings, offsets);
    field!(facts, trajplot_strings, data_len);

    structure!(facts, trajplot_statistic_options);
    field!(facts, trajplot_statistic_options, version);
    field!(facts, trajplot_statistic_options, units);
    field!(facts, trajplot_statistic_options, sequence_labels);
    field!(facts, trajplot_statistic_options, sequence_label_lengths);
    field!(facts, trajplot_statistic_options, sequence_label_count);
    field!(facts, trajplot_statistic_options, trajectory_labels);
    field!(facts, trajplot_statistic_options, layer_labels);
    field!(facts, trajplot_statistic_options, layer_label_lengths);
    field!(facts, trajplot_statistic_options, layer_label_count);
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

    structure!(facts, trajplot_panel_options);
    field!(facts, trajplot_panel_options, version);
    field!(facts, trajplot_panel_options, title);
    field!(facts, trajplot_panel_options, colorscale);
    field!(facts, trajplot_panel_options, extra_json);
    field!(facts, trajplot_panel_options, log_scale);
    field!(facts, trajplot_panel_options, hover_value);

    structure!(facts, trajplot_figure_options);
    field!(facts, trajplot_figure_options, version);
    field!(facts, trajplot_figure_options, title);
    field!(facts, trajplot_figure_options, token_width);
    field!(facts, trajplot_figure_options, height);
    field!(facts, trajplot_figure_options, vertical_spacing);
    field!(facts, trajplot_figure_options, has_vertical_spacing);
    field!(facts, trajplot_figure_options, equal_panel_heights);
    field!(facts, trajplot_figure_options, layout_json);

    structure!(facts, trajplot_export_options);
    field!(facts, trajplot_export_options, version);
    field!(facts, trajplot_export_options, format);
    field!(facts, trajplot_export_options, plotlyjs);
    field!(facts, trajplot_export_options, plotlyjs_location);
    field!(facts, trajplot_export_options, div_id);
    field!(facts, trajplot_export_options, full_html);
    field!(facts, trajplot_export_options, responsive);
    field!(facts, trajplot_export_options, scale);

    structure!(facts, trajplot_status);
    structure!(facts, trajplot_string_layout);
    structure!(facts, trajplot_values);
    structure!(facts, trajplot_measure);
    structure!(facts, trajplot_format);
    structure!(facts, trajplot_plotlyjs);

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
    constant!(facts, TRAJPLOT_STRINGS_POINTERS);
    constant!(facts, TRAJPLOT_STRINGS_UTF32);
    constant!(facts, TRAJPLOT_STRINGS_BYTES);
    constant!(facts, TRAJPLOT_STRINGS_UTF8_OFFSETS);
    constant!(facts, TRAJPLOT_STRINGS_VERSION);
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
    constant!(facts, TRAJPLOT_PANEL_OPTIONS_VERSION);
    constant!(facts, TRAJPLOT_FIGURE_OPTIONS_VERSION);
    constant!(facts, TRAJPLOT_FORMAT_FIGURE_JSON);
    constant!(facts, TRAJPLOT_FORMAT_TRACE_JSON);
    constant!(facts, TRAJPLOT_FORMAT_HTML);
    constant!(facts, TRAJPLOT_FORMAT_SVG);
    constant!(facts, TRAJPLOT_FORMAT_PNG);
    constant!(facts, TRAJPLOT_FORMAT_PDF);
    constant!(facts, TRAJPLOT_PLOTLYJS_LOCAL);
    constant!(facts, TRAJPLOT_PLOTLYJS_CDN);
    constant!(facts, TRAJPLOT_PLOTLYJS_SRC);
    constant!(facts, TRAJPLOT_PLOTLYJS_INLINE);
    constant!(facts, TRAJPLOT_PLOTLYJS_NONE);
    constant!(facts, TRAJPLOT_EXPORT_OPTIONS_VERSION);
    facts
}

/// "kind name [field]" -> value, of "kind name [field] value" lines.
fn by_key(facts: &BTreeSet<String>) -> BTreeMap<String, String> {
    facts
        .iter()
        .map(|fact| {
            let (key, value) = fact.rsplit_once(' ').expect("a fact without a value");
            (key.to_string(), value.to_string())
        })
        .collect()
}

#[test]
fn structs_and_constants_match_the_c_compiler() {
    let description = capi::description();
    let c = c_facts(&description);
    // Guards against comparing two empty sets.
    assert_eq!(
        c.len(),
        fact_count(&description),
        "the layout program printed {} lines for the description's {} facts",
        c.len(),
        fact_count(&description)
    );
    assert!(
        c.len() > 100,
        "the layout program printed only {} lines",
        c.len()
    );
    let c = by_key(&c);
    let rust = by_key(&rust_facts());
    let mut problems = Vec::new();
    for (key, value) in &c {
        match rust.get(key) {
            None => problems.push(format!("{} is {} in C, but missing in Rust", key, value)),
            Some(rust_value) if rust_value != value => problems.push(format!(
                "{} is {} in C but {} in Rust",
                key, value, rust_value
            )),
            Some(_) => {}
        }
    }
    for (key, value) in &rust {
        if !c.contains_key(key) {
            problems.push(format!(
                "{} is {} in Rust, but {} has no such struct, field or constant",
                key, value, description.header
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "the Rust declarations differ from {} as the C compiler sees it (what is missing in \
         Rust must be declared in src/lib.rs and listed in rust_facts() of tests/layout.rs):\n  {}",
        description.header,
        problems.join("\n  ")
    );
}

#[test]
fn init_constants_equal_the_library_defaults() {
    // Debug prints every field (pointers as addresses, floats with their
    // sign), so equal text means equal fields.
    let mut statistic = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    statistic.includes_output = !statistic.includes_output;
    statistic.min = 1.5;
    statistic.sequence_label_count = 3;
    statistic.layer_label_count = 2;
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

    let mut panel = TRAJPLOT_PANEL_OPTIONS_INIT;
    panel.log_scale = !panel.log_scale;
    panel.hover_value = !panel.hover_value;
    let status = unsafe { trajplot_panel_options_init(&mut panel, TRAJPLOT_PANEL_OPTIONS_VERSION) };
    assert_eq!(status, TRAJPLOT_OK);
    assert_eq!(
        format!("{:?}", panel),
        format!("{:?}", TRAJPLOT_PANEL_OPTIONS_INIT)
    );

    let mut figure = TRAJPLOT_FIGURE_OPTIONS_INIT;
    figure.token_width = 1;
    figure.height = 7;
    figure.vertical_spacing = 0.5;
    figure.has_vertical_spacing = !figure.has_vertical_spacing;
    figure.equal_panel_heights = !figure.equal_panel_heights;
    let status =
        unsafe { trajplot_figure_options_init(&mut figure, TRAJPLOT_FIGURE_OPTIONS_VERSION) };
    assert_eq!(status, TRAJPLOT_OK);
    assert_eq!(
        format!("{:?}", figure),
        format!("{:?}", TRAJPLOT_FIGURE_OPTIONS_INIT)
    );

    let mut export = TRAJPLOT_EXPORT_OPTIONS_INIT;
    export.format = TRAJPLOT_FORMAT_HTML;
    export.plotlyjs = TRAJPLOT_PLOTLYJS_NONE;
    export.full_html = !export.full_html;
    export.responsive = !export.responsive;
    export.scale = 3.5;
    let status =
        unsafe { trajplot_export_options_init(&mut export, TRAJPLOT_EXPORT_OPTIONS_VERSION) };
    assert_eq!(status, TRAJPLOT_OK);
    assert_eq!(
        format!("{:?}", export),
        format!("{:?}", TRAJPLOT_EXPORT_OPTIONS_INIT)
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
