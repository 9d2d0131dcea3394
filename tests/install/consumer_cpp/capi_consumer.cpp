// Uses trajplot through its C API alone: built as C++11 against
// trajplot::trajplot, with neither xtensor nor the core's headers. Prints the
// version of the library it loaded and a heatmap trace.
#include <cstdio>

#include <trajplot.h>

int main() {
    int major = 0, minor = 0, patch = 0;
    trajplot_version(&major, &minor, &patch);
    std::printf("trajplot %d.%d.%d (ABI %d)\n", major, minor, patch, trajplot_abi_version());

    const float ranks[2 * 2] = {12.0f, 3.0f, 1.0f, 1.0f};
    const char* const tokens[2] = {"Paris", "France"};
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.sequence_labels = tokens;
    options.sequence_label_count = 2;
    trajplot_export_options trace_only = TRAJPLOT_EXPORT_OPTIONS_INIT;
    trace_only.format = TRAJPLOT_FORMAT_TRACE_JSON;
    trajplot_statistic* statistic = nullptr;
    trajplot_figure* figure = nullptr;
    char* trace = nullptr;
    if (trajplot_statistic_create(&statistic, "Rank", ranks, 2, 2, &options) != TRAJPLOT_OK ||
        trajplot_figure_create(&figure, statistic, nullptr, nullptr) != TRAJPLOT_OK ||
        trajplot_figure_export(&trace, nullptr, figure, &trace_only) != TRAJPLOT_OK) {
        std::fprintf(stderr, "capi_consumer: %s\n", trajplot_error_last());
        trajplot_figure_free(figure);
        trajplot_statistic_free(statistic);
        return 1;
    }
    std::printf("%s\n", trace);
    trajplot_string_free(trace);
    trajplot_figure_free(figure);
    trajplot_statistic_free(statistic);
    return 0;
}
