// Draws the entropy of a lens's predictions over "The Eiffel Tower is" (two
// layers and the output), with each cell labelled by its top token and a
// top-3 table on hover, and writes it as an HTML page, with the C++ core.
// The data is the one examples/README.md defines for every example.
//
//   figure [OUT.html]     (default: figure.html)
#include <cstddef>
#include <cstdio>
#include <exception>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <trajplot/figure.hpp>

namespace {

constexpr std::size_t n_layers = 3, seq_len = 4, top_k = 3;

// The lens's top 3 next tokens at each layer and position, most likely
// first, and their probabilities in percent.
const char* const top_tokens[n_layers][seq_len][top_k] = {
    {{"the", "a", "first"}, {"Tower", "tower", "Towers"}, {"of", "is", "in"}, {"a", "the", "located"}},
    {{"first", "the", "new"}, {"Tower", "tower", "Towers"}, {"is", "was", "in"}, {"located", "a", "the"}},
    {{"first", "most", "new"}, {"Tower", "tower", "Towers"}, {"is", "was", "in"}, {"located", "a", "the"}},
};
const double top_percent[n_layers][seq_len][top_k] = {
    {{12.40, 8.10, 5.30}, {35.60, 10.20, 4.70}, {20.10, 15.80, 9.40}, {18.30, 14.50, 6.20}},
    {{21.70, 9.60, 6.80}, {78.90, 6.10, 2.30}, {41.20, 17.50, 12.30}, {29.40, 20.60, 11.90}},
    {{26.50, 10.30, 8.70}, {96.80, 1.10, 0.40}, {62.30, 14.20, 8.60}, {48.70, 16.40, 9.80}},
};

std::string percent_text(double percent) {
    char text[16];
    std::snprintf(text, sizeof text, "%.2f%%", percent);
    return text;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace trajplot;
    const std::string out = argc > 1 ? argv[1] : "figure.html";
    // Row-major (layer, position): a cell's label is its top token; its
    // hover table has a row (token, "41.20%") per candidate.
    std::vector<std::string> cell_labels, hover;
    for (std::size_t layer = 0; layer < n_layers; ++layer) {
        for (std::size_t position = 0; position < seq_len; ++position) {
            cell_labels.emplace_back(top_tokens[layer][position][0]);
            for (std::size_t k = 0; k < top_k; ++k) {
                hover.emplace_back(top_tokens[layer][position][k]);
                hover.push_back(percent_text(top_percent[layer][position][k]));
            }
        }
    }

    try {
        TrajectoryStatistic entropy({
            .name = "Entropy",
            .stats = {{5.12f, 3.05f, 3.48f, 3.91f},   // layer 0
                      {4.27f, 1.21f, 2.36f, 2.88f},   // layer 1
                      {3.94f, 0.19f, 1.45f, 2.05f}},  // output
            .sequence_labels = TextArray<1>::from_strings({seq_len}, {"The", "Eiffel", "Tower", "is"}),
            .trajectory_labels = std::make_shared<const TrajectoryLabels>(
                TextArray<2>::from_strings({n_layers, seq_len}, cell_labels),
                TextArray<4>::from_strings({n_layers, seq_len, top_k, 2}, hover)),
            .units = "nats",
            .includes_output = true,  // the last layer is labelled "output"
        });
        // Default panel options: the default colourscale and hover.
        const Figure figure(std::move(entropy), {}, {.title = "Entropy by layer"});
        // An HTML page with the default HtmlOptions: a whole page that
        // inlines the local plotly.js (the copy installed with trajplot), so
        // that it draws offline. The file is replaced atomically.
        figure.save(out, {.format = Format::html});
    } catch (const std::exception& error) {  // trajplot::Error, or out of memory
        std::cerr << "figure: " << error.what() << '\n';
        return 1;
    }
    std::cout << "wrote " << out << '\n';
}
