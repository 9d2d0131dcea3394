/* Draws the entropy of a lens's predictions over "The Eiffel Tower is" (two
 * layers and the output), with each cell labelled by its top token and a
 * top-3 table on hover, and writes it as an HTML page. The data is the one
 * examples/README.md defines for every example.
 *
 *   figure [OUT.html]     (default: figure.html)
 */
#include <stdio.h>
#include <trajplot.h>

enum { N_LAYERS = 3, SEQ_LEN = 4, TOP_K = 3, N_CELLS = N_LAYERS * SEQ_LEN };

static const float entropy[N_LAYERS][SEQ_LEN] = {
    {5.12f, 3.05f, 3.48f, 3.91f},  /* layer 0 */
    {4.27f, 1.21f, 2.36f, 2.88f},  /* layer 1 */
    {3.94f, 0.19f, 1.45f, 2.05f},  /* output  */
};
static const char *const tokens[SEQ_LEN] = {"The", "Eiffel", "Tower", "is"};

/* The lens's top 3 next tokens at each layer and position, most likely
 * first, and their probabilities in percent. */
static const char *const top_tokens[N_LAYERS][SEQ_LEN][TOP_K] = {
    {{"the", "a", "first"}, {"Tower", "tower", "Towers"}, {"of", "is", "in"}, {"a", "the", "located"}},
    {{"first", "the", "new"}, {"Tower", "tower", "Towers"}, {"is", "was", "in"}, {"located", "a", "the"}},
    {{"first", "most", "new"}, {"Tower", "tower", "Towers"}, {"is", "was", "in"}, {"located", "a", "the"}},
};
static const double top_percent[N_LAYERS][SEQ_LEN][TOP_K] = {
    {{12.40, 8.10, 5.30}, {35.60, 10.20, 4.70}, {20.10, 15.80, 9.40}, {18.30, 14.50, 6.20}},
    {{21.70, 9.60, 6.80}, {78.90, 6.10, 2.30}, {41.20, 17.50, 12.30}, {29.40, 20.60, 11.90}},
    {{26.50, 10.30, 8.70}, {96.80, 1.10, 0.40}, {62.30, 14.20, 8.60}, {48.70, 16.40, 9.80}},
};

/* Prints the library's message for a failed call. */
static int ok(trajplot_status status) {
    if (status != TRAJPLOT_OK) fprintf(stderr, "figure: %s\n", trajplot_error_last());
    return status == TRAJPLOT_OK;
}

int main(int argc, char **argv) {
    const char *out = argc > 1 ? argv[1] : "figure.html";
    /* Row-major (layer, position): a cell's label is its top token; its
     * hover table has a row (token, "41.20%") per candidate. */
    const char *cell_labels[N_CELLS];
    const char *hover[N_CELLS * TOP_K * 2];
    char percent_text[N_CELLS * TOP_K][16];
    trajplot_labels *labels = NULL;
    trajplot_statistic *statistic = NULL;
    trajplot_figure *figure = NULL;
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    trajplot_figure_options figure_options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    trajplot_export_options page = TRAJPLOT_EXPORT_OPTIONS_INIT;
    int layer, position, k, status = 1;

    if (trajplot_abi_version() != TRAJPLOT_ABI_VERSION) {
        fprintf(stderr, "figure: built for ABI %d, loaded libtrajplot has ABI %d\n",
                TRAJPLOT_ABI_VERSION, trajplot_abi_version());
        return 1;
    }
    for (layer = 0; layer < N_LAYERS; ++layer) {
        for (position = 0; position < SEQ_LEN; ++position) {
            const int cell = layer * SEQ_LEN + position;
            cell_labels[cell] = top_tokens[layer][position][0];
            for (k = 0; k < TOP_K; ++k) {
                const int row = cell * TOP_K + k;
                snprintf(percent_text[row], sizeof percent_text[row], "%.2f%%",
                         top_percent[layer][position][k]);
                hover[2 * row] = top_tokens[layer][position][k];
                hover[2 * row + 1] = percent_text[row];
            }
        }
    }

    if (!ok(trajplot_labels_create(&labels, N_LAYERS, SEQ_LEN, cell_labels, NULL,
                                   hover, NULL, TOP_K, 2))) goto done;
    options.units = "nats";
    options.sequence_labels = tokens;
    options.sequence_label_count = SEQ_LEN;
    options.trajectory_labels = labels;
    options.includes_output = true;  /* the last layer is labelled "output" */
    if (!ok(trajplot_statistic_create(&statistic, "Entropy", &entropy[0][0], N_LAYERS, SEQ_LEN,
                                      &options))) goto done;
    /* NULL panel options: the default colourscale and hover. */
    figure_options.title = "Entropy by layer";
    if (!ok(trajplot_figure_create(&figure, statistic, NULL, &figure_options))) goto done;
    /* An HTML page, the other export options at their defaults: a whole
     * page that inlines the local plotly.js (the copy installed with
     * trajplot), so that it draws offline. The file is replaced atomically. */
    page.format = TRAJPLOT_FORMAT_HTML;
    if (!ok(trajplot_figure_save(figure, &page, out))) goto done;
    printf("wrote %s\n", out);
    status = 0;
done:
    trajplot_figure_free(figure);
    trajplot_statistic_free(statistic);
    trajplot_labels_free(labels);
    return status;
}
