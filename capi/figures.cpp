// Figures: made from one statistic or from panels, exported in any format to
// a returned string, a file or the caller's write function.
#include <cmath>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "boundary.hpp"
#include "trajplot/figure.hpp"
#include "trajplot/html.hpp"

// The figure is immutable and shares its statistics, so a handle is the
// value itself.
struct trajplot_figure {
    trajplot::Figure value;
};

using namespace trajplot::capi;
using trajplot::Errc;
using trajplot::fail;

namespace {

const trajplot_panel_options default_panel_options = TRAJPLOT_PANEL_OPTIONS_INIT;
const trajplot_figure_options default_figure_options = TRAJPLOT_FIGURE_OPTIONS_INIT;
const trajplot_export_options default_export_options = TRAJPLOT_EXPORT_OPTIONS_INIT;

// `name` is how the caller's message names the struct ("panel",
// "panels[2]").
trajplot::PanelOptions panel_options_of(const trajplot_panel_options* options, const std::string& name) {
    const trajplot_panel_options& given = options != nullptr ? *options : default_panel_options;
    require_version(given.version, TRAJPLOT_PANEL_OPTIONS_VERSION, (name + "->version").c_str(),
                    "TRAJPLOT_PANEL_OPTIONS_VERSION");
    trajplot::PanelOptions converted;
    if (given.title != nullptr) converted.title = utf8_string(given.title);
    if (given.colorscale != nullptr) converted.colorscale = given.colorscale;
    if (given.extra_json != nullptr) converted.extra_json = given.extra_json;
    converted.log_scale = given.log_scale;
    converted.hover_value = given.hover_value;
    return converted;
}

// Version 1 of trajplot_figure_options ended before layout_json: a caller
// compiled against it passes a struct this long, whose later bytes are not
// its own.
constexpr unsigned int figure_options_version_1 = 1;
constexpr std::size_t figure_options_version_1_size = offsetof(trajplot_figure_options, layout_json);

void require_figure_options_version(unsigned int version, const char* field) {
    if (version != figure_options_version_1) {
        require_version(version, TRAJPLOT_FIGURE_OPTIONS_VERSION, field, "TRAJPLOT_FIGURE_OPTIONS_VERSION");
    }
}

trajplot::FigureOptions figure_options_of(const trajplot_figure_options* options) {
    const trajplot_figure_options& given = options != nullptr ? *options : default_figure_options;
    require_figure_options_version(given.version, "options->version");
    trajplot::FigureOptions converted;
    if (given.title != nullptr) converted.title = utf8_string(given.title);
    converted.token_width = given.token_width;
    converted.height = given.height;
    if (given.has_vertical_spacing) converted.vertical_spacing = given.vertical_spacing;
    converted.equal_panel_heights = given.equal_panel_heights;
    if (given.version != figure_options_version_1 && given.layout_json != nullptr) {
        converted.layout_json = given.layout_json;
    }
    return converted;
}

// Version 1 of trajplot_export_options ended before scale.
constexpr unsigned int export_options_version_1 = 1;
constexpr std::size_t export_options_version_1_size = offsetof(trajplot_export_options, scale);

void require_export_options_version(unsigned int version, const char* field) {
    if (version != export_options_version_1) {
        require_version(version, TRAJPLOT_EXPORT_OPTIONS_VERSION, field, "TRAJPLOT_EXPORT_OPTIONS_VERSION");
    }
}

std::optional<trajplot::Format> format_of(int format) {
    switch (format) {
        case TRAJPLOT_FORMAT_FIGURE_JSON: return trajplot::Format::figure_json;
        case TRAJPLOT_FORMAT_TRACE_JSON: return trajplot::Format::trace_json;
        case TRAJPLOT_FORMAT_HTML: return trajplot::Format::html;
        case TRAJPLOT_FORMAT_SVG: return trajplot::Format::svg;
        case TRAJPLOT_FORMAT_PNG: return trajplot::Format::png;
        case TRAJPLOT_FORMAT_PDF: return trajplot::Format::pdf;
        default: return std::nullopt;
    }
}

trajplot::ExportOptions export_options_of(const trajplot_export_options* options) {
    const trajplot_export_options& given = options != nullptr ? *options : default_export_options;
    require_export_options_version(given.version, "options->version");
    trajplot::ExportOptions converted;
    const std::optional<trajplot::Format> format = format_of(given.format);
    if (!format) {
        invalid("options->format is ", given.format,
                ", not a trajplot_format (TRAJPLOT_FORMAT_FIGURE_JSON 0, TRAJPLOT_FORMAT_TRACE_JSON 1, "
                "TRAJPLOT_FORMAT_HTML 2, TRAJPLOT_FORMAT_SVG 3, TRAJPLOT_FORMAT_PNG 4, TRAJPLOT_FORMAT_PDF 5)");
    }
    converted.format = *format;
    const bool image = converted.format == trajplot::Format::svg || converted.format == trajplot::Format::png ||
                       converted.format == trajplot::Format::pdf;
    // A version 1 struct has no scale, and its bytes there are not its own.
    if (image && given.version != export_options_version_1 && given.scale != 0) {
        if (!(std::isfinite(given.scale) && given.scale > 0 && given.scale <= 16)) {
            invalid("options->scale is ", given.scale, "; it must be finite, above 0 and at most 16 (0 means 1)");
        }
        converted.scale = given.scale;
    }
    if (converted.format != trajplot::Format::html) return converted;

    trajplot::HtmlOptions& html = converted.html;
    switch (given.plotlyjs) {
        case TRAJPLOT_PLOTLYJS_LOCAL: html.plotlyjs = trajplot::PlotlyJs::local; break;
        case TRAJPLOT_PLOTLYJS_CDN: html.plotlyjs = trajplot::PlotlyJs::cdn; break;
        case TRAJPLOT_PLOTLYJS_SRC: html.plotlyjs = trajplot::PlotlyJs::src; break;
        case TRAJPLOT_PLOTLYJS_INLINE: html.plotlyjs = trajplot::PlotlyJs::inline_file; break;
        case TRAJPLOT_PLOTLYJS_NONE: html.plotlyjs = trajplot::PlotlyJs::none; break;
        default: invalid("options->plotlyjs is ", given.plotlyjs, ", not a trajplot_plotlyjs value (0 to 4)");
    }
    if (given.plotlyjs_location != nullptr) html.location = given.plotlyjs_location;
    if (given.div_id != nullptr) html.div_id = given.div_id;
    html.full_html = given.full_html;
    html.responsive = given.responsive;
    return converted;
}

const trajplot::Figure& figure_of(const trajplot_figure* handle) {
    require(handle, "figure");
    return handle->value;
}

std::shared_ptr<const trajplot::TrajectoryStatistic> shared_statistic(const trajplot_statistic* handle,
                                                                      const std::string& name) {
    statistic_of(handle, name.c_str());
    return handle->value;
}

}  // namespace

trajplot_status trajplot_panel_options_init(trajplot_panel_options* options, unsigned int version) {
    return guarded(__func__, [&] {
        require(options, "options");
        require_version(version, TRAJPLOT_PANEL_OPTIONS_VERSION, "version", "TRAJPLOT_PANEL_OPTIONS_VERSION");
        *options = default_panel_options;
    });
}

trajplot_status trajplot_figure_options_init(trajplot_figure_options* options, unsigned int version) {
    return guarded(__func__, [&] {
        require(options, "options");
        require_figure_options_version(version, "version");
        if (version == figure_options_version_1) {
            std::memcpy(static_cast<void*>(options), &default_figure_options, figure_options_version_1_size);
            options->version = figure_options_version_1;
            return;
        }
        *options = default_figure_options;
    });
}

trajplot_status trajplot_export_options_init(trajplot_export_options* options, unsigned int version) {
    return guarded(__func__, [&] {
        require(options, "options");
        require_export_options_version(version, "version");
        if (version == export_options_version_1) {
            std::memcpy(static_cast<void*>(options), &default_export_options, export_options_version_1_size);
            options->version = export_options_version_1;
            return;
        }
        *options = default_export_options;
    });
}

bool trajplot_format_available(int format) {
    const std::optional<trajplot::Format> known = format_of(format);
    return known && trajplot::format_available(*known);
}

trajplot_status trajplot_figure_create(trajplot_figure** out, const trajplot_statistic* statistic,
                                       const trajplot_panel_options* panel, const trajplot_figure_options* options) {
    return guarded(__func__, [&] {
        require(out, "out");
        auto value = shared_statistic(statistic, "statistic");
        trajplot::Figure figure(std::move(value), panel_options_of(panel, "panel"), figure_options_of(options));
        *out = new trajplot_figure{std::move(figure)};
    });
}

trajplot_status trajplot_figure_create_stacked(trajplot_figure** out, const trajplot_statistic* const* statistics,
                                               const trajplot_panel_options* const* panels, size_t count,
                                               const trajplot_figure_options* options) {
    return guarded(__func__, [&] {
        require(out, "out");
        require(statistics, "statistics");
        if (count == 0) invalid("count is 0; a stacked figure needs at least one statistic");
        checked_count({{"count", count}}, sizeof(trajplot::Panel));
        std::vector<trajplot::Panel> converted;
        converted.reserve(count);
        for (std::size_t i = 0; i < count; ++i) {
            converted.push_back(
                {shared_statistic(statistics[i], message("statistics[", i, "]")),
                 panel_options_of(panels != nullptr ? panels[i] : nullptr, message("panels[", i, "]"))});
        }
        trajplot::Figure figure = trajplot::Figure::stacked(std::move(converted), figure_options_of(options));
        *out = new trajplot_figure{std::move(figure)};
    });
}

void trajplot_figure_free(trajplot_figure* figure) { delete figure; }

trajplot_status trajplot_figure_shape(bool* stacked, size_t* panels, const trajplot_figure* figure) {
    return guarded(__func__, [&] {
        const trajplot::Figure& value = figure_of(figure);
        if (stacked != nullptr) *stacked = value.is_stacked();
        if (panels != nullptr) *panels = value.panels().size();
    });
}

trajplot_status trajplot_local_plotlyjs(char** out, size_t* out_len) {
    return guarded(__func__, [&] {
        require(out, "out");
        const std::optional<std::filesystem::path> found = trajplot::local_plotlyjs();
        if (!found) {
            *out = nullptr;
            if (out_len != nullptr) *out_len = 0;
            return;
        }
        give_string(out, out_len, found->string());
    });
}

trajplot_status trajplot_figure_export(char** out, size_t* out_len, const trajplot_figure* figure,
                                       const trajplot_export_options* options) {
    return guarded(__func__, [&] {
        require(out, "out");
        const trajplot::Figure& value = figure_of(figure);
        const trajplot::ExportOptions converted = export_options_of(options);
        give_streamed(out, out_len, [&](std::ostream& stream) { value.write(stream, converted); });
    });
}

trajplot_status trajplot_figure_save(const trajplot_figure* figure, const trajplot_export_options* options,
                                     const char* path) {
    return guarded(__func__, [&] {
        const trajplot::Figure& value = figure_of(figure);
        require(path, "path");
        value.save(std::filesystem::path(path), export_options_of(options));
    });
}

trajplot_status trajplot_figure_stream(const trajplot_figure* figure, const trajplot_export_options* options,
                                       trajplot_write_fn write, void* user) {
    return guarded(__func__, [&] {
        const trajplot::Figure& value = figure_of(figure);
        if (write == nullptr) invalid("write is NULL");
        const trajplot::ExportOptions converted = export_options_of(options);
        value.write(
            [&](std::string_view piece) {
                const int stopped = write(user, piece.data(), piece.size());
                if (stopped != 0) fail(Errc::io, message("the write function returned ", stopped, "; export stopped"));
            },
            converted);
    });
}
