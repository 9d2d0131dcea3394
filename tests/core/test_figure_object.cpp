// The Figure object: what it holds and reports, what it refuses when it is
// made, and that every export of it gives the same bytes whatever the
// destination, from any number of threads at once.
#include "trajplot/figure.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <latch>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "trajplot/error.hpp"
#include "trajplot/html.hpp"
#include "trajplot/model.hpp"
#include "trajplot/text_array.hpp"

#include "core_test_support.hpp"

namespace {

namespace fs = std::filesystem;
using trajplot::Errc;
using trajplot::Error;
using trajplot::ExportOptions;
using trajplot::ExportSink;
using trajplot::Figure;
using trajplot::FigureOptions;
using trajplot::Format;
using trajplot::HtmlOptions;
using trajplot::Panel;
using trajplot::PanelOptions;
using trajplot::PlotlyJs;
using trajplot::TextArray;
using trajplot::TrajectoryLabels;
using trajplot::TrajectoryStatistic;
using trajplot_test::directory_entries;
using trajplot_test::error_of;
using trajplot_test::labelled_statistic;
using trajplot_test::read_file;
using trajplot_test::shared;
using trajplot_test::SinkRecorder;
using trajplot_test::statistic_of;
using trajplot_test::Strings;
using trajplot_test::write_file;

using Statistic = std::shared_ptr<const TrajectoryStatistic>;

const ExportOptions trace_only{Format::trace_json};

HtmlOptions html_with(PlotlyJs plotlyjs, std::string location = {}) {
    HtmlOptions options;
    options.plotlyjs = plotlyjs;
    options.location = std::move(location);
    return options;
}

// n_layers x seq_len values with cell labels (some with markup to escape)
// and a 1 x 2 hover table per cell. Past 2^16 cells the trace writer
// formats z, cell text and hover tables on two threads.
TrajectoryStatistic large_statistic(std::size_t n_layers = 16, std::size_t seq_len = 5000,
                                    const std::string& name = "Entropy") {
    Strings cells;
    Strings entries;
    for (std::size_t cell = 0; cell < n_layers * seq_len; ++cell) {
        cells.push_back("t" + std::to_string(cell) + (cell % 7 == 0 ? "<&>" : ""));
        entries.push_back(cells.back());
        entries.push_back(std::to_string(cell % 97) + "%");
    }
    TrajectoryStatistic::Fields fields =
        trajplot_test::fields_with(xt::xtensor<float, 2>::from_shape({n_layers, seq_len}), name);
    for (std::size_t i = 0; i < fields.stats.size(); ++i) fields.stats.data()[i] = static_cast<float>(i % 1009) / 7.0f;
    fields.units = "nats";
    fields.trajectory_labels =
        std::make_shared<const TrajectoryLabels>(TextArray<2>::from_strings({n_layers, seq_len}, cells),
                                                 TextArray<4>::from_strings({n_layers, seq_len, 1, 2}, entries));
    return TrajectoryStatistic(std::move(fields));
}

// The exports a figure can make: figure JSON, its trace (of a figure of one
// statistic), a whole page and a responsive fragment.
std::vector<ExportOptions> exports_of(const Figure& figure) {
    HtmlOptions fragment = html_with(PlotlyJs::none);
    fragment.full_html = false;
    fragment.responsive = true;
    std::vector<ExportOptions> exports = {
        {Format::figure_json}, {Format::html, html_with(PlotlyJs::cdn)}, {Format::html, fragment}};
    if (!figure.is_stacked()) exports.push_back(trace_only);
    return exports;
}

std::string name_of(const ExportOptions& options) {
    switch (options.format) {
        case Format::figure_json: return "figure JSON";
        case Format::trace_json: return "trace JSON";
        case Format::html: return options.html.full_html ? "HTML page" : "HTML fragment";
        case Format::svg: return "SVG";
        case Format::png: return "PNG";
        case Format::pdf: return "PDF";
    }
    return "?";
}

std::string streamed(const Figure& figure, const ExportOptions& options) {
    std::ostringstream out;
    figure.write(out, options);
    return out.str();
}

// Exports are megabytes: on a mismatch, say where rather than print them.
testing::AssertionResult same_bytes(const std::string& actual, const std::string& expected) {
    if (actual == expected) return testing::AssertionSuccess();
    std::size_t at = 0;
    while (at < actual.size() && at < expected.size() && actual[at] == expected[at]) ++at;
    return testing::AssertionFailure() << actual.size() << " bytes, expected " << expected.size()
                                       << "; they differ from byte " << at << ": \"" << actual.substr(at, 40)
                                       << "\" for \"" << expected.substr(at, 40) << "\"";
}

// Thrown by a sink that gives up.
struct SinkFull {
    std::size_t after_calls;
};

// ---------------------------------------------------------------------------
// What the figure holds

TEST(FigureObject, AFigureOfOneStatisticReportsWhatItWasGiven) {
    const Statistic statistic = shared(labelled_statistic());
    PanelOptions panel;
    panel.title = "ignored over a figure of one statistic";
    panel.colorscale = "viridis";
    panel.log_scale = true;
    panel.extra_json = R"({"opacity": 0.5})";
    panel.hover_value = true;
    FigureOptions options;
    options.title = "Entropy";
    options.token_width = 33;
    options.height = 640;
    options.vertical_spacing = 0.1;
    options.equal_panel_heights = true;
    const Figure figure(statistic, panel, options);

    EXPECT_FALSE(figure.is_stacked());
    ASSERT_EQ(figure.panels().size(), 1u);
    EXPECT_EQ(figure.panels()[0].statistic, statistic) << "the caller's statistic, not a copy";
    const PanelOptions& held = figure.panels()[0].options;
    EXPECT_EQ(held.title, panel.title);
    EXPECT_EQ(held.colorscale, "viridis");
    EXPECT_TRUE(held.log_scale);
    EXPECT_EQ(held.extra_json, panel.extra_json);
    EXPECT_TRUE(held.hover_value);
    EXPECT_EQ(figure.options().title, "Entropy");
    EXPECT_EQ(figure.options().token_width, 33u);
    EXPECT_EQ(figure.options().height, 640u);
    EXPECT_EQ(figure.options().vertical_spacing, 0.1);
    EXPECT_TRUE(figure.options().equal_panel_heights);
}

TEST(FigureObject, AStackedFigureReportsItsPanelsInOrder) {
    const Statistic entropy = shared(labelled_statistic());
    const Statistic rank = shared(statistic_of({{1.0f, 2.0f, 3.0f}}));
    PanelOptions titled;
    titled.title = "Rank";
    titled.log_scale = true;
    const Figure figure = Figure::stacked({{entropy}, {rank, titled}, {entropy}}, {.title = "Both", .height = 900});

    EXPECT_TRUE(figure.is_stacked());
    ASSERT_EQ(figure.panels().size(), 3u);
    EXPECT_EQ(figure.panels()[0].statistic, entropy);
    EXPECT_EQ(figure.panels()[1].statistic, rank);
    EXPECT_EQ(figure.panels()[2].statistic, entropy);
    EXPECT_FALSE(figure.panels()[0].options.title.has_value());
    EXPECT_EQ(figure.panels()[1].options.title, "Rank");
    EXPECT_TRUE(figure.panels()[1].options.log_scale);
    EXPECT_EQ(figure.panels()[2].options.colorscale, PanelOptions{}.colorscale);
    EXPECT_EQ(figure.options().title, "Both");
    EXPECT_EQ(figure.options().height, 900u);
    EXPECT_FALSE(figure.options().vertical_spacing.has_value());

    // One panel is still a stacked figure.
    EXPECT_TRUE(Figure::stacked({{entropy}}).is_stacked());
}

TEST(FigureObject, AStatisticGivenByValueDrawsAsOneGivenShared) {
    const Figure by_value(labelled_statistic());
    ASSERT_NE(by_value.panels()[0].statistic, nullptr);
    EXPECT_EQ(by_value.panels()[0].statistic->name(), "Entropy");
    const Figure by_pointer(shared(labelled_statistic()));
    for (const ExportOptions& options : exports_of(by_value)) {
        EXPECT_EQ(by_value.to_string(options), by_pointer.to_string(options)) << name_of(options);
    }
}

TEST(FigureObject, KeepsItsStatisticsAlive) {
    Statistic statistic = shared(labelled_statistic());
    Statistic other = shared(statistic_of({{1.0f, 2.0f, 3.0f}}));
    const std::weak_ptr<const TrajectoryStatistic> watched = statistic;
    const std::weak_ptr<const TrajectoryStatistic> watched_other = other;
    // The same figures of statistics the test keeps.
    const Statistic kept = shared(labelled_statistic());
    const Statistic kept_other = shared(statistic_of({{1.0f, 2.0f, 3.0f}}));
    const Figure expected(kept);
    const Figure expected_stacked = Figure::stacked({{kept}, {kept_other}});

    std::optional<Figure> figure(std::in_place, statistic);
    std::optional<Figure> stacked(Figure::stacked({{statistic}, {other}}));
    statistic.reset();
    other.reset();
    EXPECT_FALSE(watched.expired());
    EXPECT_FALSE(watched_other.expired());
    for (const ExportOptions& options : exports_of(*figure)) {
        EXPECT_EQ(figure->to_string(options), expected.to_string(options)) << name_of(options);
    }
    for (const ExportOptions& options : exports_of(*stacked)) {
        EXPECT_EQ(stacked->to_string(options), expected_stacked.to_string(options)) << name_of(options);
    }

    // A copy keeps them as well.
    const Figure copy = *stacked;
    figure.reset();
    stacked.reset();
    EXPECT_FALSE(watched.expired());
    EXPECT_EQ(copy.to_string(), expected_stacked.to_string());
    EXPECT_EQ(copy.panels()[0].statistic->name(), "Entropy");
}

TEST(FigureObject, LetsGoOfItsStatisticsWithItsLastCopy) {
    Statistic statistic = shared(labelled_statistic());
    const std::weak_ptr<const TrajectoryStatistic> watched = statistic;
    std::optional<Figure> figure(std::in_place, std::move(statistic));
    std::optional<Figure> copy(*figure);
    figure.reset();
    EXPECT_FALSE(watched.expired());
    copy.reset();
    EXPECT_TRUE(watched.expired());
}

TEST(FigureObject, CopiesShareTheStateAndExportAlike) {
    const Figure original(labelled_statistic(), {.log_scale = true}, {.title = "Copied"});
    const Figure copy = original;  // NOLINT(performance-unnecessary-copy-initialization)
    Figure assigned(statistic_of({{1.0f}}));
    assigned = original;
    for (const Figure* figure : {&copy, static_cast<const Figure*>(&assigned)}) {
        EXPECT_EQ(figure->panels().data(), original.panels().data()) << "the panels are shared, not copied";
        EXPECT_EQ(&figure->options(), &original.options());
        EXPECT_EQ(figure->panels()[0].statistic, original.panels()[0].statistic);
        for (const ExportOptions& options : exports_of(original)) {
            EXPECT_EQ(figure->to_string(options), original.to_string(options)) << name_of(options);
        }
    }

    const Figure stacked = Figure::stacked({{shared(labelled_statistic())}, {shared(labelled_statistic())}});
    const Figure stacked_copy = stacked;  // NOLINT(performance-unnecessary-copy-initialization)
    EXPECT_TRUE(stacked_copy.is_stacked());
    EXPECT_EQ(stacked_copy.panels().data(), stacked.panels().data());
    for (const ExportOptions& options : exports_of(stacked)) {
        EXPECT_EQ(stacked_copy.to_string(options), stacked.to_string(options)) << name_of(options);
    }
}

// ---------------------------------------------------------------------------
// Checked when the figure is made

TEST(FigureChecks, NoStatisticIsAnError) {
    const Error none = error_of([] { (void)Figure(Statistic{}); });
    EXPECT_EQ(none.code(), Errc::invalid_argument);
    const Error panel = error_of([] { (void)Figure::stacked({{shared(labelled_statistic())}, {Statistic{}}}); });
    EXPECT_EQ(panel.code(), Errc::invalid_argument);
    EXPECT_NE(std::string(panel.what()).find("panels[1]"), std::string::npos) << panel.what();
}

TEST(FigureChecks, TokenWidthZeroIsAnErrorEvenForTheTraceAlone) {
    // The trace of a figure of one statistic is sized for that figure: a
    // figure that cannot be drawn has no trace either.
    FigureOptions options;
    options.token_width = 0;
    const Error error = error_of([&] { (void)Figure(labelled_statistic(), {}, options).to_string(trace_only); });
    EXPECT_EQ(error.code(), Errc::invalid_argument);
    EXPECT_NE(std::string(error.what()).find("token_width"), std::string::npos) << error.what();
    EXPECT_EQ(error_of([&] { (void)Figure(labelled_statistic(), {}, options); }).code(), Errc::invalid_argument);
    EXPECT_EQ(error_of([&] { (void)Figure::stacked({{shared(labelled_statistic())}}, options); }).code(),
              Errc::invalid_argument);
}

TEST(FigureChecks, OverflowingWidthIsARangeError) {
    FigureOptions options;
    options.token_width = std::numeric_limits<std::size_t>::max();
    EXPECT_EQ(error_of([&] { (void)Figure(labelled_statistic(), {}, options); }).code(), Errc::range);

    // One position: token_width alone is fine, adding 200 overflows.
    options.token_width = std::numeric_limits<std::size_t>::max() - 199;
    EXPECT_EQ(error_of([&] { (void)Figure(statistic_of({{1.0f}}), {}, options); }).code(), Errc::range);

    // Half of the maximum times three positions.
    options.token_width = std::numeric_limits<std::size_t>::max() / 2;
    EXPECT_EQ(error_of([&] { (void)Figure(labelled_statistic(), {}, options); }).code(), Errc::range);
}

// ---------------------------------------------------------------------------
// Exports

class FigureExports : public trajplot_test::ScratchDirectory {};

TEST_F(FigureExports, EveryDestinationGetsTheSameBytes) {
    const Statistic large = shared(large_statistic());
    const Statistic other = shared(large_statistic(4, 5000, "Rank"));
    PanelOptions patched;
    patched.extra_json = R"({"opacity": 0.75})";
    const std::vector<std::pair<std::string, Figure>> figures = {
        {"small", Figure(labelled_statistic(), {.hover_value = true}, {.title = "Small"})},
        {"large", Figure(large, {.log_scale = true})},
        {"stacked", Figure::stacked({{large}, {other, patched}}, {.title = "Stacked"})},
    };
    const fs::path path = directory_ / "export";
    for (const auto& [name, figure] : figures) {
        for (const ExportOptions& options : exports_of(figure)) {
            SCOPED_TRACE(name + ", " + name_of(options));
            const std::string expected = figure.to_string(options);
            EXPECT_TRUE(same_bytes(streamed(figure, options), expected));
            SinkRecorder recorder;
            figure.write(recorder.sink(), options);
            EXPECT_TRUE(same_bytes(recorder.text, expected));
            if (name != "small") {
                EXPECT_GT(recorder.calls, 1u) << "a large export reaches the sink in chunks";
            }
            figure.save(path, options);
            EXPECT_TRUE(same_bytes(read_file(path), expected));
            EXPECT_EQ(directory_entries(directory_), (Strings{"export"}));
        }
    }
}

TEST(FigureExportsToSinks, ASinkThatThrowsStopsTheExport) {
    const Figure single(large_statistic());
    const Figure stacked =
        Figure::stacked({{single.panels()[0].statistic}, {shared(large_statistic(4, 5000, "Rank"))}});
    for (const Figure* figure : {&single, &stacked}) {
        for (const ExportOptions& options : exports_of(*figure)) {
            SCOPED_TRACE(std::string(figure->is_stacked() ? "stacked, " : "single, ") + name_of(options));
            std::size_t calls = 0;
            std::size_t calls_after_throwing = 0;
            const ExportSink gives_up = [&](std::string_view) {
                if (calls == 2) ++calls_after_throwing;
                if (++calls == 2) throw SinkFull{calls};
            };
            try {
                figure->write(gives_up, options);
                ADD_FAILURE() << "the sink's exception did not propagate";
            } catch (const SinkFull& full) {
                EXPECT_EQ(full.after_calls, 2u);
            }
            EXPECT_EQ(calls, 2u);
            EXPECT_EQ(calls_after_throwing, 0u) << "the export went on after its sink threw";
            // The figure is unharmed.
            SinkRecorder recorder;
            figure->write(recorder.sink(), options);
            EXPECT_TRUE(same_bytes(recorder.text, figure->to_string(options)));
        }
    }
}

TEST(FigureExportsToSinks, ASinksErrorPropagatesAsItIs) {
    // A small figure reaches its sink once, when the export ends.
    const Figure figure(labelled_statistic());
    const ExportSink refuses = [](std::string_view) { throw Error(Errc::range, "the sink is full"); };
    for (const ExportOptions& options : exports_of(figure)) {
        const Error error = error_of([&] { figure.write(refuses, options); });
        EXPECT_EQ(error.code(), Errc::range) << name_of(options);
        EXPECT_STREQ(error.what(), "the sink is full");
    }
}

TEST(FigureExportsToSinks, AnEmptySinkIsAnError) {
    const Figure figure(labelled_statistic());
    EXPECT_EQ(error_of([&] { figure.write(ExportSink{}); }).code(), Errc::invalid_argument);
}

TEST_F(FigureExports, TheTraceOfAStackedFigureIsAnErrorBeforeAnythingIsWritten) {
    const Statistic statistic = shared(labelled_statistic());
    for (const Figure& figure : {Figure::stacked({{statistic}, {statistic}}), Figure::stacked({{statistic}})}) {
        const Error error = error_of([&] { (void)figure.to_string(trace_only); });
        EXPECT_EQ(error.code(), Errc::invalid_argument);
        EXPECT_NE(std::string(error.what()).find("stacked"), std::string::npos) << error.what();

        std::ostringstream out;
        EXPECT_EQ(error_of([&] { figure.write(out, trace_only); }).code(), Errc::invalid_argument);
        EXPECT_EQ(out.str(), "");
        SinkRecorder recorder;
        EXPECT_EQ(error_of([&] { figure.write(recorder.sink(), trace_only); }).code(), Errc::invalid_argument);
        EXPECT_EQ(recorder.calls, 0u);

        const fs::path path = directory_ / "trace.json";
        EXPECT_EQ(error_of([&] { figure.save(path, trace_only); }).code(), Errc::invalid_argument);
        EXPECT_TRUE(directory_entries(directory_).empty());
        write_file(path, "an earlier trace");
        EXPECT_EQ(error_of([&] { figure.save(path, trace_only); }).code(), Errc::invalid_argument);
        EXPECT_EQ(read_file(path), "an earlier trace");
        EXPECT_EQ(directory_entries(directory_), (Strings{"trace.json"}));
        fs::remove(path);

        // Its other exports are fine.
        EXPECT_NO_THROW((void)figure.to_string());
    }
}

TEST(FigureExportOptions, PageOptionsMatterOnlyToPages) {
    // An export checks its own options only: JSON is written whatever the
    // page options say.
    HtmlOptions bad_page = html_with(PlotlyJs::src);
    bad_page.div_id = "1bad";
    const Figure figure(labelled_statistic());
    EXPECT_EQ(figure.to_string({Format::figure_json, bad_page}), figure.to_string());
    EXPECT_EQ(figure.to_string({Format::trace_json, bad_page}), figure.to_string(trace_only));
    EXPECT_EQ(error_of([&] { (void)figure.to_string({Format::html, bad_page}); }).code(), Errc::invalid_argument);
}

TEST(FigureExportOptions, AnUnknownFormatIsAnError) {
    const Figure figure(labelled_statistic());
    SinkRecorder recorder;
    EXPECT_EQ(error_of([&] { figure.write(recorder.sink(), {static_cast<Format>(99)}); }).code(),
              Errc::invalid_argument);
    EXPECT_EQ(recorder.calls, 0u);
}

TEST_F(FigureExports, AFailureWhileSavingLeavesNoPartialFileAndAnEarlierFileIntact) {
    const Statistic large = shared(large_statistic());
    const Figure single(large);
    const Figure stacked = Figure::stacked({{large}, {large}});
    const fs::path path = directory_ / "figure";
    for (const Figure* figure : {&single, &stacked}) {
        for (const ExportOptions& options : exports_of(*figure)) {
            SCOPED_TRACE(std::string(figure->is_stacked() ? "stacked, " : "single, ") + name_of(options));
            for (const bool earlier : {false, true}) {
                if (earlier) write_file(path, "an earlier figure");
                std::optional<Error> error;
                trajplot_test::with_file_size_limit(std::size_t{1} << 18, [&] {
                    try {
                        figure->save(path, options);
                    } catch (const Error& caught) {
                        error = caught;
                    }
                });
                ASSERT_TRUE(error.has_value()) << "a write past the file size limit did not fail";
                EXPECT_EQ(error->code(), Errc::io) << error->what();
                if (earlier) {
                    EXPECT_EQ(read_file(path), "an earlier figure");
                    EXPECT_EQ(directory_entries(directory_), (Strings{"figure"}));
                } else {
                    EXPECT_TRUE(directory_entries(directory_).empty()) << "a partial file was left";
                }
            }
            fs::remove(path);
        }
    }
}

// ---------------------------------------------------------------------------
// Saving pages

// A directory holding a fake plotly.min.js for pages to inline.
class SavedPages : public trajplot_test::ScratchDirectory {
protected:
    void SetUp() override {
        ScratchDirectory::SetUp();
        fake_plotly_ = directory_ / "plotly.min.js";
        write_file(fake_plotly_, trajplot_test::fake_plotly_js);
    }
    fs::path fake_plotly_;
};

TEST_F(SavedPages, SavedPageEqualsThePageString) {
    const Figure figure(labelled_statistic(), {}, {.title = "Saved <page>"});
    for (const bool full_html : {true, false}) {
        HtmlOptions options = html_with(PlotlyJs::inline_file, fake_plotly_.string());
        options.full_html = full_html;
        options.div_id = "saved";
        const fs::path path = directory_ / "page.html";
        figure.save(path, {Format::html, options});
        EXPECT_EQ(read_file(path), figure.to_string({Format::html, options}));
        EXPECT_EQ(directory_entries(directory_).size(), 2u) << "no temporary file is left";
    }
}

TEST_F(SavedPages, SaveReplacesAnExistingFile) {
    const fs::path path = directory_ / "page.html";
    write_file(path, "an older page that is longer than nothing");
    const Figure figure(labelled_statistic());
    figure.save(path, {Format::html});
    EXPECT_EQ(read_file(path), figure.to_string({Format::html}));
}

TEST_F(SavedPages, SaveIntoAMissingDirectoryIsAnIoErrorAndLeavesNothing) {
    const fs::path missing = directory_ / "missing";
    const Error error = error_of([&] { Figure(labelled_statistic()).save(missing / "page.html", {Format::html}); });
    EXPECT_EQ(error.code(), Errc::io) << error.what();
    EXPECT_FALSE(fs::exists(missing));
    EXPECT_EQ(directory_entries(directory_), (Strings{"plotly.min.js"}));
}

TEST_F(SavedPages, FailedSaveLeavesAnExistingFileIntact) {
    const fs::path path = directory_ / "page.html";
    const std::string earlier = "<!DOCTYPE html><p>an earlier page</p>\n";
    write_file(path, earlier);
    const fs::path closing = directory_ / "closing.js";
    write_file(closing, "x = '</script>';");

    // A page the figure cannot write.
    HtmlOptions bad_id;
    bad_id.div_id = "1bad";
    const Figure figure(labelled_statistic());
    for (const HtmlOptions& options : {bad_id, html_with(PlotlyJs::inline_file, (directory_ / "missing.js").string()),
                                       html_with(PlotlyJs::inline_file, closing.string()), html_with(PlotlyJs::src)}) {
        (void)error_of([&] { figure.save(path, {Format::html, options}); });
        EXPECT_EQ(read_file(path), earlier);
        EXPECT_EQ(directory_entries(directory_).size(), 3u) << "a failed save left a file behind";
    }
    // A figure that cannot be made.
    PanelOptions bad_scale;
    bad_scale.colorscale = "no_such_scale";
    FigureOptions zero_width;
    zero_width.token_width = 0;
    for (const auto& failing : {std::pair{bad_scale, FigureOptions{}}, std::pair{PanelOptions{}, zero_width}}) {
        EXPECT_EQ(error_of([&] {
                      Figure(labelled_statistic(), failing.first, failing.second).save(path, {Format::html});
                  }).code(),
                  Errc::invalid_argument);
        EXPECT_EQ(read_file(path), earlier);
        EXPECT_EQ(directory_entries(directory_).size(), 3u) << "a failed save left a file behind";
    }
}

// ---------------------------------------------------------------------------
// Many threads, one figure

TEST_F(FigureExports, ManyThreadsExportingOneFigureGetTheSameBytes) {
    const Statistic large = shared(large_statistic());
    const Figure single(large, {.hover_value = true}, {.title = "Shared"});
    const Figure stacked = Figure::stacked({{large}, {shared(large_statistic(4, 5000, "Rank"))}});
    struct Job {
        const Figure* figure;
        ExportOptions options;
        std::string expected;
    };
    std::vector<Job> jobs;
    for (const Figure* figure : {&single, &stacked}) {
        for (const ExportOptions& options : exports_of(*figure)) jobs.push_back({figure, options, {}});
    }
    for (Job& job : jobs) job.expected = job.figure->to_string(job.options);

    constexpr std::size_t n_threads = 8;
    constexpr std::size_t exports_per_thread = 4;
    // Each thread's exports, by destination: string, stream, sink, file.
    std::vector<std::vector<std::string>> results(n_threads);
    std::vector<std::vector<std::size_t>> which(n_threads);
    std::atomic<std::size_t> failures{0};
    std::latch start(n_threads);
    {
        std::vector<std::jthread> threads;
        for (std::size_t t = 0; t < n_threads; ++t) {
            threads.emplace_back([&, t] {
                start.arrive_and_wait();
                for (std::size_t k = 0; k < exports_per_thread; ++k) {
                    const std::size_t index = (t * exports_per_thread + k) % jobs.size();
                    const Job& job = jobs[index];
                    try {
                        std::string bytes;
                        switch ((t + k) % 4) {
                            case 0: bytes = job.figure->to_string(job.options); break;
                            case 1: bytes = streamed(*job.figure, job.options); break;
                            case 2: {
                                SinkRecorder recorder;
                                job.figure->write(recorder.sink(), job.options);
                                bytes = std::move(recorder.text);
                                break;
                            }
                            default: {
                                const fs::path path = directory_ / ("thread" + std::to_string(t));
                                job.figure->save(path, job.options);
                                bytes = read_file(path);
                            }
                        }
                        results[t].push_back(std::move(bytes));
                        which[t].push_back(index);
                    } catch (...) {
                        ++failures;
                    }
                }
            });
        }
    }
    EXPECT_EQ(failures.load(), 0u);
    for (std::size_t t = 0; t < n_threads; ++t) {
        ASSERT_EQ(results[t].size(), exports_per_thread) << "thread " << t;
        for (std::size_t k = 0; k < exports_per_thread; ++k) {
            const Job& job = jobs[which[t][k]];
            EXPECT_TRUE(same_bytes(results[t][k], job.expected))
                << "thread " << t << ", export " << k << " (" << (job.figure->is_stacked() ? "stacked, " : "single, ")
                << name_of(job.options) << ")";
        }
    }
}

}  // namespace
