// HTML pages through the C API: the page's export options, the page as a
// string and as a file, and the figure height.
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "capi_test_support.hpp"

using namespace capi_test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A stand-in for plotly.min.js: the pages are read, never run.
constexpr const char* fake_plotly_js = "window.Plotly = {newPlot: function () { return 1 < 2; }};\n";

// The page of the figure of `statistic`; `html` NULL: the default page
// options (its format is made TRAJPLOT_FORMAT_HTML in any case).
std::string page_of(const trajplot_statistic* statistic, const trajplot_panel_options* panel,
                    const trajplot_figure_options* figure, const trajplot_export_options* html) {
    return html_page(statistic, panel, figure, html);
}

trajplot_export_options html_options() { return export_options(TRAJPLOT_FORMAT_HTML); }

json parse(const std::string& text) {
    json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(parsed.is_discarded()) << "not JSON: " << text;
    return parsed;
}

// The text between `open` and the next `close` after it.
std::optional<std::string> between(const std::string& text, const std::string& open, const std::string& close) {
    const std::size_t start = text.find(open);
    if (start == std::string::npos) return std::nullopt;
    const std::size_t end = text.find(close, start + open.size());
    if (end == std::string::npos) return std::nullopt;
    return text.substr(start + open.size(), end - start - open.size());
}

// The figure the page hands to Plotly.newPlot.
json embedded_figure(const std::string& page) {
    const std::optional<std::string> text = between(page, "var figure = ", ";\n  Plotly.newPlot");
    if (!text) {
        ADD_FAILURE() << "no figure in the page:\n" << page;
        return nullptr;
    }
    return parse(*text);
}

std::size_t count_ignoring_case(const std::string& text, const std::string& needle) {
    std::string haystack = text;
    for (char& c : haystack) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::size_t count = 0;
    for (std::size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) {
        ++count;
    }
    return count;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in.good()) << "cannot read " << path;
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const fs::path& path, const std::string& content) { std::ofstream(path, std::ios::binary) << content; }

std::set<std::string> directory_entries(const fs::path& directory) {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(directory)) names.insert(entry.path().filename().string());
    return names;
}

class CapiHtml : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        directory_ =
            fs::temp_directory_path() / ("trajplot-capi-html-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(directory_);
        ASSERT_TRUE(fs::create_directories(directory_));
        fake_plotly_ = directory_ / "plotly.min.js";
        write_file(fake_plotly_, fake_plotly_js);

        labels_ = make_labels(2, 3, {"a", "<b>", "c", "d", "e", "f"});
        const char* tokens[] = {"<s>", "x", "x"};
        trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
        options.sequence_labels = tokens;
        options.sequence_label_count = 3;
        options.units = "nats";
        options.trajectory_labels = labels_.get();
        statistic_ = make_statistic("Entropy", numbered_stats(2, 3), 2, 3, &options);
        ASSERT_TRUE(labels_ && statistic_);
        figure_ = make_figure(statistic_.get());
        ASSERT_TRUE(figure_);
    }
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(directory_, ignored);
    }

    fs::path directory_;
    fs::path fake_plotly_;
    LabelsPtr labels_;
    StatisticPtr statistic_;
    FigurePtr figure_;
};

}  // namespace

// ---------------------------------------------------------------------------
// Options

TEST(CapiHtmlOptions, PageOptionsAreExportOptions) {
    // The page's options are the export options' HTML fields; their defaults
    // are plotly.py's write_html's.
    const trajplot_export_options options = TRAJPLOT_EXPORT_OPTIONS_INIT;
    EXPECT_EQ(options.plotlyjs, TRAJPLOT_PLOTLYJS_LOCAL);
    EXPECT_EQ(options.plotlyjs_location, nullptr);
    EXPECT_EQ(options.div_id, nullptr);
    EXPECT_TRUE(options.full_html);
    EXPECT_FALSE(options.responsive);
}

// ---------------------------------------------------------------------------
// Figure height

TEST(CapiFigureHeight, ReachesTheLayout) {
    const StatisticPtr statistic = make_statistic("x", numbered_stats(2, 3), 2, 3);
    ASSERT_TRUE(statistic);
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.height = 333;
    const json layout = parse(figure_json(statistic.get(), nullptr, &options))["layout"];
    EXPECT_EQ(layout["height"], 333);
    EXPECT_EQ(layout["width"], 200 + 80 * 3);
    EXPECT_EQ(embedded_figure(page_of(statistic.get(), nullptr, &options, nullptr))["layout"]["height"], 333);
    // The trace is the same with or without a height (it has no cell text).
    EXPECT_EQ(trace_json(statistic.get(), nullptr, &options), trace_json(statistic.get()));
}

TEST(CapiFigureHeight, ZeroLeavesItToPlotly) {
    const StatisticPtr statistic = make_statistic("x", numbered_stats(2, 3), 2, 3);
    ASSERT_TRUE(statistic);
    const trajplot_figure_options defaults = TRAJPLOT_FIGURE_OPTIONS_INIT;
    EXPECT_EQ(defaults.height, 0u);
    EXPECT_FALSE(parse(figure_json(statistic.get(), nullptr, &defaults))["layout"].contains("height"));
    EXPECT_FALSE(parse(figure_json(statistic.get()))["layout"].contains("height"));
    EXPECT_FALSE(embedded_figure(page_of(statistic.get(), nullptr, nullptr, nullptr))["layout"].contains("height"));
}

// ---------------------------------------------------------------------------
// The page

// The plotly.js the build put beside the library, or "" when it had none.
const fs::path built_plotly_js = TRAJPLOT_TEST_PLOTLYJS;

// Sets an environment variable for the life of the guard.
class ScopedEnvironment {
public:
    ScopedEnvironment(const char* name, const std::string& value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        ::setenv(name, value.c_str(), 1);
    }
    ~ScopedEnvironment() {
        if (old_) {
            ::setenv(name_, old_->c_str(), 1);
        } else {
            ::unsetenv(name_);
        }
    }
    ScopedEnvironment(const ScopedEnvironment&) = delete;
    ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

std::optional<std::string> local_plotly_js() {
    char* path = sentinel_string();
    std::size_t len = sentinel_size;
    if (trajplot_local_plotlyjs(&path, &len) != TRAJPLOT_OK) {
        ADD_FAILURE() << trajplot_error_last();
        return std::nullopt;
    }
    const StringPtr owned(path);
    if (path == nullptr) {
        EXPECT_EQ(len, 0u);
        return std::nullopt;
    }
    EXPECT_EQ(len, std::strlen(path));
    return std::string(path, len);
}

TEST_F(CapiHtml, DefaultsAreAWholePageInliningTheLocalPlotlyJs) {
    ::unsetenv("TRAJPLOT_PLOTLYJS");
    const std::string page = page_of(statistic_.get(), nullptr, nullptr, nullptr);
    EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u) << page.substr(0, 40);
    EXPECT_EQ(count_ignoring_case(page, "<html"), 1u);
    EXPECT_EQ(count_ignoring_case(page, "<body>"), 1u);
    EXPECT_EQ(count_ignoring_case(page, "<script"), 2u);
    if (built_plotly_js.empty()) {
        // A build without plotly.js: the page loads it from the CDN.
        const std::optional<std::string> src = between(page, "<script src=\"", "\"");
        ASSERT_TRUE(src.has_value()) << page.substr(0, 400);
        EXPECT_EQ(src->rfind("https://cdn.plot.ly/plotly-", 0), 0u) << *src;
    } else {
        EXPECT_NE(page.find("<script type=\"text/javascript\">" + read_file(built_plotly_js) + "</script>\n"),
                  std::string::npos)
            << "the page does not inline " << built_plotly_js;
        EXPECT_EQ(page.find("<script src"), std::string::npos);
    }
    EXPECT_NE(page.find("<div id=\"trajplot-figure\""), std::string::npos);
    EXPECT_NE(page.find("document.getElementById(\"trajplot-figure\")"), std::string::npos);
    EXPECT_EQ(between(page, "<title>", "</title>"), "Entropy");
    EXPECT_EQ(embedded_figure(page), parse(figure_json(statistic_.get())));

    // NULL options are the defaults; the export options need only the
    // format.
    const trajplot_panel_options panel = TRAJPLOT_PANEL_OPTIONS_INIT;
    const trajplot_figure_options figure = TRAJPLOT_FIGURE_OPTIONS_INIT;
    const trajplot_export_options html = html_options();
    EXPECT_EQ(page_of(statistic_.get(), &panel, &figure, &html), page);
    EXPECT_EQ(page_of(statistic_.get(), nullptr, nullptr, &html), page);
    EXPECT_EQ(page_of(statistic_.get(), &panel, &figure, nullptr), page);
    EXPECT_EQ(export_string(figure_.get(), &html), page);
}

TEST_F(CapiHtml, CdnLoadsPlotlyJsFromItsPinnedVersion) {
    trajplot_export_options html = html_options();
    html.plotlyjs = TRAJPLOT_PLOTLYJS_CDN;
    const std::string page = page_of(statistic_.get(), nullptr, nullptr, &html);
    EXPECT_EQ(count_ignoring_case(page, "<script"), 2u);
    const std::optional<std::string> src = between(page, "<script src=\"", "\"");
    ASSERT_TRUE(src.has_value()) << page;
    EXPECT_EQ(src->rfind("https://cdn.plot.ly/plotly-", 0), 0u) << *src;
    EXPECT_TRUE(src->ends_with(".min.js")) << *src;
}

TEST_F(CapiHtml, LocalPlotlyJsIsTheCopyBesideTheLibrary) {
    ::unsetenv("TRAJPLOT_PLOTLYJS");
    const std::optional<std::string> found = local_plotly_js();
    if (built_plotly_js.empty()) {
        EXPECT_FALSE(found.has_value()) << *found;
        return;
    }
    ASSERT_TRUE(found.has_value()) << "the build put " << built_plotly_js << " beside the library";
    EXPECT_TRUE(fs::equivalent(*found, built_plotly_js)) << *found;
}

TEST_F(CapiHtml, EnvironmentVariableNamesAnotherPlotlyJs) {
    const ScopedEnvironment named("TRAJPLOT_PLOTLYJS", fake_plotly_.string());
    EXPECT_EQ(local_plotly_js(), fake_plotly_.string());
    const std::string page = page_of(statistic_.get(), nullptr, nullptr, nullptr);
    EXPECT_NE(page.find(std::string("<script type=\"text/javascript\">") + fake_plotly_js + "</script>"),
              std::string::npos)
        << page.substr(0, 400);
    EXPECT_EQ(count_ignoring_case(page, "<script"), 2u);
    // The file is read by each export, not once when the figure is made.
    EXPECT_EQ(export_string(figure_.get(), TRAJPLOT_FORMAT_HTML), page);
    // Only the default reads it: an explicit choice stays what it says.
    trajplot_export_options html = html_options();
    html.plotlyjs = TRAJPLOT_PLOTLYJS_CDN;
    EXPECT_EQ(page_of(statistic_.get(), nullptr, nullptr, &html).find(fake_plotly_js), std::string::npos);
}

TEST_F(CapiHtml, EmptyEnvironmentVariableIsUnset) {
    std::optional<std::string> unset;
    {
        ::unsetenv("TRAJPLOT_PLOTLYJS");
        unset = local_plotly_js();
    }
    const ScopedEnvironment empty("TRAJPLOT_PLOTLYJS", "");
    EXPECT_EQ(local_plotly_js(), unset);
}

TEST_F(CapiHtml, UnreadablePlotlyJsNamedByTheEnvironmentIsAnError) {
    const fs::path missing = directory_ / "no-such-plotly.js";
    const ScopedEnvironment named("TRAJPLOT_PLOTLYJS", missing.string());
    // Named is named: the query reports it, and the page fails rather than
    // quietly falling back to another copy.
    EXPECT_EQ(local_plotly_js(), missing.string());
    const trajplot_export_options html = html_options();
    char* page = nullptr;
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_export(&page, nullptr, figure_.get(), &html), TRAJPLOT_EIO,
                          "trajplot_figure_export", "no-such-plotly.js", "TRAJPLOT_PLOTLYJS");
    EXPECT_EQ(page, nullptr);
    const fs::path path = directory_ / "page.html";
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_save(figure_.get(), &html, path.c_str()), TRAJPLOT_EIO,
                          "trajplot_figure_save", "TRAJPLOT_PLOTLYJS");
    EXPECT_FALSE(fs::exists(path));
    StreamCapture capture;
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_stream(figure_.get(), &html, capture_piece, &capture), TRAJPLOT_EIO,
                          "trajplot_figure_stream", "no-such-plotly.js");
    EXPECT_EQ(capture.calls, 0u);
}

TEST(CapiLocalPlotlyJs, NullOutIsAnError) {
    EXPECT_TRAJPLOT_FAILS(trajplot_local_plotlyjs(nullptr, nullptr), TRAJPLOT_EINVAL, "trajplot_local_plotlyjs", "out");
}

TEST_F(CapiHtml, LengthIsReportedAndOptional) {
    const trajplot_export_options html = html_options();
    char* page = nullptr;
    std::size_t len = sentinel_size;
    ASSERT_TRAJPLOT_OK(trajplot_figure_export(&page, &len, figure_.get(), &html));
    StringPtr owned(page);
    EXPECT_EQ(len, std::strlen(page));
    ASSERT_TRAJPLOT_OK(trajplot_figure_export(&page, nullptr, figure_.get(), &html));
    owned.reset(page);
    EXPECT_EQ(std::string(page), page_of(statistic_.get(), nullptr, nullptr, nullptr));
}

TEST_F(CapiHtml, EveryOptionReachesThePage) {
    trajplot_figure_options figure = TRAJPLOT_FIGURE_OPTIONS_INIT;
    figure.title = "Entropy by layer";
    figure.height = 512;
    trajplot_export_options html = html_options();
    html.plotlyjs = TRAJPLOT_PLOTLYJS_NONE;
    html.div_id = "fig-1_a";
    html.full_html = false;
    html.responsive = true;
    const std::string page = page_of(statistic_.get(), nullptr, &figure, &html);

    EXPECT_EQ(page.rfind("<div>", 0), 0u) << "a fragment is one <div>: " << page.substr(0, 40);
    for (const char* tag : {"<!doctype", "<html", "<head", "<body", "<title"}) {
        EXPECT_EQ(count_ignoring_case(page, tag), 0u) << tag;
    }
    EXPECT_EQ(count_ignoring_case(page, "<script"), 1u) << "no plotly.js script: " << page;
    EXPECT_EQ(page.find("cdn.plot.ly"), std::string::npos);
    EXPECT_NE(page.find("<div id=\"fig-1_a\""), std::string::npos);
    EXPECT_NE(page.find("document.getElementById(\"fig-1_a\")"), std::string::npos);
    EXPECT_NE(page.find("{\"responsive\": true}"), std::string::npos) << page;

    json expected = parse(figure_json(statistic_.get(), nullptr, &figure));
    expected["layout"].erase("width");
    expected["layout"]["autosize"] = true;
    const json embedded = embedded_figure(page);
    EXPECT_EQ(embedded, expected);
    EXPECT_EQ(embedded["layout"]["height"], 512);
    EXPECT_EQ(embedded["layout"]["title"]["text"], "Entropy by layer");
}

TEST_F(CapiHtml, SrcPointsAtTheGivenLocation) {
    trajplot_export_options html = html_options();
    html.plotlyjs = TRAJPLOT_PLOTLYJS_SRC;
    html.plotlyjs_location = "js/plotly.min.js?v=1&x=\"2\"";
    const std::string page = page_of(statistic_.get(), nullptr, nullptr, &html);
    EXPECT_EQ(count_ignoring_case(page, "<script"), 2u);
    EXPECT_EQ(between(page, "<script src=\"", "\""), "js/plotly.min.js?v=1&amp;x=&quot;2&quot;") << page;
    EXPECT_EQ(page.find("cdn.plot.ly"), std::string::npos);
}

TEST_F(CapiHtml, InlineHoldsTheFile) {
    trajplot_export_options html = html_options();
    html.plotlyjs = TRAJPLOT_PLOTLYJS_INLINE;
    const std::string location = fake_plotly_.string();
    html.plotlyjs_location = location.c_str();
    const std::string page = page_of(statistic_.get(), nullptr, nullptr, &html);
    EXPECT_EQ(count_ignoring_case(page, "<script"), 2u);
    EXPECT_EQ(count_ignoring_case(page, "<script src"), 0u);
    EXPECT_NE(page.find(fake_plotly_js), std::string::npos) << page;
    EXPECT_EQ(page.find("cdn.plot.ly"), std::string::npos);
}

TEST_F(CapiHtml, CallerTextCannotEndTheScript) {
    trajplot_figure_options figure = TRAJPLOT_FIGURE_OPTIONS_INIT;
    figure.title = "</script><script>alert(1)</script><!--";
    trajplot_panel_options panel = TRAJPLOT_PANEL_OPTIONS_INIT;
    panel.extra_json = R"({"name": "</SCRIPT ><!--", "</script>": "<![CDATA["})";
    trajplot_export_options html = html_options();
    html.plotlyjs = TRAJPLOT_PLOTLYJS_NONE;
    const std::string page = page_of(statistic_.get(), &panel, &figure, &html);
    EXPECT_EQ(count_ignoring_case(page, "<script"), 1u) << page;
    EXPECT_EQ(count_ignoring_case(page, "</script"), 1u) << page;
    EXPECT_EQ(page.find("<!--"), std::string::npos) << page;
    const json embedded = embedded_figure(page);
    EXPECT_EQ(embedded, parse(figure_json(statistic_.get(), &panel, &figure)));
    EXPECT_EQ(embedded["data"][0]["name"], "</SCRIPT ><!--");
    EXPECT_EQ(between(page, "<title>", "</title>"), "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!--");
}

// ---------------------------------------------------------------------------
// Files

TEST_F(CapiHtml, SavedFileEqualsThePage) {
    trajplot_figure_options options = TRAJPLOT_FIGURE_OPTIONS_INIT;
    options.title = "written";
    const FigurePtr figure = make_figure(statistic_.get(), nullptr, &options);
    ASSERT_TRUE(figure);
    trajplot_export_options html = html_options();
    html.plotlyjs = TRAJPLOT_PLOTLYJS_INLINE;
    const std::string location = fake_plotly_.string();
    html.plotlyjs_location = location.c_str();
    const fs::path path = directory_ / "page.html";
    ASSERT_TRAJPLOT_OK(trajplot_figure_save(figure.get(), &html, path.c_str()));
    EXPECT_EQ(read_file(path), page_of(statistic_.get(), nullptr, &options, &html));
    EXPECT_EQ(directory_entries(directory_), (std::set<std::string>{"page.html", "plotly.min.js"}))
        << "no temporary file is left";

    // Default page options; an earlier file is replaced.
    const trajplot_export_options defaults = html_options();
    ASSERT_TRAJPLOT_OK(trajplot_figure_save(figure_.get(), &defaults, path.c_str()));
    EXPECT_EQ(read_file(path), page_of(statistic_.get(), nullptr, nullptr, nullptr));
}

TEST_F(CapiHtml, MissingDirectoryIsAnIoErrorAndLeavesNothing) {
    const fs::path missing = directory_ / "missing";
    const fs::path path = missing / "page.html";
    const trajplot_export_options html = html_options();
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_save(figure_.get(), &html, path.c_str()), TRAJPLOT_EIO,
                          "trajplot_figure_save", "page.html");
    EXPECT_FALSE(fs::exists(missing));
    EXPECT_EQ(directory_entries(directory_), std::set<std::string>{"plotly.min.js"});
}

TEST_F(CapiHtml, FailedSaveLeavesTheEarlierFileIntact) {
    const fs::path path = directory_ / "page.html";
    const std::string earlier = "<p>an earlier page</p>\n";
    write_file(path, earlier);
    const std::string missing = (directory_ / "missing.js").string();

    trajplot_export_options bad_id = html_options();
    bad_id.div_id = "1bad";
    trajplot_export_options bad_source = html_options();
    bad_source.plotlyjs = 5;
    trajplot_export_options missing_file = html_options();
    missing_file.plotlyjs = TRAJPLOT_PLOTLYJS_INLINE;
    missing_file.plotlyjs_location = missing.c_str();

    EXPECT_TRAJPLOT_FAILS(trajplot_figure_save(figure_.get(), &bad_id, path.c_str()), TRAJPLOT_EINVAL,
                          "trajplot_figure_save", "div_id", "1bad");
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_save(figure_.get(), &bad_source, path.c_str()), TRAJPLOT_EINVAL,
                          "trajplot_figure_save", "options->plotlyjs");
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_save(figure_.get(), &missing_file, path.c_str()), TRAJPLOT_EIO,
                          "trajplot_figure_save", "missing.js");
    EXPECT_EQ(read_file(path), earlier);
    EXPECT_EQ(directory_entries(directory_), (std::set<std::string>{"page.html", "plotly.min.js"}));
}

TEST_F(CapiHtml, InlineFileProblems) {
    char* page = sentinel_string();
    std::size_t len = sentinel_size;
    trajplot_export_options html = html_options();
    html.plotlyjs = TRAJPLOT_PLOTLYJS_INLINE;

    const std::string missing = (directory_ / "missing.js").string();
    html.plotlyjs_location = missing.c_str();
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_export(&page, &len, figure_.get(), &html), TRAJPLOT_EIO,
                          "trajplot_figure_export", "missing.js");

    const fs::path closing = directory_ / "closing.js";
    write_file(closing, "var s = '</ScRiPt>';");
    const std::string closing_location = closing.string();
    html.plotlyjs_location = closing_location.c_str();
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_export(&page, &len, figure_.get(), &html), TRAJPLOT_EINVAL,
                          "trajplot_figure_export", "closing.js", "</script");

    const fs::path opening = directory_ / "opening.js";
    write_file(opening, "var s = '<!--<script>';");
    const std::string opening_location = opening.string();
    html.plotlyjs_location = opening_location.c_str();
    EXPECT_TRAJPLOT_FAILS(trajplot_figure_export(&page, &len, figure_.get(), &html), TRAJPLOT_EINVAL,
                          "trajplot_figure_export", "opening.js", "<script");

    for (const int plotlyjs : {TRAJPLOT_PLOTLYJS_INLINE, TRAJPLOT_PLOTLYJS_SRC}) {
        html.plotlyjs = plotlyjs;
        html.plotlyjs_location = nullptr;
        EXPECT_TRAJPLOT_FAILS(trajplot_figure_export(&page, &len, figure_.get(), &html), TRAJPLOT_EINVAL,
                              "trajplot_figure_export");
        html.plotlyjs_location = "";
        EXPECT_TRAJPLOT_FAILS(trajplot_figure_export(&page, &len, figure_.get(), &html), TRAJPLOT_EINVAL,
                              "trajplot_figure_export");
    }
    EXPECT_EQ(page, sentinel_string());
    EXPECT_EQ(len, sentinel_size);
}

TEST_F(CapiHtml, StackedFigurePage) {
    const StatisticPtr rank = make_statistic("Rank", numbered_stats(3, 3), 3, 3);
    ASSERT_TRUE(rank);
    const FigurePtr stacked = make_stacked({statistic_.get(), rank.get()});
    ASSERT_TRUE(stacked);
    trajplot_export_options html = html_options();
    html.plotlyjs = TRAJPLOT_PLOTLYJS_NONE;
    const std::string page = export_string(stacked.get(), &html);
    EXPECT_EQ(between(page, "<title>", "</title>"), "Entropy, Rank");
    EXPECT_EQ(embedded_figure(page), parse(export_string(stacked.get())));
    EXPECT_EQ(count_ignoring_case(page, "<script"), 1u);
}
