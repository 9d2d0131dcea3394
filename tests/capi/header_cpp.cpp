// trajplot.h must compile as C++ without warnings, with C linkage.
#include "trajplot.h"

#include <type_traits>

static_assert(std::is_same_v<decltype(&trajplot_statistic_create),
                             trajplot_status (*)(trajplot_statistic**, const char*, const float*, size_t, size_t,
                                                 const trajplot_statistic_options*)>);
static_assert(std::is_same_v<decltype(&trajplot_error_last), const char* (*)()>);
static_assert(std::is_same_v<decltype(&trajplot_default_threads), size_t (*)()>);
static_assert(std::is_same_v<decltype(&trajplot_trunc_string_left),
                             trajplot_status (*)(char**, size_t*, const char*, size_t, size_t)>);
static_assert(std::is_same_v<decltype(&trajplot_figure_create),
                             trajplot_status (*)(trajplot_figure**, const trajplot_statistic*,
                                                 const trajplot_panel_options*, const trajplot_figure_options*)>);
static_assert(
    std::is_same_v<decltype(&trajplot_figure_create_stacked),
                   trajplot_status (*)(trajplot_figure**, const trajplot_statistic* const*,
                                       const trajplot_panel_options* const*, size_t, const trajplot_figure_options*)>);
static_assert(
    std::is_same_v<decltype(&trajplot_figure_shape), trajplot_status (*)(bool*, size_t*, const trajplot_figure*)>);
static_assert(
    std::is_same_v<decltype(&trajplot_figure_export),
                   trajplot_status (*)(char**, size_t*, const trajplot_figure*, const trajplot_export_options*)>);
static_assert(std::is_same_v<decltype(&trajplot_figure_save),
                             trajplot_status (*)(const trajplot_figure*, const trajplot_export_options*, const char*)>);
static_assert(std::is_same_v<trajplot_write_fn, int (*)(void*, const char*, size_t)>);
static_assert(std::is_same_v<decltype(&trajplot_figure_stream),
                             trajplot_status (*)(const trajplot_figure*, const trajplot_export_options*,
                                                 trajplot_write_fn, void*)>);
static_assert(std::is_same_v<decltype(&trajplot_export_options_init),
                             trajplot_status (*)(trajplot_export_options*, unsigned int)>);
static_assert(
    std::is_same_v<decltype(&trajplot_panel_options_init), trajplot_status (*)(trajplot_panel_options*, unsigned int)>);
static_assert(TRAJPLOT_ABI_VERSION == 2);
static_assert(TRAJPLOT_PLOTLYJS_LOCAL == 0 && TRAJPLOT_PLOTLYJS_CDN == 1 && TRAJPLOT_PLOTLYJS_SRC == 2 &&
              TRAJPLOT_PLOTLYJS_INLINE == 3 && TRAJPLOT_PLOTLYJS_NONE == 4);
static_assert(TRAJPLOT_FORMAT_FIGURE_JSON == 0 && TRAJPLOT_FORMAT_TRACE_JSON == 1 && TRAJPLOT_FORMAT_HTML == 2);
static_assert(TRAJPLOT_OK == 0 && TRAJPLOT_EIO == -5);
static_assert(TRAJPLOT_STRINGS_POINTERS == 0 && TRAJPLOT_STRINGS_UTF32 == 1 && TRAJPLOT_STRINGS_BYTES == 2 &&
              TRAJPLOT_STRINGS_UTF8_OFFSETS == 3);
static_assert(std::is_same_v<decltype(&trajplot_labels_create_from_strings),
                             trajplot_status (*)(trajplot_labels**, size_t, size_t, const trajplot_strings*,
                                                 const trajplot_strings*, size_t, size_t)>);
static_assert(std::is_same_v<decltype(&trajplot_vocabulary_create_from_strings),
                             trajplot_status (*)(trajplot_vocabulary**, const trajplot_strings*)>);

int trajplot_header_cpp_check();

int trajplot_header_cpp_check() {
    const trajplot_statistic_options statistic_options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    const trajplot_panel_options panel_options = TRAJPLOT_PANEL_OPTIONS_INIT;
    const trajplot_figure_options figure_options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    const trajplot_export_options export_options = TRAJPLOT_EXPORT_OPTIONS_INIT;
    const trajplot_strings strings = TRAJPLOT_STRINGS_INIT;
    return static_cast<int>(strings.version + strings.count + statistic_options.version +
                            statistic_options.sequence_label_count + statistic_options.layer_label_count +
                            panel_options.version + figure_options.token_width + figure_options.height +
                            export_options.version) +
           export_options.format + export_options.plotlyjs;
}
