// trajplot.h must compile as C++ without warnings, with C linkage.
#include "trajplot.h"
#include "trajplot.h"

#include <type_traits>

static_assert(std::is_same_v<decltype(&trajplot_statistic_create),
                             trajplot_status (*)(trajplot_statistic**, const char*, const float*, size_t, size_t,
                                                 const trajplot_statistic_options*)>);
static_assert(std::is_same_v<decltype(&trajplot_error_last), const char* (*)()>);
static_assert(std::is_same_v<decltype(&trajplot_statistic_figure_html),
                             trajplot_status (*)(char**, size_t*, const trajplot_statistic*,
                                                 const trajplot_figure_options*, const trajplot_html_options*)>);
static_assert(std::is_same_v<decltype(&trajplot_statistic_write_figure_html),
                             trajplot_status (*)(const trajplot_statistic*, const trajplot_figure_options*,
                                                 const trajplot_html_options*, const char*)>);
static_assert(std::is_same_v<decltype(&trajplot_html_options_init),
                             trajplot_status (*)(trajplot_html_options*, unsigned int)>);
static_assert(TRAJPLOT_PLOTLYJS_CDN == 0 && TRAJPLOT_PLOTLYJS_NONE == 3);
static_assert(TRAJPLOT_OK == 0 && TRAJPLOT_EIO == -5);

int trajplot_header_cpp_check();

int trajplot_header_cpp_check() {
    const trajplot_statistic_options statistic_options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    const trajplot_figure_options figure_options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    const trajplot_html_options html_options = TRAJPLOT_HTML_OPTIONS_INIT;
    return static_cast<int>(statistic_options.version + figure_options.token_width + figure_options.height +
                            html_options.version) +
           html_options.plotlyjs;
}
