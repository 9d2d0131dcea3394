//! Figures exported to every destination: a String, a file and any
//! std::io::Write give the same bytes; a writer's error or panic stops the
//! export and reaches the caller; large exports arrive in pieces; threads
//! export one figure at once.

mod common;

use std::fs;
use std::io::{self, Write};
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Barrier};
use std::thread;

use common::{assert_fails, scratch_path, Json};
use trajplot::{
    sys, ErrorKind, ExportOptions, Figure, FigureOptions, Format, Labels, PanelOptions, PlotlyJs,
    Statistic,
};

/// n_layers x seq_len values with cell labels and sequence labels.
fn statistic(name: &str, n_layers: usize, seq_len: usize) -> Statistic {
    let stats: Vec<f32> = (0..n_layers * seq_len)
        .map(|i| (i % 23) as f32 * 0.125 + 0.5)
        .collect();
    let cells: Vec<String> = (0..n_layers * seq_len)
        .map(|i| format!("c{}", i % 101))
        .collect();
    let labels = Labels::new(&cells, n_layers, seq_len).unwrap();
    let tokens: Vec<String> = (0..seq_len).map(|i| format!("t{}", i)).collect();
    Statistic::builder(name, &stats, n_layers, seq_len)
        .units("nats")
        .sequence_labels(&tokens)
        .trajectory_labels(&labels)
        .build()
        .unwrap()
}

fn single() -> Figure {
    let options = FigureOptions {
        title: "single".to_string(),
        ..Default::default()
    };
    Figure::new(
        &statistic("Entropy", 3, 4),
        &PanelOptions::default(),
        &options,
    )
    .unwrap()
}

fn stacked() -> Figure {
    let log_scale = PanelOptions {
        log_scale: true,
        ..Default::default()
    };
    Figure::stacked(
        [
            (statistic("Entropy", 3, 4), PanelOptions::default()),
            (statistic("Forward KL", 3, 4), log_scale),
        ],
        &FigureOptions::default(),
    )
    .unwrap()
}

/// Every format, the page in a few variants.
fn every_format() -> Vec<ExportOptions> {
    vec![
        ExportOptions::default(),
        ExportOptions::new(Format::TraceJson),
        ExportOptions::new(Format::Html),
        ExportOptions {
            plotlyjs: PlotlyJs::Cdn,
            div_id: Some("fragment".to_string()),
            full_html: false,
            responsive: true,
            ..ExportOptions::new(Format::Html)
        },
    ]
}

/// The export through every destination: (string, file, writer).
fn through_every_destination(
    figure: &Figure,
    options: &ExportOptions,
) -> (String, Vec<u8>, Vec<u8>) {
    let text = figure.export(options).unwrap();
    let path = scratch_path("destinations.out");
    figure.save(&path, options).unwrap();
    let file = fs::read(&path).unwrap();
    let mut written = Vec::new();
    figure.write_to(&mut written, options).unwrap();
    (text, file, written)
}

#[test]
fn every_destination_gets_the_same_bytes() {
    let figure = single();
    for options in every_format() {
        let (text, file, written) = through_every_destination(&figure, &options);
        assert!(!text.is_empty());
        assert_eq!(
            file,
            text.as_bytes(),
            "{:?}: the file differs",
            options.format
        );
        assert_eq!(
            written,
            text.as_bytes(),
            "{:?}: the writer's bytes differ",
            options.format
        );
    }
    let figure = stacked();
    for options in every_format() {
        if options.format == Format::TraceJson {
            continue; // a stacked figure has no single trace
        }
        let (text, file, written) = through_every_destination(&figure, &options);
        assert_eq!(
            file,
            text.as_bytes(),
            "{:?}: the file differs",
            options.format
        );
        assert_eq!(
            written,
            text.as_bytes(),
            "{:?}: the writer's bytes differ",
            options.format
        );
    }
}

#[test]
fn the_formats_are_what_they_say() {
    let figure = single();
    let json = Json::parse(&figure.export(&ExportOptions::default()).unwrap());
    let trace = Json::parse(
        &figure
            .export(&ExportOptions::new(Format::TraceJson))
            .unwrap(),
    );
    assert_eq!(json.at("data").array(), &[trace]);
    assert_eq!(json.at("layout.title.text").str(), "single");
    let page = figure.export(&ExportOptions::new(Format::Html)).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<title>single</title>"));
}

#[test]
fn any_writer_will_do() {
    let figure = single();
    let expected = figure.export(&ExportOptions::default()).unwrap();
    // A trait object, and a writer borrowed mutably.
    let mut buffer = Vec::new();
    {
        let writer: &mut dyn Write = &mut buffer;
        figure.write_to(writer, &ExportOptions::default()).unwrap();
    }
    assert_eq!(buffer, expected.as_bytes());
    let mut cursor = io::Cursor::new(Vec::new());
    figure
        .write_to(&mut cursor, &ExportOptions::default())
        .unwrap();
    assert_eq!(cursor.into_inner(), expected.as_bytes());
    // A buffered file: write_to flushes what it wrote.
    let path = scratch_path("buffered.json");
    let mut file = io::BufWriter::with_capacity(1 << 20, fs::File::create(&path).unwrap());
    figure
        .write_to(&mut file, &ExportOptions::default())
        .unwrap();
    assert_eq!(fs::read(&path).unwrap(), expected.as_bytes());
    drop(file);
}

/// Records each piece it is given, and each flush.
#[derive(Default)]
struct Pieces {
    pieces: Vec<Vec<u8>>,
    threads: Vec<thread::ThreadId>,
    flushes: usize,
}

impl Write for Pieces {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.pieces.push(data.to_vec());
        self.threads.push(thread::current().id());
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flushes += 1;
        Ok(())
    }
}

#[test]
fn a_large_figure_arrives_in_several_pieces_on_the_calling_thread() {
    // Large enough for the library to format on a second thread.
    let large = statistic("Entropy", 64, 2048);
    let figure = Figure::new(&large, &PanelOptions::default(), &FigureOptions::default()).unwrap();
    let expected = figure.export(&ExportOptions::default()).unwrap();
    let mut pieces = Pieces::default();
    figure
        .write_to(&mut pieces, &ExportOptions::default())
        .unwrap();
    assert!(
        pieces.pieces.len() > 1,
        "{} bytes came in {} piece(s)",
        expected.len(),
        pieces.pieces.len()
    );
    assert_eq!(pieces.pieces.concat(), expected.as_bytes());
    // The writer is used on the thread that called write_to only, so it
    // need not be Send.
    let caller = thread::current().id();
    assert!(pieces.threads.iter().all(|id| *id == caller));
    assert_eq!(pieces.flushes, 1);
}

/// Accepts `budget` pieces, then fails with its own error.
struct Failing {
    accepted: Vec<u8>,
    calls: usize,
    budget: usize,
}

impl Write for Failing {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.calls += 1;
        if self.calls > self.budget {
            return Err(io::Error::new(io::ErrorKind::WriteZero, "the disk is full"));
        }
        self.accepted.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failing_writer_stops_the_export_with_its_own_error() {
    let figure = Figure::new(
        &statistic("Entropy", 64, 2048),
        &PanelOptions::default(),
        &FigureOptions::default(),
    )
    .unwrap();
    let expected = figure.export(&ExportOptions::default()).unwrap();
    for budget in [0, 1, 2] {
        let mut writer = Failing {
            accepted: Vec::new(),
            calls: 0,
            budget,
        };
        let error = assert_fails(
            figure.write_to(&mut writer, &ExportOptions::default()),
            ErrorKind::Io,
            &["Figure::write_to", "the disk is full"],
        );
        assert_eq!(error.status(), sys::TRAJPLOT_EIO);
        // The writer's own error, not the library's message about it.
        let io_error = error.io_error().expect("the writer's io::Error is kept");
        assert_eq!(io_error.kind(), io::ErrorKind::WriteZero);
        assert_eq!(io_error.to_string(), "the disk is full");
        let source = std::error::Error::source(&error).expect("the io::Error is the source");
        assert_eq!(source.to_string(), "the disk is full");
        assert!(!error.message().contains("export stopped"), "{}", error);
        // Stopped at the failure: never called again, what came before kept.
        assert_eq!(
            writer.calls,
            budget + 1,
            "the writer was called after failing"
        );
        assert!(expected.as_bytes().starts_with(&writer.accepted));
        assert!(writer.accepted.len() < expected.len());
        // The library's message was not left behind on this thread.
        assert_eq!(
            unsafe { sys::trajplot_error_last_status() },
            sys::TRAJPLOT_OK
        );
    }
    // The figure exports as before.
    assert_eq!(figure.export(&ExportOptions::default()).unwrap(), expected);
}

#[test]
fn a_failing_flush_is_an_error_too() {
    struct NoFlush(Vec<u8>);
    impl Write for NoFlush {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            self.0.extend_from_slice(data);
            Ok(data.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::Error::new(io::ErrorKind::BrokenPipe, "gone"))
        }
    }
    let figure = single();
    let mut writer = NoFlush(Vec::new());
    let error = assert_fails(
        figure.write_to(&mut writer, &ExportOptions::default()),
        ErrorKind::Io,
        &["gone"],
    );
    assert_eq!(error.io_error().unwrap().kind(), io::ErrorKind::BrokenPipe);
    assert_eq!(
        writer.0,
        figure.export(&ExportOptions::default()).unwrap().as_bytes()
    );
}

#[test]
fn a_writer_interrupted_now_and_then_gets_everything() {
    // write_all retries ErrorKind::Interrupted; short writes are completed.
    struct Stuttering {
        written: Vec<u8>,
        calls: usize,
    }
    impl Write for Stuttering {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            self.calls += 1;
            if self.calls % 3 == 0 {
                return Err(io::Error::new(io::ErrorKind::Interrupted, "again"));
            }
            let taken = data.len().min(7);
            self.written.extend_from_slice(&data[..taken]);
            Ok(taken)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let figure = single();
    let mut writer = Stuttering {
        written: Vec::new(),
        calls: 0,
    };
    figure
        .write_to(&mut writer, &ExportOptions::default())
        .unwrap();
    assert_eq!(
        writer.written,
        figure.export(&ExportOptions::default()).unwrap().as_bytes()
    );
}

#[test]
fn a_panicking_writer_panics_in_the_caller() {
    struct Panicking {
        calls: usize,
    }
    impl Write for Panicking {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            self.calls += 1;
            if self.calls == 2 {
                panic!("the writer gave up");
            }
            Ok(data.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let figure = Figure::new(
        &statistic("Entropy", 64, 2048),
        &PanelOptions::default(),
        &FigureOptions::default(),
    )
    .unwrap();
    let mut writer = Panicking { calls: 0 };
    let payload = panic::catch_unwind(AssertUnwindSafe(|| {
        figure.write_to(&mut writer, &ExportOptions::default())
    }))
    .expect_err("the panic did not reach the caller");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"the writer gave up"));
    // The export stopped at the panic.
    assert_eq!(writer.calls, 2);
    assert_eq!(
        unsafe { sys::trajplot_error_last_status() },
        sys::TRAJPLOT_OK
    );
    // The process and the figure carry on.
    let mut again = Vec::new();
    figure
        .write_to(&mut again, &ExportOptions::default())
        .unwrap();
    assert_eq!(
        again,
        figure.export(&ExportOptions::default()).unwrap().as_bytes()
    );
}

#[test]
fn refused_options_write_nothing() {
    let figure = single();
    let bad_id = ExportOptions {
        div_id: Some("1figure".to_string()),
        ..ExportOptions::new(Format::Html)
    };
    let mut pieces = Pieces::default();
    assert_fails(
        figure.write_to(&mut pieces, &bad_id),
        ErrorKind::InvalidArgument,
        &["trajplot_figure_stream", "div_id \"1figure\""],
    );
    assert!(pieces.pieces.is_empty());
    assert_eq!(pieces.flushes, 0);
    let missing = scratch_path("no-plotly.js");
    let inline = ExportOptions {
        plotlyjs: PlotlyJs::Inline(missing.clone()),
        ..ExportOptions::new(Format::Html)
    };
    let error = assert_fails(
        figure.write_to(&mut pieces, &inline),
        ErrorKind::Io,
        &["cannot read plotly.js", missing.to_str().unwrap()],
    );
    // The library's own I/O error carries no writer's error.
    assert!(error.io_error().is_none());
}

#[test]
fn threads_export_one_figure_at_once() {
    let figure = Arc::new(stacked());
    let single = Arc::new(single());
    // Pages without the local plotly.js (megabytes each, checked above).
    let formats: Vec<ExportOptions> = every_format()
        .into_iter()
        .map(|options| match options.plotlyjs {
            PlotlyJs::Local => ExportOptions {
                plotlyjs: PlotlyJs::None,
                ..options
            },
            _ => options,
        })
        .collect();
    let expected: Vec<(String, Option<String>)> = formats
        .iter()
        .map(|options| {
            let trace = single.export(options).unwrap();
            let stacked = match options.format {
                Format::TraceJson => None,
                _ => Some(figure.export(options).unwrap()),
            };
            (trace, stacked)
        })
        .collect();
    let threads = 8;
    let start = Arc::new(Barrier::new(threads));
    let workers: Vec<_> = (0..threads)
        .map(|index| {
            let (figure, single, start) =
                (Arc::clone(&figure), Arc::clone(&single), Arc::clone(&start));
            let formats = formats.clone();
            thread::spawn(move || {
                start.wait();
                let mut results = Vec::new();
                for round in 0..5 {
                    for options in &formats {
                        // Alternate the destinations between threads.
                        let single_bytes = if (index + round) % 2 == 0 {
                            single.export(options).unwrap()
                        } else {
                            let mut written = Vec::new();
                            single.write_to(&mut written, options).unwrap();
                            String::from_utf8(written).unwrap()
                        };
                        let stacked_bytes = match options.format {
                            Format::TraceJson => None,
                            _ => {
                                let mut written = Vec::new();
                                figure.write_to(&mut written, options).unwrap();
                                Some(String::from_utf8(written).unwrap())
                            }
                        };
                        results.push((single_bytes, stacked_bytes));
                    }
                }
                results
            })
        })
        .collect();
    for worker in workers {
        let results = worker.join().expect("a thread panicked");
        for round in results.chunks(expected.len()) {
            assert_eq!(round, expected.as_slice());
        }
    }
}

#[test]
fn figures_are_send_and_sync() {
    fn send_and_sync<T: Send + Sync + 'static>() {}
    send_and_sync::<Figure>();
    let figure = stacked();
    assert_eq!((figure.is_stacked(), figure.panel_count()), (true, 2));
    let moved = thread::spawn(move || {
        let json = figure.export(&ExportOptions::default()).unwrap();
        drop(figure);
        json
    })
    .join()
    .unwrap();
    Json::parse(&moved);
}
