// What `trajplot render|demo --format svg|png|pdf` writes: images drawn by
// the library itself, no browser involved, at the figure's size times
// --scale; binary images refused on a terminal.
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "cli_test_support.hpp"

namespace trajplot_cli_test {
namespace {

std::pair<unsigned, unsigned> png_size(const std::string& png) {
    EXPECT_GE(png.size(), 24u);
    if (png.size() < 24) return {0, 0};
    EXPECT_EQ(png.substr(0, 8), "\x89PNG\r\n\x1a\n");
    const auto big_endian = [&](std::size_t at) {
        unsigned value = 0;
        for (std::size_t i = 0; i < 4; ++i) value = value << 8 | static_cast<unsigned char>(png[at + i]);
        return value;
    };
    return {big_endian(16), big_endian(20)};
}

class CliImagesTest : public CliTest {
protected:
    CliResult run_ok(const std::vector<std::string>& arguments) const {
        const CliResult result = run(arguments);
        EXPECT_EQ(result.exit_status, 0) << result.err;
        EXPECT_EQ(result.err, "");
        return result;
    }

    // Runs a PNG export of full.json to a file; skips the test when the
    // library was built without PNG.
    bool png_available() const {
        const CliResult result = run({"render", spec_path("full.json"), "--format", "png", "--out", "probe.png"});
        if (result.exit_status != 0) {
            EXPECT_NE(result.err.find("Cairo"), std::string::npos) << result.err;
            return false;
        }
        return true;
    }
};

TEST_F(CliImagesTest, SvgShowsTheTokensAsText) {
    // full.json: 3 layers x 4 positions, tokens "<s>", "Ġa", "&", "Ġa".
    const CliResult result = run_ok({"render", spec_path("full.json"), "--format", "svg"});
    const std::string& svg = result.out;
    EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
    EXPECT_NE(svg.find("width=\"520\" height=\"450\""), std::string::npos);
    for (const std::string text : {">&lt;s&gt;</text>", ">&amp;</text>", ">&lt;br&gt;</text>", ">&amp;amp;</text>",
                                   ">&lt;/s&gt;</text>", ">Entropy (nats)</text>"}) {
        EXPECT_NE(svg.find(text), std::string::npos) << text;
    }
    // --scale multiplies the size; the drawing keeps its coordinates.
    const CliResult scaled = run_ok({"render", spec_path("full.json"), "--format", "svg", "--scale", "1.5"});
    EXPECT_NE(scaled.out.find("width=\"780\" height=\"675\" viewBox=\"0 0 520 450\""), std::string::npos);
}

TEST_F(CliImagesTest, PngToAFileAndThroughAPipe) {
    if (!png_available()) GTEST_SKIP() << "the library was built without PNG";
    run_ok({"render", spec_path("full.json"), "--format", "png", "--scale", "2", "--out", "entropy.png"});
    const std::string file = read_file(work_dir() / "entropy.png");
    EXPECT_EQ(png_size(file), std::make_pair(1040u, 900u));
    // Standard output that is not a terminal gets the same bytes.
    const CliResult piped = run_ok({"render", spec_path("full.json"), "--format", "png", "--scale", "2"});
    EXPECT_EQ(piped.out, file);
}

TEST_F(CliImagesTest, PdfKeepsItsText) {
    if (!png_available()) GTEST_SKIP() << "the library was built without PDF";
    run_ok({"render", spec_path("full.json"), "--format", "pdf", "--title", "Entropy <s>", "--out", "entropy.pdf"});
    const std::string pdf = read_file(work_dir() / "entropy.pdf");
    EXPECT_EQ(pdf.rfind("%PDF-", 0), 0u);
    if (std::system("command -v pdftotext > /dev/null 2>&1") != 0) GTEST_SKIP() << "no pdftotext";
    const std::string command =
        "pdftotext -raw " + (work_dir() / "entropy.pdf").string() + " " + (work_dir() / "entropy.txt").string();
    ASSERT_EQ(std::system(command.c_str()), 0);
    const std::string text = read_file(work_dir() / "entropy.txt");
    for (const std::string expected : {"Entropy <s>", "</s>", "<br>", "Layer", "Input"}) {
        EXPECT_NE(text.find(expected), std::string::npos) << expected << " not in:\n" << text;
    }
}

TEST_F(CliImagesTest, DemoDrawsItsFourPanelsAsAPng) {
    if (!png_available()) GTEST_SKIP() << "the library was built without PNG";
    run_ok({"demo", "--format", "png", "--out", "demo.png"});
    // 11 tokens: 200 + 80 x 11 wide; four panels: 150 + 250 x 4 tall.
    EXPECT_EQ(png_size(read_file(work_dir() / "demo.png")), std::make_pair(1080u, 1150u));
    const CliResult svg = run_ok({"demo", "--format", "svg"});
    for (const std::string title :
         {">Entropy</text>", ">Forward KL</text>", ">Cross Entropy</text>", ">Max Probability</text>"}) {
        EXPECT_NE(svg.out.find(title), std::string::npos) << title;
    }
}

TEST_F(CliImagesTest, AnImageModuleThatCannotBeLoadedIsNamedAndSvgStillWorks) {
    if (!png_available()) GTEST_SKIP() << "the library was built without PNG";
    const std::vector<std::pair<std::string, std::string>> missing{
        {"TRAJPLOT_IMAGE_MODULE", (work_dir() / "no-such-module.so").string()}};
    for (const std::string format : {"png", "pdf"}) {
        const CliResult result =
            run({"render", spec_path("full.json"), "--format", format, "--out", "x." + format}, std::nullopt, missing);
        EXPECT_EQ(result.exit_status, 1) << result.err;
        for (const std::string expected : {"no-such-module.so", "TRAJPLOT_IMAGE_MODULE", "SVG is available"}) {
            EXPECT_NE(result.err.find(expected), std::string::npos) << expected << " not in: " << result.err;
        }
        EXPECT_FALSE(std::filesystem::exists(work_dir() / ("x." + format)));
    }
    const CliResult svg = run({"render", spec_path("full.json"), "--format", "svg"}, std::nullopt, missing);
    EXPECT_EQ(svg.exit_status, 0) << svg.err;
    EXPECT_EQ(svg.out.rfind("<?xml", 0), 0u);
}

TEST_F(CliImagesTest, BinaryImagesAreNotWrittenToATerminal) {
    for (const std::string format : {"png", "pdf"}) {
        const CliResult result =
            run_with_output({"render", spec_path("full.json"), "--format", format}, StandardOutput::terminal);
        expect_usage_error(result, "--out");
    }
    // SVG is text, and goes to a terminal as JSON does.
    const CliResult svg =
        run_with_output({"render", spec_path("full.json"), "--format", "svg"}, StandardOutput::terminal);
    EXPECT_EQ(svg.exit_status, 0) << svg.err;
}

TEST_F(CliImagesTest, APngTooWideSaysWhatFits) {
    if (!png_available()) GTEST_SKIP() << "the library was built without PNG";
    const CliResult result =
        run({"render", spec_path("full.json"), "--format", "png", "--token-width", "9000", "--out", "wide.png"});
    expect_error(result, 1, "32767");
    EXPECT_NE(result.err.find("it would fit with --token-width at most 8141 (it is 9000)"), std::string::npos)
        << result.err;
    EXPECT_FALSE(std::filesystem::exists(work_dir() / "wide.png"));
}

TEST_F(CliImagesTest, ScaleIsCheckedAndBelongsToImages) {
    for (const std::string bad : {"0", "-1", "16.5", "abc", "nan"}) {
        expect_usage_error(run({"render", spec_path("full.json"), "--format", "svg", "--scale", bad}), "--scale");
    }
    expect_usage_error(run({"render", spec_path("full.json"), "--scale", "2"}), "--scale applies to images");
    expect_usage_error(run({"render", spec_path("full.json"), "--format", "svg", "--scale", "2", "--scale", "3"}),
                       "--scale is given more than once");
    expect_usage_error(run({"render", spec_path("full.json"), "--format", "png", "--trace-only"}), "--trace-only");
    expect_usage_error(run({"render", spec_path("full.json"), "--format", "svg", "--plotlyjs", "cdn"}),
                       "--plotlyjs applies to --format html only");
    expect_usage_error(run({"render", spec_path("full.json"), "--format", "gif"}), "json, html, svg, png or pdf");
}

TEST_F(CliImagesTest, HelpListsTheImageFormats) {
    const CliResult result = run_ok({"--help"});
    for (const std::string option : {"--format json|html|svg|png|pdf", "--scale S"}) {
        EXPECT_NE(result.out.find(option), std::string::npos) << option;
    }
}

}  // namespace
}  // namespace trajplot_cli_test
