#include "trajplot/html.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "trajplot/error.hpp"
#include "trajplot/figure.hpp"
#include "trajplot/model.hpp"
#include "trajplot/text_array.hpp"

#include "core_test_support.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;
using trajplot::Errc;
using trajplot::Error;
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
using trajplot_test::counting_statistic;
using trajplot_test::directory_entries;
using trajplot_test::error_of;
using trajplot_test::fake_plotly_js;
using trajplot_test::fields_with;
using trajplot_test::labelled_statistic;
using trajplot_test::read_file;
using trajplot_test::SinkRecorder;
using trajplot_test::Strings;
using trajplot_test::text1;
using trajplot_test::write_file;

// The figure's HTML page.
std::string html_of(const Figure& figure, const HtmlOptions& options = {}) {
    return figure.to_string({Format::html, options});
}

std::string lowercase(std::string_view text) {
    std::string lower(text);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower;
}

// Occurrences of `needle` in `text`, ignoring ASCII case as HTML parsers do
// for tag names.
std::size_t count_ignoring_case(std::string_view text, std::string_view needle) {
    const std::string haystack = lowercase(text);
    const std::string lower_needle = lowercase(needle);
    std::size_t count = 0;
    for (std::size_t at = haystack.find(lower_needle); at != std::string::npos;
         at = haystack.find(lower_needle, at + 1)) {
        ++count;
    }
    return count;
}

std::size_t count_of(std::string_view text, std::string_view needle) {
    std::size_t count = 0;
    for (std::size_t at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + 1)) ++count;
    return count;
}

// Decodes the character references an HTML escaper may use for & < > " '.
std::string html_unescaped(std::string_view text) {
    static const std::vector<std::pair<std::string_view, char>> references = {
        {"&amp;", '&'},  {"&lt;", '<'},    {"&gt;", '>'},    {"&quot;", '"'},  {"&#34;", '"'},
        {"&#39;", '\''}, {"&#x27;", '\''}, {"&#X27;", '\''}, {"&apos;", '\''},
    };
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] != '&') {
            out += text[i++];
            continue;
        }
        bool decoded = false;
        for (const auto& [reference, character] : references) {
            if (text.substr(i, reference.size()) == reference) {
                out += character;
                i += reference.size();
                decoded = true;
                break;
            }
        }
        if (!decoded) {
            ADD_FAILURE() << "unexpected '&' in " << text;
            out += text[i++];
        }
    }
    return out;
}

// The text between `open` and the next `close` after it.
std::optional<std::string> between(const std::string& text, const std::string& open, const std::string& close) {
    const std::size_t start = text.find(open);
    if (start == std::string::npos) return std::nullopt;
    const std::size_t end = text.find(close, start + open.size());
    if (end == std::string::npos) return std::nullopt;
    return text.substr(start + open.size(), end - start - open.size());
}

// The figure JSON that the page's script hands to Plotly.newPlot, as written.
std::string embedded_figure_text(const std::string& page) {
    const std::optional<std::string> text = between(page, "var figure = ", ";\n  Plotly.newPlot");
    if (!text) {
        ADD_FAILURE() << "no figure in the page:\n" << page;
        return "null";
    }
    return *text;
}

json embedded_figure(const std::string& page) {
    json parsed = json::parse(embedded_figure_text(page), nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(parsed.is_discarded()) << "the page's figure is not JSON: " << embedded_figure_text(page);
    return parsed;
}

// The config object passed to Plotly.newPlot after the layout.
json plotly_config(const std::string& page) {
    const std::optional<std::string> text = between(page, "figure.layout, ", ");");
    if (!text) {
        ADD_FAILURE() << "no Plotly.newPlot config in the page:\n" << page;
        return nullptr;
    }
    json parsed = json::parse(*text, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(parsed.is_discarded()) << "the config is not JSON: " << *text;
    return parsed;
}

// A <script> element as an HTML parser splits it: the start tag and the
// raw text up to the first "</script", in any case.
struct ScriptElement {
    std::string start_tag;
    std::string content;
};

std::vector<ScriptElement> script_elements(const std::string& page) {
    const std::string lower = lowercase(page);
    std::vector<ScriptElement> elements;
    for (std::size_t open = lower.find("<script"); open != std::string::npos; open = lower.find("<script", open + 1)) {
        const std::size_t tag_end = page.find('>', open);
        if (tag_end == std::string::npos) {
            ADD_FAILURE() << "unterminated <script tag";
            break;
        }
        const std::size_t close = lower.find("</script", tag_end);
        if (close == std::string::npos) {
            ADD_FAILURE() << "unclosed <script> element";
            break;
        }
        elements.push_back({page.substr(open, tag_end + 1 - open), page.substr(tag_end + 1, close - tag_end - 1)});
        open = close;
    }
    return elements;
}

// The value of attribute `name` in a start tag, as written (still escaped).
std::optional<std::string> attribute(const std::string& start_tag, const std::string& name) {
    return between(start_tag, " " + name + "=\"", "\"");
}

// The start tag of the figure's <div>.
std::string figure_div_tag(const std::string& page, const std::string& div_id) {
    const std::size_t start = page.find("<div id=\"" + div_id + "\"");
    if (start == std::string::npos) {
        ADD_FAILURE() << "no <div id=\"" << div_id << "\"> in the page:\n" << page;
        return {};
    }
    return page.substr(start, page.find('>', start) + 1 - start);
}

std::string_view trimmed(std::string_view text) {
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t\r\n") + 1 - first);
}

// Whether `html`, surrounding whitespace aside, is a single <div> element:
// the first <div> opened is the last one closed.
bool is_one_div_element(std::string_view html) {
    html = trimmed(html);
    if (!html.starts_with("<div") || !html.ends_with("</div>")) return false;
    int depth = 0;
    for (std::size_t i = 0; i < html.size(); ++i) {
        if (html.substr(i, 4) == "<div") {
            ++depth;
        } else if (html.substr(i, 6) == "</div>") {
            if (--depth == 0) return i + 6 == html.size();
        }
    }
    return false;
}

HtmlOptions html_with(PlotlyJs plotlyjs, std::string location = {}) {
    HtmlOptions options;
    options.plotlyjs = plotlyjs;
    options.location = std::move(location);
    return options;
}

// Gives each test a fresh directory for files it reads and writes, holding
// a fake plotly.min.js.
class HtmlFiles : public trajplot_test::ScratchDirectory {
protected:
    void SetUp() override {
        ScratchDirectory::SetUp();
        fake_plotly_ = directory_ / "plotly.min.js";
        write_file(fake_plotly_, fake_plotly_js);
    }
    fs::path fake_plotly_;
};

// ---------------------------------------------------------------------------
// Document and fragment

// The document's structure, with plotly.js from the CDN: the text of an
// inlined plotly.js holds tags in strings.
TEST(HtmlPage, FullDocument) {
    const std::string page = html_of(Figure(labelled_statistic()), html_with(PlotlyJs::cdn));
    EXPECT_TRUE(page.starts_with("<!DOCTYPE html>")) << page.substr(0, 40);
    for (const char* tag : {"<html", "</html>", "<head>", "</head>", "<body>", "</body>", "<title>", "</title>"}) {
        EXPECT_EQ(count_ignoring_case(page, tag), 1u) << tag;
    }
    EXPECT_EQ(count_ignoring_case(page, "<meta charset=\"utf-8\">"), 1u);
    EXPECT_LT(page.find("<head>"), page.find("</head>"));
    EXPECT_LT(page.find("</head>"), page.find("<body>"));
    EXPECT_LT(page.find("<body>"), page.find("</body>"));
    EXPECT_LT(page.find("</body>"), page.find("</html>"));
    // The figure is drawn inside the body.
    EXPECT_LT(page.find("<body>"), page.find("<div id=\"trajplot-figure\""));
    EXPECT_LT(page.find("Plotly.newPlot"), page.find("</body>"));
}

TEST(HtmlPage, FragmentIsOneDivWithoutDocumentTags) {
    HtmlOptions options = html_with(PlotlyJs::cdn);
    options.full_html = false;
    const std::string fragment = html_of(Figure(labelled_statistic()), options);
    for (const char* tag : {"<!doctype", "<html", "</html", "<head", "</head", "<body", "</body", "<title", "<meta"}) {
        EXPECT_EQ(count_ignoring_case(fragment, tag), 0u) << tag << " in\n" << fragment;
    }
    EXPECT_TRUE(is_one_div_element(fragment)) << fragment;
    EXPECT_EQ(count_of(fragment, "<div id=\"trajplot-figure\""), 1u);
    EXPECT_EQ(json(embedded_figure(fragment)), json::parse(Figure(labelled_statistic()).to_string()));
}

TEST(HtmlPage, DocumentBodyIsTheFragment) {
    FigureOptions figure;
    figure.title = "Same figure";
    HtmlOptions fragment_options;
    fragment_options.full_html = false;
    const std::string fragment = html_of(Figure(labelled_statistic(), {}, figure), fragment_options);
    const std::string page = html_of(Figure(labelled_statistic(), {}, figure));
    const std::optional<std::string> body = between(page, "<body>", "</body>");
    ASSERT_TRUE(body.has_value()) << page;
    EXPECT_EQ(trimmed(*body), trimmed(fragment)) << "the body holds the fragment, and only it";
}

// ---------------------------------------------------------------------------
// Where plotly.js comes from

TEST(HtmlPlotlyJs, CdnIsTheTestedBuild) {
    const std::string page = html_of(Figure(labelled_statistic()), html_with(PlotlyJs::cdn));
    const std::vector<ScriptElement> scripts = script_elements(page);
    ASSERT_EQ(scripts.size(), 2u) << page;
    EXPECT_EQ(attribute(scripts[0].start_tag, "src"), std::string(trajplot::plotlyjs_cdn_url));
    EXPECT_EQ(scripts[0].content, "");
    EXPECT_FALSE(attribute(scripts[1].start_tag, "src").has_value()) << "the figure's script is inline";
    EXPECT_NE(scripts[1].content.find("Plotly.newPlot"), std::string::npos);
    // The library loads before the script that uses it.
    EXPECT_LT(page.find(std::string(trajplot::plotlyjs_cdn_url)), page.find("Plotly.newPlot"));
}

TEST(HtmlPlotlyJs, CdnUrlIsThePlotlyJsTheBuildInstalls) {
    // The CDN serves the version cmake/plotlyjs pins, which the build
    // installs and the browser tests run.
    std::ifstream lock(TRAJPLOT_PLOTLYJS_LOCK);
    ASSERT_TRUE(lock.good()) << TRAJPLOT_PLOTLYJS_LOCK;
    const nlohmann::json pinned = nlohmann::json::parse(lock);
    const std::string version = pinned.at("packages").at("node_modules/plotly.js-dist-min").at("version");
    EXPECT_EQ(std::string(trajplot::plotlyjs_cdn_url), "https://cdn.plot.ly/plotly-" + version + ".min.js");
}

TEST(HtmlPlotlyJs, LocalIsTheDefault) { EXPECT_EQ(trajplot::HtmlOptions{}.plotlyjs, PlotlyJs::local); }

// Sets TRAJPLOT_PLOTLYJS for the life of the guard.
class NamedPlotlyJs {
public:
    explicit NamedPlotlyJs(const std::string& value) {
        if (const char* old = std::getenv("TRAJPLOT_PLOTLYJS")) old_ = old;
        ::setenv("TRAJPLOT_PLOTLYJS", value.c_str(), 1);
    }
    ~NamedPlotlyJs() {
        if (old_) {
            ::setenv("TRAJPLOT_PLOTLYJS", old_->c_str(), 1);
        } else {
            ::unsetenv("TRAJPLOT_PLOTLYJS");
        }
    }
    NamedPlotlyJs(const NamedPlotlyJs&) = delete;
    NamedPlotlyJs& operator=(const NamedPlotlyJs&) = delete;

private:
    std::optional<std::string> old_;
};

TEST_F(HtmlFiles, LocalInlinesTheFileTheEnvironmentNames) {
    const fs::path script = directory_ / "named-plotly.js";
    write_file(script, "window.Plotly = {named: true};");
    const NamedPlotlyJs named(script.string());
    EXPECT_EQ(trajplot::local_plotlyjs(), script);
    const std::string page = html_of(Figure(labelled_statistic()));
    const std::vector<ScriptElement> scripts = script_elements(page);
    ASSERT_EQ(scripts.size(), 2u) << page;
    EXPECT_EQ(scripts[0].content, "window.Plotly = {named: true};");
    EXPECT_FALSE(attribute(scripts[0].start_tag, "src").has_value());
    // Only the default reads it.
    EXPECT_EQ(html_of(Figure(labelled_statistic()), html_with(PlotlyJs::cdn)).find("named: true"), std::string::npos);
}

TEST_F(HtmlFiles, LocalNamedFileThatCannotBeReadIsAnIoError) {
    const fs::path missing = directory_ / "missing-plotly.js";
    const NamedPlotlyJs named(missing.string());
    const fs::path page = directory_ / "page.html";
    const trajplot::Error error = error_of([&] { Figure(labelled_statistic()).save(page, {Format::html}); });
    EXPECT_EQ(error.code(), trajplot::Errc::io);
    EXPECT_NE(std::string(error.what()).find("missing-plotly.js (named by TRAJPLOT_PLOTLYJS)"), std::string::npos)
        << error.what();
    EXPECT_FALSE(fs::exists(page));
}

TEST(HtmlPlotlyJs, SrcIsTheGivenUrlEscapedInTheAttribute) {
    for (const std::string& location :
         {std::string("js/plotly.min.js"), std::string("https://example.test/p.js?a=1&b=\"2\"<3>'4'")}) {
        const std::string page = html_of(Figure(labelled_statistic()), html_with(PlotlyJs::src, location));
        const std::vector<ScriptElement> scripts = script_elements(page);
        ASSERT_EQ(scripts.size(), 2u) << page;
        const std::optional<std::string> src = attribute(scripts[0].start_tag, "src");
        ASSERT_TRUE(src.has_value()) << scripts[0].start_tag;
        EXPECT_EQ(src->find_first_of("\"<>'"), std::string::npos) << *src;
        EXPECT_EQ(html_unescaped(*src), location);
        EXPECT_EQ(scripts[0].content, "");
        EXPECT_EQ(page.find("cdn.plot.ly"), std::string::npos);
    }
}

TEST(HtmlPlotlyJs, SrcWithoutLocationIsAnError) {
    EXPECT_EQ(error_of([&] { (void)html_of(Figure(labelled_statistic()), html_with(PlotlyJs::src)); }).code(),
              Errc::invalid_argument);
}

TEST(HtmlPlotlyJs, NoneLoadsNoPlotlyJs) {
    const std::string page = html_of(Figure(labelled_statistic()), html_with(PlotlyJs::none));
    const std::vector<ScriptElement> scripts = script_elements(page);
    ASSERT_EQ(scripts.size(), 1u) << page;
    EXPECT_FALSE(attribute(scripts[0].start_tag, "src").has_value());
    EXPECT_NE(scripts[0].content.find("Plotly.newPlot"), std::string::npos);
    EXPECT_EQ(page.find("cdn.plot.ly"), std::string::npos);
}

TEST_F(HtmlFiles, InlineHoldsTheFileVerbatimInOneScript) {
    const std::string page =
        html_of(Figure(labelled_statistic()), html_with(PlotlyJs::inline_file, fake_plotly_.string()));
    const std::vector<ScriptElement> scripts = script_elements(page);
    ASSERT_EQ(scripts.size(), 2u) << page;
    std::size_t holding = 0;
    for (const ScriptElement& script : scripts) {
        EXPECT_FALSE(attribute(script.start_tag, "src").has_value()) << script.start_tag;
        holding += script.content.find(fake_plotly_js) != std::string::npos;
    }
    EXPECT_EQ(holding, 1u) << page;
    EXPECT_EQ(count_of(page, fake_plotly_js), 1u);
    EXPECT_EQ(page.find("cdn.plot.ly"), std::string::npos);
    // plotly.js is defined before the figure's script runs.
    EXPECT_LT(page.find(fake_plotly_js), page.find("Plotly.newPlot"));
}

TEST_F(HtmlFiles, InlinedFileIsReadAgainWhenItChanges) {
    const fs::path path = directory_ / "changing.js";
    write_file(path, "first();");
    const Figure figure(labelled_statistic());
    const HtmlOptions options = html_with(PlotlyJs::inline_file, path.string());
    EXPECT_NE(html_of(figure, options).find("first();"), std::string::npos);
    write_file(path, "second(); // longer");
    const std::string page = html_of(figure, options);
    EXPECT_NE(page.find("second();"), std::string::npos);
    EXPECT_EQ(page.find("first();"), std::string::npos);
    // Same size, later modification time.
    write_file(path, "third(); // longer");
    fs::last_write_time(path, fs::last_write_time(path) + std::chrono::seconds(2));
    EXPECT_NE(html_of(figure, options).find("third();"), std::string::npos);
}

TEST_F(HtmlFiles, InlineMissingFileIsAnIoErrorAndWritesNothing) {
    const HtmlOptions options = html_with(PlotlyJs::inline_file, (directory_ / "missing.js").string());
    const Figure figure(labelled_statistic());
    const Error error = error_of([&] { (void)html_of(figure, options); });
    EXPECT_EQ(error.code(), Errc::io) << error.what();
    EXPECT_NE(std::string(error.what()).find("missing.js"), std::string::npos) << error.what();

    std::ostringstream out;
    EXPECT_EQ(error_of([&] { figure.write(out, {Format::html, options}); }).code(), Errc::io);
    EXPECT_EQ(out.str(), "");
    SinkRecorder received;
    EXPECT_EQ(error_of([&] { figure.write(received.sink(), {Format::html, options}); }).code(), Errc::io);
    EXPECT_EQ(received.calls, 0u);

    const fs::path page = directory_ / "page.html";
    EXPECT_EQ(error_of([&] { figure.save(page, {Format::html, options}); }).code(), Errc::io);
    EXPECT_FALSE(fs::exists(page));
    EXPECT_EQ(directory_entries(directory_), (Strings{"plotly.min.js"}));
}

TEST_F(HtmlFiles, InlineDirectoryIsAnIoError) {
    const HtmlOptions options = html_with(PlotlyJs::inline_file, directory_.string());
    const Error error = error_of([&] { (void)html_of(Figure(labelled_statistic()), options); });
    EXPECT_EQ(error.code(), Errc::io) << error.what();
    EXPECT_NE(std::string(error.what()).find(directory_.string()), std::string::npos) << error.what();
}

TEST_F(HtmlFiles, InlineFileThatWouldEndItsScriptIsRefused) {
    // "<script" after "<!--" would keep the page's own "</script>" from
    // ending the element, so an opening tag is refused as well.
    for (const std::string& code :
         {std::string("var s = '</script>';"), std::string("x = 1;</SCRIPT >"), std::string("/* </Script\n> */"),
          std::string("ok();</script"), std::string("s = '<!--<script>';"), std::string("t = '<SCRIPT';")}) {
        const fs::path path = directory_ / "closing.js";
        write_file(path, code);
        const HtmlOptions options = html_with(PlotlyJs::inline_file, path.string());
        const Figure figure(labelled_statistic());
        EXPECT_EQ(error_of([&] { (void)html_of(figure, options); }).code(), Errc::invalid_argument) << code;
        std::ostringstream out;
        EXPECT_EQ(error_of([&] { figure.write(out, {Format::html, options}); }).code(), Errc::invalid_argument) << code;
        EXPECT_EQ(out.str(), "");
        SinkRecorder received;
        EXPECT_EQ(error_of([&] {
                      figure.write(received.sink(), {Format::html, options});
                  }).code(),
                  Errc::invalid_argument)
            << code;
        EXPECT_EQ(received.calls, 0u);
    }
}

TEST(HtmlPlotlyJs, InlineWithoutLocationIsAnError) {
    EXPECT_EQ(error_of([&] { (void)html_of(Figure(labelled_statistic()), html_with(PlotlyJs::inline_file)); }).code(),
              Errc::invalid_argument);
}

// ---------------------------------------------------------------------------
// The figure in the page

TEST(HtmlFigure, EmbeddedJsonIsTheFigure) {
    FigureOptions options;
    options.title = "Entropy <b>by</b> layer & more";
    options.token_width = 33;
    PanelOptions panel;
    panel.colorscale = "viridis";
    panel.extra_json = R"({"name": "<i>kept</i> & 'x' > y", "textfont": {"size": 10}})";
    const Figure figure(labelled_statistic(), panel, options);
    for (const bool full_html : {true, false}) {
        HtmlOptions html = html_with(PlotlyJs::none);
        html.full_html = full_html;
        const std::string page = html_of(figure, html);
        EXPECT_EQ(embedded_figure(page), json::parse(figure.to_string()));
        // Every <, > and & of the figure's strings is a JSON escape.
        const std::string raw = embedded_figure_text(page);
        EXPECT_EQ(raw.find_first_of("<>&"), std::string::npos) << raw;
        EXPECT_TRUE(std::regex_search(raw, std::regex(R"(\\u003c/?i\\u003e)", std::regex::icase))) << raw;
    }
}

TEST(HtmlFigure, StreamedPageEqualsThePageString) {
    const Figure figure(labelled_statistic(), {}, {.title = "streamed"});
    for (const bool full_html : {true, false}) {
        HtmlOptions options;
        options.full_html = full_html;
        options.responsive = !full_html;
        std::ostringstream out;
        figure.write(out, {Format::html, options});
        EXPECT_EQ(out.str(), html_of(figure, options));
        SinkRecorder received;
        figure.write(received.sink(), {Format::html, options});
        EXPECT_EQ(received.text, out.str());
    }
}

TEST(HtmlFigure, LargeFigureIsStreamedWhole) {
    // Larger than any write buffer.
    const Figure figure(counting_statistic(64, 2048));
    std::ostringstream out;
    figure.write(out, {Format::html});
    const std::string page = html_of(figure);
    EXPECT_GT(page.size(), std::size_t{1} << 20);
    EXPECT_EQ(out.str(), page);
    EXPECT_EQ(embedded_figure(page), json::parse(figure.to_string()));
}

TEST(HtmlFigure, TitleElementShowsTheTitleEscaped) {
    FigureOptions figure;
    figure.title = "Entropy <b>&</b> \"KL\" 'x' </title>";
    const std::string page = html_of(Figure(labelled_statistic(), {}, figure));
    const std::optional<std::string> title = between(page, "<title>", "</title>");
    ASSERT_TRUE(title.has_value()) << page;
    EXPECT_EQ(title->find_first_of("<>"), std::string::npos) << *title;
    EXPECT_EQ(html_unescaped(*title), figure.title);
}

TEST(HtmlFigure, TitleElementFallsBackToTheName) {
    TrajectoryStatistic::Fields fields = fields_with({{1.0f, 2.0f}}, "KL <i>&</i>");
    fields.units = "nats";
    const std::string page = html_of(Figure(TrajectoryStatistic(std::move(fields))));
    const std::optional<std::string> title = between(page, "<title>", "</title>");
    ASSERT_TRUE(title.has_value()) << page;
    EXPECT_EQ(html_unescaped(*title), "KL <i>&</i>");
}

// ---------------------------------------------------------------------------
// Nothing a caller passes can leave the script element or open markup

const Strings hostile_texts = {
    "</script><script>alert(1)</script>",
    "<!--",
    "</SCRIPT >",
    "<![CDATA[",
    "\xE2\x80\xA8",  // U+2028, a line terminator in older JavaScript
    "\xE2\x80\xA9",  // U+2029
    "<script>",
    "--></sCrIpT\t>",
};

std::string hostile_joined() {
    std::string joined;
    for (const std::string& text : hostile_texts) joined += text;
    return joined;
}

// Every caller-controlled text of a statistic holds the hostile texts.
TrajectoryStatistic hostile_statistic() {
    const std::size_t n = hostile_texts.size();
    TrajectoryStatistic::Fields fields = fields_with(xt::xtensor<float, 2>::from_shape({2, n}), hostile_joined());
    for (std::size_t i = 0; i < fields.stats.size(); ++i) fields.stats.data()[i] = static_cast<float>(i);
    fields.units = hostile_joined();
    fields.sequence_labels = text1(hostile_texts);
    fields.layer_labels = text1({hostile_texts[0], hostile_texts[2]});
    Strings cell_labels;
    Strings hover_entries;
    for (std::size_t cell = 0; cell < 2 * n; ++cell) {
        cell_labels.push_back(hostile_texts[cell % n]);
        hover_entries.push_back(hostile_texts[(cell + 1) % n]);
        hover_entries.push_back(hostile_texts[(cell + 2) % n]);
    }
    fields.trajectory_labels = std::make_shared<const TrajectoryLabels>(
        TextArray<2>::from_strings({2, n}, cell_labels), TextArray<4>::from_strings({2, n, 1, 2}, hover_entries));
    return TrajectoryStatistic(std::move(fields));
}

// The figure of hostile_statistic(), titled with the hostile texts and with
// a merge patch of them.
Figure hostile_figure() {
    FigureOptions options;
    options.title = hostile_joined();
    ordered_json extra = ordered_json::object();
    ordered_json nested = ordered_json::object();
    for (std::size_t i = 0; i < hostile_texts.size(); ++i) {
        extra[hostile_texts[i]] = hostile_texts[(i + 1) % hostile_texts.size()];
        nested[hostile_texts[(i + 3) % hostile_texts.size()]] = ordered_json::array({hostile_texts[i]});
    }
    extra["meta"] = nested;
    extra["name"] = hostile_joined();
    PanelOptions panel;
    panel.extra_json = extra.dump();
    return Figure(hostile_statistic(), std::move(panel), std::move(options));
}

TEST_F(HtmlFiles, HostileTextCannotEndTheScriptOrOpenMarkup) {
    const Figure figure = hostile_figure();
    const json expected_figure = json::parse(figure.to_string());

    struct Source {
        HtmlOptions options;
        std::size_t scripts;  // <script> elements the page must hold
    };
    const std::vector<Source> sources = {
        {html_with(PlotlyJs::cdn), 2},
        {html_with(PlotlyJs::none), 1},
        {html_with(PlotlyJs::src, hostile_joined()), 2},
        {html_with(PlotlyJs::inline_file, fake_plotly_.string()), 2},
    };
    for (const Source& source : sources) {
        for (const bool full_html : {true, false}) {
            for (const bool responsive : {false, true}) {
                HtmlOptions options = source.options;
                options.full_html = full_html;
                options.responsive = responsive;
                SCOPED_TRACE("plotlyjs " + std::to_string(static_cast<int>(options.plotlyjs)) + ", full_html " +
                             std::to_string(full_html) + ", responsive " + std::to_string(responsive));
                const std::string page = html_of(figure, options);

                EXPECT_EQ(count_ignoring_case(page, "<script"), source.scripts) << page;
                EXPECT_EQ(count_ignoring_case(page, "</script"), source.scripts) << page;
                EXPECT_EQ(count_of(page, "<!--"), 0u) << page;
                EXPECT_EQ(count_of(page, "<![CDATA["), 0u) << page;
                const std::string raw_figure = embedded_figure_text(page);
                EXPECT_EQ(raw_figure.find_first_of("<>&"), std::string::npos) << raw_figure;
                EXPECT_EQ(raw_figure.find("\xE2\x80\xA8"), std::string::npos) << "raw U+2028 in the script";
                EXPECT_EQ(raw_figure.find("\xE2\x80\xA9"), std::string::npos) << "raw U+2029 in the script";

                // Escaped, the figure is still the same figure.
                json expected = expected_figure;
                if (responsive) {
                    expected["layout"].erase("width");
                    expected["layout"]["autosize"] = true;
                }
                EXPECT_EQ(embedded_figure(page), expected);
                if (full_html) {
                    const std::optional<std::string> title = between(page, "<title>", "</title>");
                    ASSERT_TRUE(title.has_value());
                    EXPECT_EQ(html_unescaped(*title), hostile_joined());
                }
            }
        }
    }
}

TEST(HtmlHostileText, ExtraJsonKeysAndValuesStayInsideTheirStrings) {
    PanelOptions panel;
    panel.extra_json = R"({"</script><script>alert(1)</script>": {"<!--": "</SCRIPT >"}})";
    const std::string page = html_of(Figure(labelled_statistic(), panel), html_with(PlotlyJs::none));
    EXPECT_EQ(count_ignoring_case(page, "<script"), 1u) << page;
    EXPECT_EQ(count_ignoring_case(page, "</script"), 1u) << page;
    EXPECT_EQ(count_of(page, "<!--"), 0u);
    const json trace = embedded_figure(page)["data"][0];
    EXPECT_EQ(trace["</script><script>alert(1)</script>"]["<!--"], "</SCRIPT >");
}

// ---------------------------------------------------------------------------
// The figure's <div>

TEST(HtmlDivId, DefaultIsTrajplotFigure) {
    const std::string page = html_of(Figure(labelled_statistic()));
    EXPECT_EQ(count_of(page, "<div id=\"trajplot-figure\""), 1u) << page;
    EXPECT_EQ(count_of(page, "document.getElementById(\"trajplot-figure\")"), 1u) << page;
}

TEST(HtmlDivId, GivenIdNamesTheDivAndTheScriptFindsIt) {
    HtmlOptions options;
    options.div_id = "fig-1_a";
    const std::string page = html_of(Figure(labelled_statistic()), options);
    EXPECT_EQ(count_of(page, "<div id=\"fig-1_a\""), 1u) << page;
    EXPECT_EQ(count_of(page, "document.getElementById(\"fig-1_a\")"), 1u) << page;
    EXPECT_EQ(page.find("trajplot-figure"), std::string::npos);
}

TEST_F(HtmlFiles, InvalidDivIdIsRefusedBeforeWriting) {
    const fs::path path = directory_ / "page.html";
    const Figure figure(labelled_statistic());
    for (const std::string& id : {std::string(""), std::string("1fig"), std::string("-fig"), std::string("_fig"),
                                  std::string("fig\"x"), std::string("fig'x"), std::string("fig x"),
                                  std::string("fig<x"), std::string("fig>x"), std::string("fig.x")}) {
        HtmlOptions options;
        options.div_id = id;
        const Error error = error_of([&] { (void)html_of(figure, options); });
        EXPECT_EQ(error.code(), Errc::invalid_argument) << "div_id '" << id << "'";
        EXPECT_NE(std::string(error.what()).find("div_id"), std::string::npos) << error.what();

        std::ostringstream out;
        EXPECT_EQ(error_of([&] { figure.write(out, {Format::html, options}); }).code(), Errc::invalid_argument);
        EXPECT_EQ(out.str(), "");
        SinkRecorder received;
        EXPECT_EQ(error_of([&] {
                      figure.write(received.sink(), {Format::html, options});
                  }).code(),
                  Errc::invalid_argument);
        EXPECT_EQ(received.calls, 0u);
        EXPECT_EQ(error_of([&] { figure.save(path, {Format::html, options}); }).code(), Errc::invalid_argument);
        EXPECT_FALSE(fs::exists(path));
    }
}

TEST(HtmlDivId, LettersDigitsDashAndUnderscoreAreAccepted) {
    for (const std::string id : {"a", "Z", "fig-1_a", "F00_-_bar9"}) {
        HtmlOptions options;
        options.div_id = id;
        const std::string page = html_of(Figure(labelled_statistic()), options);
        EXPECT_EQ(count_of(page, "<div id=\"" + id + "\""), 1u) << id;
    }
}

// ---------------------------------------------------------------------------
// Responsive pages

TEST(HtmlResponsive, FollowsThePageWidth) {
    HtmlOptions options;
    options.responsive = true;
    const Figure figure(labelled_statistic(), {}, {.title = "responsive"});
    const std::string page = html_of(figure, options);

    json expected = json::parse(figure.to_string());
    ASSERT_TRUE(expected["layout"].contains("width"));
    expected["layout"].erase("width");
    expected["layout"]["autosize"] = true;
    const json embedded = embedded_figure(page);
    EXPECT_FALSE(embedded["layout"].contains("width")) << embedded["layout"];
    EXPECT_EQ(embedded["layout"]["autosize"], true);
    EXPECT_EQ(embedded, expected);

    const std::optional<std::string> style = attribute(figure_div_tag(page, "trajplot-figure"), "style");
    ASSERT_TRUE(style.has_value()) << figure_div_tag(page, "trajplot-figure");
    std::string compact;
    for (const char c : *style) {
        if (c != ' ') compact += c;
    }
    EXPECT_NE(compact.find("width:100%"), std::string::npos) << *style;

    EXPECT_EQ(plotly_config(page), json::parse(R"({"responsive": true})"));
}

TEST(HtmlResponsive, FixedWidthByDefault) {
    const std::string page = html_of(Figure(labelled_statistic()));
    const json layout = embedded_figure(page)["layout"];
    EXPECT_EQ(layout["width"], 200 + 80 * 3);
    EXPECT_FALSE(layout.contains("autosize"));
    const json config = plotly_config(page);
    ASSERT_TRUE(config.is_object()) << config;
    EXPECT_NE(config.value("responsive", false), true) << config;
}

TEST(HtmlResponsive, KeepsAnExplicitHeight) {
    FigureOptions figure;
    figure.height = 640;
    HtmlOptions options;
    options.responsive = true;
    const json layout = embedded_figure(html_of(Figure(labelled_statistic(), {}, figure), options))["layout"];
    EXPECT_EQ(layout["height"], 640);
    EXPECT_FALSE(layout.contains("width"));
}

// ---------------------------------------------------------------------------
// Figure height

TEST(FigureHeight, PresentWhenPositive) {
    FigureOptions figure;
    figure.height = 321;
    const json layout = json::parse(Figure(labelled_statistic(), {}, figure).to_string())["layout"];
    EXPECT_EQ(layout["height"], 321);
    EXPECT_EQ(layout["width"], 200 + 80 * 3) << "height leaves the width alone";
    EXPECT_EQ(embedded_figure(html_of(Figure(labelled_statistic(), {}, figure)))["layout"]["height"], 321);

    figure.height = 1;
    EXPECT_EQ(json::parse(Figure(labelled_statistic(), {}, figure).to_string())["layout"]["height"], 1);
}

TEST(FigureHeight, AbsentAtZero) {
    FigureOptions figure;
    EXPECT_EQ(figure.height, 0u);
    const json layout = json::parse(Figure(labelled_statistic(), {}, figure).to_string())["layout"];
    EXPECT_FALSE(layout.contains("height")) << layout;
    EXPECT_FALSE(embedded_figure(html_of(Figure(labelled_statistic(), {}, figure)))["layout"].contains("height"));
}

TEST(FigureHeight, TooLargeIsARangeError) {
    // Refused when the figure is made, whatever it would be exported as.
    FigureOptions figure;
    figure.height = std::numeric_limits<std::size_t>::max();
    EXPECT_EQ(error_of([&] { (void)Figure(labelled_statistic(), {}, figure); }).code(), Errc::range);
    const auto statistic = trajplot_test::shared(labelled_statistic());
    EXPECT_EQ(error_of([&] {
                  (void)Figure::stacked({Panel{statistic}, Panel{statistic}}, figure);
              }).code(),
              Errc::range);
    figure.height = 100000;
    EXPECT_EQ(json::parse(Figure(labelled_statistic(), {}, figure).to_string())["layout"]["height"], 100000);
}

TEST(FigureHeight, HeatmapTraceIsUnaffected) {
    FigureOptions figure;
    figure.height = 500;
    const json document = json::parse(Figure(labelled_statistic(), {}, figure).to_string());
    EXPECT_EQ(document["data"][0], json::parse(Figure(labelled_statistic()).to_string({Format::trace_json})));
}

}  // namespace
