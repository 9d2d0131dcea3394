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
ALIGN_PROBE(trajplot_figure_options)
ALIGN_PROBE(trajplot_html_options)
ALIGN_PROBE(trajplot_status)
ALIGN_PROBE(trajplot_plotlyjs)

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

    STRUCT(trajplot_figure_options);
    FIELD(trajplot_figure_options, version);
    FIELD(trajplot_figure_options, title);
    FIELD(trajplot_figure_options, colorscale);
    FIELD(trajplot_figure_options, extra_json);
    FIELD(trajplot_figure_options, token_width);
    FIELD(trajplot_figure_options, height);
    FIELD(trajplot_figure_options, log_scale);

    STRUCT(trajplot_html_options);
    FIELD(trajplot_html_options, version);
    FIELD(trajplot_html_options, plotlyjs);
    FIELD(trajplot_html_options, plotlyjs_location);
    FIELD(trajplot_html_options, div_id);
    FIELD(trajplot_html_options, full_html);
    FIELD(trajplot_html_options, responsive);

    /* Enums travel as their C type; the Rust side declares them as int. */
    STRUCT(trajplot_status);
    STRUCT(trajplot_plotlyjs);

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
    CONST(TRAJPLOT_FIGURE_OPTIONS_VERSION);
    CONST(TRAJPLOT_HTML_OPTIONS_VERSION);
    CONST(TRAJPLOT_PLOTLYJS_CDN);
    CONST(TRAJPLOT_PLOTLYJS_SRC);
    CONST(TRAJPLOT_PLOTLYJS_INLINE);
    CONST(TRAJPLOT_PLOTLYJS_NONE);
    return 0;
}
