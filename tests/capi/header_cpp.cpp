// trajplot.h must compile as C++ without warnings, with C linkage.
#include "trajplot.h"
#include "trajplot.h"

#include <type_traits>

static_assert(std::is_same_v<decltype(&trajplot_statistic_create),
                             trajplot_status (*)(trajplot_statistic**, const char*, const float*, size_t, size_t,
                                                 const trajplot_statistic_options*)>);
static_assert(std::is_same_v<decltype(&trajplot_error_last), const char* (*)()>);
static_assert(TRAJPLOT_OK == 0 && TRAJPLOT_EIO == -5);

int trajplot_header_cpp_check();

int trajplot_header_cpp_check() {
    const trajplot_statistic_options statistic_options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    const trajplot_figure_options figure_options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    return static_cast<int>(statistic_options.version + figure_options.token_width);
}
