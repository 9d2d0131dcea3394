// What `trajplot render --format html` writes: a page whose figure is the
// one the JSON output holds, with each HTML option reaching the page.
#include <cctype>
#include <cstddef>
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
    const std::vector<std::string> render = {"render", spec_path("full.json"), "--title", "Full <spec>",
                                             "--stride", "2"};
    const std::string page = html_of(render);
    EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u) << page.substr(0, 40);
    EXPECT_EQ(count_ignoring_case(page, "<html"), 1u);
    EXPECT_EQ(count_ignoring_case(page, "<body>"), 1u);
    EXPECT_EQ(between(page, "<title>", "</title>"), "Full &lt;spec&gt;");
    EXPECT_EQ(embedded_figure(page), json_of(render));
    // By default plotly.js comes from the CDN.
    EXPECT_EQ(count_ignoring_case(page, "<script"), 2u);
    const std::optional<std::string> src = between(page, "<script src=\"", "\"");
    ASSERT_TRUE(src.has_value()) << page;
    EXPECT_EQ(src->rfind("https://cdn.plot.ly/plotly-", 0), 0u) << *src;
    EXPECT_NE(page.find("<div id=\"trajplot-figure\""), std::string::npos);
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

TEST_F(CliHtmlTest, PlotlyJsCdnIsTheDefault) {
    EXPECT_EQ(html_of({"render", spec_path("minimal.json"), "--plotlyjs", "cdn"}),
              html_of({"render", spec_path("minimal.json")}));
}

TEST_F(CliHtmlTest, DivIdNamesTheFiguresDiv) {
    const std::string page = html_of({"render", spec_path("minimal.json"), "--div-id", "fig-1_a"});
    EXPECT_NE(page.find("<div id=\"fig-1_a\""), std::string::npos) << page;
    EXPECT_NE(page.find("document.getElementById(\"fig-1_a\")"), std::string::npos) << page;
    EXPECT_EQ(page.find("trajplot-figure"), std::string::npos);
}

TEST_F(CliHtmlTest, FragmentIsAnEmbeddableDiv) {
    const std::string page = html_of({"render", spec_path("minimal.json"), "--html-fragment"});
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
