use trajplot::{ExportOptions, Figure, FigureOptions, Labels, PanelOptions, Statistic};

fn main() -> Result<(), trajplot::Error> {
    let top1 = Labels::new(&["the", "a", "dog", "cat", "sat", "on"], 2, 3)?;
    let entropy = Statistic::builder("Entropy", &[3.1, 2.9, 3.3, 0.4, 1.2, 0.8], 2, 3)
        .units("nats")
        .sequence_labels(&["The", "<s>", "cat"])
        .trajectory_labels(&top1)
        .build()?;
    let options = FigureOptions::default();
    let figure = Figure::new(&entropy, &PanelOptions::default(), &options)?;
    println!("{}", figure.export(&ExportOptions::default())?);
    Ok(())
}
