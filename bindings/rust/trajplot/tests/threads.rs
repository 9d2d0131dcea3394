mod common;

use std::sync::{Arc, Barrier};
use std::thread;

use common::Json;
use trajplot::{
    ErrorKind, ExportOptions, Figure, FigureOptions, Format, Labels, PanelOptions, Statistic,
};

fn shared_statistic() -> Arc<Statistic> {
    let n_layers = 6;
    let seq_len = 40;
    let stats: Vec<f32> = (0..n_layers * seq_len)
        .map(|i| (i % 17) as f32 * 0.25)
        .collect();
    let cells: Vec<String> = (0..n_layers * seq_len)
        .map(|i| format!("tok{}", i))
        .collect();
    let labels = Labels::new(&cells, n_layers, seq_len).unwrap();
    let tokens: Vec<String> = (0..seq_len).map(|i| format!("t{}", i % 7)).collect();
    Arc::new(
        Statistic::builder("Entropy", &stats, n_layers, seq_len)
            .units("nats")
            .sequence_labels(&tokens)
            .trajectory_labels(&labels)
            .build()
            .unwrap(),
    )
}

/// The figure JSON and the HTML page of `statistic`.
fn exports(statistic: &Statistic, options: &FigureOptions) -> (String, String) {
    let figure = Figure::new(statistic, &PanelOptions::default(), options).unwrap();
    (
        figure.export(&ExportOptions::default()).unwrap(),
        figure.export(&ExportOptions::new(Format::Html)).unwrap(),
    )
}

#[test]
fn threads_draw_and_export_one_statistic_at_once() {
    let statistic = shared_statistic();
    let options = FigureOptions {
        title: "shared".to_string(),
        ..Default::default()
    };
    let (expected_json, expected_html) = exports(&statistic, &options);
    let (expected_strided, _) = exports(&statistic.stride(2).unwrap(), &options);
    let threads = 8;
    let start = Arc::new(Barrier::new(threads));
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let statistic = Arc::clone(&statistic);
            let start = Arc::clone(&start);
            let options = options.clone();
            thread::spawn(move || {
                start.wait();
                let mut results = Vec::new();
                for _ in 0..10 {
                    let (json, html) = exports(&statistic, &options);
                    results.push(json);
                    results.push(exports(&statistic.stride(2).unwrap(), &options).0);
                    results.push(html);
                }
                results
            })
        })
        .collect();
    for worker in workers {
        let results = worker.join().expect("a thread panicked");
        for triple in results.chunks(3) {
            assert_eq!(triple[0], expected_json);
            assert_eq!(triple[1], expected_strided);
            assert_eq!(triple[2], expected_html);
        }
    }
    Json::parse(&expected_json);
}

#[test]
fn each_thread_gets_its_own_error_message() {
    // Every thread fails at the same moment with its own bounds; each must
    // read its own message, not another thread's.
    let statistic = shared_statistic();
    let threads = 8;
    let start = Arc::new(Barrier::new(threads));
    let workers: Vec<_> = (0..threads)
        .map(|index| {
            let statistic = Arc::clone(&statistic);
            let start = Arc::clone(&start);
            thread::spawn(move || {
                let min = 100.0 + index as f32;
                start.wait();
                let mut messages = Vec::new();
                for _ in 0..50 {
                    let error = statistic.clip(min, 0.0).unwrap_err();
                    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
                    messages.push(error.message().to_string());
                }
                (min, messages)
            })
        })
        .collect();
    for worker in workers {
        let (min, messages) = worker.join().expect("a thread panicked");
        for message in messages {
            assert!(
                message.contains(&format!("min ({})", min)),
                "{} has another thread's message",
                message
            );
        }
    }
}

#[test]
fn values_move_to_and_drop_on_other_threads() {
    let labels = Labels::new(&["a", "b"], 1, 2).unwrap();
    let statistic = Statistic::builder("x", &[1.0, 2.0], 1, 2)
        .trajectory_labels(&labels)
        .build()
        .unwrap();
    let labels_back = thread::spawn(move || labels.label_strings())
        .join()
        .unwrap();
    assert_eq!(labels_back, ["a", "b"]);
    let name = thread::spawn(move || {
        let name = statistic.name();
        drop(statistic);
        name
    })
    .join()
    .unwrap();
    assert_eq!(name, "x");
}
