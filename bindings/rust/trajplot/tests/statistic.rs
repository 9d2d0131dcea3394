mod common;

use common::assert_fails;
use trajplot::{ErrorKind, Labels, Statistic};

fn strings(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|text| text.to_string()).collect()
}

/// Compares floats bit for bit, so NaN equals NaN and -0 differs from 0.
fn assert_same_floats(actual: &[f32], expected: &[f32]) {
    let bits = |values: &[f32]| values.iter().map(|v| v.to_bits()).collect::<Vec<u32>>();
    assert_eq!(
        bits(actual),
        bits(expected),
        "{:?} != {:?}",
        actual,
        expected
    );
}

#[test]
fn a_bare_statistic_has_the_defaults() {
    let rank = Statistic::new("Rank", &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3).unwrap();
    assert_eq!(rank.shape(), (2, 3));
    assert_same_floats(&rank.stats(), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!(rank.name(), "Rank");
    assert_eq!(rank.units(), None);
    assert_eq!(rank.range(), (None, None));
    assert!(rank.includes_output());
    assert_eq!(rank.layer_labels(), strings(&["0", "output"]));
    assert_eq!(rank.sequence_labels(), None);
    assert!(rank.trajectory_labels().is_none());
}

#[test]
fn the_builder_sets_every_part() {
    let labels = Labels::new(&["a", "b", "c", "d"], 2, 2).unwrap();
    let statistic = Statistic::builder("Δ entropy", &[0.5, f32::NAN, f32::INFINITY, -1.0], 2, 2)
        .units("bits/ε")
        .sequence_labels(&["<s>", "The"])
        .trajectory_labels(&labels)
        .layer_labels(&["embedding", "final"])
        .min(-2.0)
        .max(4.0)
        .includes_output(false)
        .build()
        .unwrap();
    assert_eq!(statistic.name(), "Δ entropy");
    assert_eq!(statistic.units().as_deref(), Some("bits/ε"));
    assert_eq!(statistic.sequence_labels(), Some(strings(&["<s>", "The"])));
    assert_eq!(statistic.layer_labels(), strings(&["embedding", "final"]));
    assert_eq!(statistic.range(), (Some(-2.0), Some(4.0)));
    assert!(!statistic.includes_output());
    assert_same_floats(&statistic.stats(), &[0.5, f32::NAN, f32::INFINITY, -1.0]);
    let kept = statistic
        .trajectory_labels()
        .expect("the statistic has labels");
    assert_eq!(kept.label_strings(), strings(&["a", "b", "c", "d"]));
}

#[test]
fn a_single_bound_may_be_set() {
    let only_min = Statistic::builder("x", &[1.0, 2.0], 1, 2)
        .min(0.0)
        .build()
        .unwrap();
    assert_eq!(only_min.range(), (Some(0.0), None));
    let only_max = Statistic::builder("x", &[1.0, 2.0], 1, 2)
        .max(3.0)
        .build()
        .unwrap();
    assert_eq!(only_max.range(), (None, Some(3.0)));
}

#[test]
fn layer_labels_with_and_without_the_output() {
    let stats = [0.0f32; 4];
    let with_output = Statistic::new("x", &stats, 4, 1).unwrap();
    assert_eq!(
        with_output.layer_labels(),
        strings(&["0", "1", "2", "output"])
    );
    let without_output = Statistic::builder("x", &stats, 4, 1)
        .includes_output(false)
        .build()
        .unwrap();
    assert_eq!(
        without_output.layer_labels(),
        strings(&["0", "1", "2", "3"])
    );
    let one_layer = Statistic::new("x", &[1.0], 1, 1).unwrap();
    assert_eq!(one_layer.layer_labels(), strings(&["output"]));
}

#[test]
fn the_statistic_keeps_its_labels_after_they_are_dropped() {
    let statistic = {
        let labels = Labels::with_hover(&["a", "b"], 1, 2, &["x", "1%", "y", "2%"], 1, 2).unwrap();
        Statistic::builder("x", &[1.0, 2.0], 1, 2)
            .trajectory_labels(&labels)
            .build()
            .unwrap()
    };
    let labels = statistic.trajectory_labels().unwrap();
    assert_eq!(labels.label_strings(), strings(&["a", "b"]));
    assert_eq!(
        labels.hover_entries(),
        Some(strings(&["x", "1%", "y", "2%"]))
    );
}

/// 5 layers x 2 positions; layer i holds i and 10 + i, labelled "L<i>".
fn five_layers() -> Statistic {
    let stats: Vec<f32> = (0..5)
        .flat_map(|layer| vec![layer as f32, 10.0 + layer as f32])
        .collect();
    let cells: Vec<String> = (0..5)
        .flat_map(|layer| vec![format!("L{}", layer); 2])
        .collect();
    let labels = Labels::new(&cells, 5, 2).unwrap();
    Statistic::builder("Entropy", &stats, 5, 2)
        .units("nats")
        .sequence_labels(&["a", "b"])
        .trajectory_labels(&labels)
        .build()
        .unwrap()
}

#[test]
fn stride_keeps_every_kth_layer_and_the_last() {
    let table: [(usize, &[usize]); 5] = [
        (1, &[0, 1, 2, 3, 4]),
        (2, &[0, 2, 4]),
        (3, &[0, 3, 4]),
        (4, &[0, 4]),
        (5, &[0, 4]),
    ];
    let statistic = five_layers();
    for (stride, kept) in table.iter() {
        let strided = statistic.stride(*stride).unwrap();
        let stats: Vec<f32> = kept
            .iter()
            .flat_map(|&layer| vec![layer as f32, 10.0 + layer as f32])
            .collect();
        assert_same_floats(&strided.stats(), &stats);
        assert_eq!(strided.shape(), (kept.len(), 2));
        let layer_labels: Vec<String> = kept
            .iter()
            .map(|&layer| {
                if layer == 4 {
                    "output".to_string()
                } else {
                    layer.to_string()
                }
            })
            .collect();
        assert_eq!(strided.layer_labels(), layer_labels, "stride {}", stride);
        let cells: Vec<String> = kept
            .iter()
            .flat_map(|&layer| vec![format!("L{}", layer); 2])
            .collect();
        assert_eq!(
            strided.trajectory_labels().unwrap().label_strings(),
            cells,
            "stride {}",
            stride
        );
        assert_eq!(strided.name(), "Entropy");
        assert_eq!(strided.units().as_deref(), Some("nats"));
        assert_eq!(strided.sequence_labels(), Some(strings(&["a", "b"])));
    }
    assert_eq!(statistic.shape(), (5, 2), "stride changed the original");
}

#[test]
fn stride_zero_is_an_error() {
    assert_fails(
        five_layers().stride(0),
        ErrorKind::InvalidArgument,
        &[
            "trajplot_statistic_stride",
            "stride must be at least 1, got 0",
        ],
    );
}

#[test]
fn clip_clamps_values_and_sets_the_range() {
    let values = [f32::NEG_INFINITY, -1.0, 0.5, 2.0, f32::INFINITY, f32::NAN];
    let statistic = Statistic::new("x", &values, 2, 3).unwrap();
    let clipped = statistic.clip(0.0, 1.0).unwrap();
    assert_same_floats(&clipped.stats(), &[0.0, 0.0, 0.5, 1.0, 1.0, f32::NAN]);
    assert_eq!(clipped.range(), (Some(0.0), Some(1.0)));
    assert_same_floats(&statistic.stats(), &values);
    assert_eq!(statistic.range(), (None, None));
}

#[test]
fn clip_needs_min_below_max() {
    let statistic = Statistic::new("x", &[1.0, 2.0], 1, 2).unwrap();
    assert_fails(
        statistic.clip(1.0, 1.0),
        ErrorKind::InvalidArgument,
        &[
            "trajplot_statistic_clip",
            "min (1) must be less than max (1)",
        ],
    );
    assert_fails(
        statistic.clip(2.0, 1.0),
        ErrorKind::InvalidArgument,
        &["min (2) must be less than max (1)"],
    );
    assert_fails(
        statistic.clip(f32::NAN, 1.0),
        ErrorKind::InvalidArgument,
        &["NaN"],
    );
    assert_fails(
        statistic.clip(0.0, f32::NAN),
        ErrorKind::InvalidArgument,
        &["NaN"],
    );
}

#[test]
fn labels_of_another_shape_are_an_error() {
    let labels = Labels::new(&["a", "b", "c", "d", "e", "f"], 3, 2).unwrap();
    assert_fails(
        Statistic::builder("x", &[0.0; 6], 2, 3)
            .trajectory_labels(&labels)
            .build(),
        ErrorKind::InvalidArgument,
        &[
            "trajplot_statistic_create",
            "trajectory_labels has shape 3 x 2 but stats has shape 2 x 3",
        ],
    );
}

#[test]
fn wrong_lengths_are_errors() {
    assert_fails(
        Statistic::new("x", &[1.0, 2.0, 3.0], 2, 2),
        ErrorKind::InvalidArgument,
        &[
            "StatisticBuilder::build",
            "stats has 3",
            "n_layers x seq_len (2 x 2)",
            "needs 4",
        ],
    );
    assert_fails(
        Statistic::builder("x", &[1.0, 2.0], 1, 2)
            .sequence_labels(&["a", "b", "c"])
            .build(),
        ErrorKind::InvalidArgument,
        &["sequence_labels has 3", "seq_len (2)"],
    );
    assert_fails(
        Statistic::builder("x", &[1.0, 2.0], 1, 2)
            .layer_labels(&["a", "b"])
            .build(),
        ErrorKind::InvalidArgument,
        &["layer_labels has 2", "n_layers (1)"],
    );
    assert_fails(
        Statistic::new("x", &[1.0], usize::MAX, 3),
        ErrorKind::OutOfRange,
        &["overflows"],
    );
}

#[test]
fn invalid_values_are_errors_from_the_library() {
    let none: [f32; 0] = [];
    assert_fails(
        Statistic::new("x", &none, 0, 3),
        ErrorKind::InvalidArgument,
        &[
            "trajplot_statistic_create",
            "at least one layer and one position, got shape 0 x 3",
        ],
    );
    assert_fails(
        Statistic::builder("x", &[1.0, 2.0], 1, 2)
            .min(2.0)
            .max(1.0)
            .build(),
        ErrorKind::InvalidArgument,
        &[
            "trajplot_statistic_create",
            "min (2) must be less than max (1)",
        ],
    );
    assert_fails(
        Statistic::builder("x", &[1.0, 2.0], 1, 2)
            .min(f32::NAN)
            .build(),
        ErrorKind::InvalidArgument,
        &["trajplot_statistic_create", "NaN"],
    );
}

#[test]
fn names_with_a_nul_byte_cannot_be_passed() {
    assert_fails(
        Statistic::new("a\0b", &[1.0], 1, 1),
        ErrorKind::InvalidArgument,
        &["name", "NUL", "byte 1"],
    );
    assert_fails(
        Statistic::builder("x", &[1.0], 1, 1)
            .units("n\0ats")
            .build(),
        ErrorKind::InvalidArgument,
        &["units", "NUL"],
    );
}

#[test]
fn sequence_and_layer_labels_may_hold_any_text() {
    let statistic = Statistic::builder("x", &[1.0, 2.0], 1, 2)
        .sequence_labels(&["a\0b", "</script>"])
        .layer_labels(&["\0"])
        .build()
        .unwrap();
    assert_eq!(
        statistic.sequence_labels(),
        Some(strings(&["a\0b", "</script>"]))
    );
    assert_eq!(statistic.layer_labels(), strings(&["\0"]));
}

#[test]
fn debug_shows_name_shape_and_units() {
    let statistic = Statistic::builder("Entropy", &[1.0, 2.0], 1, 2)
        .units("nats")
        .build()
        .unwrap();
    assert_eq!(
        format!("{:?}", statistic),
        "Statistic { name: \"Entropy\", n_layers: 1, seq_len: 2, units: Some(\"nats\") }"
    );
}
