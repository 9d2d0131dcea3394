/* trajplot.h must compile as strict C99; included twice to exercise its
 * include guard. Taking every function's address checks the declarations
 * are complete prototypes. */
#include "trajplot.h"
#include "trajplot.h"

typedef void (*any_function)(void);

int trajplot_header_c_check(void);

int trajplot_header_c_check(void) {
    const trajplot_statistic_options statistic_options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    const trajplot_figure_options figure_options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    const trajplot_html_options html_options = TRAJPLOT_HTML_OPTIONS_INIT;
    const trajplot_plotlyjs source = TRAJPLOT_PLOTLYJS_NONE;
    const any_function functions[] = {
        (any_function)trajplot_abi_version,
        (any_function)trajplot_version,
        (any_function)trajplot_error_last,
        (any_function)trajplot_error_last_status,
        (any_function)trajplot_error_clear,
        (any_function)trajplot_string_free,
        (any_function)trajplot_trunc_string_left,
        (any_function)trajplot_labels_create,
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
        (any_function)trajplot_figure_options_init,
        (any_function)trajplot_statistic_heatmap_json,
        (any_function)trajplot_statistic_figure_json,
        (any_function)trajplot_statistic_write_heatmap_json,
        (any_function)trajplot_statistic_write_figure_json,
        (any_function)trajplot_html_options_init,
        (any_function)trajplot_statistic_figure_html,
        (any_function)trajplot_statistic_write_figure_html,
    };
    trajplot_status status = TRAJPLOT_EIO;
    return (int)(sizeof functions / sizeof functions[0]) + (int)statistic_options.version +
           (int)figure_options.token_width + (int)figure_options.height + (int)html_options.version +
           html_options.plotlyjs + (int)source + (int)status;
}
