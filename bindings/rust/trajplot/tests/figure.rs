mod common;

use std::fs;

use common::{assert_fails, scratch_path, Json};
use trajplot::{
    ErrorKind, ExportOptions, Figure, FigureOptions, Format, Labels, PanelOptions, PlotlyJs,
    Statistic,
};

/// 2 layers x 3 tokens of entropy in nats, with cell labels and 1 x 2 hover
/// tables.
fn entropy() -> Statistic {
    let labels = Labels::with_hover(
        &["the", "a", "dog", "cat", "sat", "on"],
        2,
        3,
        &[
            "the", "41.20%", "a", "9.00%", "dog", "5.50%", "cat", "70.00%", "sat", "3.10%", "on",
            "12.50%",
        ],
        1,
        2,
    )
    .unwrap();
    Statistic::builder("Entropy", &[3.1, 2.9, f32::NAN, 0.4, 1.25, 0.8], 2, 3)
        .units("nats")
        .sequence_labels(&["The", "cat", "sat"])
        .trajectory_labels(&labels)
        .build()
        .unwrap()
}

/// The figure of `statistic` drawn as `panel`, with the default figure
/// options.
fn drawn(statistic: &Statistic, panel: &PanelOptions) -> trajplot::Result<Figure> {
    Figure::new(statistic, panel, &FigureOptions::default())
}

/// The heatmap trace of `statistic` drawn as `panel`.
fn trace_json(statistic: &Statistic, panel: &PanelOptions) -> trajplot::Result<String> {
    drawn(statistic, panel)?.export(&ExportOptions::new(Format::TraceJson))
}

/// The figure JSON of `statistic` with the default panel options.
fn figure_json(statistic: &Statistic, options: &FigureOptions) -> trajplot::Result<String> {
    Figure::new(statistic, &PanelOptions::default(), options)?.export(&ExportOptions::default())
}

/// The HTML export of `statistic` with the default panel options.
fn figure_html(
    statistic: &Statistic,
    options: &FigureOptions,
    html: &ExportOptions,
) -> trajplot::Result<String> {
    Figure::new(statistic, &PanelOptions::default(), options)?.export(html)
}

/// The HTML export options, the others at their defaults.
fn html() -> ExportOptions {
    ExportOptions::new(Format::Html)
}

fn strings(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|text| text.to_string()).collect()
}

fn assert_same_matrix(actual: &[Vec<f32>], expected: &[&[f32]]) {
    let bits = |row: &[f32]| row.iter().map(|v| v.to_bits()).collect::<Vec<u32>>();
    let actual: Vec<Vec<u32>> = actual.iter().map(|row| bits(row)).collect();
    let expected: Vec<Vec<u32>> = expected.iter().map(|row| bits(row)).collect();
    assert_eq!(actual, expected);
}

#[test]
fn the_heatmap_trace_holds_the_statistic() {
    let trace = Json::parse(&trace_json(&entropy(), &PanelOptions::default()).unwrap());
    assert_eq!(trace.at("type").str(), "heatmap");
    assert_same_matrix(
        &trace.at("z").matrix(),
        &[&[3.1, 2.9, f32::NAN], &[0.4, 1.25, 0.8]],
    );
    assert_eq!(trace.at("y").strings(), strings(&["0", "output"]));
    assert_eq!(trace.at("x").array().len(), 3);
    assert_eq!(trace.at("x.0").str(), "The");
    // Finite values only: NaN does not hide the range.
    assert_eq!(trace.at("zmin").number() as f32, 0.4);
    assert_eq!(trace.at("zmax").number() as f32, 3.1);
    assert_eq!(trace.at("colorbar.title.text").str(), "Entropy (nats)");
    assert_eq!(trace.at("text.1").strings(), strings(&["cat", "sat", "on"]));
    assert_eq!(trace.at("texttemplate").str(), "<b>%{text}</b>");
    assert_eq!(
        trace.at("hovertemplate").str(),
        "%{customdata[0]}%{customdata[1]}<br><extra></extra>"
    );
    assert_eq!(
        trace.at("customdata.0.0").strings(),
        strings(&[" the", " 41.20%"])
    );
    assert_eq!(trace.at("hoverlabel.font.family").str(), "Monospace");
}

#[test]
fn the_default_colorscale_is_rdbu_reversed() {
    let trace = Json::parse(&trace_json(&entropy(), &PanelOptions::default()).unwrap());
    assert_eq!(trace.at("colorscale.0.1").str(), "rgb(5,48,97)");
    assert_eq!(trace.at("colorscale.10.1").str(), "rgb(103,0,31)");
    let options = PanelOptions {
        colorscale: "RdBu".to_string(),
        ..Default::default()
    };
    let plain = Json::parse(&trace_json(&entropy(), &options).unwrap());
    assert_eq!(plain.at("colorscale.0.1").str(), "rgb(103,0,31)");
}

#[test]
fn an_unknown_colorscale_is_an_error_listing_valid_names() {
    let options = PanelOptions {
        colorscale: "no-such-scale".to_string(),
        ..Default::default()
    };
    // Refused when the figure is made, before any export.
    assert_fails(
        drawn(&entropy(), &options),
        ErrorKind::InvalidArgument,
        &[
            "trajplot_figure_create",
            "unknown colorscale \"no-such-scale\"",
            "viridis",
        ],
    );
}

#[test]
fn an_explicit_range_sets_zmin_and_zmax() {
    let statistic = Statistic::builder("x", &[1.0, 2.0], 1, 2)
        .min(-5.0)
        .max(5.0)
        .build()
        .unwrap();
    let trace = Json::parse(&trace_json(&statistic, &PanelOptions::default()).unwrap());
    assert_eq!(
        (trace.at("zmin").number(), trace.at("zmax").number()),
        (-5.0, 5.0)
    );
    let clipped = Json::parse(
        &trace_json(
            &statistic.clip(1.5, 1.75).unwrap(),
            &PanelOptions::default(),
        )
        .unwrap(),
    );
    assert_eq!(
        (clipped.at("zmin").number(), clipped.at("zmax").number()),
        (1.5, 1.75)
    );
    assert_eq!(clipped.at("z").matrix(), vec![vec![1.5, 1.75]]);
}

#[test]
fn log_scale_colours_by_log10() {
    let statistic = Statistic::builder("KL", &[1.0, 10.0, 100.0, 0.0], 2, 2)
        .units("bits")
        .build()
        .unwrap();
    let options = PanelOptions {
        log_scale: true,
        ..Default::default()
    };
    let trace = Json::parse(&trace_json(&statistic, &options).unwrap());
    assert_same_matrix(&trace.at("z").matrix(), &[&[0.0, 1.0], &[2.0, f32::NAN]]);
    assert_eq!(trace.at("colorbar.tickvals").array().len(), 3);
    assert_eq!(
        trace.at("colorbar.ticktext").strings(),
        strings(&["10<sup>0</sup>", "10<sup>1</sup>", "10<sup>2</sup>"])
    );
    assert_eq!(trace.at("colorbar.title.text").str(), "KL (bits)");
    let negative_min = Statistic::builder("KL", &[1.0, 10.0], 1, 2)
        .min(-1.0)
        .build()
        .unwrap();
    assert_fails(
        drawn(&negative_min, &options),
        ErrorKind::InvalidArgument,
        &["trajplot_figure_create", "log scale", "-1"],
    );
}

#[test]
fn extra_json_is_merged_into_the_trace() {
    let options = PanelOptions {
        extra_json: Some(
            r#"{"colorbar": {"len": 0.25, "y": 0.89}, "textfont": {"size": 10}}"#.to_string(),
        ),
        ..Default::default()
    };
    let trace = Json::parse(&trace_json(&entropy(), &options).unwrap());
    assert_eq!(trace.at("colorbar.len").number(), 0.25);
    assert_eq!(trace.at("colorbar.y").number(), 0.89);
    assert_eq!(trace.at("colorbar.title.text").str(), "Entropy (nats)");
    assert_eq!(trace.at("textfont.size").number(), 10.0);
}

#[test]
fn invalid_extra_json_is_an_error() {
    let options = |json: &str| PanelOptions {
        extra_json: Some(json.to_string()),
        ..Default::default()
    };
    assert_fails(
        drawn(&entropy(), &options(r#"{"a": "#)),
        ErrorKind::InvalidArgument,
        &[
            "trajplot_figure_create",
            "extra_json is not valid JSON (byte 7)",
        ],
    );
    assert_fails(
        drawn(&entropy(), &options("[1]")),
        ErrorKind::InvalidArgument,
        &["extra_json must be a JSON object, got array"],
    );
    assert_fails(
        drawn(&entropy(), &options("{\0}")),
        ErrorKind::InvalidArgument,
        &["PanelOptions::extra_json", "NUL"],
    );
}

#[test]
fn the_figure_wraps_the_trace_in_a_layout() {
    let statistic = entropy();
    let options = FigureOptions {
        title: "Entropy <by> layer".to_string(),
        token_width: 50,
        ..Default::default()
    };
    let drawn = Figure::new(&statistic, &PanelOptions::default(), &options).unwrap();
    assert_eq!((drawn.is_stacked(), drawn.panel_count()), (false, 1));
    let figure = Json::parse(&drawn.export(&ExportOptions::default()).unwrap());
    let trace = Json::parse(
        &drawn
            .export(&ExportOptions::new(Format::TraceJson))
            .unwrap(),
    );
    assert_eq!(figure.at("data").array(), &[trace]);
    assert_eq!(
        figure.at("layout.title.text").str(),
        "Entropy &lt;by&gt; layer"
    );
    assert_eq!(figure.at("layout.width").number(), 200.0 + 50.0 * 3.0);
    assert_eq!(figure.at("layout.xaxis.title.text").str(), "Input");
    assert_eq!(figure.at("layout.yaxis.title.text").str(), "Layer");
    assert_eq!(figure.at("layout.xaxis.type").str(), "category");
    assert_eq!(figure.at("layout.yaxis.type").str(), "category");
    assert!(!figure.has("layout.height"));

    let defaults = Json::parse(&figure_json(&statistic, &FigureOptions::default()).unwrap());
    assert_eq!(defaults.at("layout.width").number(), 200.0 + 80.0 * 3.0);
    assert_eq!(defaults.at("layout.title.text").str(), "");
    let tall = FigureOptions {
        height: Some(640),
        ..Default::default()
    };
    assert_eq!(
        Json::parse(&figure_json(&statistic, &tall).unwrap())
            .at("layout.height")
            .number(),
        640.0
    );
}

#[test]
fn a_figure_of_one_statistic_ignores_the_panel_title() {
    // The figure's title is FigureOptions::title; PanelOptions::title is a
    // stacked panel's.
    let statistic = entropy();
    let titled = PanelOptions {
        title: Some("panel title".to_string()),
        ..Default::default()
    };
    let figure = Figure::new(&statistic, &titled, &FigureOptions::default()).unwrap();
    assert_eq!(
        figure.export(&ExportOptions::default()).unwrap(),
        figure_json(&statistic, &FigureOptions::default()).unwrap()
    );
}

#[test]
fn figure_options_errors() {
    let zero_width = FigureOptions {
        token_width: 0,
        ..Default::default()
    };
    assert_fails(
        figure_json(&entropy(), &zero_width),
        ErrorKind::InvalidArgument,
        &[
            "trajplot_figure_create",
            "token_width must be at least 1, got 0",
        ],
    );
    let huge_width = FigureOptions {
        token_width: usize::MAX / 2,
        ..Default::default()
    };
    assert_fails(
        figure_json(&entropy(), &huge_width),
        ErrorKind::OutOfRange,
        &["trajplot_figure_create"],
    );
    let nul_title = FigureOptions {
        title: "a\0".to_string(),
        ..Default::default()
    };
    assert_fails(
        figure_json(&entropy(), &nul_title),
        ErrorKind::InvalidArgument,
        &["FigureOptions::title", "NUL"],
    );
}

#[test]
fn json_files_hold_what_the_strings_hold() {
    let statistic = entropy();
    let options = FigureOptions {
        title: "file".to_string(),
        ..Default::default()
    };
    let figure = Figure::new(&statistic, &PanelOptions::default(), &options).unwrap();
    let figure_path = scratch_path("figure.json");
    figure
        .save(&figure_path, &ExportOptions::default())
        .unwrap();
    assert_eq!(
        fs::read_to_string(&figure_path).unwrap(),
        figure_json(&statistic, &options).unwrap()
    );
    let trace_path = scratch_path("trace.json");
    let trace = ExportOptions::new(Format::TraceJson);
    figure.save(trace_path.as_path(), &trace).unwrap();
    assert_eq!(
        fs::read_to_string(&trace_path).unwrap(),
        trace_json(&statistic, &PanelOptions::default()).unwrap()
    );
}

#[test]
fn a_failed_write_keeps_the_earlier_file() {
    let statistic = entropy();
    let figure = drawn(&statistic, &PanelOptions::default()).unwrap();
    let path = scratch_path("kept.json");
    figure.save(&path, &ExportOptions::default()).unwrap();
    let before = fs::read_to_string(&path).unwrap();
    // Options refused by the export...
    let bad_id = ExportOptions {
        div_id: Some("1figure".to_string()),
        ..html()
    };
    assert_fails(
        figure.save(&path, &bad_id),
        ErrorKind::InvalidArgument,
        &["trajplot_figure_save", "div_id"],
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), before);
    // ... and an export that fails on the way.
    let missing = ExportOptions {
        plotlyjs: PlotlyJs::Inline(scratch_path("no-plotly.js")),
        ..html()
    };
    assert_fails(
        figure.save(&path, &missing),
        ErrorKind::Io,
        &["cannot read plotly.js"],
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), before);
    // A refused option never gets as far as a figure.
    let bad = PanelOptions {
        colorscale: "nope".to_string(),
        ..Default::default()
    };
    assert_fails(
        drawn(&statistic, &bad),
        ErrorKind::InvalidArgument,
        &["colorscale"],
    );
}

#[test]
fn writing_into_a_missing_directory_is_an_io_error() {
    let path = scratch_path("missing-directory").join("figure.json");
    let figure = drawn(&entropy(), &PanelOptions::default()).unwrap();
    assert_fails(
        figure.save(&path, &ExportOptions::default()),
        ErrorKind::Io,
        &["trajplot_figure_save", "missing-directory"],
    );
    assert_fails(
        figure.save(&path, &ExportOptions::new(Format::TraceJson)),
        ErrorKind::Io,
        &[],
    );
    assert_fails(
        figure.save(&path, &html()),
        ErrorKind::Io,
        &["trajplot_figure_save"],
    );
    assert!(!path.exists());
}

/// The figure JSON a page passes to Plotly.newPlot.
fn figure_in_page(page: &str) -> Json {
    let start = page.find("var figure = ").expect("the page has no figure") + "var figure = ".len();
    let end = start
        + page[start..]
            .find(";\n")
            .expect("the figure is not terminated");
    Json::parse(&page[start..end])
}

#[test]
fn a_page_draws_the_figure_with_plotly_from_the_cdn() {
    let statistic = entropy();
    let options = FigureOptions {
        title: "page".to_string(),
        ..Default::default()
    };
    let page = figure_html(&statistic, &options, &html()).unwrap();
    assert!(
        page.starts_with("<!DOCTYPE html>") || page.contains("<html"),
        "not a whole document"
    );
    // The default inlines the local plotly.js, or loads the CDN's without one.
    match trajplot::local_plotlyjs().unwrap() {
        Some(local) => {
            let script = fs::read_to_string(&local).unwrap();
            assert!(
                page.contains(&script),
                "the page does not inline {:?}",
                local
            );
            assert!(!page.contains("<script src"));
        }
        None => assert!(
            page.contains("<script src=\"https://cdn.plot.ly/plotly-"),
            "no CDN script"
        ),
    }
    let cdn = ExportOptions {
        plotlyjs: PlotlyJs::Cdn,
        ..html()
    };
    assert!(figure_html(&statistic, &options, &cdn)
        .unwrap()
        .contains("<script src=\"https://cdn.plot.ly/plotly-"));
    assert!(page.contains("id=\"trajplot-figure\""));
    let figure = figure_in_page(&page);
    assert_eq!(
        figure,
        Json::parse(&figure_json(&statistic, &options).unwrap())
    );
}

#[test]
fn html_options_choose_script_div_and_document() {
    let statistic = entropy();
    let figure = FigureOptions::default();
    let fragment = ExportOptions {
        format: Format::Html,
        plotlyjs: PlotlyJs::None,
        div_id: Some("entropy-1".to_string()),
        full_html: false,
        responsive: true,
        scale: 1.0,
    };
    let page = figure_html(&statistic, &figure, &fragment).unwrap();
    assert!(!page.contains("<html"), "a fragment is a whole document");
    assert!(
        !page.contains("<script src"),
        "PlotlyJs::None loads plotly.js"
    );
    assert!(page.contains("id=\"entropy-1\""));
    assert!(page.contains("\"responsive\": true"));
    assert!(
        !figure_in_page(&page).has("layout.width"),
        "a responsive figure has a fixed width"
    );

    let src = ExportOptions {
        plotlyjs: PlotlyJs::Src("js/plotly.min.js".to_string()),
        ..html()
    };
    let page = figure_html(&statistic, &figure, &src).unwrap();
    assert!(page.contains("<script src=\"js/plotly.min.js\""));
    assert!(!page.contains("cdn.plot.ly"));

    let script = scratch_path("plotly.min.js");
    fs::write(&script, "window.PlotlyStandIn = 42;").unwrap();
    let inline = ExportOptions {
        plotlyjs: PlotlyJs::Inline(script),
        ..html()
    };
    let page = figure_html(&statistic, &figure, &inline).unwrap();
    assert!(page.contains("window.PlotlyStandIn = 42;"));
    assert!(!page.contains("<script src"));
}

#[test]
fn html_fields_are_ignored_by_the_json_formats() {
    let figure = drawn(&entropy(), &PanelOptions::default()).unwrap();
    let odd = ExportOptions {
        plotlyjs: PlotlyJs::Inline(scratch_path("no-plotly.js")),
        div_id: Some("1figure\0".to_string()),
        full_html: false,
        responsive: true,
        ..ExportOptions::default()
    };
    assert_eq!(
        figure.export(&odd).unwrap(),
        figure.export(&ExportOptions::default()).unwrap()
    );
}

#[test]
fn html_options_errors() {
    let statistic = entropy();
    let figure = FigureOptions::default();
    let bad_id = ExportOptions {
        div_id: Some("1figure".to_string()),
        ..html()
    };
    assert_fails(
        figure_html(&statistic, &figure, &bad_id),
        ErrorKind::InvalidArgument,
        &["trajplot_figure_export", "div_id \"1figure\""],
    );
    let missing = scratch_path("no-plotly.js");
    let inline = ExportOptions {
        plotlyjs: PlotlyJs::Inline(missing.clone()),
        ..html()
    };
    assert_fails(
        figure_html(&statistic, &figure, &inline),
        ErrorKind::Io,
        &["cannot read plotly.js", missing.to_str().unwrap()],
    );
    let bad_figure = FigureOptions {
        token_width: 0,
        ..Default::default()
    };
    assert_fails(
        figure_html(&statistic, &bad_figure, &html()),
        ErrorKind::InvalidArgument,
        &["token_width"],
    );
    let nul_id = ExportOptions {
        div_id: Some("a\0".to_string()),
        ..html()
    };
    assert_fails(
        figure_html(&statistic, &figure, &nul_id),
        ErrorKind::InvalidArgument,
        &["ExportOptions::div_id", "NUL"],
    );
}

#[test]
fn caller_text_cannot_end_the_script() {
    let statistic = Statistic::builder("</script><script>alert(1)</script>", &[1.0], 1, 1)
        .sequence_labels(&["<!--"])
        .build()
        .unwrap();
    // Without plotly.js in the page, whose own code holds "<!--".
    let options = ExportOptions {
        plotlyjs: PlotlyJs::None,
        ..html()
    };
    let page = figure_html(&statistic, &FigureOptions::default(), &options).unwrap();
    assert!(!page.contains("alert(1)</script>"));
    assert!(!page.contains("<!--"));
    let figure = figure_in_page(&page);
    assert_eq!(
        figure.at("data.0.colorbar.title.text").str(),
        "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
    );
}

#[test]
fn html_files_hold_what_the_string_holds() {
    let statistic = entropy();
    let options = FigureOptions {
        title: "saved".to_string(),
        ..Default::default()
    };
    let page = ExportOptions {
        div_id: Some("saved".to_string()),
        ..html()
    };
    let path = scratch_path("figure.html");
    let figure = Figure::new(&statistic, &PanelOptions::default(), &options).unwrap();
    figure.save(&path, &page).unwrap();
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        figure_html(&statistic, &options, &page).unwrap()
    );
}

#[test]
fn option_defaults_match_the_c_defaults() {
    use trajplot::sys;
    let (mut panel, mut figure, mut export) = (
        sys::TRAJPLOT_PANEL_OPTIONS_INIT,
        sys::TRAJPLOT_FIGURE_OPTIONS_INIT,
        sys::TRAJPLOT_EXPORT_OPTIONS_INIT,
    );
    // SAFETY: valid pointers to option structs of the versions given.
    unsafe {
        assert_eq!(
            sys::trajplot_panel_options_init(&mut panel, sys::TRAJPLOT_PANEL_OPTIONS_VERSION),
            sys::TRAJPLOT_OK
        );
        assert_eq!(
            sys::trajplot_figure_options_init(&mut figure, sys::TRAJPLOT_FIGURE_OPTIONS_VERSION),
            sys::TRAJPLOT_OK
        );
        assert_eq!(
            sys::trajplot_export_options_init(&mut export, sys::TRAJPLOT_EXPORT_OPTIONS_VERSION),
            sys::TRAJPLOT_OK
        );
    }
    let defaults = FigureOptions::default();
    assert_eq!(defaults.token_width, 80);
    assert_eq!(defaults.token_width, figure.token_width);
    assert_eq!(
        (
            defaults.height,
            defaults.vertical_spacing,
            defaults.equal_panel_heights,
            defaults.title.as_str()
        ),
        (None, None, false, "")
    );
    assert!(figure.title.is_null() && figure.height == 0 && !figure.has_vertical_spacing);
    let defaults = PanelOptions::default();
    assert_eq!(defaults.colorscale, "rdbu_r");
    assert_eq!(
        (
            defaults.title.as_deref(),
            defaults.log_scale || defaults.hover_value,
            defaults.extra_json.as_deref()
        ),
        (None, false, None)
    );
    // NULL in C means the statistic's name and "rdbu_r".
    assert!(panel.title.is_null() && panel.colorscale.is_null() && panel.extra_json.is_null());
    assert_eq!(
        (defaults.log_scale, defaults.hover_value),
        (panel.log_scale, panel.hover_value)
    );
    let defaults = ExportOptions::default();
    assert_eq!(
        defaults,
        ExportOptions {
            format: Format::FigureJson,
            plotlyjs: PlotlyJs::Local,
            div_id: None,
            full_html: true,
            responsive: false,
            scale: 1.0
        }
    );
    assert_eq!(export.format, sys::TRAJPLOT_FORMAT_FIGURE_JSON);
    assert_eq!(export.plotlyjs, sys::TRAJPLOT_PLOTLYJS_LOCAL);
    assert!(export.plotlyjs_location.is_null() && export.div_id.is_null());
    assert_eq!(
        (defaults.full_html, defaults.responsive),
        (export.full_html, export.responsive)
    );
    assert_eq!(ExportOptions::new(Format::Html).format, Format::Html);
}

#[test]
fn hover_value_puts_the_value_above_the_hover_table() {
    let statistic = entropy();
    let options = PanelOptions {
        hover_value: true,
        ..Default::default()
    };
    let trace = Json::parse(&trace_json(&statistic, &options).unwrap());
    let template = trace.at("hovertemplate").str();
    assert!(
        template.starts_with("Entropy: %{customdata[2]} nats<br>"),
        "{}",
        template
    );
    assert_eq!(trace.at("customdata.1.1.2").str(), "1.25");
    let plain = Json::parse(&trace_json(&statistic, &PanelOptions::default()).unwrap());
    assert!(!plain.at("hovertemplate").str().contains("Entropy"));
}

#[test]
fn a_figure_keeps_its_statistic() {
    let figure = {
        let statistic = entropy();
        drawn(&statistic, &PanelOptions::default()).unwrap()
    };
    let json = Json::parse(&figure.export(&ExportOptions::default()).unwrap());
    assert_eq!(
        json.at("data.0.colorbar.title.text").str(),
        "Entropy (nats)"
    );
    assert_eq!(
        format!("{:?}", figure),
        "Figure { stacked: false, panel_count: 1 }"
    );
}
