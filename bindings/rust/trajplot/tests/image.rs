//! Images the library draws itself: SVG, PNG and PDF through to_image,
//! export_bytes, save and write_to; their sizes and scale; the errors for
//! formats and scales. PNG and PDF are tested when the library was built
//! with them (format_available), and must be when
//! TRAJPLOT_REQUIRE_IMAGE_FORMATS names them.

mod common;

use std::env;
use std::fs;

use common::{assert_fails, scratch_path};
use trajplot::{
    format_available, ErrorKind, ExportOptions, Figure, FigureOptions, Format, Labels,
    PanelOptions, Statistic,
};

const TITLE: &str = "Entropy & <layers>";
/// 200 + token_width 10 * 4 positions, and the height asked for.
const WIDTH: u32 = 240;
const HEIGHT: u32 = 300;
const TOKENS: [&str; 4] = ["The", "Tower", "is", "tall"];

fn statistic() -> Statistic {
    let cells = [
        "the", "a", "of", "in", "Eiffel", "tower", "is", "in", "Tower", "Tower", "was", "a",
    ];
    let labels = Labels::new(&cells, 3, 4).unwrap();
    let stats: Vec<f32> = (0..12).map(|i| i as f32 * 0.25 + 0.125).collect();
    Statistic::builder("Entropy", &stats, 3, 4)
        .units("nats")
        .sequence_labels(&TOKENS)
        .trajectory_labels(&labels)
        .build()
        .unwrap()
}

fn figure() -> Figure {
    let options = FigureOptions {
        title: TITLE.to_string(),
        token_width: 10,
        height: Some(HEIGHT as usize),
        ..Default::default()
    };
    Figure::new(&statistic(), &PanelOptions::default(), &options).unwrap()
}

/// Whether the library writes `format`; a format the build must have
/// (TRAJPLOT_REQUIRE_IMAGE_FORMATS, "png,pdf") fails the test when it
/// does not.
fn built(format: Format, name: &str) -> bool {
    if format_available(format) {
        return true;
    }
    let required = env::var("TRAJPLOT_REQUIRE_IMAGE_FORMATS").unwrap_or_default();
    assert!(
        !required.split(',').any(|item| item == name),
        "TRAJPLOT_REQUIRE_IMAGE_FORMATS names {}, but the library cannot write it",
        name
    );
    eprintln!("{} is not built into this library: not tested", name);
    false
}

/// (width, height) of a whole PNG: the signature, IHDR first, IEND last.
fn png_size(data: &[u8]) -> (u32, u32) {
    assert!(data.len() > 45, "{} bytes are no PNG", data.len());
    assert_eq!(&data[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(&data[8..16], b"\x00\x00\x00\x0dIHDR");
    assert_eq!(&data[data.len() - 12..], b"\x00\x00\x00\x00IEND\xaeB`\x82");
    let word = |at: usize| u32::from_be_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]]);
    (word(16), word(20))
}

/// The page size of a whole one-page PDF, in points.
fn pdf_size(data: &[u8]) -> (f64, f64) {
    assert!(
        data.starts_with(b"%PDF-"),
        "{:?}",
        &data[..data.len().min(16)]
    );
    let tail = &data[data.len().saturating_sub(32)..];
    assert!(tail.windows(5).any(|window| window == b"%%EOF"));
    let text = String::from_utf8_lossy(data);
    let boxes: Vec<&str> = text.split("/MediaBox").skip(1).collect();
    assert_eq!(boxes.len(), 1, "one page");
    let numbers: Vec<f64> = boxes[0]
        .trim_start()
        .trim_start_matches('[')
        .split(']')
        .next()
        .unwrap()
        .split_whitespace()
        .map(|number| number.parse().unwrap())
        .collect();
    assert_eq!(&numbers[..2], &[0.0, 0.0]);
    (numbers[2], numbers[3])
}

fn svg_text(data: Vec<u8>) -> String {
    let text = String::from_utf8(data).expect("an SVG image is UTF-8");
    assert!(text.contains("<svg"), "{}", text);
    assert!(text.trim_end().ends_with("</svg>"), "{}", text);
    text
}

#[test]
fn availability() {
    for format in [
        Format::FigureJson,
        Format::TraceJson,
        Format::Html,
        Format::Svg,
    ] {
        assert!(format_available(format), "{:?}", format);
    }
    assert_eq!(format_available(Format::Png), unsafe {
        trajplot::sys::trajplot_format_available(trajplot::sys::TRAJPLOT_FORMAT_PNG)
    });
    assert!(!unsafe { trajplot::sys::trajplot_format_available(99) });
}

#[test]
fn formats_from_extensions_and_their_kinds() {
    assert_eq!(Format::from_extension("a/b.svg"), Some(Format::Svg));
    assert_eq!(Format::from_extension("B.PNG"), Some(Format::Png));
    assert_eq!(Format::from_extension("c.pdf"), Some(Format::Pdf));
    assert_eq!(Format::from_extension("d.htm"), Some(Format::Html));
    assert_eq!(Format::from_extension("e.json"), Some(Format::FigureJson));
    assert_eq!(Format::from_extension("f.jpg"), None);
    assert_eq!(Format::from_extension("png"), None);
    assert!(Format::Svg.is_image() && !Format::Svg.is_binary());
    assert!(Format::Png.is_binary() && Format::Pdf.is_binary());
    assert!(!Format::Html.is_image() && !Format::FigureJson.is_binary());
    assert_eq!(ExportOptions::default().scale, 1.0);
    let sharp = ExportOptions::new(Format::Png).scale(2.5);
    assert_eq!((sharp.format, sharp.scale), (Format::Png, 2.5));
}

#[test]
fn svg_everywhere_gives_the_same_document() {
    let figure = figure();
    let text = svg_text(figure.to_image(Format::Svg, 1.0).unwrap());
    assert!(text.contains("Entropy &amp; &lt;layers&gt;"), "{}", text);
    for label in ["Entropy (nats)", ">Eiffel<", ">was<"] {
        assert!(text.contains(label), "{} lacks {}", text, label);
    }
    assert!(text.contains("width=\"240\" height=\"300\""), "{}", text);
    let double = svg_text(figure.to_image(Format::Svg, 2.0).unwrap());
    assert!(
        double.contains("width=\"480\" height=\"600\""),
        "{}",
        double
    );
    assert!(double.contains("viewBox=\"0 0 240 300\""), "{}", double);
    // At 80 pixels a token every tick is labelled.
    let wide = Figure::new(
        &statistic(),
        &PanelOptions::default(),
        &FigureOptions::default(),
    )
    .unwrap()
    .to_image(Format::Svg, 1.0)
    .unwrap();
    let wide = svg_text(wide);
    for token in TOKENS {
        assert!(
            wide.contains(&format!(">{}<", token)),
            "{} lacks {}",
            wide,
            token
        );
    }
    let options = ExportOptions::new(Format::Svg);
    assert_eq!(figure.export(&options).unwrap(), text);
    assert_eq!(figure.export_bytes(&options).unwrap(), text.as_bytes());
    let mut written = Vec::new();
    figure.write_to(&mut written, &options).unwrap();
    assert_eq!(written, text.as_bytes());
    let path = scratch_path("figure.svg");
    figure.save(&path, &options).unwrap();
    assert_eq!(fs::read(&path).unwrap(), text.as_bytes());
    fs::remove_file(&path).unwrap();
    svg_text(figure.to_image(Format::Svg, 16.0).unwrap());
}

#[test]
fn png_has_the_figure_size_times_the_scale() {
    if !built(Format::Png, "png") {
        return;
    }
    let figure = figure();
    for (scale, size) in [
        (1.0, (WIDTH, HEIGHT)),
        (2.0, (2 * WIDTH, 2 * HEIGHT)),
        (1.5, (360, 450)),
        (0.5, (WIDTH / 2, HEIGHT / 2)),
    ] {
        assert_eq!(
            png_size(&figure.to_image(Format::Png, scale).unwrap()),
            size,
            "scale {}",
            scale
        );
    }
    let stacked = Figure::stacked(
        [
            (statistic(), PanelOptions::default()),
            (statistic().clip(0.5, 2.0).unwrap(), PanelOptions::default()),
        ],
        &FigureOptions {
            token_width: 10,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        png_size(&stacked.to_image(Format::Png, 1.0).unwrap()),
        (WIDTH, 150 + 250 * 2)
    );
}

#[test]
fn png_through_every_destination() {
    if !built(Format::Png, "png") {
        return;
    }
    let figure = figure();
    let options = ExportOptions::new(Format::Png).scale(2.0);
    let image = figure.to_image(Format::Png, 2.0).unwrap();
    assert_eq!(png_size(&image), (2 * WIDTH, 2 * HEIGHT));
    assert_eq!(figure.export_bytes(&options).unwrap(), image);
    let mut written = Vec::new();
    figure.write_to(&mut written, &options).unwrap();
    assert_eq!(written, image);
    let path = scratch_path("figure.png");
    figure.save(&path, &options).unwrap();
    assert_eq!(fs::read(&path).unwrap(), image);
    fs::remove_file(&path).unwrap();
    let error = assert_fails(
        figure.export(&options),
        ErrorKind::InvalidArgument,
        &["Figure::export", "binary", "to_image"],
    );
    assert_eq!(error.status(), trajplot::sys::TRAJPLOT_EINVAL);
}

#[test]
fn pdf_through_every_destination() {
    if !built(Format::Pdf, "pdf") {
        return;
    }
    let figure = figure();
    let options = ExportOptions::new(Format::Pdf);
    let size = (f64::from(WIDTH), f64::from(HEIGHT));
    assert_eq!(pdf_size(&figure.to_image(Format::Pdf, 1.0).unwrap()), size);
    assert_eq!(
        pdf_size(&figure.to_image(Format::Pdf, 2.0).unwrap()),
        (2.0 * size.0, 2.0 * size.1)
    );
    assert_eq!(pdf_size(&figure.export_bytes(&options).unwrap()), size);
    let mut written = Vec::new();
    figure.write_to(&mut written, &options).unwrap();
    assert_eq!(pdf_size(&written), size);
    let path = scratch_path("figure.pdf");
    figure.save(&path, &options).unwrap();
    assert_eq!(pdf_size(&fs::read(&path).unwrap()), size);
    fs::remove_file(&path).unwrap();
    assert_fails(
        figure.export(&options),
        ErrorKind::InvalidArgument,
        &["binary"],
    );
}

#[test]
fn formats_the_library_lacks_are_its_errors() {
    let figure = figure();
    for format in [Format::Png, Format::Pdf] {
        if format_available(format) {
            continue;
        }
        assert!(figure.to_image(format, 1.0).is_err(), "{:?}", format);
        let path = scratch_path("missing-format");
        assert!(figure.save(&path, &ExportOptions::new(format)).is_err());
        assert!(!path.exists());
    }
}

#[test]
fn to_image_takes_image_formats_only() {
    let figure = figure();
    for format in [Format::FigureJson, Format::TraceJson, Format::Html] {
        assert_fails(
            figure.to_image(format, 1.0),
            ErrorKind::InvalidArgument,
            &["Figure::to_image", "not an image format"],
        );
    }
}

#[test]
fn bad_scales_are_refused_before_anything_is_written() {
    let figure = figure();
    for scale in [0.0, -1.0, 16.5, 17.0, f64::INFINITY, f64::NAN] {
        assert_fails(
            figure.to_image(Format::Svg, scale),
            ErrorKind::InvalidArgument,
            &["scale"],
        );
        let mut written = Vec::new();
        assert!(figure
            .write_to(&mut written, &ExportOptions::new(Format::Svg).scale(scale))
            .is_err());
        assert!(written.is_empty(), "scale {}", scale);
    }
    let path = scratch_path("earlier.svg");
    fs::write(&path, "earlier").unwrap();
    assert_fails(
        figure.save(&path, &ExportOptions::new(Format::Svg).scale(100.0)),
        ErrorKind::InvalidArgument,
        &["scale"],
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), "earlier");
    fs::remove_file(&path).unwrap();
}
