from trajplot import TrajectoryLabels, TrajectoryStatistic

labels = TrajectoryLabels([["the", "a", "dog"], ["cat", "sat", "on"]])
entropy = TrajectoryStatistic("Entropy", [[3.1, 2.9, 3.3], [0.4, 1.2, 0.8]], ["The", "<s>", "cat"],
                              trajectory_labels=labels, units="nats")
entropy.stride(1).clip(0, 3).write_html("entropy.html", title="Entropy by layer")
fig = entropy.figure(title="Entropy by layer")  # a trajplot.Figure: a notebook shows it, fig.show() opens it
