/* Statistics from a lens's outputs, streamed layer by layer, drawn as the
 * four-panel figure of tuned-lens's tutorial. The logits are made up here;
 * a real caller passes each layer's lens output as it is computed.
 *
 *   lens_statistics [OUT.html]     (default: lens_statistics.html)
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <trajplot.h>

enum { N_LAYERS = 5, SEQ_LEN = 4, VOCAB = 6 };
#define SPACE "\xC4\xA0" /* "Ġ", how byte-level BPE marks a leading space */

static int check(trajplot_status status) {
    if (status != TRAJPLOT_OK) fprintf(stderr, "trajplot: %s\n", trajplot_error_last());
    return status == TRAJPLOT_OK;
}

/* Layer `layer`'s logits: later layers favour the next input token more. */
static void lens_output(float *slab, int layer, const int64_t *targets) {
    for (int position = 0; position < SEQ_LEN; ++position) {
        for (int token = 0; token < VOCAB; ++token) {
            float logit = (float)sin(1.3 * token + 0.7 * position + 0.4 * layer);
            if (token == targets[position]) logit += 0.8f * (float)layer;
            slab[position * VOCAB + token] = logit;
        }
    }
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "lens_statistics.html";
    const char *tokens[VOCAB] = {"The", SPACE "cat", SPACE "sat", SPACE "on", SPACE "the", SPACE "mat"};
    const int64_t input_ids[SEQ_LEN] = {0, 1, 2, 3};
    const int64_t targets[SEQ_LEN] = {1, 2, 3, 4}; /* the next token */
    const int measures[4] = {TRAJPLOT_MEASURE_ENTROPY, TRAJPLOT_MEASURE_FORWARD_KL,
                             TRAJPLOT_MEASURE_CROSS_ENTROPY, TRAJPLOT_MEASURE_MAX_PROBABILITY};
    trajplot_vocabulary *vocabulary = NULL;
    trajplot_trajectory *trajectory = NULL;
    trajplot_statistic *statistics[4] = {NULL, NULL, NULL, NULL};
    float slab[SEQ_LEN * VOCAB];
    int ok = check(trajplot_vocabulary_create(&vocabulary, tokens, NULL, VOCAB));

    trajplot_trajectory_options options = TRAJPLOT_TRAJECTORY_OPTIONS_INIT;
    options.vocabulary = vocabulary;
    options.top_k = 3;
    ok = ok && check(trajplot_trajectory_create(&trajectory, 1, N_LAYERS, SEQ_LEN, VOCAB, input_ids, targets,
                                                NULL, &options));
    /* Forward KL compares every layer with the output: it goes first. */
    for (int step = 0; ok && step < N_LAYERS; ++step) {
        const int layer = (step + N_LAYERS - 1) % N_LAYERS;
        lens_output(slab, layer, targets);
        ok = check(trajplot_trajectory_add(trajectory, 0, (size_t)layer, slab, SEQ_LEN * VOCAB));
    }
    for (int i = 0; ok && i < 4; ++i) {
        ok = check(trajplot_trajectory_statistic(&statistics[i], trajectory, measures[i], 0));
    }

    /* One panel per statistic, top to bottom. Panel options are given as
     * pointers, NULL for a panel's defaults: only the probabilities, in
     * [0, 1], get a colourscale of their own. */
    trajplot_panel_options probability = TRAJPLOT_PANEL_OPTIONS_INIT;
    probability.colorscale = "blues";
    const trajplot_panel_options *panels[4] = {NULL, NULL, NULL, &probability};
    trajplot_figure_options figure_options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    figure_options.title = "A made-up lens";
    trajplot_figure *figure = NULL;
    ok = ok && check(trajplot_figure_create_stacked(&figure, (const trajplot_statistic *const *)statistics, panels,
                                                    4, &figure_options));
    /* The figure keeps its own reference to each statistic. */
    for (int i = 0; i < 4; ++i) trajplot_statistic_free(statistics[i]);
    trajplot_trajectory_free(trajectory);
    trajplot_vocabulary_free(vocabulary);

    trajplot_export_options page = TRAJPLOT_EXPORT_OPTIONS_INIT;
    page.format = TRAJPLOT_FORMAT_HTML;
    ok = ok && check(trajplot_figure_save(figure, &page, path));
    trajplot_figure_free(figure);
    if (ok) printf("wrote %s\n", path);
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
