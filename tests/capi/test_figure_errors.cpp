// Every error path of figures: making one (the options are checked there,
// for a figure of one statistic and for each panel of a stacked one) and
// exporting it (the export options, refused alike by every destination,
// which then receives nothing). The status, a message naming the function
// and the offending field or value, and outputs left untouched.
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "capi_test_support.hpp"

using namespace capi_test;
namespace fs = std::filesystem;

namespace {

std::string size_text(std::size_t size) { return std::to_string(size); }

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::set<std::string> directory_entries(const fs::path& directory) {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(directory)) names.insert(entry.path().filename().string());
    return names;
}

class CapiFigureErrors : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        directory_ =
            fs::temp_directory_path() / ("trajplot-figure-errors-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(directory_);
        ASSERT_TRUE(fs::create_directories(directory_));
        statistic_ = make_statistic("Entropy", numbered_stats(2, 3), 2, 3);
        rank_ = make_statistic("Rank", numbered_stats(3, 3), 3, 3);
        ASSERT_TRUE(statistic_ && rank_);
        figure_ = make_figure(statistic_.get());
        stacked_ = make_stacked({rank_.get(), statistic_.get()});
        ASSERT_TRUE(figure_ && stacked_);
    }
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(directory_, ignored);
    }

    fs::path directory_;
    StatisticPtr statistic_;
    StatisticPtr rank_;
    FigurePtr figure_;
    FigurePtr stacked_;
};

}  // namespace

// ---------------------------------------------------------------------------
// Making figures

TEST_F(CapiFigureErrors, CreateNullArguments) {
    trajplot_figure* out = sentinel_figure();
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_create(nullptr, statistic_.get(), nullptr, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_figure_create", "out is NULL");
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_create(&out, nullptr, nullptr, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_figure_create", "statistic is NULL");
    EXPECT_EQ(out, sentinel_figure());
}

TEST_F(CapiFigureErrors, CreateStackedArguments) {
    trajplot_figure* out = sentinel_figure();
    const trajplot_statistic* statistics[] = {statistic_.get(), rank_.get()};
    const trajplot_statistic* with_null[] = {statistic_.get(), nullptr};
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_create_stacked(nullptr, statistics, nullptr, 2, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_figure_create_stacked", "out is NULL");
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_create_stacked(&out, nullptr, nullptr, 1, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_figure_create_stacked", "statistics is NULL");
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_create_stacked(&out, statistics, nullptr, 0, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_figure_create_stacked", "count is 0");
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_create_stacked(&out, with_null, nullptr, 2, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_figure_create_stacked", "statistics[1] is NULL");
    EXPECT_EQ(out, sentinel_figure());
}

TEST_F(CapiFigureErrors, ShapeNullFigure) {
    bool stacked = true;
    std::size_t panels = sentinel_size;
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_shape(&stacked, &panels, nullptr), TRAJPLOT_EINVAL, "trajplot_figure_shape",
                          "figure");
    EXPECT_TRUE(stacked);
    EXPECT_EQ(panels, sentinel_size);
}

TEST_F(CapiFigureErrors, WrongOptionsVersionsNameTheirStruct) {
    trajplot_figure* out = sentinel_figure();
    trajplot_panel_options panel = TRAJPLOT_PANEL_OPTIONS_INIT;
    panel.version = TRAJPLOT_PANEL_OPTIONS_VERSION + 1;
    EXPECT_TRAJPLOT_FAILS(
        trajplot_figure_create(&out, statistic_.get(), &panel, nullptr), TRAJPLOT_EINVAL, "trajplot_figure_create",
        "panel->version is " + std::to_string(TRAJPLOT_PANEL_OPTIONS_VERSION + 1),
        "knows version " + std::to_string(TRAJPLOT_PANEL_OPTIONS_VERSION), "TRAJPLOT_PANEL_OPTIONS_VERSION");
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.version = 0;
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_create(&out, statistic_.get(), nullptr, &options), TRAJPLOT_EINVAL,
                          "trajplot_figure_create", "options->version is 0", "TRAJPLOT_FIGURE_OPTIONS_VERSION");
    const trajplot_statistic* statistics[] = {statistic_.get(), rank_.get()};
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_create_stacked(&out, statistics, nullptr, 2, &options), TRAJPLOT_EINVAL,
                          "trajplot_figure_create_stacked", "options->version is 0");
    EXPECT_EQ(out, sentinel_figure());
}

TEST_F(CapiFigureErrors, StackedPanelOfAWrongVersionIsNamedByIndex) {
    trajplot_figure* out = sentinel_figure();
    const trajplot_statistic* statistics[] = {statistic_.get(), rank_.get(), statistic_.get()};
    trajplot_panel_options good = TRAJPLOT_PANEL_OPTIONS_INIT;
    trajplot_panel_options wrong = TRAJPLOT_PANEL_OPTIONS_INIT;
    wrong.version = 7;
    // NULL entries are defaults; the entry of the wrong version is named.
    const trajplot_panel_options* panels[] = {&good, nullptr, &wrong};
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_create_stacked(&out, statistics, panels, 3, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_figure_create_stacked", "panels[2]->version is 7",
                          "knows version " + std::to_string(TRAJPLOT_PANEL_OPTIONS_VERSION));
    const trajplot_panel_options* first_wrong[] = {&wrong, &good, nullptr};
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_create_stacked(&out, statistics, first_wrong, 3, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_figure_create_stacked", "panels[0]->version is 7");
    EXPECT_EQ(out, sentinel_figure());
}

// The panel's and the figure's options are checked when a figure is made:
// a figure of one statistic and a stacked figure (where the panel is the
// second, and the message names it: stacked_mentions) refuse the same
// values.
class CapiFigureOptionErrors : public CapiFigureErrors {
protected:
    void expect_both_creations_fail(const trajplot_panel_options* panel, const trajplot_figure_options* options,
                                    trajplot_status status, std::initializer_list<std::string_view> mentions,
                                    std::initializer_list<std::string_view> stacked_mentions) {
        trajplot_figure* out = sentinel_figure();
        trajplot_error_clear();
        expect_failure(trajplot_figure_create(&out, statistic_.get(), panel, options), status, "trajplot_figure_create",
                       mentions);
        const trajplot_statistic* statistics[] = {rank_.get(), statistic_.get()};
        const trajplot_panel_options* panels[] = {nullptr, panel};
        trajplot_error_clear();
        expect_failure(trajplot_figure_create_stacked(&out, statistics, panels, 2, options), status,
                       "trajplot_figure_create_stacked", mentions);
        const std::string message = trajplot_error_last();
        for (const std::string_view mention : stacked_mentions) {
            EXPECT_NE(message.find(mention), std::string::npos) << "no \"" << mention << "\" in: " << message;
        }
        EXPECT_EQ(out, sentinel_figure());
    }
};

TEST_F(CapiFigureOptionErrors, UnknownColorscaleListsValidNames) {
    trajplot_panel_options panel = TRAJPLOT_PANEL_OPTIONS_INIT;
    panel.colorscale = "no_such_scale";
    expect_both_creations_fail(&panel, nullptr, TRAJPLOT_EINVAL, {"colorscale", "no_such_scale"},
                               {"panels[1] (Entropy)"});
    // A few of plotly.py's names must be offered.
    trajplot_figure* out = nullptr;
    ASSERT_EQ(trajplot_figure_create(&out, statistic_.get(), &panel, nullptr), TRAJPLOT_EINVAL);
    const std::string message = trajplot_error_last();
    int named = 0;
    for (const char* name : {"rdbu", "viridis", "blues", "plasma", "greys", "jet", "hot", "ylgnbu", "inferno"}) {
        named += message.find(name) != std::string::npos;
    }
    EXPECT_GE(named, 2) << message;
}

TEST_F(CapiFigureOptionErrors, ExtraJsonThatIsNotJson) {
    trajplot_panel_options panel = TRAJPLOT_PANEL_OPTIONS_INIT;
    panel.extra_json = R"({"colorbar": {"len": 0.5,}})";
    // The parser stops at the '}' after the stray comma, the 26th byte.
    expect_both_creations_fail(&panel, nullptr, TRAJPLOT_EINVAL, {"extra_json", "26"}, {"panels[1] (Entropy)"});
}

TEST_F(CapiFigureOptionErrors, ExtraJsonThatIsNotAnObject) {
    trajplot_panel_options panel = TRAJPLOT_PANEL_OPTIONS_INIT;
    panel.extra_json = "[1, 2]";
    expect_both_creations_fail(&panel, nullptr, TRAJPLOT_EINVAL, {"extra_json", "object"}, {"panels[1]"});
    panel.extra_json = "\"text\"";
    expect_both_creations_fail(&panel, nullptr, TRAJPLOT_EINVAL, {"extra_json", "object"}, {"panels[1]"});
}

TEST_F(CapiFigureOptionErrors, LogScaleWithNonPositiveBound) {
    trajplot_statistic_options statistic_options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    statistic_options.has_min = statistic_options.has_max = true;
    statistic_options.min = 0;
    statistic_options.max = 10;
    statistic_ = make_statistic("Bounded", numbered_stats(2, 3), 2, 3, &statistic_options);
    ASSERT_TRUE(statistic_);
    trajplot_panel_options panel = TRAJPLOT_PANEL_OPTIONS_INIT;
    panel.log_scale = true;
    expect_both_creations_fail(&panel, nullptr, TRAJPLOT_EINVAL, {"log", "min", "0"}, {"panels[1] (Bounded)"});
}

TEST_F(CapiFigureOptionErrors, TokenWidthZero) {
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.token_width = 0;
    expect_both_creations_fail(nullptr, &options, TRAJPLOT_EINVAL, {"token_width"}, {"token_width"});
}

TEST_F(CapiFigureOptionErrors, FigureWidthOverflow) {
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.token_width = SIZE_MAX / 2;
    expect_both_creations_fail(nullptr, &options, TRAJPLOT_ERANGE, {"token_width", size_text(SIZE_MAX / 2)}, {});
}

TEST_F(CapiFigureOptionErrors, FigureHeightTooLarge) {
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.height = SIZE_MAX;
    expect_both_creations_fail(nullptr, &options, TRAJPLOT_ERANGE, {"height", size_text(SIZE_MAX)}, {});
}

TEST_F(CapiFigureOptionErrors, FigureSizeIsCheckedWhateverTheFormatExportedLater) {
    // The trace export once ignored token_width and height; the figure is
    // now made, and checked, before any format is chosen.
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.token_width = 0;
    trajplot_figure* out = sentinel_figure();
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_create(&out, statistic_.get(), nullptr, &options), TRAJPLOT_EINVAL,
                          "trajplot_figure_create", "token_width");
    EXPECT_EQ(out, sentinel_figure());
}

TEST_F(CapiFigureOptionErrors, StackedVerticalSpacingOutOfRange) {
    const trajplot_statistic* statistics[] = {statistic_.get(), rank_.get()};
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.has_vertical_spacing = true;
    trajplot_figure* out = sentinel_figure();
    for (const double spacing : {1.0, -0.1, 5.0}) {
        options.vertical_spacing = spacing;
        EXPECT_TRAJPLOT_FAILS(trajplot_figure_create_stacked(&out, statistics, nullptr, 2, &options), TRAJPLOT_EINVAL,
                              "trajplot_figure_create_stacked", "vertical_spacing", "[0, 1)", "2 panels");
    }
    // Unused when has_vertical_spacing is false.
    options.has_vertical_spacing = false;
    const FigurePtr figure = make_stacked({statistic_.get(), rank_.get()}, {}, &options);
    EXPECT_TRUE(figure);
    EXPECT_EQ(out, sentinel_figure());
}

// ---------------------------------------------------------------------------
// Exports

TEST_F(CapiFigureErrors, ExportNullArguments) {
    char* out = sentinel_string();
    std::size_t len = sentinel_size;
    const std::string path = (directory_ / "never.json").string();
    StreamCapture capture;
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_export(nullptr, &len, figure_.get(), nullptr), TRAJPLOT_EINVAL,
                          "trajplot_figure_export", "out is NULL");
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_export(&out, &len, nullptr, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_figure_export", "figure is NULL");
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_save(nullptr, nullptr, path.c_str()), TRAJPLOT_EINVAL, "trajplot_figure_save",
                          "figure is NULL");
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_save(figure_.get(), nullptr, nullptr), TRAJPLOT_EINVAL,
                          "trajplot_figure_save", "path is NULL");
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_stream(nullptr, nullptr, capture_piece, &capture), TRAJPLOT_EINVAL,
                          "trajplot_figure_stream", "figure is NULL");
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_stream(figure_.get(), nullptr, nullptr, &capture), TRAJPLOT_EINVAL,
                          "trajplot_figure_stream", "write is NULL");
    EXPECT_EQ(out, sentinel_string());
    EXPECT_EQ(len, sentinel_size);
    EXPECT_EQ(capture.calls, 0u);
    EXPECT_TRUE(directory_entries(directory_).empty());
}

// Each destination must refuse the same bad export options: the string is
// not handed out, an earlier file is left as it was with nothing beside it,
// and the write function is never called.
class CapiExportOptionErrors : public CapiFigureErrors {
protected:
    void expect_every_destination_fails(const trajplot_figure* figure, const trajplot_export_options& options,
                                        trajplot_status status, std::initializer_list<std::string_view> mentions) {
        char* out = sentinel_string();
        std::size_t len = sentinel_size;
        trajplot_error_clear();
        expect_failure(trajplot_figure_export(&out, &len, figure, &options), status, "trajplot_figure_export",
                       mentions);
        EXPECT_EQ(out, sentinel_string());
        EXPECT_EQ(len, sentinel_size);

        const fs::path path = directory_ / "figure.out";
        const std::string earlier = "an earlier file\n";
        std::ofstream(path, std::ios::binary) << earlier;
        trajplot_error_clear();
        expect_failure(trajplot_figure_save(figure, &options, path.c_str()), status, "trajplot_figure_save", mentions);
        EXPECT_EQ(read_file(path), earlier);
        EXPECT_EQ(directory_entries(directory_), (std::set<std::string>{"figure.out"}));

        StreamCapture capture;
        trajplot_error_clear();
        expect_failure(trajplot_figure_stream(figure, &options, capture_piece, &capture), status,
                       "trajplot_figure_stream", mentions);
        EXPECT_EQ(capture.calls, 0u) << "the write function received: " << capture.bytes.substr(0, 200);
    }
};

TEST_F(CapiExportOptionErrors, UnknownFormat) {
    for (const int format : {6, -1, 1000}) {
        SCOPED_TRACE(format);
        const trajplot_export_options options = export_options(format);
        expect_every_destination_fails(figure_.get(), options, TRAJPLOT_EINVAL,
                                       {"options->format is " + std::to_string(format), "trajplot_format"});
    }
}

TEST_F(CapiExportOptionErrors, UnknownPlotlyJsValue) {
    for (const int plotlyjs : {5, -1, 1000}) {
        SCOPED_TRACE(plotlyjs);
        trajplot_export_options options = export_options(TRAJPLOT_FORMAT_HTML);
        options.plotlyjs = plotlyjs;
        expect_every_destination_fails(figure_.get(), options, TRAJPLOT_EINVAL,
                                       {"options->plotlyjs is " + std::to_string(plotlyjs), "0 to 4"});
        expect_every_destination_fails(stacked_.get(), options, TRAJPLOT_EINVAL, {"options->plotlyjs"});
    }
}

TEST_F(CapiExportOptionErrors, HtmlFieldsAreReadForHtmlOnly) {
    // A bad plotlyjs value or div id does not matter to a JSON export.
    trajplot_export_options options = export_options(TRAJPLOT_FORMAT_FIGURE_JSON);
    options.plotlyjs = 99;
    options.div_id = "1 not an id";
    EXPECT_EQ(export_string(figure_.get(), &options), export_string(figure_.get()));
    options.format = TRAJPLOT_FORMAT_TRACE_JSON;
    EXPECT_EQ(export_string(figure_.get(), &options), export_string(figure_.get(), TRAJPLOT_FORMAT_TRACE_JSON));
}

TEST_F(CapiExportOptionErrors, WrongVersion) {
    trajplot_export_options options = TRAJPLOT_EXPORT_OPTIONS_INIT;
    options.version = TRAJPLOT_EXPORT_OPTIONS_VERSION + 1;
    expect_every_destination_fails(
        figure_.get(), options, TRAJPLOT_EINVAL,
        {"options->version is " + std::to_string(TRAJPLOT_EXPORT_OPTIONS_VERSION + 1),
         "knows version " + std::to_string(TRAJPLOT_EXPORT_OPTIONS_VERSION), "TRAJPLOT_EXPORT_OPTIONS_VERSION"});
}

TEST_F(CapiExportOptionErrors, TraceOfAStackedFigure) {
    const trajplot_export_options options = export_options(TRAJPLOT_FORMAT_TRACE_JSON);
    expect_every_destination_fails(stacked_.get(), options, TRAJPLOT_EINVAL, {"stacked", "2 panels", "trace"});
    // A stacked figure of one panel is still stacked.
    const FigurePtr one = make_stacked({statistic_.get()});
    ASSERT_TRUE(one);
    expect_every_destination_fails(one.get(), options, TRAJPLOT_EINVAL, {"stacked", "1 panels"});
}

TEST_F(CapiExportOptionErrors, BadDivId) {
    for (const char* id : {"", "1bad", "fig\"x", "fig x", "fig<x", "-fig"}) {
        SCOPED_TRACE(id);
        trajplot_export_options options = export_options(TRAJPLOT_FORMAT_HTML);
        options.div_id = id;
        expect_every_destination_fails(figure_.get(), options, TRAJPLOT_EINVAL, {"div_id"});
    }
}

TEST_F(CapiExportOptionErrors, LocationMissingForSrcAndInline) {
    for (const int plotlyjs : {TRAJPLOT_PLOTLYJS_SRC, TRAJPLOT_PLOTLYJS_INLINE}) {
        for (const char* location : {static_cast<const char*>(nullptr), ""}) {
            trajplot_export_options options = export_options(TRAJPLOT_FORMAT_HTML);
            options.plotlyjs = plotlyjs;
            options.plotlyjs_location = location;
            expect_every_destination_fails(figure_.get(), options, TRAJPLOT_EINVAL, {"plotlyjs"});
        }
    }
}

TEST_F(CapiExportOptionErrors, UnreadableInlineFile) {
    const std::string missing = (directory_ / "missing.js").string();
    trajplot_export_options options = export_options(TRAJPLOT_FORMAT_HTML);
    options.plotlyjs = TRAJPLOT_PLOTLYJS_INLINE;
    options.plotlyjs_location = missing.c_str();
    expect_every_destination_fails(figure_.get(), options, TRAJPLOT_EIO, {"missing.js"});
}
