/* Prints what a C compiler makes of trajplot.h, one fact per line, for
 * tests/layout.rs to compare with the Rust declarations:
 *   size <struct> <bytes> | align <struct> <bytes>
 *   offset <struct> <field> <bytes> | field_size <struct> <field> <bytes>
 *   const <macro or enumerator> <value>
 */
#include <stddef.h>
#include <stdio.h>

#include <trajplot.h>

/* C99 has no alignof: the offset of a member placed after a char is the
 * member's alignment. */
#define ALIGN_PROBE(type) struct align_of_##type { char c; type member; };
ALIGN_PROBE(trajplot_statistic_options)
ALIGN_PROBE(trajplot_trajectory_options)
ALIGN_PROBE(trajplot_figure_options)
ALIGN_PROBE(trajplot_html_options)
ALIGN_PROBE(trajplot_panel_options)
ALIGN_PROBE(trajplot_stack_options)
ALIGN_PROBE(trajplot_status)
ALIGN_PROBE(trajplot_plotlyjs)
ALIGN_PROBE(trajplot_values)
ALIGN_PROBE(trajplot_measure)

#define STRUCT(type)                                                      \
    printf("size %s %zu\n", #type, sizeof(type));                         \
    printf("align %s %zu\n", #type, offsetof(struct align_of_##type, member))

#define FIELD(type, field)                                                \
    printf("offset %s %s %zu\n", #type, #field, offsetof(type, field));   \
    printf("field_size %s %s %zu\n", #type, #field, sizeof(((type *)0)->field))

#define CONST(name) printf("const %s %ld\n", #name, (long)(name))

int main(void) {
    STRUCT(trajplot_statistic_options);
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

    STRUCT(trajplot_trajectory_options);
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

    STRUCT(trajplot_figure_options);
    FIELD(trajplot_figure_options, version);
    FIELD(trajplot_figure_options, title);
    FIELD(trajplot_figure_options, colorscale);
    FIELD(trajplot_figure_options, extra_json);
    FIELD(trajplot_figure_options, token_width);
    FIELD(trajplot_figure_options, height);
    FIELD(trajplot_figure_options, log_scale);
    FIELD(trajplot_figure_options, hover_value);

    STRUCT(trajplot_html_options);
    FIELD(trajplot_html_options, version);
    FIELD(trajplot_html_options, plotlyjs);
    FIELD(trajplot_html_options, plotlyjs_location);
    FIELD(trajplot_html_options, div_id);
    FIELD(trajplot_html_options, full_html);
    FIELD(trajplot_html_options, responsive);

    STRUCT(trajplot_panel_options);
    FIELD(trajplot_panel_options, version);
    FIELD(trajplot_panel_options, title);
    FIELD(trajplot_panel_options, colorscale);
    FIELD(trajplot_panel_options, extra_json);
    FIELD(trajplot_panel_options, log_scale);
    FIELD(trajplot_panel_options, hover_value);

    STRUCT(trajplot_stack_options);
    FIELD(trajplot_stack_options, version);
    FIELD(trajplot_stack_options, title);
    FIELD(trajplot_stack_options, token_width);
    FIELD(trajplot_stack_options, height);
    FIELD(trajplot_stack_options, vertical_spacing);
    FIELD(trajplot_stack_options, has_vertical_spacing);
    FIELD(trajplot_stack_options, equal_panel_heights);

    /* Enums travel as their C type; the Rust side declares them as int. */
    STRUCT(trajplot_status);
    STRUCT(trajplot_plotlyjs);
    STRUCT(trajplot_values);
    STRUCT(trajplot_measure);

    CONST(TRAJPLOT_VERSION_MAJOR);
    CONST(TRAJPLOT_VERSION_MINOR);
    CONST(TRAJPLOT_VERSION_PATCH);
    CONST(TRAJPLOT_ABI_VERSION);
    CONST(TRAJPLOT_OK);
    CONST(TRAJPLOT_ERROR);
    CONST(TRAJPLOT_EINVAL);
    CONST(TRAJPLOT_ENOMEM);
    CONST(TRAJPLOT_ERANGE);
    CONST(TRAJPLOT_EIO);
    CONST(TRAJPLOT_STATISTIC_OPTIONS_VERSION);
    CONST(TRAJPLOT_TRAJECTORY_OPTIONS_VERSION);
    CONST(TRAJPLOT_VALUES_LOGITS);
    CONST(TRAJPLOT_VALUES_LOG_PROBS);
    CONST(TRAJPLOT_MEASURE_ENTROPY);
    CONST(TRAJPLOT_MEASURE_CROSS_ENTROPY);
    CONST(TRAJPLOT_MEASURE_FORWARD_KL);
    CONST(TRAJPLOT_MEASURE_MAX_PROBABILITY);
    CONST(TRAJPLOT_MEASURE_RANK);
    CONST(TRAJPLOT_MEASURE_LOG_PROB_DIFF);
    CONST(TRAJPLOT_MEASURE_LOG_PROB_DIFF_DELTA);
    CONST(TRAJPLOT_MEASURE_KL_DIVERGENCE);
    CONST(TRAJPLOT_MEASURE_JS_DIVERGENCE);
    CONST(TRAJPLOT_MEASURE_HALF_SYMMETRIC_KL);
    CONST(TRAJPLOT_MEASURE_TOTAL_VARIATION);
    CONST(TRAJPLOT_MEASURE_MAX_ABS_PROB_DIFFERENCE);
    CONST(TRAJPLOT_SHOW_RANKS);
    CONST(TRAJPLOT_FIGURE_OPTIONS_VERSION);
    CONST(TRAJPLOT_HTML_OPTIONS_VERSION);
    CONST(TRAJPLOT_PANEL_OPTIONS_VERSION);
    CONST(TRAJPLOT_STACK_OPTIONS_VERSION);
    CONST(TRAJPLOT_PLOTLYJS_CDN);
    CONST(TRAJPLOT_PLOTLYJS_SRC);
    CONST(TRAJPLOT_PLOTLYJS_INLINE);
    CONST(TRAJPLOT_PLOTLYJS_NONE);
    CONST(TRAJPLOT_PLOTLYJS_LOCAL);
    return 0;
}
