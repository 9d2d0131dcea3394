#include <stdio.h>
#include <trajplot.h>

int main(void) {
    const float entropy[2 * 3] = {3.1f, 2.9f, 3.3f,   /* layer 0 */
                                  0.4f, 1.2f, 0.8f};  /* output  */
    const char *tokens[3] = {"The", "<s>", "cat"};
    const char *top1[2 * 3] = {"the", "a", "dog", "cat", "sat", "on"};

    trajplot_labels *labels = NULL;
    trajplot_statistic *statistic = NULL;
    trajplot_figure *figure = NULL;
    char *json = NULL;
    size_t json_len = 0;
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    trajplot_figure_options figure_options = TRAJPLOT_FIGURE_OPTIONS_INIT;

    if (trajplot_labels_create(&labels, 2, 3, top1, NULL, NULL, NULL, 0, 0) != TRAJPLOT_OK) goto fail;
    options.units = "nats";
    options.sequence_labels = tokens;
    options.sequence_label_count = 3;
    options.trajectory_labels = labels;
    if (trajplot_statistic_create(&statistic, "Entropy", entropy, 2, 3, &options) != TRAJPLOT_OK) goto fail;
    figure_options.title = "Entropy by layer";
    if (trajplot_figure_create(&figure, statistic, NULL, &figure_options) != TRAJPLOT_OK) goto fail;
    /* NULL export options: the figure as JSON. */
    if (trajplot_figure_export(&json, &json_len, figure, NULL) != TRAJPLOT_OK) goto fail;
    fwrite(json, 1, json_len, stdout);
    trajplot_string_free(json);
    trajplot_figure_free(figure);
    trajplot_statistic_free(statistic);
    trajplot_labels_free(labels);
    return 0;
fail:
    fprintf(stderr, "trajplot: %s\n", trajplot_error_last());
    trajplot_figure_free(figure);
    trajplot_statistic_free(statistic);
    trajplot_labels_free(labels);
    return 1;
}
