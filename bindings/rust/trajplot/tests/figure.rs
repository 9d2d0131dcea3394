mod common;

use std::fs;

use common::{assert_fails, scratch_path, Json};
use trajplot::{ErrorKind, FigureOptions, HtmlOptions, Labels, PlotlyJs, Statistic};

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
    let trace = Json::parse(&entropy().heatmap_json(&FigureOptions::default()).unwrap());
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
    let trace = Json::parse(&entropy().heatmap_json(&FigureOptions::default()).unwrap());
    assert_eq!(trace.at("colorscale.0.1").str(), "rgb(5,48,97)");
    assert_eq!(trace.at("colorscale.10.1").str(), "rgb(103,0,31)");
    let options = FigureOptions {
        colorscale: "RdBu".to_string(),
        ..Default::default()
    };
    let plain = Json::parse(&entropy().heatmap_json(&options).unwrap());
    assert_eq!(plain.at("colorscale.0.1").str(), "rgb(103,0,31)");
}

#[test]
fn an_unknown_colorscale_is_an_error_listing_valid_names() {
    let options = FigureOptions {
        colorscale: "no-such-scale".to_string(),
        ..Default::default()
    };
    assert_fails(
        entropy().heatmap_json(&options),
        ErrorKind::InvalidArgument,
        &[
            "trajplot_statistic_heatmap_json",
            "unknown colorscale \"no-such-scale\"",
            "viridis",
        ],
    );
    assert_fails(
        entropy().figure_json(&options),
        ErrorKind::InvalidArgument,
        &["trajplot_statistic_figure_json"],
    );
}

#[test]
fn an_explicit_range_sets_zmin_and_zmax() {
    let statistic = Statistic::builder("x", &[1.0, 2.0], 1, 2)
        .min(-5.0)
        .max(5.0)
        .build()
        .unwrap();
    let trace = Json::parse(&statistic.heatmap_json(&FigureOptions::default()).unwrap());
    assert_eq!(
        (trace.at("zmin").number(), trace.at("zmax").number()),
        (-5.0, 5.0)
    );
    let clipped = Json::parse(
        &statistic
            .clip(1.5, 1.75)
            .unwrap()
            .heatmap_json(&FigureOptions::default())
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
    let options = FigureOptions {
        log_scale: true,
        ..Default::default()
    };
    let trace = Json::parse(&statistic.heatmap_json(&options).unwrap());
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
        negative_min.heatmap_json(&options),
        ErrorKind::InvalidArgument,
        &["log scale", "-1"],
    );
}

#[test]
fn extra_json_is_merged_into_the_trace() {
    let options = FigureOptions {
        extra_json: Some(
            r#"{"colorbar": {"len": 0.25, "y": 0.89}, "textfont": {"size": 10}}"#.to_string(),
        ),
        ..Default::default()
    };
    let trace = Json::parse(&entropy().heatmap_json(&options).unwrap());
    assert_eq!(trace.at("colorbar.len").number(), 0.25);
    assert_eq!(trace.at("colorbar.y").number(), 0.89);
    assert_eq!(trace.at("colorbar.title.text").str(), "Entropy (nats)");
    assert_eq!(trace.at("textfont.size").number(), 10.0);
}

#[test]
fn invalid_extra_json_is_an_error() {
    let options = |json: &str| FigureOptions {
        extra_json: Some(json.to_string()),
        ..Default::default()
    };
    assert_fails(
        entropy().heatmap_json(&options(r#"{"a": "#)),
        ErrorKind::InvalidArgument,
        &[
            "trajplot_statistic_heatmap_json",
            "extra_json is not valid JSON (byte 7)",
        ],
    );
    assert_fails(
        entropy().heatmap_json(&options("[1]")),
        ErrorKind::InvalidArgument,
        &["extra_json must be a JSON object, got array"],
    );
    assert_fails(
        entropy().heatmap_json(&options("{\0}")),
        ErrorKind::InvalidArgument,
        &["extra_json", "NUL"],
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
    let figure = Json::parse(&statistic.figure_json(&options).unwrap());
    let trace = Json::parse(&statistic.heatmap_json(&options).unwrap());
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

    let defaults = Json::parse(&statistic.figure_json(&FigureOptions::default()).unwrap());
    assert_eq!(defaults.at("layout.width").number(), 200.0 + 80.0 * 3.0);
    assert_eq!(defaults.at("layout.title.text").str(), "");
    let tall = FigureOptions {
        height: Some(640),
        ..Default::default()
    };
    assert_eq!(
        Json::parse(&statistic.figure_json(&tall).unwrap())
            .at("layout.height")
            .number(),
        640.0
    );
}

#[test]
fn figure_options_errors() {
    let zero_width = FigureOptions {
        token_width: 0,
        ..Default::default()
    };
    assert_fails(
        entropy().figure_json(&zero_width),
        ErrorKind::InvalidArgument,
        &[
            "trajplot_statistic_figure_json",
            "token_width must be at least 1, got 0",
        ],
    );
    let huge_width = FigureOptions {
        token_width: usize::MAX / 2,
        ..Default::default()
    };
    assert_fails(
        entropy().figure_json(&huge_width),
        ErrorKind::OutOfRange,
        &["trajplot_statistic_figure_json"],
    );
    let nul_title = FigureOptions {
        title: "a\0".to_string(),
        ..Default::default()
    };
    assert_fails(
        entropy().figure_json(&nul_title),
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
    let figure_path = scratch_path("figure.json");
    statistic.write_figure_json(&figure_path, &options).unwrap();
    assert_eq!(
        fs::read_to_string(&figure_path).unwrap(),
        statistic.figure_json(&options).unwrap()
    );
    let trace_path = scratch_path("trace.json");
    statistic
        .write_heatmap_json(trace_path.as_path(), &options)
        .unwrap();
    assert_eq!(
        fs::read_to_string(&trace_path).unwrap(),
        statistic.heatmap_json(&options).unwrap()
    );
}

#[test]
fn a_failed_write_keeps_the_earlier_file() {
    let statistic = entropy();
    let path = scratch_path("kept.json");
    statistic
        .write_figure_json(&path, &FigureOptions::default())
        .unwrap();
    let before = fs::read_to_string(&path).unwrap();
    let bad = FigureOptions {
        colorscale: "nope".to_string(),
        ..Default::default()
    };
    assert_fails(
        statistic.write_figure_json(&path, &bad),
        ErrorKind::InvalidArgument,
        &["colorscale"],
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), before);
}

#[test]
fn writing_into_a_missing_directory_is_an_io_error() {
    let path = scratch_path("missing-directory").join("figure.json");
    assert_fails(
        entropy().write_figure_json(&path, &FigureOptions::default()),
        ErrorKind::Io,
        &["trajplot_statistic_write_figure_json", "missing-directory"],
    );
    assert_fails(
        entropy().write_heatmap_json(&path, &FigureOptions::default()),
        ErrorKind::Io,
        &[],
    );
    assert_fails(
        entropy().write_figure_html(&path, &FigureOptions::default(), &HtmlOptions::default()),
        ErrorKind::Io,
        &["trajplot_statistic_write_figure_html"],
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
    let page = statistic
        .figure_html(&options, &HtmlOptions::default())
        .unwrap();
    assert!(
        page.starts_with("<!DOCTYPE html>") || page.contains("<html"),
        "not a whole document"
    );
    // The default inlines the local plotly.js, or loads the CDN's without one.
    match trajplot::local_plotlyjs().unwrap() {
        Some(local) => {
            let script = fs::read_to_string(&local).unwrap();
            assert!(page.contains(&script), "the page does not inline {:?}", local);
            assert!(!page.contains("<script src"));
        }
        None => assert!(
            page.contains("<script src=\"https://cdn.plot.ly/plotly-"),
            "no CDN script"
        ),
    }
    let cdn = HtmlOptions {
        plotlyjs: PlotlyJs::Cdn,
        ..Default::default()
    };
    assert!(statistic
        .figure_html(&options, &cdn)
        .unwrap()
        .contains("<script src=\"https://cdn.plot.ly/plotly-"));
    assert!(page.contains("id=\"trajplot-figure\""));
    let figure = figure_in_page(&page);
    assert_eq!(
        figure,
        Json::parse(&statistic.figure_json(&options).unwrap())
    );
}

#[test]
fn html_options_choose_script_div_and_document() {
    let statistic = entropy();
    let figure = FigureOptions::default();
    let fragment = HtmlOptions {
        plotlyjs: PlotlyJs::None,
        div_id: Some("entropy-1".to_string()),
        full_html: false,
        responsive: true,
    };
    let page = statistic.figure_html(&figure, &fragment).unwrap();
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

    let src = HtmlOptions {
        plotlyjs: PlotlyJs::Src("js/plotly.min.js".to_string()),
        ..Default::default()
    };
    let page = statistic.figure_html(&figure, &src).unwrap();
    assert!(page.contains("<script src=\"js/plotly.min.js\""));
    assert!(!page.contains("cdn.plot.ly"));

    let script = scratch_path("plotly.min.js");
    fs::write(&script, "window.PlotlyStandIn = 42;").unwrap();
    let inline = HtmlOptions {
        plotlyjs: PlotlyJs::Inline(script),
        ..Default::default()
    };
    let page = statistic.figure_html(&figure, &inline).unwrap();
    assert!(page.contains("window.PlotlyStandIn = 42;"));
    assert!(!page.contains("<script src"));
}

#[test]
fn html_options_errors() {
    let statistic = entropy();
    let figure = FigureOptions::default();
    let bad_id = HtmlOptions {
        div_id: Some("1figure".to_string()),
        ..Default::default()
    };
    assert_fails(
        statistic.figure_html(&figure, &bad_id),
        ErrorKind::InvalidArgument,
        &["trajplot_statistic_figure_html", "div_id \"1figure\""],
    );
    let missing = scratch_path("no-plotly.js");
    let inline = HtmlOptions {
        plotlyjs: PlotlyJs::Inline(missing.clone()),
        ..Default::default()
    };
    assert_fails(
        statistic.figure_html(&figure, &inline),
        ErrorKind::Io,
        &["cannot read plotly.js", missing.to_str().unwrap()],
    );
    let bad_figure = FigureOptions {
        token_width: 0,
        ..Default::default()
    };
    assert_fails(
        statistic.figure_html(&bad_figure, &HtmlOptions::default()),
        ErrorKind::InvalidArgument,
        &["token_width"],
    );
}

#[test]
fn caller_text_cannot_end_the_script() {
    let statistic = Statistic::builder("</script><script>alert(1)</script>", &[1.0], 1, 1)
        .sequence_labels(&["<!--"])
        .build()
        .unwrap();
    // Without plotly.js in the page, whose own code holds "<!--".
    let html = HtmlOptions {
        plotlyjs: PlotlyJs::None,
        ..Default::default()
    };
    let page = statistic
        .figure_html(&FigureOptions::default(), &html)
        .unwrap();
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
    let figure = FigureOptions {
        title: "saved".to_string(),
        ..Default::default()
    };
    let html = HtmlOptions {
        div_id: Some("saved".to_string()),
        ..Default::default()
    };
    let path = scratch_path("figure.html");
    statistic.write_figure_html(&path, &figure, &html).unwrap();
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        statistic.figure_html(&figure, &html).unwrap()
    );
}

#[test]
fn option_defaults_match_the_c_defaults() {
    let figure = FigureOptions::default();
    assert_eq!(figure.token_width, 80);
    assert_eq!(figure.colorscale, "rdbu_r");
    assert_eq!(
        (
            figure.height,
            figure.log_scale || figure.hover_value,
            figure.extra_json.as_deref(),
            figure.title.as_str()
        ),
        (None, false, None, "")
    );
    let html = HtmlOptions::default();
    assert_eq!(
        html,
        HtmlOptions {
            plotlyjs: PlotlyJs::Local,
            div_id: None,
            full_html: true,
            responsive: false
        }
    );
}

#[test]
fn hover_value_puts_the_value_above_the_hover_table() {
    let statistic = entropy();
    let options = FigureOptions {
        hover_value: true,
        ..Default::default()
    };
    let trace = Json::parse(&statistic.heatmap_json(&options).unwrap());
    let template = trace.at("hovertemplate").str();
    assert!(
        template.starts_with("Entropy: %{customdata[2]} nats<br>"),
        "{}",
        template
    );
    assert_eq!(trace.at("customdata.1.1.2").str(), "1.25");
    let plain = Json::parse(&statistic.heatmap_json(&FigureOptions::default()).unwrap());
    assert!(!plain.at("hovertemplate").str().contains("Entropy"));
}
