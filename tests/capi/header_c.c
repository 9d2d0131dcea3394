/* trajplot.h must compile as strict C99; included twice to exercise its
 * include guard. Taking every function's address checks the declarations
 * are complete prototypes. */
#include "trajplot.h"
#include "trajplot.h"

typedef void (*any_function)(void);

int trajplot_header_c_check(void);

/* A write function as a C caller defines it. */
static int write_nothing(void *user, const char *data, size_t len) {
    (void)user;
    (void)data;
    return len == 0;
}

int trajplot_header_c_check(void) {
    const trajplot_statistic_options statistic_options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    const trajplot_panel_options panel_options = TRAJPLOT_PANEL_OPTIONS_INIT;
    const trajplot_figure_options figure_options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    const trajplot_export_options export_options = TRAJPLOT_EXPORT_OPTIONS_INIT;
    const trajplot_trajectory_options trajectory_options = TRAJPLOT_TRAJECTORY_OPTIONS_INIT;
    const trajplot_strings strings = TRAJPLOT_STRINGS_INIT;
    const trajplot_plotlyjs source = TRAJPLOT_PLOTLYJS_NONE;
    const trajplot_format format = TRAJPLOT_FORMAT_HTML;
    const trajplot_write_fn write = write_nothing;
    /* An array of pointers, each of which may be NULL, as
     * trajplot_figure_create_stacked takes it. */
    const trajplot_panel_options *const panels[2] = {&panel_options, NULL};
    const any_function functions[] = {
        (any_function)trajplot_abi_version,
        (any_function)trajplot_version,
        (any_function)trajplot_error_last,
        (any_function)trajplot_error_last_status,
        (any_function)trajplot_error_clear,
        (any_function)trajplot_string_free,
        (any_function)trajplot_memory_limit,
        (any_function)trajplot_set_memory_limit,
        (any_function)trajplot_default_threads,
        (any_function)trajplot_trunc_string_left,
        (any_function)trajplot_strings_init,
        (any_function)trajplot_labels_create,
        (any_function)trajplot_labels_create_from_strings,
        (any_function)trajplot_labels_free,
        (any_function)trajplot_labels_shape,
        (any_function)trajplot_labels_label,
        (any_function)trajplot_labels_hover_entry,
        (any_function)trajplot_labels_stride,
        (any_function)trajplot_labels_template_and_customdata,
        (any_function)trajplot_statistic_options_init,
        (any_function)trajplot_statistic_create,
        (any_function)trajplot_statistic_free,
        (any_function)trajplot_statistic_shape,
        (any_function)trajplot_statistic_stats,
        (any_function)trajplot_statistic_name,
        (any_function)trajplot_statistic_units,
        (any_function)trajplot_statistic_range,
        (any_function)trajplot_statistic_includes_output,
        (any_function)trajplot_statistic_layer_label,
        (any_function)trajplot_statistic_sequence_label,
        (any_function)trajplot_statistic_trajectory_labels,
        (any_function)trajplot_statistic_stride,
        (any_function)trajplot_statistic_clip,
        (any_function)trajplot_vocabulary_create,
        (any_function)trajplot_vocabulary_create_from_strings,
        (any_function)trajplot_vocabulary_free,
        (any_function)trajplot_vocabulary_size,
        (any_function)trajplot_vocabulary_token,
        (any_function)trajplot_trajectory_options_init,
        (any_function)trajplot_measures,
        (any_function)trajplot_measure_name,
        (any_function)trajplot_measure_from_name,
        (any_function)trajplot_measure_is_comparison,
        (any_function)trajplot_trajectory_create,
        (any_function)trajplot_trajectory_free,
        (any_function)trajplot_trajectory_shape,
        (any_function)trajplot_trajectory_add,
        (any_function)trajplot_trajectory_add_all,
        (any_function)trajplot_trajectory_complete,
        (any_function)trajplot_trajectory_statistic,
        (any_function)trajplot_trajectory_labels,
        (any_function)trajplot_comparison_create,
        (any_function)trajplot_comparison_free,
        (any_function)trajplot_comparison_shape,
        (any_function)trajplot_comparison_add,
        (any_function)trajplot_comparison_add_all,
        (any_function)trajplot_comparison_complete,
        (any_function)trajplot_comparison_statistic,
        (any_function)trajplot_comparison_labels,
        (any_function)trajplot_panel_options_init,
        (any_function)trajplot_figure_options_init,
        (any_function)trajplot_figure_create,
        (any_function)trajplot_figure_create_stacked,
        (any_function)trajplot_figure_free,
        (any_function)trajplot_figure_shape,
        (any_function)trajplot_local_plotlyjs,
        (any_function)trajplot_export_options_init,
        (any_function)trajplot_figure_export,
        (any_function)trajplot_figure_save,
        (any_function)trajplot_figure_stream,
    };
    trajplot_status status = TRAJPLOT_EIO;
    return (int)(sizeof functions / sizeof functions[0]) + (int)statistic_options.version +
           (int)statistic_options.sequence_label_count + (int)statistic_options.layer_label_count +
           (int)panel_options.version + (int)figure_options.token_width + (int)figure_options.height +
           (int)export_options.version + export_options.format + export_options.plotlyjs +
           (int)trajectory_options.threads + (int)source + (int)format + write(NULL, NULL, 0) +
           (panels[1] == NULL) + (int)status + (int)strings.version + strings.layout + (int)strings.count;
}
