mod common;

use common::{assert_fails, Json};
use trajplot::{ErrorKind, Labels};

fn strings(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|text| text.to_string()).collect()
}

#[test]
fn labels_without_hover_tables() {
    let labels = Labels::new(&["the", "a", "dog", "cat", "sat", "on"], 2, 3).unwrap();
    assert_eq!(labels.shape(), (2, 3));
    assert_eq!(labels.hover_shape(), None);
    assert_eq!(labels.label(0, 2).unwrap(), "dog");
    assert_eq!(labels.label(1, 0).unwrap(), "cat");
    assert_eq!(
        labels.label_strings(),
        strings(&["the", "a", "dog", "cat", "sat", "on"])
    );
    assert_eq!(labels.hover_entries(), None);
    assert_fails(
        labels.hover_entry(0, 0, 0, 0),
        ErrorKind::InvalidArgument,
        &["trajplot_labels_hover_entry", "hover"],
    );
    assert_fails(
        labels.label(2, 0),
        ErrorKind::InvalidArgument,
        &["trajplot_labels_label", "layer 2", "n_layers is 2"],
    );
    assert_fails(
        labels.label(0, 3),
        ErrorKind::InvalidArgument,
        &["position 3", "seq_len is 3"],
    );
}

#[test]
fn labels_accept_owned_strings() {
    let owned: Vec<String> = (0..4).map(|i| format!("t{}", i)).collect();
    let labels = Labels::new(&owned, 1, 4).unwrap();
    assert_eq!(labels.label_strings(), owned);
}

#[test]
fn label_text_comes_back_byte_for_byte() {
    // Passed with explicit byte lengths, so NUL bytes and markup survive.
    let texts = ["<s>", "a\0b", "", "Δ0.00%", "&amp;", "🙂"];
    let labels = Labels::new(&texts, 2, 3).unwrap();
    assert_eq!(labels.label_strings(), strings(&texts));
    assert_eq!(labels.label(0, 1).unwrap().len(), 3);
}

#[test]
fn labels_with_hover_tables() {
    // 1 layer, 2 positions, tables of 3 rows x 2 columns (token, value).
    let hover = [
        "the", "50%", "a", "20%", "an", "9%", // position 0
        "dog", "41.20%", "cat", "3.00%", "cow", "1.50%", // position 1
    ];
    let labels = Labels::with_hover(&["the", "dog"], 1, 2, &hover, 3, 2).unwrap();
    assert_eq!(labels.shape(), (1, 2));
    assert_eq!(labels.hover_shape(), Some((3, 2)));
    assert_eq!(labels.hover_entry(0, 1, 0, 1).unwrap(), "41.20%");
    assert_eq!(labels.hover_entry(0, 0, 1, 0).unwrap(), "a");
    assert_eq!(labels.hover_entry(0, 1, 2, 0).unwrap(), "cow");
    assert_eq!(labels.hover_entries(), Some(strings(&hover)));
    assert_fails(
        labels.hover_entry(0, 0, 3, 0),
        ErrorKind::InvalidArgument,
        &["row 3", "hover_rows is 3"],
    );
    assert_fails(
        labels.hover_entry(0, 0, 0, 2),
        ErrorKind::InvalidArgument,
        &["col 2", "hover_cols is 2"],
    );
}

/// Labels of 5 layers x 1 position, "L0" ... "L4", with a 1 x 1 hover table
/// "H0" ... "H4".
fn five_layers() -> Labels {
    let layers = ["L0", "L1", "L2", "L3", "L4"];
    Labels::with_hover(&layers, 5, 1, &["H0", "H1", "H2", "H3", "H4"], 1, 1).unwrap()
}

#[test]
fn stride_keeps_every_kth_layer_and_the_last() {
    // The reference's table for 5 rows.
    let table: [(usize, &[&str]); 5] = [
        (1, &["L0", "L1", "L2", "L3", "L4"]),
        (2, &["L0", "L2", "L4"]),
        (3, &["L0", "L3", "L4"]),
        (4, &["L0", "L4"]),
        (5, &["L0", "L4"]),
    ];
    let labels = five_layers();
    for (stride, kept) in table.iter() {
        let strided = labels.stride(*stride).unwrap();
        assert_eq!(strided.shape(), (kept.len(), 1), "stride {}", stride);
        assert_eq!(strided.label_strings(), strings(kept), "stride {}", stride);
        let hover: Vec<String> = kept.iter().map(|label| label.replace('L', "H")).collect();
        assert_eq!(strided.hover_entries(), Some(hover), "stride {}", stride);
    }
    // The original is unchanged.
    assert_eq!(labels.shape(), (5, 1));
    let one_layer = Labels::new(&["only"], 1, 1).unwrap();
    assert_eq!(
        one_layer.stride(3).unwrap().label_strings(),
        strings(&["only"])
    );
}

#[test]
fn stride_zero_is_an_error() {
    assert_fails(
        five_layers().stride(0),
        ErrorKind::InvalidArgument,
        &["trajplot_labels_stride", "stride", "0"],
    );
}

fn reference_hover_labels() -> Labels {
    // 2 layers, 1 position, 2 x 2 tables: the reference's example.
    let hover = ["ab", "c", "de", "f", "idk", "l", "mno", "p"];
    Labels::with_hover(&["x", "y"], 2, 1, &hover, 2, 2).unwrap()
}

fn customdata(json: &str) -> Vec<Vec<Vec<String>>> {
    Json::parse(json)
        .array()
        .iter()
        .map(|layer| layer.array().iter().map(Json::strings).collect())
        .collect()
}

#[test]
fn template_and_customdata_matches_the_reference_example() {
    let hover = reference_hover_labels()
        .template_and_customdata(10)
        .unwrap();
    assert_eq!(
        hover.template,
        "%{customdata[0]}%{customdata[1]}<br>%{customdata[2]}%{customdata[3]}<br><extra></extra>"
    );
    assert_eq!(
        customdata(&hover.customdata_json),
        vec![
            vec![strings(&["  ab", " c", "  de", " f"])],
            vec![strings(&[" idk", " l", " mno", " p"])]
        ]
    );
}

#[test]
fn template_and_customdata_cuts_columns_to_the_width_limit() {
    // Column 0 would be 4 wide, column 1 is 2: a limit of 3 cuts column 0
    // to the last 3 code points and leaves column 1.
    let hover = reference_hover_labels().template_and_customdata(3).unwrap();
    assert_eq!(
        customdata(&hover.customdata_json),
        vec![
            vec![strings(&[" ab", " c", " de", " f"])],
            vec![strings(&["idk", " l", "mno", " p"])]
        ]
    );
}

#[test]
fn template_and_customdata_errors() {
    assert_fails(
        reference_hover_labels().template_and_customdata(0),
        ErrorKind::InvalidArgument,
        &[
            "trajplot_labels_template_and_customdata",
            "col_width_limit",
            "0",
        ],
    );
    let plain = Labels::new(&["a"], 1, 1).unwrap();
    assert_fails(
        plain.template_and_customdata(10),
        ErrorKind::InvalidArgument,
        &["hover"],
    );
}

#[test]
fn wrong_counts_are_errors() {
    assert_fails(
        Labels::new(&["a", "b", "c", "d", "e"], 2, 3),
        ErrorKind::InvalidArgument,
        &["Labels::new", "label_strings has 5", "2 x 3", "6"],
    );
    assert_fails(
        Labels::with_hover(&["a", "b"], 1, 2, &["x", "y", "z"], 1, 2),
        ErrorKind::InvalidArgument,
        &[
            "Labels::with_hover",
            "hover_entries has 3",
            "1 x 2 x 1 x 2",
            "4",
        ],
    );
    assert_fails(
        Labels::new(&["a", "b"], usize::MAX, 2),
        ErrorKind::OutOfRange,
        &["Labels::new", "overflows"],
    );
}

#[test]
fn empty_shapes_are_errors_from_the_library() {
    let none: [&str; 0] = [];
    assert_fails(
        Labels::new(&none, 0, 3),
        ErrorKind::InvalidArgument,
        &["trajplot_labels_create", "at least one layer", "0 x 3"],
    );
    assert_fails(
        Labels::with_hover(&["a"], 1, 1, &none, 0, 2),
        ErrorKind::InvalidArgument,
        &["trajplot_labels_create", "1 x 1 x 0 x 2"],
    );
}

#[test]
fn debug_shows_the_shape() {
    let text = format!("{:?}", reference_hover_labels());
    assert_eq!(
        text,
        "Labels { n_layers: 2, seq_len: 1, hover_shape: Some((2, 2)) }"
    );
}
