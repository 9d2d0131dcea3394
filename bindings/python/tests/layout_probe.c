/* Prints the size and field offsets of the option structs of trajplot.h as
 * the C compiler lays them out, for the Python tests to compare with the
 * ctypes declarations: a mismatch there would corrupt memory silently. */
#include <stddef.h>
#include <stdio.h>
#include <trajplot.h>

#define FIELD(type, field) printf(", \"%s\": %zu", #field, offsetof(type, field))

int main(void) {
    printf("{\"trajplot_statistic_options\": {\"sizeof\": %zu", sizeof(trajplot_statistic_options));
    FIELD(trajplot_statistic_options, version);
    FIELD(trajplot_statistic_options, units);
    FIELD(trajplot_statistic_options, sequence_labels);
    FIELD(trajplot_statistic_options, sequence_label_lengths);
    FIELD(trajplot_statistic_options, trajectory_labels);
    FIELD(trajplot_statistic_options, layer_labels);
    FIELD(trajplot_statistic_options, layer_label_lengths);
    FIELD(trajplot_statistic_options, min);
    FIELD(trajplot_statistic_options, max);
    FIELD(trajplot_statistic_options, has_min);
    FIELD(trajplot_statistic_options, has_max);
    FIELD(trajplot_statistic_options, includes_output);
    printf("},\n \"trajplot_figure_options\": {\"sizeof\": %zu", sizeof(trajplot_figure_options));
    FIELD(trajplot_figure_options, version);
    FIELD(trajplot_figure_options, title);
    FIELD(trajplot_figure_options, colorscale);
    FIELD(trajplot_figure_options, extra_json);
    FIELD(trajplot_figure_options, token_width);
    FIELD(trajplot_figure_options, height);
    FIELD(trajplot_figure_options, log_scale);
    FIELD(trajplot_figure_options, hover_value);
    printf("},\n \"trajplot_html_options\": {\"sizeof\": %zu", sizeof(trajplot_html_options));
    FIELD(trajplot_html_options, version);
    FIELD(trajplot_html_options, plotlyjs);
    FIELD(trajplot_html_options, plotlyjs_location);
    FIELD(trajplot_html_options, div_id);
    FIELD(trajplot_html_options, full_html);
    FIELD(trajplot_html_options, responsive);
    printf("},\n \"trajplot_trajectory_options\": {\"sizeof\": %zu", sizeof(trajplot_trajectory_options));
    FIELD(trajplot_trajectory_options, version);
    FIELD(trajplot_trajectory_options, values);
    FIELD(trajplot_trajectory_options, vocabulary);
    FIELD(trajplot_trajectory_options, top_k);
    FIELD(trajplot_trajectory_options, min_prob);
    FIELD(trajplot_trajectory_options, min_prob_delta);
    FIELD(trajplot_trajectory_options, max_batch_items_shown);
    FIELD(trajplot_trajectory_options, max_string_len);
    FIELD(trajplot_trajectory_options, ellipsis);
    FIELD(trajplot_trajectory_options, newline_token);
    FIELD(trajplot_trajectory_options, newline_replacement);
    FIELD(trajplot_trajectory_options, whitespace_token);
    FIELD(trajplot_trajectory_options, whitespace_replacement);
    FIELD(trajplot_trajectory_options, threads);
    FIELD(trajplot_trajectory_options, forward_kl);
    printf("},\n \"trajplot_panel_options\": {\"sizeof\": %zu", sizeof(trajplot_panel_options));
    FIELD(trajplot_panel_options, version);
    FIELD(trajplot_panel_options, title);
    FIELD(trajplot_panel_options, colorscale);
    FIELD(trajplot_panel_options, extra_json);
    FIELD(trajplot_panel_options, log_scale);
    FIELD(trajplot_panel_options, hover_value);
    printf("},\n \"trajplot_stack_options\": {\"sizeof\": %zu", sizeof(trajplot_stack_options));
    FIELD(trajplot_stack_options, version);
    FIELD(trajplot_stack_options, title);
    FIELD(trajplot_stack_options, token_width);
    FIELD(trajplot_stack_options, height);
    FIELD(trajplot_stack_options, vertical_spacing);
    FIELD(trajplot_stack_options, has_vertical_spacing);
    FIELD(trajplot_stack_options, equal_panel_heights);
    printf("}}\n");
    return 0;
}
