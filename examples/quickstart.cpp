#include <iostream>
#include <trajplot/figure.hpp>

int main() {
    using namespace trajplot;
    auto labels = std::make_shared<const TrajectoryLabels>(
        TextArray<2>::from_strings({2, 3}, {"the", "a", "dog", "cat", "sat", "on"}));
    const TrajectoryStatistic entropy({
        .name = "Entropy",
        .stats = {{3.1f, 2.9f, 3.3f}, {0.4f, 1.2f, 0.8f}},
        .sequence_labels = TextArray<1>::from_strings({3}, {"The", "<s>", "cat"}),
        .trajectory_labels = labels,
        .units = "nats",
    });
    const Figure figure(entropy.stride(1).clip(0.f, 3.f), {}, {.title = "Entropy by layer"});
    figure.write(std::cout);  // the figure as JSON
}
