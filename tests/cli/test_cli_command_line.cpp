// The command line of `trajplot` as people meet it: every mistake in it is
// a usage error (exit 2, the usage line of the command, nothing read or
// written), found before any input is read; values that start with '-';
// suggestions for misspelt names; each command's own help; options that
// `stats` ignores with a warning; and what is not written to a terminal.
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_test_support.hpp"

namespace trajplot_cli_test {
namespace {

using nlohmann::json;

const std::string minimal_spec = spec_path("minimal.json");

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = text.find('\n', start);
        lines.push_back(text.substr(start, end - start));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return lines;
}

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

// ---------------------------------------------------------------------------
// Usage errors

struct CommandLine {
    const char* name;
    std::vector<std::string> arguments;
    const char* message;           // must appear in the error line
    const char* absent = nullptr;  // must not
};

void PrintTo(const CommandLine& line, std::ostream* out) { *out << line.name; }

class CliCommandLineErrorTest : public CliTest, public ::testing::WithParamInterface<CommandLine> {};

// The files named need not exist: the command line is checked first.
TEST_P(CliCommandLineErrorTest, IsAUsageErrorFoundBeforeAnyInputIsRead) {
    const CommandLine& line = GetParam();
    const CliResult result = run(line.arguments);
    expect_usage_error(result, line.message);
    if (line.absent != nullptr) {
        EXPECT_FALSE(contains(result.err, line.absent)) << result.err;
    }
    EXPECT_EQ(work_entries(), std::set<std::string>{});
}

std::vector<std::string> render_with(std::vector<std::string> options) {
    std::vector<std::string> arguments{"render", minimal_spec, "--out", "figure.json"};
    arguments.insert(arguments.end(), options.begin(), options.end());
    return arguments;
}

std::vector<std::string> stats_with(std::vector<std::string> options) {
    std::vector<std::string> arguments{"stats", "--logits", "missing.npy", "--input-ids", "missing_ids.npy"};
    arguments.insert(arguments.end(), options.begin(), options.end());
    return arguments;
}

const CommandLine values_out_of_range[] = {
    {"StrideZero", render_with({"--stride", "0"}), "--stride must be a positive integer, got '0'"},
    {"StrideNegative", render_with({"--stride", "-1"}), "--stride must be a positive integer, got '-1'"},
    {"StrideNotANumber", render_with({"--stride", "two"}), "--stride must be a positive integer, got 'two'"},
    {"StrideTrailingText", render_with({"--stride", "2x"}), "--stride must be a positive integer, got '2x'"},
    {"StrideLeadingSpace", render_with({"--stride", " 2"}), "--stride must be a positive integer, got ' 2'"},
    {"StrideEmpty", render_with({"--stride", ""}), "--stride must be a positive integer, got ''"},
    {"StrideHuge", render_with({"--stride", "99999999999999999999999"}), "--stride is too large"},
    {"TokenWidthZero", render_with({"--token-width", "0"}), "--token-width must be a positive integer, got '0'"},
    {"TokenWidthFraction", render_with({"--token-width", "1.5"}), "--token-width must be a positive integer"},
    {"TokenWidthTooLargeForAnyFigure",
     {"demo", "--out", "figure.json", "--token-width", "18446744073709551615"},
     "--token-width is too large for a figure, got '18446744073709551615'"},
    {"HeightZero", render_with({"--height", "0"}), "--height must be a positive integer, got '0'"},
    {"HeightNotANumber", render_with({"--height", "abc"}), "--height must be a positive integer, got 'abc'"},
    {"HeightTooLargeForAnyFigure", render_with({"--height", "18446744073709551615"}),
     "--height is too large for a figure, got '18446744073709551615'"},
    {"ClipMinNotANumber", render_with({"--clip", "low", "1"}), "--clip MIN must be a finite number, got 'low'"},
    {"ClipMaxNaN", render_with({"--clip", "0", "nan"}), "--clip MAX must be a finite number, got 'nan'"},
    {"ClipMaxInfinite", render_with({"--clip", "0", "inf"}), "--clip MAX must be a finite number, got 'inf'"},
    {"ClipMaxTrailingText", render_with({"--clip", "0", "1.0f"}), "--clip MAX must be a finite number"},
    {"ClipBeyondFloat32", render_with({"--clip", "0", "1e39"}), "--clip MAX is out of range for a 32-bit float"},
    {"ClipMinAboveMax", render_with({"--clip", "2", "1"}), "--clip MIN must be less than MAX, got '2' and '1'"},
    {"ClipEmptyRange", render_with({"--clip", "1", "1"}), "--clip MIN must be less than MAX"},
    {"ScaleZero", render_with({"--format", "svg", "--scale", "0"}), "--scale must be above 0 and at most 16, got '0'"},
    {"ScaleNegative", render_with({"--format", "png", "--scale", "-1"}), "--scale must be above 0 and at most 16"},
    {"ScaleAbove16", render_with({"--format", "pdf", "--scale", "16.5"}), "got '16.5'"},
    {"ScaleNaN", render_with({"--format", "svg", "--scale", "nan"}), "--scale must be a finite number, got 'nan'"},
    {"UnknownColorscale", render_with({"--colorscale", "nosuchscale"}),
     "--colorscale 'nosuchscale' is not a colour scale; valid names are plotly.py's, e.g. 'rdbu'"},
    {"UnknownColorscaleForHtml", render_with({"--format", "html", "--colorscale", "nosuchscale"}),
     "--colorscale 'nosuchscale' is not a colour scale"},
    {"UnknownColorscaleForStats", stats_with({"--colorscale", "nosuchscale"}),
     "--colorscale 'nosuchscale' is not a colour scale"},
    {"UnknownPanelColorscale", render_with({"--stack", "--panel-colorscale", "1", "nosuchscale"}),
     "--panel-colorscale 1 'nosuchscale' is not a colour scale"},
    {"ExtraNotJson", render_with({"--extra", "{\"colorbar\":"}), "--extra is not valid JSON"},
    {"ExtraNotAnObject", render_with({"--extra", "[1, 2]"}), "--extra must be a JSON object, got array"},
    {"LogScaleWithNonPositiveClip", render_with({"--log-scale", "--clip", "-1", "1"}),
     "--log-scale colours by the logarithm, which needs a positive colour range, but --clip MIN is '-1'"},
    {"LogScaleWithNonPositiveClipForStats", stats_with({"--log-scale", "--clip", "-1", "1"}),
     "--log-scale colours by the logarithm, which needs a positive colour range"},
    {"PanelLogScaleWithZeroClip", render_with({"--stack", "--panel-log-scale", "1", "--clip", "0", "1"}),
     "--panel-log-scale 1 colours by the logarithm, which needs a positive colour range, but --clip MIN is '0'"},
    {"DivIdStartingWithADigit", render_with({"--format", "html", "--div-id", "1bad"}),
     "--div-id must start with a letter and hold only letters, digits, '-' and '_', got '1bad'"},
    {"DivIdWithAQuote", render_with({"--format", "html", "--div-id", "a\"b"}), "--div-id must start with a letter"},
    {"TopKZero", stats_with({"--vocab", "v.json", "--top-k", "0"}), "--top-k must be a positive integer, got '0'"},
    {"ThreadsNegative", stats_with({"--threads", "-1"}), "--threads must be a non-negative integer, got '-1'"},
    {"ThreadsNotANumber", stats_with({"--threads", "many"}), "--threads must be a non-negative integer, got 'many'"},
    {"MinProbAboveOne", stats_with({"--vocab", "v.json", "--min-prob", "1.5"}),
     "--min-prob must be a probability in [0, 1], got '1.5'"},
    {"MinProbDeltaNegative", stats_with({"--min-prob-delta", "-0.1"}),
     "--min-prob-delta must be a probability in [0, 1], got '-0.1'"},
    {"MaxStringLenNegative", stats_with({"--max-string-len", "-1"}),
     "--max-string-len must be a non-negative integer, got '-1'"},
    {"MaxBatchItemsShownZero", stats_with({"--max-batch-items-shown", "0"}),
     "--max-batch-items-shown must be a positive integer, got '0'"},
    {"VerticalSpacingOutOfRange", stats_with({"--statistic", "entropy,max_probability", "--vertical-spacing", "1"}),
     "--vertical-spacing must be in [0, 1) for 2 panels, got '1'"},
};

INSTANTIATE_TEST_SUITE_P(ValuesOutOfRange, CliCommandLineErrorTest, ::testing::ValuesIn(values_out_of_range),
                         [](const ::testing::TestParamInfo<CommandLine>& info) { return info.param.name; });

const CommandLine missing_values[] = {
    {"InputIdsFollowedByAnOption",
     {"stats", "--logits", "l.npy", "--input-ids", "-o", "out.json"},
     "--input-ids needs a value: --input-ids IDS.npy; the next argument, '-o', is an option"},
    {"OutFollowedByALongOption",
     {"render", minimal_spec, "--out", "--stack"},
     "--out needs a value: --out PATH; the next argument, '--stack', is an option"},
    {"ValueFollowedByAnOptionWithItsValue",
     {"stats", "--logits", "--vocab=v.json", "--input-ids", "i.npy"},
     "--logits needs a value: --logits FILE.npy; the next argument, '--vocab=v.json', is an option"},
    {"TextFollowedByAnotherCommandsOption",
     {"render", minimal_spec, "--title", "--logits"},
     "--title needs a value: --title TEXT; the next argument, '--logits', is an option"},
    {"TextStartingWithADash",
     {"render", minimal_spec, "--title", "-draft"},
     "--title needs a value: --title TEXT; the next argument, '-draft', is taken for an option (write "
     "--title=-draft for a value that starts with '-')"},
    {"NumberFollowedByAnOption",
     {"stats", "--logits", "l.npy", "--input-ids", "i.npy", "--vocab", "v.json", "--top-k", "-o", "x"},
     "--top-k needs a value: --top-k K; the next argument, '-o', is an option"},
    {"SecondValueOfClipIsAnOption",
     {"render", minimal_spec, "--clip", "1", "--stack"},
     "--clip needs a value: --clip MIN MAX; the next argument, '--stack', is an option"},
    {"PanelTitleTextIsAnOption",
     {"render", minimal_spec, "--stack", "--panel-title", "1", "--out", "x.json"},
     "--panel-title needs a value: --panel-title N TEXT; the next argument, '--out', is an option"},
    {"ValueAtTheEnd", {"render", minimal_spec, "--stride"}, "--stride needs a value: --stride K", "next argument"},
    {"ShortOptionAtTheEnd", {"demo", "-o"}, "-o needs a value: -o PATH"},
    {"FlagGivenAValue", {"render", minimal_spec, "--stack=yes"}, "--stack takes no value, got '--stack=yes'"},
    {"QuietGivenTwice", stats_with({"--quiet", "--quiet"}), "--quiet is given more than once"},
};

INSTANTIATE_TEST_SUITE_P(MissingValues, CliCommandLineErrorTest, ::testing::ValuesIn(missing_values),
                         [](const ::testing::TestParamInfo<CommandLine>& info) { return info.param.name; });

const CommandLine misspellings[] = {
    {"Statistics", stats_with({"--statistics", "entropy"}),
     "unknown option '--statistics' for 'stats'; did you mean '--statistic'?"},
    {"Strid", render_with({"--strid", "2"}), "unknown option '--strid' for 'render'; did you mean '--stride'?"},
    {"ColourScale", render_with({"--colour-scale", "blues"}), "did you mean '--colorscale'?"},
    {"Hieght", {"demo", "--hieght", "300"}, "unknown option '--hieght' for 'demo'; did you mean '--height'?"},
    {"InputIdsWithUnderscore", {"stats", "--logits", "l.npy", "--input_ids", "i.npy"}, "did you mean '--input-ids'?"},
    {"Vocabulary", stats_with({"--vocabulary", "v.json"}), "did you mean '--vocab'?"},
    {"StartOfAnOption", {"demo", "--vert", "0.1"}, "did you mean '--vertical-spacing'?"},
    {"Quite", stats_with({"--quite"}), "did you mean '--quiet'?"},
    {"SingleDash", render_with({"-out", "x.json"}), "did you mean '--out'?"},
    // Only options of the command are suggested: --statistic is of stats.
    {"StatisticsForRender", render_with({"--statistics", "entropy"}), "unknown option '--statistics' for 'render'",
     "did you mean"},
    {"NothingClose", render_with({"--verbose"}), "unknown option '--verbose' for 'render'", "did you mean"},
    {"OneLetter", render_with({"-v"}), "unknown option '-v' for 'render'", "did you mean"},
    {"OptionOfStatsForRender", render_with({"--logits", "l.npy"}),
     "unknown option '--logits' for 'render'; it is an option of stats"},
    {"QuietForDemo", {"demo", "--quiet"}, "unknown option '--quiet' for 'demo'; it is an option of stats"},
    {"Command", {"rendr", minimal_spec}, "unknown command 'rendr'; did you mean 'render'?"},
    {"UnknownCommand", {"draw", minimal_spec}, "unknown command 'draw'; the commands are render, demo and stats"},
    {"TopLevelOption", {"--verison"}, "unknown option '--verison'; did you mean '--version'?"},
    {"OptionBeforeTheCommand",
     {"--out", "x.json", "demo"},
     "'--out' is an option of render, demo and stats, given after the command"},
    {"Statistic", stats_with({"--statistic", "entropy,crossentropy"}),
     "unknown statistic 'crossentropy' for --statistic; known: entropy, cross_entropy, forward_kl, "
     "max_probability, rank, log_prob_diff, log_prob_diff_delta, kl_divergence, js_divergence, half_symmetric_kl, "
     "total_variation, max_abs_prob_difference; did you mean 'cross_entropy'?"},
    {"HelpTopic",
     {"help", "stat"},
     "no help on 'stat'; the commands are render, demo and stats; did you mean 'stats'?"},
};

INSTANTIATE_TEST_SUITE_P(Misspellings, CliCommandLineErrorTest, ::testing::ValuesIn(misspellings),
                         [](const ::testing::TestParamInfo<CommandLine>& info) { return info.param.name; });

using CliCommandLineTest = CliTest;

TEST_F(CliCommandLineTest, UsageLineIsTheCommands) {
    const auto usage_of = [&](const std::vector<std::string>& arguments) {
        const std::vector<std::string> lines = lines_of(run(arguments).err);
        return lines.size() == 2 ? lines[1] : "not two lines: " + std::to_string(lines.size());
    };
    EXPECT_TRUE(usage_of(render_with({"--stride", "0"})).starts_with("usage: trajplot render SPEC"));
    EXPECT_TRUE(usage_of({"demo", "--stride", "0"}).starts_with("usage: trajplot demo "));
    EXPECT_TRUE(usage_of(stats_with({"--top-k"})).starts_with("usage: trajplot stats (--logits|--log-probs)"));
    for (const std::string& usage : {usage_of(render_with({"--stride", "0"})), usage_of(stats_with({"--top-k"}))}) {
        EXPECT_TRUE(contains(usage, "--help lists them")) << usage;
    }
    const std::string whole = usage_of({"draw"});
    for (const char* command : {"trajplot render SPEC", "trajplot demo", "trajplot stats", "trajplot --version"}) {
        EXPECT_TRUE(contains(whole, command)) << whole;
    }
}

// ---------------------------------------------------------------------------
// Values that look like options

TEST_F(CliCommandLineTest, NegativeNumbersAreValuesWhereANumberIsExpected) {
    const CliResult result = run({"render", minimal_spec, "--clip", "-1", "2"});
    ASSERT_EQ(result.exit_status, 0) << result.err;
    const json trace = parse_json(result.out)["data"][0];
    EXPECT_EQ(trace["zmin"], -1);
    EXPECT_EQ(trace["zmax"], 2);
    const CliResult fraction = run({"render", minimal_spec, "--clip", "-.5", "2"});
    ASSERT_EQ(fraction.exit_status, 0) << fraction.err;
    EXPECT_EQ(parse_json(fraction.out)["data"][0]["zmin"], -0.5);
}

TEST_F(CliCommandLineTest, AValueAttachedWithEqualsMayStartWithADash) {
    const CliResult result = run({"render", minimal_spec, "--title=-draft", "--out=figure.json"});
    ASSERT_EQ(result.exit_status, 0) << result.err;
    EXPECT_EQ(read_json(work_dir() / "figure.json")["layout"]["title"]["text"], "-draft");
    // The first '=' ends the name; the value may hold more.
    const CliResult equals = run({"render", minimal_spec, "--title=a=b", "--clip=-1", "2"});
    ASSERT_EQ(equals.exit_status, 0) << equals.err;
    EXPECT_EQ(parse_json(equals.out)["layout"]["title"]["text"], "a=b");
    EXPECT_EQ(parse_json(equals.out)["data"][0]["zmin"], -1);
}

TEST_F(CliCommandLineTest, ADashAloneIsStandardInputOrOutput) {
    const CliResult result = run({"render", "-", "--out", "-"}, read_file(minimal_spec));
    ASSERT_EQ(result.exit_status, 0) << result.err;
    EXPECT_EQ(parse_json(result.out), parse_json(run({"render", minimal_spec}).out));
    EXPECT_EQ(work_entries(), std::set<std::string>{});
}

// ---------------------------------------------------------------------------
// Help

struct HelpCase {
    std::vector<std::string> arguments;
    std::vector<std::string> present;
    std::vector<std::string> absent;
};

TEST_F(CliCommandLineTest, EachCommandsHelpShowsItsOwnPart) {
    const std::vector<std::string> figure_options{"-o, --out PATH",       "--format json|html|svg|png|pdf",
                                                  "--stride K",           "--clip MIN MAX",
                                                  "--panel-title N TEXT", "--plotlyjs local|cdn"};
    const std::vector<std::string> stats_options{"--logits FILE.npy", "--input-ids IDS.npy", "--statistic NAME",
                                                 "--threads N", "--quiet"};
    const std::string spec_format = "SPEC is a JSON file";
    std::vector<HelpCase> cases;
    HelpCase render{{"render", "--help"}, figure_options, stats_options};
    render.present.insert(render.present.end(), {"trajplot render SPEC", spec_format});
    HelpCase demo{{"demo", "--help"}, figure_options, stats_options};
    demo.present.insert(demo.present.end(), {"trajplot demo", "-o demo.html"});
    demo.absent.push_back(spec_format);
    HelpCase stats{{"stats", "--help"}, stats_options, {spec_format, "--panel-title N TEXT", "--plotlyjs local|cdn"}};
    stats.present.insert(stats.present.end(), {"trajplot stats (--logits FILE.npy", "-o, --out PATH",
                                               "trajplot render --help describes them", "ignored with a warning"});
    HelpCase whole{{"--help"}, figure_options, {}};
    whole.present.insert(whole.present.end(), stats_options.begin(), stats_options.end());
    whole.present.insert(whole.present.end(), {"trajplot render SPEC", "trajplot demo", "trajplot stats", spec_format,
                                               "trajplot COMMAND --help"});
    for (const HelpCase& help : {render, demo, stats, whole}) {
        const CliResult result = run(help.arguments);
        SCOPED_TRACE(help.arguments.front());
        EXPECT_EQ(result.exit_status, 0);
        EXPECT_EQ(result.err, "");
        for (const std::string& part : help.present) EXPECT_TRUE(contains(result.out, part)) << part;
        for (const std::string& part : help.absent) EXPECT_FALSE(contains(result.out, part)) << part;
        for (const char* ending : {"Exit status: 0 on success", "2 for a wrong command line"}) {
            EXPECT_TRUE(contains(result.out, ending)) << ending;
        }
    }
}

TEST_F(CliCommandLineTest, HelpIsAskedForInSeveralWays) {
    const std::string stats_help = run({"stats", "--help"}).out;
    ASSERT_FALSE(stats_help.empty());
    // Whatever else is on the command line, even a mistake.
    for (const std::vector<std::string>& arguments :
         std::vector<std::vector<std::string>>{{"stats", "-h"},
                                               {"help", "stats"},
                                               {"--help", "stats"},
                                               {"stats", "--logits", "l.npy", "--top-k", "0", "--help"},
                                               {"stats", "--statistics", "x", "-h"}}) {
        const CliResult result = run(arguments);
        EXPECT_EQ(result.exit_status, 0) << arguments.back();
        EXPECT_EQ(result.out, stats_help) << arguments.back();
    }
    EXPECT_EQ(run({"demo", "-h"}).out, run({"help", "demo"}).out);
    EXPECT_EQ(run({"render", minimal_spec, "--help"}).out, run({"help", "render"}).out);
    EXPECT_NE(run({"render", "--help"}).out, run({"--help"}).out);
    // After --, "--help" is a SPEC's name.
    expect_error(run({"render", "--", "--help"}), 1, "'--help'");
}

// ---------------------------------------------------------------------------
// Options that stats does not read

// A .npy file of `shape` and `dtype` holding `data`.
void write_npy(const std::filesystem::path& path, const std::string& descr, const std::string& shape,
               const std::string& data) {
    std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::string bytes = "\x93NUMPY\x01";
    bytes += '\0';
    bytes += static_cast<char>(header.size() & 0xff);
    bytes += static_cast<char>(header.size() >> 8);
    write_file(path, bytes + header + data);
}

template <typename T>
std::string raw_bytes(const std::vector<T>& values) {
    std::string bytes(values.size() * sizeof(T), '\0');
    std::memcpy(bytes.data(), values.data(), bytes.size());
    return bytes;
}

class CliIgnoredOptionTest : public CliTest {
protected:
    void SetUp() override {
        CliTest::SetUp();
        // (batch 1, layers 2, seq_len 3, vocab 4)
        std::vector<float> logits;
        for (int i = 0; i < 24; ++i) logits.push_back(static_cast<float>((i * 7) % 5) - 2.0f);
        write_npy(work_dir() / "lens.npy", "<f4", "(1, 2, 3, 4)", raw_bytes(logits));
        write_npy(work_dir() / "ids.npy", "<i8", "(1, 3)", raw_bytes(std::vector<std::int64_t>{0, 1, 2}));
        write_file(work_dir() / "vocab.json", R"(["a", "b", "c", "d"])");
    }
};

struct IgnoredOption {
    const char* name;
    std::vector<std::string> kept;     // after stats --logits lens.npy --input-ids ids.npy
    std::vector<std::string> ignored;  // given as well, and ignored
    std::vector<std::string> warnings;
};

void PrintTo(const IgnoredOption& ignored, std::ostream* out) { *out << ignored.name; }

class CliIgnoredOptionsTest : public CliIgnoredOptionTest, public ::testing::WithParamInterface<IgnoredOption> {};

// The run is the run without the options, whose files are not even opened
// (they do not exist), and each gets one warning.
TEST_P(CliIgnoredOptionsTest, WarnsAndRunsAsWithoutThem) {
    std::vector<std::string> without{"stats", "--logits", "lens.npy", "--input-ids", "ids.npy"};
    without.insert(without.end(), GetParam().kept.begin(), GetParam().kept.end());
    std::vector<std::string> with = without;
    with.insert(with.end(), GetParam().ignored.begin(), GetParam().ignored.end());

    const CliResult expected = run(without);
    ASSERT_EQ(expected.exit_status, 0) << expected.err;
    ASSERT_EQ(expected.err, "");
    const CliResult result = run(with);
    ASSERT_EQ(result.exit_status, 0) << result.err;
    EXPECT_EQ(result.out, expected.out);
    const std::vector<std::string> lines = lines_of(result.err);
    ASSERT_EQ(lines.size(), GetParam().warnings.size()) << result.err;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        EXPECT_EQ(lines[i], "trajplot: warning: " + GetParam().warnings[i] + "; it is ignored");
    }
}

const IgnoredOption ignored_options[] = {
    {"TargetsWithEntropy",
     {},
     {"--targets", "missing.npy"},
     {"--targets is not read by entropy (only by cross_entropy, rank, log_prob_diff or log_prob_diff_delta)"}},
    {"AntiTargetsWithRank",
     {"--statistic", "rank", "--targets", "ids.npy"},
     {"--anti-targets", "missing.npy"},
     {"--anti-targets is not read by rank (only by log_prob_diff or log_prob_diff_delta)"}},
    {"OtherWithoutAComparison",
     {"--statistic", "entropy,max_probability"},
     {"--other", "missing.npy"},
     {"--other is not read by entropy or max_probability (only by the statistics that compare two trajectories: "
      "kl_divergence, js_divergence, half_symmetric_kl, total_variation, max_abs_prob_difference)"}},
    {"ShowRanksWithoutRank",
     {"--vocab", "vocab.json"},
     {"--show-ranks"},
     {"--show-ranks is not read by entropy (only by rank)"}},
    {"MinProbDeltaWithoutAComparison",
     {"--vocab", "vocab.json"},
     {"--min-prob-delta", "0.5"},
     {"--min-prob-delta is not read by entropy (only by the statistics that compare two trajectories)"}},
    {"MinProbWithOnlyComparisons",
     {"--vocab", "vocab.json", "--statistic", "kl_divergence", "--other", "lens.npy"},
     {"--min-prob", "0.5"},
     {"--min-prob is not read by kl_divergence (the labels of a comparison follow --min-prob-delta)"}},
    {"LabelOptionsWithoutVocab",
     {},
     {"--top-k", "2", "--min-prob", "0.5", "--max-batch-items-shown", "1", "--max-string-len", "1"},
     {"--top-k shapes the token labels, which need --vocab VOCAB",
      "--min-prob shapes the token labels, which need --vocab VOCAB",
      "--max-batch-items-shown shapes the token labels, which need --vocab VOCAB",
      "--max-string-len shapes the token labels, which need --vocab VOCAB"}},
    {"QuietDoesNotSilenceWarnings",
     {"--quiet"},
     {"--targets", "missing.npy"},
     {"--targets is not read by entropy (only by cross_entropy, rank, log_prob_diff or log_prob_diff_delta)"}},
};

INSTANTIATE_TEST_SUITE_P(Stats, CliIgnoredOptionsTest, ::testing::ValuesIn(ignored_options),
                         [](const ::testing::TestParamInfo<IgnoredOption>& info) { return info.param.name; });

TEST_F(CliIgnoredOptionTest, ThreadsZeroIsOnePerCpu) {
    const CliResult one = run({"stats", "--logits", "lens.npy", "--input-ids", "ids.npy", "--threads", "1"});
    const CliResult per_cpu = run({"stats", "--logits", "lens.npy", "--input-ids", "ids.npy", "--threads", "0"});
    ASSERT_EQ(per_cpu.exit_status, 0) << per_cpu.err;
    EXPECT_EQ(per_cpu.err, "");
    EXPECT_EQ(per_cpu.out, one.out);
}

TEST_F(CliIgnoredOptionTest, QuietRunsAsWithout) {
    const CliResult quiet = run({"stats", "--logits", "lens.npy", "--input-ids", "ids.npy", "--quiet"});
    ASSERT_EQ(quiet.exit_status, 0) << quiet.err;
    EXPECT_EQ(quiet.err, "");
    EXPECT_EQ(quiet.out, run({"stats", "--logits", "lens.npy", "--input-ids", "ids.npy"}).out);
}

// ---------------------------------------------------------------------------
// Terminals

using CliTerminalTest = CliTest;

TEST_F(CliTerminalTest, DemoIsNotPouredIntoATerminal) {
    for (const std::vector<std::string>& arguments : std::vector<std::vector<std::string>>{
             {"demo"}, {"demo", "--format", "svg"}, {"demo", "--format", "html"}, {"demo", "-o", "-"}}) {
        SCOPED_TRACE(arguments.back());
        const CliResult result = run_with_output(arguments, StandardOutput::terminal);
        expect_usage_error(result, "the demo figure is about 150 KB of JSON, too much for a terminal");
        EXPECT_TRUE(contains(result.err, "trajplot demo --format html -o demo.html")) << result.err;
        EXPECT_TRUE(lines_of(result.err).back().starts_with("usage: trajplot demo")) << result.err;
    }
    EXPECT_EQ(work_entries(), std::set<std::string>{});

    // With --out, or with standard output that is not a terminal, it is written.
    const CliResult to_file =
        run_with_output({"demo", "--format", "html", "--plotlyjs", "cdn", "-o", "demo.html"}, StandardOutput::terminal);
    ASSERT_EQ(to_file.exit_status, 0) << to_file.err;
    EXPECT_TRUE(contains(read_file(work_dir() / "demo.html"), "Plotly.newPlot"));
    const CliResult piped = run({"demo"});
    ASSERT_EQ(piped.exit_status, 0) << piped.err;
    EXPECT_EQ(parse_json(piped.out)["data"].size(), 4u);
}

TEST_F(CliTerminalTest, APageWithPlotlyJsInlinedIsNotWrittenToATerminal) {
    write_file(work_dir() / "plotly.js", "/* a plotly.js of one's own */");
    const CliResult inlined = run_with_output(
        {"render", minimal_spec, "--format", "html", "--plotlyjs", "inline:plotly.js"}, StandardOutput::terminal);
    expect_usage_error(inlined, "an HTML page with plotly.js inlined is megabytes long, too much for a terminal");
    if (!std::string(TRAJPLOT_TEST_PLOTLYJS).empty()) {
        // The default inlines the local copy the build provides.
        expect_usage_error(run_with_output({"render", minimal_spec, "--format", "html"}, StandardOutput::terminal),
                           "use --out FILE.html");
    }
    // What is short enough to read stays as it was: JSON, and a page that
    // loads plotly.js.
    for (const std::vector<std::string>& arguments :
         std::vector<std::vector<std::string>>{{"render", minimal_spec},
                                               {"render", minimal_spec, "--format", "html", "--plotlyjs", "cdn"},
                                               {"render", minimal_spec, "--format", "svg"}}) {
        const CliResult result = run_with_output(arguments, StandardOutput::terminal);
        EXPECT_EQ(result.exit_status, 0) << arguments.back() << ": " << result.err;
        EXPECT_EQ(result.err, "");
    }
}

// stats refuses a terminal before it reads its inputs (which here do not
// exist), not after minutes of work; --output-dir writes nothing there.
TEST_F(CliTerminalTest, StatsChecksTheTerminalFirst) {
    expect_usage_error(run_with_output(stats_with({"--format", "png"}), StandardOutput::terminal), "use --out FILE");
    expect_error(run_with_output(stats_with({"--format", "png", "--output-dir", "figures"}), StandardOutput::terminal),
                 1, "missing.npy");
}

}  // namespace
}  // namespace trajplot_cli_test
