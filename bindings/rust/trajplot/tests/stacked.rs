mod common;

use std::fs;

use common::{assert_fails, scratch_path, Json};
use trajplot::{
    ErrorKind, ExportOptions, Figure, FigureOptions, Format, PanelOptions, PlotlyJs, Statistic,
};

const TOKENS: [&str; 3] = ["The", "cat", "sat"];

/// n_layers x 3 values base, base + 1, ... (distinct per statistic), in
/// nats, with the sequence labels given.
fn statistic(
    name: &str,
    n_layers: usize,
    base: f32,
    sequence: Option<&[&str]>,
    includes_output: bool,
) -> Statistic {
    let values = values(n_layers, 3, base);
    let mut builder = Statistic::builder(name, &values, n_layers, 3)
        .units("nats")
        .includes_output(includes_output);
    if let Some(sequence) = sequence {
        builder = builder.sequence_labels(sequence);
    }
    builder.build().unwrap()
}

fn values(n_layers: usize, seq_len: usize, base: f32) -> Vec<f32> {
    (0..n_layers * seq_len).map(|i| base + i as f32).collect()
}

/// Three panels as tuned-lens's tutorial stacks them: two statistics with an
/// output row, and a delta statistic without one and without sequence labels
/// (it shares the others' axis).
struct Panels {
    entropy: Statistic,
    forward_kl: Statistic,
    delta: Statistic,
}

fn panels() -> Panels {
    Panels {
        entropy: statistic("Entropy", 3, 1.0, Some(&TOKENS), true),
        forward_kl: statistic("Forward KL", 3, 10.0, Some(&TOKENS), true),
        delta: statistic("Log Prob Difference", 2, 30.0, None, false),
    }
}

impl Panels {
    /// The three panels with the default panel options.
    fn figure(&self, options: &FigureOptions) -> trajplot::Result<Figure> {
        stack(&self.statistics(), options)
    }

    fn statistics(&self) -> [&Statistic; 3] {
        [&self.entropy, &self.forward_kl, &self.delta]
    }
}

/// A stacked figure of `statistics` with the default panel options.
fn stack(statistics: &[&Statistic], options: &FigureOptions) -> trajplot::Result<Figure> {
    Figure::stacked(
        statistics
            .iter()
            .map(|statistic| (*statistic, PanelOptions::default())),
        options,
    )
}

fn json(figure: &Figure) -> Json {
    Json::parse(&figure.export(&ExportOptions::default()).unwrap())
}

fn html() -> ExportOptions {
    ExportOptions::new(Format::Html)
}

/// Plotly's name of axis `number` (1-based): "x", "x2", ...
fn axis_id(letter: char, number: usize) -> String {
    if number == 1 {
        letter.to_string()
    } else {
        format!("{}{}", letter, number)
    }
}

/// The layout key of axis `number`: "xaxis", "xaxis2", ...
fn axis_key(letter: char, number: usize) -> String {
    if number == 1 {
        format!("{}axis", letter)
    } else {
        format!("{}axis{}", letter, number)
    }
}

/// (bottom, top) of panel `index`'s plotting area, in paper coordinates.
fn domain(figure: &Json, index: usize) -> (f64, f64) {
    let domain = figure.at(&format!("layout.{}.domain", axis_key('y', index + 1)));
    (domain.at("0").number(), domain.at("1").number())
}

fn strings(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|text| text.to_string()).collect()
}

fn rows(values: &[f32], seq_len: usize) -> Vec<Vec<u32>> {
    values
        .chunks(seq_len)
        .map(|row| row.iter().map(|value| value.to_bits()).collect())
        .collect()
}

fn bits(matrix: &[Vec<f32>]) -> Vec<Vec<u32>> {
    matrix
        .iter()
        .map(|row| row.iter().map(|value| value.to_bits()).collect())
        .collect()
}

#[test]
fn each_panel_draws_its_statistic_on_its_own_axes() {
    let panels = panels();
    let figure = json(&panels.figure(&FigureOptions::default()).unwrap());
    assert_eq!(figure.at("data").array().len(), 3, "one trace per panel");
    for (index, statistic) in panels.statistics().iter().enumerate() {
        let trace = figure.at(&format!("data.{}", index));
        assert_eq!(trace.at("type").str(), "heatmap");
        assert_eq!(trace.at("xaxis").str(), axis_id('x', index + 1));
        assert_eq!(trace.at("yaxis").str(), axis_id('y', index + 1));
        assert_eq!(bits(&trace.at("z").matrix()), rows(&statistic.stats(), 3));
        assert_eq!(trace.at("y").strings(), statistic.layer_labels());
        // The delta panel has no labels of its own and takes the others'.
        assert_eq!(trace.at("x").strings(), strings(&TOKENS), "panel {}", index);
        assert_eq!(
            trace.at("colorbar.title.text").str(),
            format!("{} (nats)", statistic.name())
        );
    }
    assert_eq!(
        figure.at("data.0.y").strings(),
        strings(&["0", "1", "output"])
    );
    assert_eq!(figure.at("data.2.y").strings(), strings(&["0", "1"]));
}

#[test]
fn panels_are_stacked_top_to_bottom_with_one_shared_x_axis() {
    let panels = panels();
    let figure = json(&panels.figure(&FigureOptions::default()).unwrap());
    let layout = figure.at("layout");
    let count = 3;
    // make_subplots's default gap is 0.3 / rows; the panels share the rest
    // by their rows (3, 3 and 2).
    let gap = 0.3 / count as f64;
    let rows = [3.0, 3.0, 2.0];
    let row_height = (1.0 - gap * (count - 1) as f64) / rows.iter().sum::<f64>();
    let mut expected_top = 1.0;
    for (index, panel_rows) in rows.iter().enumerate() {
        let (bottom, top) = domain(&figure, index);
        let panel_height = panel_rows * row_height;
        assert!(
            (top - expected_top).abs() < 1e-12,
            "panel {} top {}",
            index,
            top
        );
        assert!(
            (top - bottom - panel_height).abs() < 1e-12,
            "panel {} height",
            index
        );
        expected_top = bottom - gap;
        let trace = figure.at(&format!("data.{}", index));
        assert!((trace.at("colorbar.len").number() - (top - bottom)).abs() < 1e-12);
        assert!((trace.at("colorbar.y").number() - (top + bottom) / 2.0).abs() < 1e-12);

        let x_axis = layout.at(&axis_key('x', index + 1));
        assert_eq!(x_axis.at("type").str(), "category");
        assert_eq!(x_axis.at("anchor").str(), axis_id('y', index + 1));
        let y_axis = layout.at(&axis_key('y', index + 1));
        assert_eq!(y_axis.at("type").str(), "category");
        assert_eq!(y_axis.at("anchor").str(), axis_id('x', index + 1));
        if index + 1 < count {
            assert_eq!(x_axis.at("matches").str(), axis_id('x', count));
            assert_eq!(x_axis.at("showticklabels"), &Json::Bool(false));
        } else {
            assert!(!x_axis.has("matches"));
            assert_eq!(x_axis.at("title.text").str(), "Input");
        }
    }
    assert!(domain(&figure, count - 1).0.abs() < 1e-12);
    assert_eq!(layout.at("height").number(), (150 + 250 * count) as f64);
    assert_eq!(layout.at("width").number(), (200 + 80 * 3) as f64);
}

#[test]
fn figure_options_shape_the_figure() {
    let panels = panels();
    let options = FigureOptions {
        title: "Prediction trajectory".to_string(),
        token_width: 50,
        // Not 900, the default for three panels.
        height: Some(700),
        vertical_spacing: Some(0.02),
        equal_panel_heights: false,
    };
    let figure = json(&panels.figure(&options).unwrap());
    assert_eq!(
        figure.at("layout.title.text").str(),
        "Prediction trajectory"
    );
    assert_eq!(figure.at("layout.height").number(), 700.0);
    assert_eq!(figure.at("layout.width").number(), (200 + 50 * 3) as f64);
    for index in 1..3 {
        let gap = domain(&figure, index - 1).0 - domain(&figure, index).1;
        assert!(
            (gap - 0.02).abs() < 1e-12,
            "gap above panel {}: {}",
            index,
            gap
        );
    }
    let touching = FigureOptions {
        vertical_spacing: Some(0.0),
        ..Default::default()
    };
    let figure = json(&panels.figure(&touching).unwrap());
    assert!((domain(&figure, 0).0 - domain(&figure, 1).1).abs() < 1e-12);
}

#[test]
fn panel_options_land_in_their_own_trace() {
    let panels = panels();
    let viridis_log = PanelOptions {
        colorscale: "viridis".to_string(),
        log_scale: true,
        ..Default::default()
    };
    let patched = PanelOptions {
        extra_json: Some(r#"{"opacity": 0.5, "colorbar": {"len": 0.1}}"#.to_string()),
        ..Default::default()
    };
    let figure = Figure::stacked(
        [
            (&panels.entropy, &PanelOptions::default()),
            (&panels.forward_kl, &viridis_log),
            (&panels.delta, &patched),
        ],
        &FigureOptions::default(),
    )
    .unwrap();
    let json = json(&figure);

    // The colourscale is the one a single heatmap of that name has.
    let viridis = Json::parse(
        &Figure::new(
            &panels.forward_kl,
            &PanelOptions {
                colorscale: "viridis".to_string(),
                ..Default::default()
            },
            &FigureOptions::default(),
        )
        .unwrap()
        .export(&ExportOptions::new(Format::TraceJson))
        .unwrap(),
    );
    assert_eq!(json.at("data.1.colorscale"), viridis.at("colorscale"));
    assert_ne!(json.at("data.0.colorscale"), json.at("data.1.colorscale"));
    assert_eq!(json.at("data.0.colorscale"), json.at("data.2.colorscale"));

    // A log scale colours by log10 of the values, in that panel only.
    let expected = panels.forward_kl.stats();
    let drawn: Vec<f32> = json.at("data.1.z").matrix().concat();
    assert_eq!(drawn.len(), expected.len());
    for (drawn, value) in drawn.iter().zip(&expected) {
        let log = (*value as f64).log10();
        assert!(
            (*drawn as f64 - log).abs() < 1e-6 * log.abs().max(1.0),
            "{} vs log10({})",
            drawn,
            value
        );
    }
    assert_eq!(
        bits(&json.at("data.0.z").matrix()),
        rows(&panels.entropy.stats(), 3)
    );

    // The merge patch comes after the stacking's settings, in its panel only.
    assert_eq!(json.at("data.2.opacity").number(), 0.5);
    assert_eq!(json.at("data.2.colorbar.len").number(), 0.1);
    assert_eq!(json.at("data.2.colorbar.yanchor").str(), "middle");
    assert!(!json.at("data.0").has("opacity"));
    assert!(!json.at("data.1").has("opacity"));
}

#[test]
fn titles_go_over_their_panels_as_annotations() {
    let panels = panels();
    let titled = PanelOptions {
        title: Some("KL to the <output>".to_string()),
        ..Default::default()
    };
    let with_options = |options: &FigureOptions| {
        Figure::stacked(
            [
                (&panels.entropy, PanelOptions::default()),
                (&panels.forward_kl, titled.clone()),
                (&panels.delta, PanelOptions::default()),
            ],
            options,
        )
        .unwrap()
    };
    let figure = with_options(&FigureOptions::default());
    let json = json(&figure);
    let annotations = json.at("layout.annotations").array();
    assert_eq!(annotations.len(), 3);
    // Plotly reads annotation text as markup, so '<' and '>' are escaped.
    let titles = ["Entropy", "KL to the &lt;output&gt;", "Log Prob Difference"];
    for (index, (annotation, title)) in annotations.iter().zip(titles).enumerate() {
        assert_eq!(annotation.at("text").str(), title);
        assert_eq!(annotation.at("yref").str(), "paper");
        assert_eq!(annotation.at("yanchor").str(), "bottom");
        assert_eq!(annotation.at("y").number(), domain(&json, index).1);
    }
    assert_eq!(
        json.at("layout.title.text").str(),
        "",
        "no figure title by default"
    );

    // The page's <title> is the figure's title, else the panels'.
    let fragment = ExportOptions {
        plotlyjs: PlotlyJs::None,
        ..html()
    };
    let page = figure.export(&fragment).unwrap();
    assert!(
        page.contains("<title>Entropy, KL to the &lt;output&gt;, Log Prob Difference</title>"),
        "{}",
        page
    );
    let titled = FigureOptions {
        title: "Trajectory".to_string(),
        ..Default::default()
    };
    assert!(with_options(&titled)
        .export(&fragment)
        .unwrap()
        .contains("<title>Trajectory</title>"));
}

#[test]
fn panels_may_come_owned_or_borrowed_from_any_iterator() {
    let panels = panels();
    let options = FigureOptions::default();
    let expected = panels
        .figure(&options)
        .unwrap()
        .export(&ExportOptions::default())
        .unwrap();
    let defaults = [
        PanelOptions::default(),
        PanelOptions::default(),
        PanelOptions::default(),
    ];
    let zipped = Figure::stacked(panels.statistics().into_iter().zip(&defaults), &options).unwrap();
    assert_eq!(zipped.panel_count(), 3);
    assert_eq!(zipped.export(&ExportOptions::default()).unwrap(), expected);
    // Owned statistics are held until the figure is made, which keeps its
    // own reference to each.
    let owned = Figure::stacked(
        vec![
            (
                statistic("Entropy", 3, 1.0, Some(&TOKENS), true),
                PanelOptions::default(),
            ),
            (
                statistic("Forward KL", 3, 10.0, Some(&TOKENS), true),
                PanelOptions::default(),
            ),
            (
                statistic("Log Prob Difference", 2, 30.0, None, false),
                PanelOptions::default(),
            ),
        ],
        &options,
    )
    .unwrap();
    assert_eq!(owned.export(&ExportOptions::default()).unwrap(), expected);

    let log_scale = PanelOptions {
        log_scale: true,
        ..Default::default()
    };
    let with_options = Figure::stacked(
        panels
            .statistics()
            .into_iter()
            .map(|statistic| (statistic, &log_scale)),
        &options,
    )
    .unwrap();
    let json = json(&with_options);
    for index in 0..3 {
        assert_eq!(
            json.at(&format!("data.{}.colorbar.tickmode", index)).str(),
            "array",
            "panel {} has log ticks",
            index
        );
    }
}

#[test]
fn one_panel_is_a_figure_with_one_subplot() {
    let entropy = statistic("Entropy", 2, 0.5, Some(&TOKENS), true);
    let figure = stack(&[&entropy], &FigureOptions::default()).unwrap();
    assert_eq!((figure.is_stacked(), figure.panel_count()), (true, 1));
    let json = json(&figure);
    assert_eq!(json.at("data").array().len(), 1);
    assert_eq!(domain(&json, 0), (0.0, 1.0));
    assert_eq!(json.at("layout.xaxis.title.text").str(), "Input");
    assert_eq!(json.at("layout.height").number(), 400.0);
}

#[test]
fn an_empty_figure_is_refused() {
    assert_fails(
        stack(&[], &FigureOptions::default()),
        ErrorKind::InvalidArgument,
        &["trajplot_figure_create_stacked", "count is 0"],
    );
}

#[test]
fn panels_that_cannot_share_an_axis_are_refused_by_name() {
    let entropy = statistic("Entropy", 2, 0.0, Some(&TOKENS), true);
    let wide_values = values(2, 4, 0.0);
    let wide = Statistic::new("Wide", &wide_values, 2, 4).unwrap();
    let error = assert_fails(
        stack(&[&entropy, &wide], &FigureOptions::default()),
        ErrorKind::InvalidArgument,
        &[],
    );
    // The library's message whole, as the README quotes it.
    assert_eq!(
        error.message(),
        "trajplot_figure_create_stacked: panels[1] (Wide) has seq_len 4 but panels[0] (Entropy) \
         has 3; stacked panels share one x axis"
    );
    let other_words = statistic("Rank", 2, 0.0, Some(&["The", "dog", "sat"]), true);
    assert_fails(
        stack(&[&entropy, &other_words], &FigureOptions::default()),
        ErrorKind::InvalidArgument,
        &["panels[1]'s sequence label at position 1 is \"dog\" but panels[0]'s is \"cat\""],
    );
}

#[test]
fn bad_panel_options_are_refused_naming_the_panel() {
    let panels = panels();
    let options = FigureOptions::default();
    let colorscale = PanelOptions {
        colorscale: "no-such-scale".to_string(),
        ..Default::default()
    };
    assert_fails(
        Figure::stacked(
            [
                (&panels.entropy, &PanelOptions::default()),
                (&panels.forward_kl, &colorscale),
            ],
            &options,
        ),
        ErrorKind::InvalidArgument,
        &[
            "trajplot_figure_create_stacked",
            "panels[1] (Forward KL): ",
            "no-such-scale",
        ],
    );
    let extra_json = PanelOptions {
        extra_json: Some("[1]".to_string()),
        ..Default::default()
    };
    assert_fails(
        Figure::stacked(
            [
                (&panels.entropy, &PanelOptions::default()),
                (&panels.forward_kl, &PanelOptions::default()),
                (&panels.delta, &extra_json),
            ],
            &options,
        ),
        ErrorKind::InvalidArgument,
        &["panels[2] (Log Prob Difference): extra_json"],
    );
    // Checked by the binding: the C API takes these strings NUL-terminated.
    let nul_title = PanelOptions {
        title: Some("a\0b".to_string()),
        ..Default::default()
    };
    assert_fails(
        Figure::stacked(
            [
                (&panels.entropy, &PanelOptions::default()),
                (&panels.delta, &nul_title),
            ],
            &options,
        ),
        ErrorKind::InvalidArgument,
        &["panels[1]'s PanelOptions::title contains a NUL byte at byte 1"],
    );
}

#[test]
fn bad_figure_options_are_refused() {
    let panels = panels();
    let spacing = |value: f64| FigureOptions {
        vertical_spacing: Some(value),
        ..Default::default()
    };
    assert_fails(
        panels.figure(&spacing(0.5)),
        ErrorKind::InvalidArgument,
        &[
            "trajplot_figure_create_stacked",
            "vertical_spacing must be in [0, 0.5) for 3 panels, got 0.5",
        ],
    );
    for value in [-0.1, f64::NAN, f64::INFINITY] {
        assert_fails(
            panels.figure(&spacing(value)),
            ErrorKind::InvalidArgument,
            &["vertical_spacing must be in [0, 0.5)"],
        );
    }
    let narrow = FigureOptions {
        token_width: 0,
        ..Default::default()
    };
    assert_fails(
        panels.figure(&narrow),
        ErrorKind::InvalidArgument,
        &[
            "trajplot_figure_create_stacked",
            "token_width must be at least 1, got 0",
        ],
    );
    let nul_title = FigureOptions {
        title: "\0".to_string(),
        ..Default::default()
    };
    assert_fails(
        panels.figure(&nul_title),
        ErrorKind::InvalidArgument,
        &["FigureOptions::title contains a NUL byte"],
    );
}

#[test]
fn the_trace_of_a_stacked_figure_is_refused() {
    let panels = panels();
    let figure = panels.figure(&FigureOptions::default()).unwrap();
    let trace = ExportOptions::new(Format::TraceJson);
    let error = assert_fails(
        figure.export(&trace),
        ErrorKind::InvalidArgument,
        &["trajplot_figure_export"],
    );
    assert_eq!(error.status(), trajplot::sys::TRAJPLOT_EINVAL);
    let path = scratch_path("stacked-trace.json");
    assert_fails(
        figure.save(&path, &trace),
        ErrorKind::InvalidArgument,
        &["trajplot_figure_save"],
    );
    assert!(!path.exists());
    // Nothing is written when the options are refused.
    let mut written = Vec::new();
    assert_fails(
        figure.write_to(&mut written, &trace),
        ErrorKind::InvalidArgument,
        &["trajplot_figure_stream"],
    );
    assert!(written.is_empty());
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
fn the_page_draws_the_figure() {
    let panels = panels();
    let options = FigureOptions {
        title: "page".to_string(),
        ..Default::default()
    };
    let figure = panels.figure(&options).unwrap();
    let page = figure.export(&html()).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"), "not a whole document");
    assert_eq!(
        page.contains("<script src=\"https://cdn.plot.ly/plotly-"),
        trajplot::local_plotlyjs().unwrap().is_none(),
        "the default inlines the local plotly.js when there is one"
    );
    assert_eq!(figure_in_page(&page), json(&figure));
    let fragment = ExportOptions {
        plotlyjs: PlotlyJs::None,
        div_id: Some("stacked-1".to_string()),
        full_html: false,
        ..html()
    };
    let page = figure.export(&fragment).unwrap();
    assert!(!page.contains("<html"));
    assert!(page.contains("id=\"stacked-1\""));
    let bad_id = ExportOptions {
        div_id: Some("1figure".to_string()),
        ..html()
    };
    assert_fails(
        figure.export(&bad_id),
        ErrorKind::InvalidArgument,
        &["trajplot_figure_export", "div_id \"1figure\""],
    );
}

#[test]
fn files_hold_what_the_strings_hold() {
    let panels = panels();
    let options = FigureOptions {
        title: "saved".to_string(),
        vertical_spacing: Some(0.05),
        ..Default::default()
    };
    let figure = panels.figure(&options).unwrap();
    let json_path = scratch_path("stacked.json");
    figure.save(&json_path, &ExportOptions::default()).unwrap();
    assert_eq!(
        fs::read_to_string(&json_path).unwrap(),
        figure.export(&ExportOptions::default()).unwrap()
    );
    let page = ExportOptions {
        div_id: Some("saved".to_string()),
        ..html()
    };
    let html_path = scratch_path("stacked.html");
    figure.save(&html_path, &page).unwrap();
    assert_eq!(
        fs::read_to_string(&html_path).unwrap(),
        figure.export(&page).unwrap()
    );

    // A refused export leaves the earlier file as it was.
    let before = fs::read_to_string(&json_path).unwrap();
    let bad = ExportOptions {
        div_id: Some("1figure".to_string()),
        ..html()
    };
    assert_fails(
        figure.save(&json_path, &bad),
        ErrorKind::InvalidArgument,
        &["trajplot_figure_save", "div_id"],
    );
    assert_eq!(fs::read_to_string(&json_path).unwrap(), before);
}

#[test]
fn writing_into_a_missing_directory_is_an_io_error() {
    let panels = panels();
    let figure = panels.figure(&FigureOptions::default()).unwrap();
    let path = scratch_path("missing-directory").join("stacked.json");
    assert_fails(
        figure.save(&path, &ExportOptions::default()),
        ErrorKind::Io,
        &["trajplot_figure_save", "missing-directory"],
    );
    assert_fails(
        figure.save(&path, &html()),
        ErrorKind::Io,
        &["trajplot_figure_save", "missing-directory"],
    );
    assert!(!path.exists());
}

#[test]
fn option_defaults_match_the_c_defaults() {
    let mut figure = trajplot::sys::TRAJPLOT_FIGURE_OPTIONS_INIT;
    // SAFETY: a valid pointer to an option struct of the version given.
    unsafe {
        assert_eq!(
            trajplot::sys::trajplot_figure_options_init(
                &mut figure,
                trajplot::sys::TRAJPLOT_FIGURE_OPTIONS_VERSION
            ),
            trajplot::sys::TRAJPLOT_OK
        );
    }
    let defaults = FigureOptions::default();
    assert_eq!(defaults.equal_panel_heights, figure.equal_panel_heights);
    assert!(figure.title.is_null() && defaults.title.is_empty());
    assert_eq!(defaults.token_width, figure.token_width);
    assert_eq!(defaults.height.unwrap_or(0), figure.height);
    assert_eq!(
        defaults.vertical_spacing.is_some(),
        figure.has_vertical_spacing
    );
}

#[test]
fn figures_may_be_shared_between_threads() {
    fn send_and_sync<T: Send + Sync>(_: &T) {}
    let panels = panels();
    let figure = panels.figure(&FigureOptions::default()).unwrap();
    send_and_sync(&figure);
    let expected = figure.export(&ExportOptions::default()).unwrap();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| figure.export(&ExportOptions::default()).unwrap()))
            .collect();
        for handle in handles {
            assert_eq!(handle.join().unwrap(), expected);
        }
    });
}

#[test]
fn equal_panel_heights_on_request() {
    let panels = panels();
    let options = FigureOptions {
        equal_panel_heights: true,
        ..Default::default()
    };
    let figure = json(&panels.figure(&options).unwrap());
    let heights: Vec<f64> = (0..3)
        .map(|index| {
            let (bottom, top) = domain(&figure, index);
            top - bottom
        })
        .collect();
    for height in &heights {
        assert!((height - heights[0]).abs() < 1e-9, "{:?}", heights);
    }
}
