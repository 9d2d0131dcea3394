// Messages that start in the library reach the user in the user's terms:
// option names, statistic names and panels counted from 1, values in single
// quotes, never a C function's name, a C field or a 0-based panel index.
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_test_support.hpp"

namespace trajplot_cli_test {
namespace {

using nlohmann::json;

struct LibraryMessage {
    const char* name;
    std::vector<std::string> arguments;
    std::string message;  // must appear in the error line
};

void PrintTo(const LibraryMessage& message, std::ostream* out) { *out << message.name; }

class CliLibraryMessageTest : public CliTest, public ::testing::WithParamInterface<LibraryMessage> {
protected:
    void SetUp() override {
        CliTest::SetUp();
        const json spec = read_json(spec_path("minimal.json"));
        json below_zero = spec;
        below_zero["min"] = -1;
        below_zero["max"] = 4;
        write_file(work_dir() / "a.json", spec.dump());
        write_file(work_dir() / "below_zero.json", below_zero.dump());
        write_file(work_dir() / "empty.js", "");
        create_directory(work_dir() / "plotly_dir");
        const std::string deep = "{\"meta\": " + std::string(600, '[') + std::string(600, ']') + "}";
        write_file(work_dir() / "deep_extra.json", deep);
    }

    static void create_directory(const std::filesystem::path& path) { std::filesystem::create_directory(path); }
};

TEST_P(CliLibraryMessageTest, SpeaksTheUsersTerms) {
    std::vector<std::string> arguments = GetParam().arguments;
    for (std::string& argument : arguments) {
        if (argument == "@deep_extra") argument = read_file(work_dir() / "deep_extra.json");
    }
    arguments.insert(arguments.end(), {"--out", "figure.json"});
    const CliResult result = run(arguments);
    expect_error(result, 1, GetParam().message);
    const std::string line = result.err.substr(std::string("trajplot: ").size());
    EXPECT_EQ(line.find("trajplot_"), std::string::npos) << "a C function's name: " << line;
    EXPECT_EQ(line.find("panels["), std::string::npos) << "a 0-based panel: " << line;
    EXPECT_EQ(line.find("options->"), std::string::npos) << "a C field: " << line;
    EXPECT_EQ(line.find('"'), std::string::npos) << "double quotes: " << line;
    EXPECT_FALSE(std::filesystem::exists(work_dir() / "figure.json"));
}

const LibraryMessage library_messages[] = {
    {"LogScaleOfASpecBelowZero",
     {"render", "below_zero.json", "--log-scale"},
     "--log-scale needs a colour range above 0, but the colour range of Rank starts at -1"},
    {"PanelLogScaleOfASpecBelowZero",
     {"render", "a.json", "below_zero.json", "--stack", "--panel-log-scale", "2"},
     "--panel-log-scale 2 needs a colour range above 0, but the colour range of panel 2 (Rank) starts at -1"},
    {"LogScaleOfEveryPanel",
     {"render", "a.json", "below_zero.json", "--stack", "--log-scale"},
     "--log-scale needs a colour range above 0, but the colour range of panel 2 (Rank) starts at -1"},
    // Wide enough for one position, too wide for the spec's three.
    {"TokenWidthTooLargeForThePositions",
     {"render", "a.json", "--token-width", "4000000000000000"},
     "figure width 200 + --token-width (4000000000000000) x 3 positions overflows"},
    {"ExtraNestedTooDeeply", {"render", "a.json", "--extra", "@deep_extra"}, "--extra is nested deeper than"},
    {"ExtraOfAPanelNestedTooDeeply",
     {"render", "a.json", "a.json", "--stack", "--extra", "@deep_extra"},
     "panel 1 (Rank): --extra is nested deeper than"},
    {"PlotlyJsInlineMissing",
     {"render", "a.json", "--format", "html", "--plotlyjs", "inline:missing.js"},
     "cannot open --plotlyjs inline file 'missing.js': No such file or directory"},
    {"PlotlyJsInlineDirectory",
     {"render", "a.json", "--format", "html", "--plotlyjs", "inline:plotly_dir"},
     "--plotlyjs inline file 'plotly_dir' is a directory, not a plotly.js file"},
    {"PlotlyJsInlineEmpty",
     {"render", "a.json", "--format", "html", "--plotlyjs", "inline:empty.js"},
     "--plotlyjs inline file 'empty.js' is empty"},
    {"PlotlyJsInlineClosingScript",
     {"render", "a.json", "--format", "html", "--plotlyjs", "inline:" + spec_path("closing_script.js")},
     "--plotlyjs inline file '" + spec_path("closing_script.js") + "' contains '<script' or '</script'"},
};

INSTANTIATE_TEST_SUITE_P(Messages, CliLibraryMessageTest, ::testing::ValuesIn(library_messages),
                         [](const ::testing::TestParamInfo<LibraryMessage>& info) { return info.param.name; });

using CliImageMessageTest = CliTest;

TEST_F(CliImageMessageTest, APngTooLargeSaysWhichOptionsMakeItFit) {
    const CliResult probe = run({"render", spec_path("minimal.json"), "--format", "png", "--out", "probe.png"});
    if (probe.exit_status != 0 && probe.err.find("Cairo") != std::string::npos) {
        GTEST_SKIP() << "the library was built without PNG";
    }
    const CliResult result = run({"render", spec_path("minimal.json"), "--format", "png", "--scale", "16", "--height",
                                  "100000", "--out", "big.png"});
    expect_error(result, 1,
                 "pixels at --scale 16; it would fit with --height at most 2047 pixels, or with --scale at most");
    EXPECT_NE(result.err.find("; --format svg and pdf have no such limit"), std::string::npos) << result.err;
    EXPECT_FALSE(std::filesystem::exists(work_dir() / "big.png"));
}

}  // namespace
}  // namespace trajplot_cli_test
