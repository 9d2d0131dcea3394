// What `trajplot render --format html` writes: a page whose figure is the
// one the JSON output holds, with each HTML option reaching the page.
#include <cctype>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_test_support.hpp"

namespace trajplot_cli_test {
namespace {

using nlohmann::json;

const std::string fake_plotly = spec_path("fake_plotly.js");
const std::string built_plotly_js = TRAJPLOT_TEST_PLOTLYJS;
namespace fs = std::filesystem;

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
    json parsed = json::parse(*text, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(parsed.is_discarded()) << "the page's figure is not JSON: " << *text;
    return parsed;
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

class CliHtmlTest : public CliTest {
protected:
    // Runs with `arguments`, expecting success, and returns standard output.
    std::string output_of(const std::vector<std::string>& arguments) {
        const CliResult result = run(arguments);
        EXPECT_EQ(result.exit_status, 0) << result.err;
        EXPECT_EQ(result.err, "");
        return result.out;
    }

    std::string html_of(std::vector<std::string> arguments) {
        arguments.insert(arguments.end(), {"--format", "html"});
        return output_of(arguments);
    }

    json json_of(const std::vector<std::string>& arguments) { return parse_json(output_of(arguments)); }
};

TEST_F(CliHtmlTest, PageDrawsTheFigureTheJsonOutputHolds) {
    const std::vector<std::string> render = {"render", spec_path("full.json"), "--title", "Full <spec>", "--stride",
                                             "2"};
    const std::string page = html_of(render);
    EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u) << page.substr(0, 40);
    EXPECT_EQ(count_ignoring_case(page, "<html"), 1u);
    EXPECT_EQ(count_ignoring_case(page, "<body>"), 1u);
    EXPECT_EQ(between(page, "<title>", "</title>"), "Full &lt;spec&gt;");
    EXPECT_EQ(embedded_figure(page), json_of(render));
    // By default the page inlines the plotly.js the build put beside the
    // library, and draws offline.
    EXPECT_EQ(count_ignoring_case(page, "<script"), 2u);
    EXPECT_EQ(page.find("<script src"), std::string::npos);
    ASSERT_FALSE(built_plotly_js.empty()) << "this build has no plotly.js to inline";
    EXPECT_NE(page.find("<script type=\"text/javascript\">" + read_file(built_plotly_js) + "</script>"),
              std::string::npos);
    EXPECT_NE(page.find("<div id=\"trajplot-figure\""), std::string::npos);
}

TEST_F(CliHtmlTest, PlotlyJsCdnIsAScriptSrc) {
    const std::string page = html_of({"render", spec_path("minimal.json"), "--plotlyjs", "cdn"});
    EXPECT_EQ(count_ignoring_case(page, "<script"), 2u);
    const std::optional<std::string> src = between(page, "<script src=\"", "\"");
    ASSERT_TRUE(src.has_value()) << page.substr(0, 400);
    EXPECT_EQ(src->rfind("https://cdn.plot.ly/plotly-", 0), 0u) << *src;
}

TEST_F(CliHtmlTest, EnvironmentVariableNamesThePlotlyJsToInline) {
    const CliResult result =
        run({"render", spec_path("minimal.json"), "--format", "html"}, "", {{"TRAJPLOT_PLOTLYJS", fake_plotly}});
    ASSERT_EQ(result.exit_status, 0) << result.err;
    EXPECT_EQ(result.err, "");
    EXPECT_NE(result.out.find("<script type=\"text/javascript\">" + read_file(fake_plotly) + "</script>"),
              std::string::npos);
    const CliResult missing = run({"render", spec_path("minimal.json"), "--format", "html", "--out", "page.html"}, "",
                                  {{"TRAJPLOT_PLOTLYJS", (work_dir() / "absent.js").string()}});
    EXPECT_EQ(missing.exit_status, 1);
    EXPECT_NE(missing.err.find("absent.js"), std::string::npos) << missing.err;
    EXPECT_NE(missing.err.find("TRAJPLOT_PLOTLYJS"), std::string::npos) << missing.err;
    EXPECT_EQ(work_entries(), std::set<std::string>{});
}

TEST_F(CliHtmlTest, WithoutALocalPlotlyJsThePageLoadsTheCdnAndSaysSo) {
    // The library alone in a directory: nothing installed beside it. (It
    // would still find a copy installed at the configured prefix.)
    if (fs::exists(TRAJPLOT_TEST_CONFIGURED_PLOTLYJS)) {
        GTEST_SKIP() << "plotly.js is installed at " << TRAJPLOT_TEST_CONFIGURED_PLOTLYJS;
    }
    const fs::path alone = work_dir() / "lib";
    fs::create_directories(alone);
    fs::copy_file(TRAJPLOT_TEST_LIBRARY, alone / TRAJPLOT_TEST_LIBRARY_SONAME);
    const CliResult result = run({"render", spec_path("minimal.json"), "--format", "html", "--out", "page.html"}, "",
                                 {{"LD_LIBRARY_PATH", alone.string()}, {"TRAJPLOT_PLOTLYJS", ""}});
    ASSERT_EQ(result.exit_status, 0) << result.err;
    EXPECT_NE(result.err.find("no local plotly.js"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("needs a network connection"), std::string::npos) << result.err;
    EXPECT_NE(read_file(work_dir() / "page.html").find("<script src=\"https://cdn.plot.ly/plotly-"), std::string::npos);
    // Said once, however many pages are written; and not for JSON, nor for
    // an explicit choice of plotly.js.
    const CliResult json = run({"render", spec_path("minimal.json")}, "", {{"LD_LIBRARY_PATH", alone.string()}});
    EXPECT_EQ(json.err, "");
    const CliResult cdn = run({"render", spec_path("minimal.json"), "--format", "html", "--plotlyjs", "cdn"}, "",
                              {{"LD_LIBRARY_PATH", alone.string()}});
    EXPECT_EQ(cdn.err, "");
}

TEST_F(CliHtmlTest, StdoutAndOutFileHoldTheSameBytes) {
    const std::string to_stdout = html_of({"render", spec_path("full.json")});
    EXPECT_EQ(html_of({"render", spec_path("full.json"), "--out", "-"}), to_stdout);
    const CliResult to_file = run({"render", spec_path("full.json"), "--format", "html", "--out", "figure.html"});
    ASSERT_EQ(to_file.exit_status, 0) << to_file.err;
    EXPECT_EQ(to_file.out, "");
    EXPECT_EQ(to_file.err, "");
    EXPECT_FALSE(to_stdout.empty());
    EXPECT_EQ(read_file(work_dir() / "figure.html"), to_stdout);
    EXPECT_EQ(work_entries(), std::set<std::string>{"figure.html"});
}

TEST_F(CliHtmlTest, DemoWritesAPage) {
    const std::string page = html_of({"demo"});
    EXPECT_EQ(embedded_figure(page), json_of({"demo"}));
}

TEST_F(CliHtmlTest, PlotlyJsInlineHoldsTheFile) {
    const std::string code = read_file(fake_plotly);
    const std::string page = html_of({"render", spec_path("minimal.json"), "--plotlyjs", "inline:" + fake_plotly});
    EXPECT_NE(page.find("<script type=\"text/javascript\">" + code), std::string::npos) << page;
    EXPECT_EQ(count_ignoring_case(page, "<script"), 2u);
    EXPECT_EQ(count_ignoring_case(page, "<script src"), 0u);
    EXPECT_EQ(page.find("cdn.plot.ly"), std::string::npos);
    EXPECT_LT(page.find(code), page.find("Plotly.newPlot"));
}

TEST_F(CliHtmlTest, PlotlyJsSrcPointsAtTheUrl) {
    const std::string page =
        html_of({"render", spec_path("minimal.json"), "--plotlyjs", "src:https://example.test/plotly.js?v=2&x=1"});
    EXPECT_EQ(between(page, "<script src=\"", "\""), "https://example.test/plotly.js?v=2&amp;x=1") << page;
    EXPECT_EQ(count_ignoring_case(page, "<script"), 2u);
    EXPECT_EQ(page.find("cdn.plot.ly"), std::string::npos);

    // Only the first colon separates the kind from the location.
    const std::string relative = html_of({"render", spec_path("minimal.json"), "--plotlyjs", "src:js/a:b.js"});
    EXPECT_EQ(between(relative, "<script src=\"", "\""), "js/a:b.js");
}

TEST_F(CliHtmlTest, PlotlyJsNoneLoadsNothing) {
    const std::string page = html_of({"render", spec_path("minimal.json"), "--plotlyjs", "none"});
    EXPECT_EQ(count_ignoring_case(page, "<script"), 1u) << page;
    EXPECT_EQ(count_ignoring_case(page, "<script src"), 0u);
    EXPECT_EQ(page.find("cdn.plot.ly"), std::string::npos);
    EXPECT_NE(page.find("Plotly.newPlot"), std::string::npos);
}

TEST_F(CliHtmlTest, PlotlyJsLocalIsTheDefault) {
    EXPECT_EQ(html_of({"render", spec_path("minimal.json"), "--plotlyjs", "local"}),
              html_of({"render", spec_path("minimal.json")}));
}

TEST_F(CliHtmlTest, DivIdNamesTheFiguresDiv) {
    const std::string page = html_of({"render", spec_path("minimal.json"), "--div-id", "fig-1_a"});
    EXPECT_NE(page.find("<div id=\"fig-1_a\""), std::string::npos) << page;
    EXPECT_NE(page.find("document.getElementById(\"fig-1_a\")"), std::string::npos) << page;
    EXPECT_EQ(page.find("trajplot-figure"), std::string::npos);
}

TEST_F(CliHtmlTest, FragmentIsAnEmbeddableDiv) {
    // Without plotly.js, whose code holds tags in strings.
    const std::string page = html_of({"render", spec_path("minimal.json"), "--html-fragment", "--plotlyjs", "none"});
    EXPECT_EQ(page.rfind("<div>", 0), 0u) << page.substr(0, 40);
    EXPECT_TRUE(page.ends_with("</div>\n")) << page;
    for (const char* tag : {"<!doctype", "<html", "<head", "<body", "<title"}) {
        EXPECT_EQ(count_ignoring_case(page, tag), 0u) << tag;
    }
    EXPECT_EQ(embedded_figure(page), json_of({"render", spec_path("minimal.json")}));
}

TEST_F(CliHtmlTest, ResponsiveFollowsThePageWidth) {
    const std::string page = html_of({"render", spec_path("minimal.json"), "--responsive"});
    json expected = json_of({"render", spec_path("minimal.json")});
    expected["layout"].erase("width");
    expected["layout"]["autosize"] = true;
    EXPECT_EQ(embedded_figure(page), expected);
    EXPECT_NE(page.find("{\"responsive\": true}"), std::string::npos) << page;
    const std::optional<std::string> div = between(page, "<div id=\"trajplot-figure\"", ">");
    ASSERT_TRUE(div.has_value());
    EXPECT_NE(div->find("width:100%"), std::string::npos) << *div;
}

TEST_F(CliHtmlTest, HeightReachesTheLayout) {
    const json figure = json_of({"render", spec_path("minimal.json"), "--height", "321"});
    EXPECT_EQ(figure["layout"]["height"], 321);
    EXPECT_EQ(figure["layout"]["width"], 200 + 80 * 3);
    EXPECT_FALSE(json_of({"render", spec_path("minimal.json")})["layout"].contains("height"));

    const std::string page = html_of({"render", spec_path("minimal.json"), "--height", "321"});
    EXPECT_EQ(embedded_figure(page), figure);
}

TEST_F(CliHtmlTest, TitleCannotEndTheScript) {
    const std::string page =
        html_of({"render", spec_path("full.json"), "--plotlyjs", "none", "--title",
                 "</script><script>alert(1)</script><!--", "--extra", R"({"name": "</SCRIPT ><![CDATA["})"});
    EXPECT_EQ(count_ignoring_case(page, "<script"), 1u) << page;
    EXPECT_EQ(count_ignoring_case(page, "</script"), 1u) << page;
    EXPECT_EQ(page.find("<!--"), std::string::npos) << page;
    EXPECT_EQ(embedded_figure(page)["data"][0]["name"], "</SCRIPT ><![CDATA[");
}

}  // namespace
}  // namespace trajplot_cli_test
