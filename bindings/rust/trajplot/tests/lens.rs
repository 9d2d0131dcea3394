//! The statistics engine through the safe API: every statistic against a
//! straightforward f64 computation in this file, on small pseudo-random
//! tensors (with and without a batch, ties, -inf log-probs), the labels
//! against their definition, streaming against a resident tensor, the
//! error paths, and threads reading one trajectory at once.

mod common;

use std::sync::{Arc, Barrier};
use std::thread;

use common::assert_fails;
use trajplot::{
    sys, ErrorKind, Labels, Measure, PredictionTrajectory, Statistic, TokenFormat,
    TrajectoryComparison, TrajectoryOptions, TrajectoryShape, Values, Vocabulary,
};

// ---------------------------------------------------------------------------
// Test data

/// splitmix64: small, deterministic, good enough to scatter test values.
struct Random(u64);

impl Random {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn between(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Kind {
    values: Values,
    /// Values on a coarse grid, so that rows hold equal values.
    ties: bool,
    /// Some entries -inf (probability 0), targets among them.
    negative_infinity: bool,
}

const PLAIN: Kind = Kind {
    values: Values::Logits,
    ties: false,
    negative_infinity: false,
};

/// A lens output and the ids that go with it.
struct Case {
    shape: TrajectoryShape,
    kind: Kind,
    tensor: Vec<f32>,
    input_ids: Vec<i64>,
    targets: Vec<i64>,
    anti_targets: Vec<i64>,
}

impl Case {
    fn new(seed: u64, shape: TrajectoryShape, kind: Kind) -> Case {
        let mut random = Random(seed);
        let rows = shape.batch * shape.n_layers * shape.seq_len;
        let mut tensor = Vec::with_capacity(rows * shape.vocab);
        for _ in 0..rows {
            let mut row: Vec<f64> = (0..shape.vocab)
                .map(|_| random.between(-4.0, 4.0))
                .collect();
            if kind.ties {
                for value in &mut row {
                    *value = (*value * 2.0).round() / 2.0;
                }
            }
            if kind.negative_infinity {
                // Every row keeps one finite value, the first.
                for value in row.iter_mut().skip(1) {
                    if random.unit() < 0.3 {
                        *value = f64::NEG_INFINITY;
                    }
                }
            }
            if let Values::LogProbs = kind.values {
                // Log-probabilities near, not at, normalisation: they are
                // used as given, so the statistics must not renormalise them.
                let normalizer = log_sum_exp(&row);
                for value in &mut row {
                    *value = *value - normalizer + random.between(-0.05, 0.05);
                }
            }
            tensor.extend(row.iter().map(|&value| value as f32));
        }
        let ids = |random: &mut Random| -> Vec<i64> {
            (0..shape.batch * shape.seq_len)
                .map(|_| random.below(shape.vocab) as i64)
                .collect()
        };
        let input_ids = ids(&mut random);
        let targets = ids(&mut random);
        let anti_targets = ids(&mut random);
        Case {
            shape,
            kind,
            tensor,
            input_ids,
            targets,
            anti_targets,
        }
    }

    fn slab_len(&self) -> usize {
        self.shape.seq_len * self.shape.vocab
    }

    fn slab(&self, item: usize, layer: usize) -> &[f32] {
        let start = (item * self.shape.n_layers + layer) * self.slab_len();
        &self.tensor[start..start + self.slab_len()]
    }

    fn row(&self, item: usize, layer: usize, position: usize) -> &[f32] {
        let vocab = self.shape.vocab;
        &self.slab(item, layer)[position * vocab..(position + 1) * vocab]
    }

    fn id_index(&self, item: usize, position: usize) -> usize {
        item * self.shape.seq_len + position
    }

    fn trajectory(&self, options: &TrajectoryOptions<'_>) -> PredictionTrajectory {
        let mut trajectory = PredictionTrajectory::new(
            self.shape,
            &self.input_ids,
            Some(&self.targets),
            Some(&self.anti_targets),
            options,
        )
        .unwrap();
        trajectory.add_all(&self.tensor).unwrap();
        assert!(trajectory.is_complete());
        trajectory
    }

    fn options(&self) -> TrajectoryOptions<'static> {
        TrajectoryOptions {
            values: self.kind.values,
            ..Default::default()
        }
    }
}

// ---------------------------------------------------------------------------
// The reference computations, in f64

fn log_sum_exp(row: &[f64]) -> f64 {
    let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    max + row.iter().map(|x| (x - max).exp()).sum::<f64>().ln()
}

/// log p of every token: log-softmax of logits, log-probs as given.
fn log_probs(row: &[f32], values: Values) -> Vec<f64> {
    let row: Vec<f64> = row.iter().map(|&x| f64::from(x)).collect();
    match values {
        Values::LogProbs => row,
        Values::Logits => {
            let normalizer = log_sum_exp(&row);
            row.iter().map(|x| x - normalizer).collect()
        }
    }
}

/// sum over p > 0 of p (log p - log q): 0 log 0 is 0, and p > 0 where
/// q = 0 makes it infinite.
fn kl(log_p: &[f64], log_q: &[f64]) -> f64 {
    log_p
        .iter()
        .zip(log_q)
        .filter(|(lp, _)| lp.exp() > 0.0)
        .map(|(lp, lq)| lp.exp() * (lp - lq))
        .sum()
}

fn entropy(log_p: &[f64]) -> f64 {
    -log_p
        .iter()
        .filter(|lp| lp.exp() > 0.0)
        .map(|lp| lp.exp() * lp)
        .sum::<f64>()
}

fn max_of(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

/// 1 + the number of values strictly greater than the target's.
fn rank_of(row: &[f32], target: usize) -> f64 {
    1.0 + row.iter().filter(|&&x| x > row[target]).count() as f64
}

/// n_layers x seq_len (or `layers` rows) of the batch mean of `value`.
fn batch_mean(
    shape: &TrajectoryShape,
    layers: usize,
    value: impl Fn(usize, usize, usize) -> f64,
) -> Vec<f64> {
    let mut means = Vec::with_capacity(layers * shape.seq_len);
    for layer in 0..layers {
        for position in 0..shape.seq_len {
            let sum: f64 = (0..shape.batch)
                .map(|item| value(item, layer, position))
                .sum();
            means.push(sum / shape.batch as f64);
        }
    }
    means
}

struct Expected {
    entropy: Vec<f64>,
    cross_entropy: Vec<f64>,
    forward_kl: Vec<f64>,
    max_probability: Vec<f64>,
    rank: Vec<f64>,
    log_prob_diff: Vec<f64>,
    log_prob_diff_delta: Vec<f64>,
}

fn expected_trajectory(case: &Case) -> Expected {
    let shape = &case.shape;
    let values = case.kind.values;
    let lp = |item: usize, layer: usize, position: usize| {
        log_probs(case.row(item, layer, position), values)
    };
    let target =
        |item: usize, position: usize| case.targets[case.id_index(item, position)] as usize;
    let anti =
        |item: usize, position: usize| case.anti_targets[case.id_index(item, position)] as usize;
    let difference = |item: usize, layer: usize, position: usize| {
        let log_p = lp(item, layer, position);
        log_p[target(item, position)] - log_p[anti(item, position)]
    };
    let layers = shape.n_layers;
    Expected {
        entropy: batch_mean(shape, layers, |i, l, s| entropy(&lp(i, l, s))),
        cross_entropy: batch_mean(shape, layers, |i, l, s| -lp(i, l, s)[target(i, s)]),
        forward_kl: batch_mean(shape, layers, |i, l, s| {
            kl(&lp(i, layers - 1, s), &lp(i, l, s))
        }),
        max_probability: batch_mean(shape, layers, |i, l, s| max_of(&lp(i, l, s)).exp()),
        rank: batch_mean(shape, layers, |i, l, s| {
            rank_of(case.row(i, l, s), target(i, s))
        }),
        log_prob_diff: batch_mean(shape, layers, difference),
        log_prob_diff_delta: batch_mean(shape, layers - 1, |i, l, s| {
            difference(i, l + 1, s) - difference(i, l, s)
        }),
    }
}

/// The pair statistics of two rows of log-probabilities.
struct PairExpected {
    kl: f64,
    js: f64,
    half_symmetric_kl: f64,
    total_variation: f64,
    max_abs_difference: f64,
}

fn pair_statistics(log_p: &[f64], log_q: &[f64]) -> PairExpected {
    let p: Vec<f64> = log_p.iter().map(|x| x.exp()).collect();
    let q: Vec<f64> = log_q.iter().map(|x| x.exp()).collect();
    let mut js = 0.0;
    for (pi, qi) in p.iter().zip(&q) {
        let m = 0.5 * (pi + qi);
        if *pi > 0.0 {
            js += 0.5 * pi * (pi / m).ln();
        }
        if *qi > 0.0 {
            js += 0.5 * qi * (qi / m).ln();
        }
    }
    let differences: Vec<f64> = p.iter().zip(&q).map(|(pi, qi)| (pi - qi).abs()).collect();
    PairExpected {
        kl: kl(log_p, log_q),
        js,
        half_symmetric_kl: 0.5 * (kl(log_p, log_q) + kl(log_q, log_p)),
        total_variation: 0.5 * differences.iter().sum::<f64>(),
        max_abs_difference: max_of(&differences),
    }
}

/// Compares a statistic's values with the reference: NaN with NaN,
/// infinities exactly, finite values within float32 rounding of the
/// engine's sums.
fn assert_close(what: &str, actual: &[f32], expected: &[f64]) {
    assert_eq!(actual.len(), expected.len(), "{}: length", what);
    for (index, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        let a = f64::from(a);
        let agrees = if e.is_nan() {
            a.is_nan()
        } else if e.is_infinite() {
            a == e
        } else {
            (a - e).abs() <= 1e-5 * (1.0 + e.abs())
        };
        assert!(
            agrees,
            "{}[{}]: got {}, expected {}\n  got:      {:?}\n  expected: {:?}",
            what, index, a, e, actual, expected
        );
    }
}

fn floats_bits(values: &[f32]) -> Vec<u32> {
    values.iter().map(|value| value.to_bits()).collect()
}

// ---------------------------------------------------------------------------
// Statistics against the reference

fn check_trajectory_statistics(case: &Case) {
    let trajectory = case.trajectory(&case.options());
    assert_eq!(trajectory.shape(), case.shape);
    let expected = expected_trajectory(case);
    let shape = case.shape;
    let label = |name: &str| format!("{} of {:?} {:?}", name, shape, case.kind);

    let checks: [(Statistic, &Vec<f64>, &str, &str); 5] = [
        (
            trajectory.entropy().unwrap(),
            &expected.entropy,
            "Entropy",
            "nats",
        ),
        (
            trajectory.cross_entropy().unwrap(),
            &expected.cross_entropy,
            "Cross Entropy",
            "nats",
        ),
        (
            trajectory.forward_kl().unwrap(),
            &expected.forward_kl,
            "Forward KL",
            "nats",
        ),
        (
            trajectory.max_probability().unwrap(),
            &expected.max_probability,
            "Max Probability",
            "probs",
        ),
        (
            trajectory.log_prob_diff(false).unwrap(),
            &expected.log_prob_diff,
            "Log Prob Difference",
            "nats",
        ),
    ];
    for (statistic, values, name, units) in &checks {
        assert_eq!(statistic.shape(), (shape.n_layers, shape.seq_len));
        assert_eq!(statistic.name(), *name);
        assert_eq!(statistic.units().as_deref(), Some(*units));
        assert!(statistic.includes_output());
        assert_close(&label(name), &statistic.stats(), values);
    }

    // Ranks are counts: their batch means are exact.
    let rank = trajectory.rank(false).unwrap();
    let expected_rank: Vec<f32> = expected.rank.iter().map(|&r| r as f32).collect();
    assert_eq!(rank.stats(), expected_rank, "{}", label("rank"));
    assert_eq!(rank.name(), "Rank");
    // Without a vocabulary the colour range only starts at 1.
    assert_eq!(rank.range(), (Some(1.0), None));

    if shape.n_layers > 1 {
        let delta = trajectory.log_prob_diff(true).unwrap();
        assert_eq!(delta.shape(), (shape.n_layers - 1, shape.seq_len));
        assert!(!delta.includes_output());
        assert_eq!(delta.name(), "\u{394} Log Prob Difference");
        assert_close(
            &label("log_prob_diff_delta"),
            &delta.stats(),
            &expected.log_prob_diff_delta,
        );
    }

    // The output compared with itself.
    let forward_kl = trajectory.forward_kl().unwrap().stats();
    let output_row = &forward_kl[(shape.n_layers - 1) * shape.seq_len..];
    assert!(
        output_row.iter().all(|&value| value == 0.0),
        "{:?}",
        output_row
    );

    // statistic(measure) is the named method.
    for (measure, statistic) in [
        (Measure::Entropy, &checks[0].0),
        (Measure::CrossEntropy, &checks[1].0),
        (Measure::ForwardKl, &checks[2].0),
        (Measure::MaxProbability, &checks[3].0),
        (Measure::LogProbDiff, &checks[4].0),
        (Measure::Rank, &rank),
    ] {
        let by_measure = trajectory.statistic(measure).unwrap();
        assert_eq!(by_measure.name(), statistic.name());
        assert_eq!(
            floats_bits(&by_measure.stats()),
            floats_bits(&statistic.stats())
        );
    }
    // Without a vocabulary there are no labels.
    assert!(trajectory.labels().unwrap().is_none());
    assert!(checks[0].0.trajectory_labels().is_none());
    assert_eq!(checks[0].0.sequence_labels(), None);
}

const SHAPES: [(usize, usize, usize, usize); 4] = [
    (1, 3, 4, 6),  // no batch
    (3, 4, 5, 7),  // a batch
    (2, 1, 3, 5),  // the output layer alone
    (2, 3, 2, 40), // a wider vocabulary
];

#[test]
fn trajectory_statistics_match_the_reference_for_logits() {
    for (seed, &(batch, layers, seq_len, vocab)) in SHAPES.iter().enumerate() {
        let shape = TrajectoryShape::new(batch, layers, seq_len, vocab);
        check_trajectory_statistics(&Case::new(seed as u64, shape, PLAIN));
    }
}

#[test]
fn trajectory_statistics_match_the_reference_for_log_probs() {
    let kind = Kind {
        values: Values::LogProbs,
        ..PLAIN
    };
    for (seed, &(batch, layers, seq_len, vocab)) in SHAPES.iter().enumerate() {
        let shape = TrajectoryShape::new(batch, layers, seq_len, vocab);
        check_trajectory_statistics(&Case::new(100 + seed as u64, shape, kind));
    }
}

#[test]
fn ties_share_the_best_rank() {
    let kind = Kind {
        ties: true,
        ..PLAIN
    };
    let case = Case::new(7, TrajectoryShape::new(3, 3, 6, 8), kind);
    // The grid makes ties with the target common; the test is void without.
    let tied_targets = (0..3)
        .flat_map(|item| (0..3).flat_map(move |layer| (0..6).map(move |s| (item, layer, s))))
        .filter(|&(item, layer, position)| {
            let row = case.row(item, layer, position);
            let target = case.targets[case.id_index(item, position)] as usize;
            row.iter()
                .enumerate()
                .any(|(id, &x)| id != target && x == row[target])
        })
        .count();
    assert!(
        tied_targets > 5,
        "only {} rows tie with the target",
        tied_targets
    );
    check_trajectory_statistics(&case);

    // A row by hand: logits 2, 5, 5, 1 and 5 again; every 5 has rank 1, the
    // 2 rank 4 (three tokens above it), the 1 rank 5.
    let shape = TrajectoryShape::new(1, 1, 5, 5);
    let row = [2.0f32, 5.0, 5.0, 1.0, 5.0];
    let tensor: Vec<f32> = row.iter().cycle().take(25).copied().collect();
    let mut trajectory = PredictionTrajectory::new(
        shape,
        &[0; 5],
        Some(&[1, 2, 4, 0, 3]),
        None,
        &TrajectoryOptions::default(),
    )
    .unwrap();
    trajectory.add_all(&tensor).unwrap();
    assert_eq!(
        trajectory.rank(false).unwrap().stats(),
        [1.0, 1.0, 1.0, 4.0, 5.0]
    );
}

#[test]
fn negative_infinity_adds_nothing_and_an_impossible_target_is_infinitely_surprising() {
    for values in [Values::Logits, Values::LogProbs] {
        let kind = Kind {
            values,
            negative_infinity: true,
            ..PLAIN
        };
        for (seed, &(batch, layers, seq_len, vocab)) in SHAPES.iter().enumerate() {
            let shape = TrajectoryShape::new(batch, layers, seq_len, vocab);
            let case = Case::new(200 + seed as u64, shape, kind);
            check_trajectory_statistics(&case);
        }
    }
    // By hand: p = (1/2, 1/2, 0, 0) as logits (0, 0, -inf, -inf); entropy
    // ln 2, the target -inf has cross entropy +inf and rank 3.
    let shape = TrajectoryShape::new(1, 1, 1, 4);
    let mut trajectory = PredictionTrajectory::new(
        shape,
        &[0],
        Some(&[2]),
        Some(&[0]),
        &TrajectoryOptions::default(),
    )
    .unwrap();
    trajectory
        .add(0, 0, &[0.0, 0.0, f32::NEG_INFINITY, f32::NEG_INFINITY])
        .unwrap();
    assert_close(
        "entropy",
        &trajectory.entropy().unwrap().stats(),
        &[2f64.ln()],
    );
    assert_eq!(trajectory.cross_entropy().unwrap().stats(), [f32::INFINITY]);
    assert_eq!(trajectory.rank(false).unwrap().stats(), [3.0]);
    assert_eq!(
        trajectory.log_prob_diff(false).unwrap().stats(),
        [f32::NEG_INFINITY]
    );
}

/// A comparison statistic: how to take it, its reference value per row, and
/// tuned-lens's name, units and colour range (from 0 to max).
struct ComparisonCheck {
    measure: Measure,
    method: fn(&TrajectoryComparison) -> trajplot::Result<Statistic>,
    value: fn(&PairExpected) -> f64,
    name: &'static str,
    units: &'static str,
    max: Option<f32>,
}

const COMPARISON_CHECKS: [ComparisonCheck; 5] = [
    ComparisonCheck {
        measure: Measure::KlDivergence,
        method: TrajectoryComparison::kl_divergence,
        value: |pair| pair.kl,
        name: "KL(Self | Other)",
        units: "nats",
        max: None,
    },
    ComparisonCheck {
        measure: Measure::JsDivergence,
        method: TrajectoryComparison::js_divergence,
        value: |pair| pair.js,
        name: "JS(Self | Other)",
        units: "nats",
        max: None,
    },
    ComparisonCheck {
        measure: Measure::HalfSymmetricKl,
        method: TrajectoryComparison::half_symmetric_kl,
        value: |pair| pair.half_symmetric_kl,
        name: "(KL(Self | Other) + KL(Other | Self)) / 2",
        units: "nats",
        max: None,
    },
    ComparisonCheck {
        measure: Measure::TotalVariation,
        method: TrajectoryComparison::total_variation,
        value: |pair| pair.total_variation,
        name: "TV(Self | Other)",
        units: "probs",
        max: Some(1.0),
    },
    ComparisonCheck {
        measure: Measure::MaxAbsProbDifference,
        method: TrajectoryComparison::max_abs_prob_difference,
        value: |pair| pair.max_abs_difference,
        name: "Max |\u{394}p|(Self | Other)",
        units: "probs",
        max: Some(1.0),
    },
];

fn check_comparison_statistics(seed: u64, shape: TrajectoryShape, kind: Kind) {
    let case = Case::new(seed, shape, kind);
    let other = Case::new(seed + 1000, shape, kind);
    let options = case.options();
    let mut comparison = TrajectoryComparison::new(shape, &case.input_ids, &options).unwrap();
    assert!(!comparison.is_complete());
    comparison.add_all(&case.tensor, &other.tensor).unwrap();
    assert!(comparison.is_complete());
    assert_eq!(comparison.shape(), shape);

    let pair = |item: usize, layer: usize, position: usize| {
        pair_statistics(
            &log_probs(case.row(item, layer, position), kind.values),
            &log_probs(other.row(item, layer, position), kind.values),
        )
    };
    for check in &COMPARISON_CHECKS {
        let statistic = (check.method)(&comparison).unwrap();
        assert_eq!(statistic.name(), check.name);
        assert_eq!(statistic.units().as_deref(), Some(check.units));
        assert_eq!(statistic.range(), (Some(0.0), check.max));
        assert_eq!(statistic.shape(), (shape.n_layers, shape.seq_len));
        let expected = batch_mean(&shape, shape.n_layers, |i, l, s| {
            (check.value)(&pair(i, l, s))
        });
        let what = format!("{} of {:?} {:?}", check.name, shape, kind);
        assert_close(&what, &statistic.stats(), &expected);
        let by_measure = comparison.statistic(check.measure).unwrap();
        assert_eq!(
            floats_bits(&by_measure.stats()),
            floats_bits(&statistic.stats())
        );
    }
    assert!(comparison.labels().unwrap().is_none());
}

#[test]
fn comparison_statistics_match_the_reference() {
    for (index, &(batch, layers, seq_len, vocab)) in SHAPES.iter().enumerate() {
        let shape = TrajectoryShape::new(batch, layers, seq_len, vocab);
        let seed = 300 + 10 * index as u64;
        check_comparison_statistics(seed, shape, PLAIN);
        check_comparison_statistics(
            seed + 1,
            shape,
            Kind {
                values: Values::LogProbs,
                ..PLAIN
            },
        );
        check_comparison_statistics(
            seed + 2,
            shape,
            Kind {
                negative_infinity: true,
                ..PLAIN
            },
        );
    }
}

#[test]
fn a_trajectory_compared_with_itself_has_no_divergence() {
    let case = Case::new(9, TrajectoryShape::new(2, 3, 4, 9), PLAIN);
    let mut comparison =
        TrajectoryComparison::new(case.shape, &case.input_ids, &case.options()).unwrap();
    comparison.add_all(&case.tensor, &case.tensor).unwrap();
    for measure in Measure::ALL
        .iter()
        .filter(|measure| measure.is_comparison())
    {
        let stats = comparison.statistic(*measure).unwrap().stats();
        assert!(
            stats.iter().all(|value| value.abs() < 1e-6),
            "{}: {:?}",
            measure,
            stats
        );
    }
}

// ---------------------------------------------------------------------------
// Labels

/// tuned-lens's token formatting, from its definition.
fn format_token(token: &str, format: &TokenFormat) -> String {
    let mut text = token.to_string();
    if let Some(max) = format.max_string_len {
        if text.chars().count() > max {
            let keep = max - format.ellipsis.chars().count();
            text = text.chars().take(keep).collect::<String>() + &format.ellipsis;
        }
    }
    text.replace(&format.newline_token, &format.newline_replacement)
        .replace(&format.whitespace_token, &format.whitespace_replacement)
}

/// The text of a token id, "<unk>" past the vocabulary's end.
fn token_text(tokens: &[&str], id: usize, format: &TokenFormat) -> String {
    tokens
        .get(id)
        .map_or_else(|| "<unk>".to_string(), |token| format_token(token, format))
}

/// What the batch items agree on, or "*".
fn consolidated(texts: &[String]) -> String {
    if texts.iter().all(|text| *text == texts[0]) {
        texts[0].clone()
    } else {
        "*".to_string()
    }
}

/// "51.20%" or "Δ-3.10%" as a number of percent.
fn percent(text: &str) -> f64 {
    text.trim_start_matches('\u{394}')
        .strip_suffix('%')
        .unwrap_or_else(|| panic!("{:?} is not a percentage", text))
        .parse()
        .unwrap_or_else(|_| panic!("{:?} is not a percentage", text))
}

/// Ids by decreasing key.
fn top_ids(keys: &[f64], k: usize) -> Vec<usize> {
    let mut ids: Vec<usize> = (0..keys.len()).collect();
    ids.sort_by(|&a, &b| keys[b].partial_cmp(&keys[a]).unwrap());
    ids.truncate(k);
    ids
}

// The vocabulary of the label tests: byte-level BPE marks, a long token, and
// one id short of the lens's vocabulary, so the last id is "<unk>".
const TOKENS: [&str; 8] = [
    "<s>",
    "\u{120}the",
    "\u{10A}",
    "\u{120}cat",
    "supercalifragilistic",
    "\u{120}\u{120}",
    "x\u{10A}y",
    "\u{120}sat",
];
const LABEL_VOCAB: usize = TOKENS.len() + 1;

struct LabelCheck<'a> {
    case: &'a Case,
    format: &'a TokenFormat,
    top_k: usize,
    shown: usize,
}

impl LabelCheck<'_> {
    fn text(&self, id: usize) -> String {
        token_text(&TOKENS, id, self.format)
    }

    fn sequence_labels(&self) -> Vec<String> {
        let case = self.case;
        (0..case.shape.seq_len)
            .map(|position| {
                let texts: Vec<String> = (0..case.shape.batch)
                    .map(|item| self.text(case.input_ids[case.id_index(item, position)] as usize))
                    .collect();
                consolidated(&texts)
            })
            .collect()
    }

    /// Checks labels of (per row) `keys` to rank tokens by, `values` shown
    /// as percent, `keeps` deciding whether a cell keeps its label.
    fn check(
        &self,
        labels: &Labels,
        row: impl Fn(usize, usize, usize) -> (Vec<f64>, Vec<f64>),
        keeps: impl Fn(f64) -> bool,
    ) {
        let shape = self.case.shape;
        let columns = 2 * shape.batch.min(self.shown);
        assert_eq!(labels.shape(), (shape.n_layers, shape.seq_len));
        assert_eq!(labels.hover_shape(), Some((self.top_k, columns)));
        for layer in 0..shape.n_layers {
            for position in 0..shape.seq_len {
                let mut texts = Vec::new();
                let mut keep = true;
                for item in 0..shape.batch {
                    let (keys, values) = row(item, layer, position);
                    let top = top_ids(&keys, self.top_k);
                    texts.push(self.text(top[0]));
                    keep = keep && keeps(keys[top[0]]);
                    if item >= self.shown {
                        continue;
                    }
                    for (rank, &id) in top.iter().enumerate() {
                        let token = labels.hover_entry(layer, position, rank, 2 * item).unwrap();
                        let value = labels
                            .hover_entry(layer, position, rank, 2 * item + 1)
                            .unwrap();
                        assert_eq!(token, self.text(id), "cell {} {}", layer, position);
                        assert!(
                            (percent(&value) - 100.0 * values[id]).abs() < 0.006,
                            "cell {} {} row {}: {} for {}",
                            layer,
                            position,
                            rank,
                            value,
                            values[id]
                        );
                    }
                }
                let expected = if keep {
                    consolidated(&texts)
                } else {
                    String::new()
                };
                assert_eq!(
                    labels.label(layer, position).unwrap(),
                    expected,
                    "cell {} {}",
                    layer,
                    position
                );
            }
        }
    }
}

#[test]
fn trajectory_labels_are_the_top_tokens() {
    let case = Case::new(
        11,
        TrajectoryShape::new(3, 3, 4, LABEL_VOCAB),
        Kind {
            values: Values::LogProbs,
            ..PLAIN
        },
    );
    let vocabulary = Vocabulary::new(TOKENS).unwrap();
    let options = TrajectoryOptions {
        values: case.kind.values,
        vocabulary: Some(&vocabulary),
        top_k: 4,
        min_prob: 0.3,
        max_batch_items_shown: 2,
        ..Default::default()
    };
    let trajectory = case.trajectory(&options);
    // The trajectory keeps its own reference to the vocabulary.
    drop(vocabulary);
    let format = TokenFormat::default();
    let check = LabelCheck {
        case: &case,
        format: &format,
        top_k: 4,
        shown: 2,
    };
    let labels = trajectory
        .labels()
        .unwrap()
        .expect("a vocabulary was given");
    let probabilities = |item: usize, layer: usize, position: usize| {
        let p: Vec<f64> = log_probs(case.row(item, layer, position), case.kind.values)
            .iter()
            .map(|lp| lp.exp())
            .collect();
        (p.clone(), p)
    };
    check.check(&labels, probabilities, |top| top >= 0.3);
    // min_prob blanks some cells, not all: the test covers both.
    let cells = labels.label_strings();
    assert!(cells.iter().any(String::is_empty) && cells.iter().any(|c| !c.is_empty()));
    assert!(cells.iter().any(|c| c == "*"), "{:?}", cells);

    let entropy = trajectory.entropy().unwrap();
    assert_eq!(entropy.sequence_labels(), Some(check.sequence_labels()));
    let carried = entropy.trajectory_labels().unwrap();
    assert_eq!(carried.label_strings(), cells);
    assert_eq!(carried.hover_entries(), labels.hover_entries());
    assert!(trajectory
        .log_prob_diff(false)
        .unwrap()
        .trajectory_labels()
        .is_none());

    // As tuned-lens, the rank's colour scale ends at the vocabulary's size.
    let rank = trajectory.rank(false).unwrap();
    assert_eq!(rank.range(), (Some(1.0), Some(TOKENS.len() as f32)));
    assert_eq!(rank.trajectory_labels().unwrap().label_strings(), cells);
    // show_ranks: the cells show the rank, truncated towards zero; the hover
    // tables stay.
    let shown = trajectory.rank(true).unwrap();
    let rank_texts: Vec<String> = rank
        .stats()
        .iter()
        .map(|value| format!("{}", value.trunc() as i64))
        .collect();
    assert!(rank_texts.iter().any(|text| text != "1"));
    let shown_labels = shown.trajectory_labels().unwrap();
    assert_eq!(shown_labels.label_strings(), rank_texts);
    assert_eq!(shown_labels.hover_entries(), labels.hover_entries());
    assert_eq!(floats_bits(&shown.stats()), floats_bits(&rank.stats()));
}

#[test]
fn comparison_labels_are_the_largest_changes() {
    let case = Case::new(12, TrajectoryShape::new(2, 3, 5, LABEL_VOCAB), PLAIN);
    let other = Case::new(13, case.shape, PLAIN);
    let vocabulary = Vocabulary::new(TOKENS.iter().map(|token| token.to_string())).unwrap();
    let options = TrajectoryOptions {
        vocabulary: Some(&vocabulary),
        top_k: 3,
        min_prob_delta: 0.45,
        ..Default::default()
    };
    let mut comparison = TrajectoryComparison::new(case.shape, &case.input_ids, &options).unwrap();
    comparison.add_all(&case.tensor, &other.tensor).unwrap();
    let format = TokenFormat::default();
    let check = LabelCheck {
        case: &case,
        format: &format,
        top_k: 3,
        shown: 3,
    };
    let labels = comparison
        .labels()
        .unwrap()
        .expect("a vocabulary was given");
    let changes = |item: usize, layer: usize, position: usize| {
        let p = log_probs(case.row(item, layer, position), Values::Logits);
        let q = log_probs(other.row(item, layer, position), Values::Logits);
        let change: Vec<f64> = p
            .iter()
            .zip(&q)
            .map(|(lp, lq)| lq.exp() - lp.exp())
            .collect();
        (change.iter().map(|d| d.abs()).collect(), change)
    };
    check.check(&labels, changes, |largest| largest > 0.45);
    let cells = labels.label_strings();
    assert!(cells.iter().any(String::is_empty) && cells.iter().any(|c| !c.is_empty()));
    let hover = labels.hover_entries().unwrap();
    assert!(hover.iter().any(|entry| entry.starts_with("\u{394}-")));

    let kl = comparison.kl_divergence().unwrap();
    assert_eq!(kl.sequence_labels(), Some(check.sequence_labels()));
    assert_eq!(kl.trajectory_labels().unwrap().label_strings(), cells);
}

#[test]
fn token_format_is_applied_to_labels_and_sequence_labels() {
    let default = TokenFormat::default();
    // The defaults trajplot.h documents.
    assert_eq!(default.max_string_len, Some(7));
    assert_eq!(default.ellipsis, "\u{2026}");
    assert_eq!(default.newline_token, "\u{10A}");
    assert_eq!(default.newline_replacement, "\\n");
    assert_eq!(default.whitespace_token, "\u{120}");
    assert_eq!(default.whitespace_replacement, "_");

    let custom = TokenFormat {
        max_string_len: Some(5),
        ellipsis: "..".to_string(),
        newline_token: "x".to_string(),
        newline_replacement: "<nl>".to_string(),
        whitespace_token: "\u{120}".to_string(),
        whitespace_replacement: " ".to_string(),
    };
    let whole = TokenFormat {
        max_string_len: None,
        ..TokenFormat::default()
    };
    let shape = TrajectoryShape::new(1, 1, TOKENS.len() + 1, LABEL_VOCAB);
    let input_ids: Vec<i64> = (0..LABEL_VOCAB as i64).collect();
    let vocabulary = Vocabulary::new(TOKENS).unwrap();
    for format in [default, custom, whole] {
        let options = TrajectoryOptions {
            vocabulary: Some(&vocabulary),
            token_format: format.clone(),
            ..Default::default()
        };
        // Each position's most likely token is its input token.
        let mut tensor = vec![0.0f32; shape.seq_len * shape.vocab];
        for position in 0..shape.seq_len {
            tensor[position * shape.vocab + position] = 5.0;
        }
        let mut trajectory =
            PredictionTrajectory::new(shape, &input_ids, None, None, &options).unwrap();
        trajectory.add(0, 0, &tensor).unwrap();
        let expected: Vec<String> = (0..LABEL_VOCAB)
            .map(|id| token_text(&TOKENS, id, &format))
            .collect();
        let entropy = trajectory.entropy().unwrap();
        assert_eq!(entropy.sequence_labels().unwrap(), expected, "{:?}", format);
        assert_eq!(
            trajectory.labels().unwrap().unwrap().label_strings(),
            expected,
            "{:?}",
            format
        );
    }
}

// ---------------------------------------------------------------------------
// Streaming

fn same_statistic(what: &str, a: &Statistic, b: &Statistic) {
    assert_eq!(a.name(), b.name(), "{}", what);
    assert_eq!(floats_bits(&a.stats()), floats_bits(&b.stats()), "{}", what);
    assert_eq!(a.sequence_labels(), b.sequence_labels(), "{}", what);
    let labels = |statistic: &Statistic| {
        statistic
            .trajectory_labels()
            .map(|labels| (labels.label_strings(), labels.hover_entries()))
    };
    assert_eq!(labels(a), labels(b), "{}", what);
}

fn trajectory_statistics(trajectory: &PredictionTrajectory, forward_kl: bool) -> Vec<Statistic> {
    let mut statistics: Vec<Statistic> = Measure::ALL
        .iter()
        .filter(|&&measure| {
            !measure.is_comparison() && (forward_kl || measure != Measure::ForwardKl)
        })
        .map(|measure| trajectory.statistic(*measure).unwrap())
        .collect();
    statistics.push(trajectory.rank(true).unwrap());
    statistics
}

#[test]
fn streamed_slabs_give_what_the_resident_tensor_gives() {
    let vocabulary = Vocabulary::new(TOKENS).unwrap();
    for (seed, forward_kl) in [(21u64, true), (22, false)] {
        let case = Case::new(seed, TrajectoryShape::new(3, 4, 5, LABEL_VOCAB), PLAIN);
        let options = TrajectoryOptions {
            vocabulary: Some(&vocabulary),
            forward_kl,
            threads: 2,
            ..Default::default()
        };
        let resident = case.trajectory(&options);

        let mut streamed = PredictionTrajectory::new(
            case.shape,
            &case.input_ids,
            Some(&case.targets),
            Some(&case.anti_targets),
            &options,
        )
        .unwrap();
        let output = case.shape.n_layers - 1;
        let mut shuffled: Vec<(usize, usize)> = (0..case.shape.batch)
            .flat_map(|item| (0..case.shape.n_layers).map(move |layer| (item, layer)))
            .collect();
        Random(seed).shuffle(&mut shuffled);
        // With forward KL, each batch item's output layer moves to just
        // before the first of its other layers; the items stay interleaved.
        let mut order = Vec::new();
        let mut output_added = vec![false; case.shape.batch];
        for &(item, layer) in &shuffled {
            if forward_kl && output_added[item] && layer == output {
                continue;
            }
            if forward_kl && !output_added[item] {
                order.push((item, output));
                output_added[item] = true;
                if layer == output {
                    continue;
                }
            }
            order.push((item, layer));
        }
        assert_eq!(order.len(), shuffled.len());
        // One buffer for every slab: the trajectory reads a slab during the
        // call only, so overwriting it afterwards must change nothing.
        let mut buffer = vec![0.0f32; case.slab_len()];
        for (count, &(item, layer)) in order.iter().enumerate() {
            assert!(!streamed.is_complete());
            if count > 0 {
                assert_fails(streamed.entropy(), ErrorKind::InvalidArgument, &["missing"]);
            }
            buffer.copy_from_slice(case.slab(item, layer));
            streamed.add(item, layer, &buffer).unwrap();
            buffer.iter_mut().for_each(|value| *value = f32::NAN);
        }
        assert!(streamed.is_complete());

        let measures = trajectory_statistics(&resident, forward_kl);
        let streamed_measures = trajectory_statistics(&streamed, forward_kl);
        assert_eq!(measures.len(), if forward_kl { 8 } else { 7 });
        for (a, b) in measures.iter().zip(&streamed_measures) {
            same_statistic(&format!("forward_kl {}: {}", forward_kl, a.name()), a, b);
        }
    }
}

#[test]
fn a_comparison_streamed_gives_what_resident_tensors_give() {
    let case = Case::new(31, TrajectoryShape::new(2, 3, 4, LABEL_VOCAB), PLAIN);
    let other = Case::new(32, case.shape, PLAIN);
    let vocabulary = Vocabulary::new(TOKENS).unwrap();
    let options = TrajectoryOptions {
        vocabulary: Some(&vocabulary),
        ..Default::default()
    };
    let mut resident = TrajectoryComparison::new(case.shape, &case.input_ids, &options).unwrap();
    resident.add_all(&case.tensor, &other.tensor).unwrap();
    let mut streamed = TrajectoryComparison::new(case.shape, &case.input_ids, &options).unwrap();
    let mut order: Vec<(usize, usize)> = (0..2)
        .flat_map(|item| (0..3).map(move |layer| (item, layer)))
        .collect();
    Random(31).shuffle(&mut order);
    for &(item, layer) in &order {
        assert!(!streamed.is_complete());
        streamed
            .add(item, layer, case.slab(item, layer), other.slab(item, layer))
            .unwrap();
    }
    assert!(streamed.is_complete());
    for measure in Measure::ALL
        .iter()
        .filter(|measure| measure.is_comparison())
    {
        same_statistic(
            measure.name(),
            &resident.statistic(*measure).unwrap(),
            &streamed.statistic(*measure).unwrap(),
        );
    }
}

// ---------------------------------------------------------------------------
// Vocabulary and measures

#[test]
fn a_vocabulary_keeps_any_bytes() {
    let vocabulary = Vocabulary::new(["a", "", "\u{120}the", "nul\0inside"]).unwrap();
    assert_eq!(vocabulary.len(), 4);
    assert!(!vocabulary.is_empty());
    assert_eq!(vocabulary.token(1).as_deref(), Some(""));
    assert_eq!(vocabulary.token(3).as_deref(), Some("nul\0inside"));
    assert_eq!(vocabulary.token(4), None);
    assert_eq!(vocabulary.token(usize::MAX), None);

    // Byte tokens; invalid UTF-8 is replaced.
    let bytes: Vec<Vec<u8>> = vec![b"ok".to_vec(), vec![0x66, 0xFF, 0x67]];
    let vocabulary = Vocabulary::new(&bytes).unwrap();
    assert_eq!(vocabulary.token(0).as_deref(), Some("ok"));
    assert_eq!(vocabulary.token(1).as_deref(), Some("f\u{FFFD}g"));

    let empty = Vocabulary::new(Vec::<String>::new()).unwrap();
    assert!(empty.is_empty());
    assert_eq!(empty.token(0), None);
    assert_eq!(format!("{:?}", empty), "Vocabulary { len: 0 }");
}

#[test]
fn measures_have_the_c_api_s_names() {
    let names = [
        "entropy",
        "cross_entropy",
        "forward_kl",
        "max_probability",
        "rank",
        "log_prob_diff",
        "log_prob_diff_delta",
        "kl_divergence",
        "js_divergence",
        "half_symmetric_kl",
        "total_variation",
        "max_abs_prob_difference",
    ];
    assert_eq!(Measure::ALL.len(), names.len());
    for (index, (measure, name)) in Measure::ALL.iter().zip(names).enumerate() {
        assert_eq!(measure.name(), name);
        assert_eq!(measure.to_string(), name);
        assert_eq!(Measure::from_name(name).unwrap(), *measure);
        assert_eq!(name.parse::<Measure>().unwrap(), *measure);
        assert_eq!(measure.is_comparison(), index >= 7, "{}", name);
    }
    let error = assert_fails(
        Measure::from_name("entropi"),
        ErrorKind::InvalidArgument,
        &["trajplot_measure_from_name", "\"entropi\""],
    );
    // The message lists every valid name.
    for name in names {
        assert!(error.message().contains(name), "{}", error);
    }
    assert_fails(
        "Entropy".parse::<Measure>(),
        ErrorKind::InvalidArgument,
        &["unknown measure"],
    );
    assert_fails(
        Measure::from_name("entropy\0"),
        ErrorKind::InvalidArgument,
        &["Measure::from_name", "NUL"],
    );
}

#[test]
fn the_new_types_are_send_and_sync() {
    fn shared<T: Send + Sync>() {}
    shared::<Vocabulary>();
    shared::<PredictionTrajectory>();
    shared::<TrajectoryComparison>();
    shared::<TrajectoryOptions<'static>>();
    shared::<Measure>();
}

// ---------------------------------------------------------------------------
// Errors

fn small_case() -> Case {
    Case::new(41, TrajectoryShape::new(2, 3, 2, 5), PLAIN)
}

fn empty_trajectory(case: &Case, options: &TrajectoryOptions<'_>) -> PredictionTrajectory {
    PredictionTrajectory::new(
        case.shape,
        &case.input_ids,
        Some(&case.targets),
        None,
        options,
    )
    .unwrap()
}

#[test]
fn bad_inputs_are_refused_with_the_field_and_value() {
    let case = small_case();
    let shape = case.shape;
    let options = TrajectoryOptions::default();
    let create = |ids: &[i64], targets: Option<&[i64]>, anti: Option<&[i64]>| {
        PredictionTrajectory::new(shape, ids, targets, anti, &options)
    };
    // The binding's own checks: the slices it hands over must be as long as
    // the shape says.
    assert_fails(
        create(&case.input_ids[1..], None, None),
        ErrorKind::InvalidArgument,
        &[
            "PredictionTrajectory::new",
            "input_ids has 3 elements but batch x seq_len (2 x 2) needs 4",
        ],
    );
    assert_fails(
        create(&case.input_ids, Some(&[0; 5]), None),
        ErrorKind::InvalidArgument,
        &["targets has 5 elements"],
    );
    assert_fails(
        create(&case.input_ids, None, Some(&[0; 3])),
        ErrorKind::InvalidArgument,
        &["anti_targets has 3 elements"],
    );
    assert_fails(
        TrajectoryComparison::new(shape, &[0; 2], &options),
        ErrorKind::InvalidArgument,
        &["TrajectoryComparison::new", "input_ids has 2 elements"],
    );
    // The library's.
    let error = assert_fails(
        create(&[0, 1, 2, 9], None, None),
        ErrorKind::InvalidArgument,
        &[
            "trajplot_trajectory_create",
            "input_ids[1][1] is 9",
            "[0, 5)",
        ],
    );
    assert_eq!(error.status(), sys::TRAJPLOT_EINVAL);
    assert_fails(
        create(&case.input_ids, Some(&[0, -1, 0, 0]), None),
        ErrorKind::InvalidArgument,
        &["targets[0][1] is -1"],
    );
    assert_fails(
        PredictionTrajectory::new(
            TrajectoryShape::new(2, 0, 2, 5),
            &case.input_ids,
            None,
            None,
            &options,
        ),
        ErrorKind::InvalidArgument,
        &["every dimension must be at least 1", "2 x 0 x 2 x 5"],
    );
    let error = assert_fails(
        PredictionTrajectory::new(
            TrajectoryShape::new(1, usize::MAX / 2, 1, 4),
            &[0],
            None,
            None,
            &options,
        ),
        ErrorKind::OutOfRange,
        &["trajplot_trajectory_create"],
    );
    assert_eq!(error.status(), sys::TRAJPLOT_ERANGE);
}

#[test]
fn bad_options_are_refused_with_the_field_and_value() {
    let case = small_case();
    let create = |options: TrajectoryOptions<'_>| {
        PredictionTrajectory::new(case.shape, &case.input_ids, None, None, &options)
    };
    assert_fails(
        create(TrajectoryOptions {
            top_k: 0,
            ..Default::default()
        }),
        ErrorKind::InvalidArgument,
        &["options->top_k must be at least 1, got 0"],
    );
    assert_fails(
        create(TrajectoryOptions {
            max_batch_items_shown: 0,
            ..Default::default()
        }),
        ErrorKind::InvalidArgument,
        &["max_batch_items_shown"],
    );
    assert_fails(
        create(TrajectoryOptions {
            min_prob: f32::NAN,
            ..Default::default()
        }),
        ErrorKind::InvalidArgument,
        &["options->min_prob is NaN"],
    );
    let format = |token_format: TokenFormat| TrajectoryOptions {
        token_format,
        ..Default::default()
    };
    assert_fails(
        create(format(TokenFormat {
            max_string_len: Some(0),
            ..Default::default()
        })),
        ErrorKind::InvalidArgument,
        &["PredictionTrajectory::new", "max_string_len is Some(0)"],
    );
    assert_fails(
        create(format(TokenFormat {
            max_string_len: Some(2),
            ellipsis: "...".to_string(),
            ..Default::default()
        })),
        ErrorKind::InvalidArgument,
        &["max_string_len is 2", "ellipsis"],
    );
    assert_fails(
        create(format(TokenFormat {
            whitespace_replacement: "a\0b".to_string(),
            ..Default::default()
        })),
        ErrorKind::InvalidArgument,
        &["token_format.whitespace_replacement", "NUL byte at byte 1"],
    );
    assert_fails(
        create(format(TokenFormat {
            newline_token: String::new(),
            ..Default::default()
        })),
        ErrorKind::InvalidArgument,
        &["newline_token must not be empty"],
    );
}

#[test]
fn bad_slabs_are_refused_and_leave_the_trajectory_unchanged() {
    let case = small_case();
    let options = TrajectoryOptions::default();
    let mut trajectory = empty_trajectory(&case, &options);
    let output = case.shape.n_layers - 1;
    assert_fails(
        trajectory.add(0, output, &case.slab(0, output)[1..]),
        ErrorKind::InvalidArgument,
        &[
            "trajplot_trajectory_add",
            "slab_len is 9 but seq_len x vocab is 10",
        ],
    );
    assert_fails(
        trajectory.add(2, output, case.slab(0, output)),
        ErrorKind::InvalidArgument,
        &["batch_index 2 is out of range"],
    );
    assert_fails(
        trajectory.add(0, 3, case.slab(0, output)),
        ErrorKind::InvalidArgument,
        &["layer_index 3 is out of range"],
    );
    assert_fails(
        trajectory.add(0, 0, case.slab(0, 0)),
        ErrorKind::InvalidArgument,
        &["forward KL needs the output layer (layer 2) of batch item 0"],
    );
    trajectory.add(0, output, case.slab(0, output)).unwrap();
    assert_fails(
        trajectory.add(0, output, case.slab(0, output)),
        ErrorKind::InvalidArgument,
        &["batch item 0, layer 2 was already added"],
    );
    assert_fails(
        trajectory.add_all(&case.tensor),
        ErrorKind::InvalidArgument,
        &["add_all needs a trajectory without slabs, but 1 of 6 were already added"],
    );
    assert_fails(
        trajectory.entropy(),
        ErrorKind::InvalidArgument,
        &["entropy: the statistics need every slab: 5 of 6 are missing, the first is batch item 0, layer 0"],
    );
    assert_fails(
        trajectory.labels(),
        ErrorKind::InvalidArgument,
        &["missing"],
    );
    // What failed changed nothing: the rest goes in and the statistics are
    // those of the whole tensor.
    for item in 0..2 {
        for layer in [output, 0, 1] {
            if (item, layer) != (0, output) {
                trajectory.add(item, layer, case.slab(item, layer)).unwrap();
            }
        }
    }
    let mut whole = empty_trajectory(&case, &options);
    assert_fails(
        whole.add_all(&case.tensor[..7]),
        ErrorKind::InvalidArgument,
        &["tensor_len is 7 but batch x n_layers x seq_len x vocab is 60"],
    );
    whole.add_all(&case.tensor).unwrap();
    same_statistic(
        "entropy",
        &trajectory.entropy().unwrap(),
        &whole.entropy().unwrap(),
    );
    same_statistic(
        "forward_kl",
        &trajectory.forward_kl().unwrap(),
        &whole.forward_kl().unwrap(),
    );
}

#[test]
fn statistics_without_what_they_need_are_refused() {
    let case = small_case();
    let options = TrajectoryOptions {
        forward_kl: false,
        ..Default::default()
    };
    let mut trajectory =
        PredictionTrajectory::new(case.shape, &case.input_ids, None, None, &options).unwrap();
    // Without forward KL the layers may come in any order.
    for item in 0..2 {
        for layer in 0..3 {
            trajectory.add(item, layer, case.slab(item, layer)).unwrap();
        }
    }
    assert_fails(
        trajectory.cross_entropy(),
        ErrorKind::InvalidArgument,
        &[
            "trajplot_trajectory_statistic",
            "cross_entropy needs targets",
        ],
    );
    assert_fails(
        trajectory.rank(true),
        ErrorKind::InvalidArgument,
        &["rank needs targets"],
    );
    assert_fails(
        trajectory.log_prob_diff(false),
        ErrorKind::InvalidArgument,
        &["log_prob_diff needs targets and anti_targets"],
    );
    assert_fails(
        trajectory.forward_kl(),
        ErrorKind::InvalidArgument,
        &["forward_kl: the trajectory was built without forward KL"],
    );
    assert_fails(
        trajectory.statistic(Measure::JsDivergence),
        ErrorKind::InvalidArgument,
        &["js_divergence is a measure of two trajectories"],
    );
    trajectory.entropy().unwrap();

    let one_layer = Case::new(42, TrajectoryShape::new(1, 1, 2, 3), PLAIN);
    let single = one_layer.trajectory(&TrajectoryOptions::default());
    assert_fails(
        single.log_prob_diff(true),
        ErrorKind::InvalidArgument,
        &["needs at least 2 layers"],
    );

    let mut comparison =
        TrajectoryComparison::new(case.shape, &case.input_ids, &TrajectoryOptions::default())
            .unwrap();
    assert_fails(
        comparison.add(0, 0, case.slab(0, 0), &case.slab(0, 1)[1..]),
        ErrorKind::InvalidArgument,
        &[
            "TrajectoryComparison::add",
            "self_slab has 10 floats but other_slab has 9",
        ],
    );
    assert_fails(
        comparison.add(0, 0, &case.slab(0, 0)[1..], &case.slab(0, 1)[1..]),
        ErrorKind::InvalidArgument,
        &["trajplot_comparison_add", "slab_len is 9"],
    );
    assert_fails(
        comparison.add_all(&case.tensor, &case.tensor[1..]),
        ErrorKind::InvalidArgument,
        &[
            "TrajectoryComparison::add_all",
            "self_tensor has 60 floats but other_tensor has 59",
        ],
    );
    assert_fails(
        comparison.kl_divergence(),
        ErrorKind::InvalidArgument,
        &["kl_divergence: the statistics need every slab"],
    );
    comparison.add_all(&case.tensor, &case.tensor).unwrap();
    assert_fails(
        comparison.add(0, 0, case.slab(0, 0), case.slab(0, 0)),
        ErrorKind::InvalidArgument,
        &["already added"],
    );
    assert_fails(
        comparison.statistic(Measure::Entropy),
        ErrorKind::InvalidArgument,
        &[
            "trajplot_comparison_statistic",
            "entropy is a measure of one trajectory",
        ],
    );
}

// ---------------------------------------------------------------------------
// Threads

/// Everything a statistic carries that the tests compare.
type Snapshot = (String, Vec<u32>, Option<Vec<String>>, Option<Vec<String>>);

fn snapshot(statistic: &Statistic) -> Snapshot {
    (
        statistic.name(),
        floats_bits(&statistic.stats()),
        statistic.sequence_labels(),
        statistic
            .trajectory_labels()
            .map(|labels| labels.label_strings()),
    )
}

#[test]
fn threads_read_one_completed_trajectory_at_once() {
    let case = Case::new(51, TrajectoryShape::new(2, 4, 6, LABEL_VOCAB), PLAIN);
    let vocabulary = Vocabulary::new(TOKENS).unwrap();
    let options = TrajectoryOptions {
        vocabulary: Some(&vocabulary),
        ..Default::default()
    };
    let trajectory = Arc::new(case.trajectory(&options));
    let other = Case::new(52, case.shape, PLAIN);
    let mut comparison = TrajectoryComparison::new(case.shape, &case.input_ids, &options).unwrap();
    comparison.add_all(&case.tensor, &other.tensor).unwrap();
    let comparison = Arc::new(comparison);

    // Nothing has been read yet: the threads race to compute the shared
    // labels and sequence labels first.
    let threads = 8;
    let start = Arc::new(Barrier::new(threads));
    let workers: Vec<_> = (0..threads)
        .map(|index| {
            let trajectory = Arc::clone(&trajectory);
            let comparison = Arc::clone(&comparison);
            let start = Arc::clone(&start);
            thread::spawn(move || {
                start.wait();
                let mut seen: Vec<Snapshot> = Vec::new();
                for round in 0..5 {
                    // Each thread takes the measures in its own order.
                    let mut measures = Measure::ALL.to_vec();
                    Random((index * 10 + round) as u64).shuffle(&mut measures);
                    let mut taken: Vec<(Measure, Snapshot)> = measures
                        .iter()
                        .map(|&measure| {
                            let statistic = if measure.is_comparison() {
                                comparison.statistic(measure)
                            } else {
                                trajectory.statistic(measure)
                            };
                            (measure, snapshot(&statistic.unwrap()))
                        })
                        .collect();
                    taken
                        .sort_by_key(|(measure, _)| Measure::ALL.iter().position(|m| m == measure));
                    seen.extend(taken.into_iter().map(|(_, snapshot)| snapshot));
                    let labels = trajectory.labels().unwrap().unwrap();
                    seen.push((
                        "labels".to_string(),
                        Vec::new(),
                        labels.hover_entries(),
                        Some(labels.label_strings()),
                    ));
                }
                seen
            })
        })
        .collect();
    let results: Vec<Vec<Snapshot>> = workers
        .into_iter()
        .map(|worker| worker.join().expect("a thread panicked"))
        .collect();

    let mut expected: Vec<Snapshot> = Measure::ALL
        .iter()
        .map(|&measure| {
            snapshot(
                &if measure.is_comparison() {
                    comparison.statistic(measure)
                } else {
                    trajectory.statistic(measure)
                }
                .unwrap(),
            )
        })
        .collect();
    let labels = trajectory.labels().unwrap().unwrap();
    expected.push((
        "labels".to_string(),
        Vec::new(),
        labels.hover_entries(),
        Some(labels.label_strings()),
    ));
    for result in results {
        for round in result.chunks(expected.len()) {
            assert_eq!(round, expected.as_slice());
        }
    }
}
