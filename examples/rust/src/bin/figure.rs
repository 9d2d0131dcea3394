//! Draws the entropy of a lens's predictions over "The Eiffel Tower is" (two
//! layers and the output), with each cell labelled by its top token and a
//! top-3 table on hover, and writes it as an HTML page, with the Rust
//! binding. The data is the one examples/README.md defines for every example.
//!
//! From this directory, with the library built in build/ (cargo then builds
//! into build/ too, see .cargo/config.toml):
//!
//!   TRAJPLOT_LIB_DIR=$PWD/../../build LD_LIBRARY_PATH=$PWD/../../build \
//!       cargo run --bin figure -- [OUT.html]
//!
//! (OUT.html defaults to figure.html).

use std::process::ExitCode;

use trajplot::{ExportOptions, Figure, FigureOptions, Format, Labels, PanelOptions, Statistic};

const N_LAYERS: usize = 3;
const SEQ_LEN: usize = 4;

#[rustfmt::skip]
const ENTROPY: [f32; N_LAYERS * SEQ_LEN] = [
    5.12, 3.05, 3.48, 3.91, // layer 0
    4.27, 1.21, 2.36, 2.88, // layer 1
    3.94, 0.19, 1.45, 2.05, // output
];
const TOKENS: [&str; SEQ_LEN] = ["The", "Eiffel", "Tower", "is"];

/// The lens's top 3 next tokens at each layer and position, most likely
/// first, and their probabilities in percent.
const TOP_TOKENS: [[[&str; 3]; SEQ_LEN]; N_LAYERS] = [
    [
        ["the", "a", "first"],
        ["Tower", "tower", "Towers"],
        ["of", "is", "in"],
        ["a", "the", "located"],
    ],
    [
        ["first", "the", "new"],
        ["Tower", "tower", "Towers"],
        ["is", "was", "in"],
        ["located", "a", "the"],
    ],
    [
        ["first", "most", "new"],
        ["Tower", "tower", "Towers"],
        ["is", "was", "in"],
        ["located", "a", "the"],
    ],
];
const TOP_PERCENT: [[[f64; 3]; SEQ_LEN]; N_LAYERS] = [
    [
        [12.40, 8.10, 5.30],
        [35.60, 10.20, 4.70],
        [20.10, 15.80, 9.40],
        [18.30, 14.50, 6.20],
    ],
    [
        [21.70, 9.60, 6.80],
        [78.90, 6.10, 2.30],
        [41.20, 17.50, 12.30],
        [29.40, 20.60, 11.90],
    ],
    [
        [26.50, 10.30, 8.70],
        [96.80, 1.10, 0.40],
        [62.30, 14.20, 8.60],
        [48.70, 16.40, 9.80],
    ],
];

fn write_figure(out: &str) -> Result<(), trajplot::Error> {
    // Row-major (layer, position): a cell's label is its top token; its
    // hover table has a row (token, "41.20%") per candidate.
    let mut cell_labels = Vec::new();
    let mut hover = Vec::new();
    for (tokens, percents) in TOP_TOKENS
        .iter()
        .flatten()
        .zip(TOP_PERCENT.iter().flatten())
    {
        cell_labels.push(String::from(tokens[0]));
        for (token, percent) in tokens.iter().zip(percents) {
            hover.push(String::from(*token));
            hover.push(format!("{:.2}%", percent));
        }
    }
    let labels = Labels::with_hover(&cell_labels, N_LAYERS, SEQ_LEN, &hover, 3, 2)?;
    let entropy = Statistic::builder("Entropy", &ENTROPY, N_LAYERS, SEQ_LEN)
        .units("nats")
        .sequence_labels(&TOKENS)
        .trajectory_labels(&labels)
        .includes_output(true) // the last layer is labelled "output"
        .build()?;
    let options = FigureOptions {
        title: "Entropy by layer".to_string(),
        ..Default::default()
    };
    // The default panel options: the default colourscale and hover.
    let figure = Figure::new(&entropy, &PanelOptions::default(), &options)?;
    // An HTML page, the other export options at their defaults: a whole
    // page that inlines the local plotly.js (the copy installed with
    // trajplot), so that it draws offline. The file is replaced atomically.
    figure.save(out, &ExportOptions::new(Format::Html))
}

fn main() -> ExitCode {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "figure.html".to_string());
    match write_figure(&out) {
        Ok(()) => {
            println!("wrote {}", out);
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("figure: {}", error);
            ExitCode::FAILURE
        }
    }
}
