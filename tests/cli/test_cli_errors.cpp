// How `trajplot` fails: the exit status, a one-line message naming what is
// wrong, and no output file left behind (nor an earlier one damaged).
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli_test_support.hpp"

namespace trajplot_cli_test {
namespace {

struct BadSpec {
    const char* file;     // under tests/data/cli/bad/
    const char* message;  // must appear in the error line
};

void PrintTo(const BadSpec& spec, std::ostream* out) { *out << spec.file; }

class CliBadSpecTest : public CliTest, public ::testing::WithParamInterface<BadSpec> {};

TEST_P(CliBadSpecTest, FailsNamingTheFieldAndWritesNothing) {
    const BadSpec& bad = GetParam();
    const std::string spec = spec_path(std::string("bad/") + bad.file);
    const CliResult result = run({"render", spec, "--out", "figure.json"});
    expect_error(result, 1, bad.message);
    EXPECT_EQ(work_entries(), std::set<std::string>{});

    // Standard input goes through the same checks.
    const CliResult from_stdin = run({"render", "-"}, read_file(spec));
    EXPECT_EQ(from_stdin.exit_status, 1);
    EXPECT_EQ(from_stdin.out, "");
}

const BadSpec bad_specs[] = {
    {"empty_file.json", "is not valid JSON"},
    {"not_json.json", "is not valid JSON: parse error at line 1"},
    {"stats_double_overflow.json", "spec.stats[1][1] is '1e400', which does not fit a 32-bit float"},
    {"not_object.json", "spec must be a JSON object, got array"},
    {"missing_name.json", "spec.name is missing"},
    {"missing_stats.json", "spec.stats is missing"},
    {"name_not_string.json", "spec.name must be a string, got number"},
    {"name_with_nul.json", "spec.name contains a NUL character"},
    {"stats_not_array.json", "spec.stats must be an array, got string"},
    {"stats_empty.json", "spec.stats is empty"},
    {"stats_row_empty.json", "spec.stats[0] is empty"},
    {"stats_row_not_array.json", "spec.stats[1] must be an array, got number"},
    {"stats_ragged.json", "spec.stats[2] has 5 values, expected 7"},
    {"stats_value_string.json", "spec.stats[0][1] must be a number or null, got string"},
    {"stats_value_bool.json", "spec.stats[1][0] must be a number or null, got boolean"},
    {"stats_float32_overflow.json", "spec.stats[1][0] is '-1e39', which does not fit a 32-bit float"},
    {"unknown_key.json", "spec.nmae is not a known key"},
    {"unknown_labels_key.json", "spec.trajectory_labels.hover is not a known key"},
    {"units_not_string.json", "spec.units must be a string, got number"},
    {"sequence_labels_length.json", "spec.sequence_labels has 2 strings, expected 3"},
    {"sequence_label_not_string.json", "spec.sequence_labels[1] must be a string, got null"},
    {"labels_not_object.json", "spec.trajectory_labels must be an object, got array"},
    {"labels_missing_strings.json", "spec.trajectory_labels.label_strings is missing"},
    {"label_strings_rows.json", "spec.trajectory_labels.label_strings has 1 row, expected 2"},
    {"label_strings_ragged.json", "spec.trajectory_labels.label_strings[1] has 1 string, expected 2"},
    {"label_string_not_string.json", "spec.trajectory_labels.label_strings[3][1] must be a string"},
    {"hover_layers.json", "spec.trajectory_labels.hover_over_entries has 1 layer, expected 2"},
    {"hover_positions.json", "spec.trajectory_labels.hover_over_entries[1] has 1 position, expected 2"},
    {"hover_ragged_rows.json", "spec.trajectory_labels.hover_over_entries[1][0] has 1 row, expected 2"},
    {"hover_ragged_columns.json", "spec.trajectory_labels.hover_over_entries[0][1][0] has 1 column, expected 2"},
    {"hover_empty_table.json", "spec.trajectory_labels.hover_over_entries[0][0] is empty"},
    {"hover_entry_not_string.json",
     "spec.trajectory_labels.hover_over_entries[1][1][0][1] must be a string, got number"},
    {"min_not_number.json", "spec.min must be a number, got string"},
    {"min_not_below_max.json", "spec.min (4) must be less than spec.max (4)"},
    {"max_float32_overflow.json", "spec.max is '1e300', which does not fit a 32-bit float"},
    {"includes_output_not_bool.json", "spec.includes_output must be true or false, got string"},
    {"layer_labels_length.json", "spec.layer_labels has 3 strings, expected 2"},
};

INSTANTIATE_TEST_SUITE_P(Specs, CliBadSpecTest, ::testing::ValuesIn(bad_specs),
                         [](const ::testing::TestParamInfo<BadSpec>& info) {
                             std::string name = info.param.file;
                             name = name.substr(0, name.find('.'));
                             return name;
                         });

struct BadOptions {
    const char* name;
    std::vector<std::string> options;  // after "render minimal.json --out figure.json"
    const char* message;
};

void PrintTo(const BadOptions& options, std::ostream* out) { *out << options.name; }

class CliBadOptionTest : public CliTest, public ::testing::WithParamInterface<BadOptions> {};

TEST_P(CliBadOptionTest, FailsNamingTheOptionAndWritesNothing) {
    std::vector<std::string> arguments{"render", spec_path("minimal.json"), "--out", "figure.json"};
    arguments.insert(arguments.end(), GetParam().options.begin(), GetParam().options.end());
    expect_error(run(arguments), 1, GetParam().message);
    EXPECT_EQ(work_entries(), std::set<std::string>{});
}

// Values checked when they are used: the files they name. Values that are
// wrong on the command line alone are usage errors
// (test_cli_command_line.cpp).
const BadOptions bad_option_values[] = {
    {"PlotlyJsInlineMissingFile", {"--format", "html", "--plotlyjs", "inline:/missing/file"}, "/missing/file"},
    {"PlotlyJsInlineDirectory", {"--format", "html", "--plotlyjs", "inline:" + spec_path("bad")}, "plotly.js"},
    {"PlotlyJsInlineEndingItsScript",
     {"--format", "html", "--plotlyjs", "inline:" + spec_path("closing_script.js")},
     "</script"},
};

INSTANTIATE_TEST_SUITE_P(Options, CliBadOptionTest, ::testing::ValuesIn(bad_option_values),
                         [](const ::testing::TestParamInfo<BadOptions>& info) { return info.param.name; });

class CliUsageTest : public CliTest, public ::testing::WithParamInterface<BadOptions> {};

TEST_P(CliUsageTest, IsAUsageErrorAndWritesNothing) {
    expect_usage_error(run(GetParam().options), GetParam().message);
    EXPECT_EQ(work_entries(), std::set<std::string>{});
}

const std::string minimal_spec = spec_path("minimal.json");

const BadOptions bad_command_lines[] = {
    {"NoArguments", {}, "no command"},
    {"UnknownCommand", {"rendr", minimal_spec}, "unknown command 'rendr'"},
    {"UnknownTopLevelOption", {"--verbose"}, "unknown option '--verbose'"},
    {"UnknownOption", {"render", minimal_spec, "--strid", "2", "--out", "figure.json"}, "'--strid'"},
    {"MissingSpec", {"render", "--out", "figure.json"}, "SPEC"},
    {"TwoSpecs", {"render", minimal_spec, minimal_spec}, "several SPECs need --stack"},
    {"DemoTakesNoSpec", {"demo", minimal_spec}, "unexpected argument"},
    {"MissingValue", {"render", minimal_spec, "--stride"}, "--stride needs a value"},
    {"ClipNeedsTwoValues", {"render", minimal_spec, "--clip", "1"}, "--clip needs a value"},
    {"RepeatedOption", {"render", minimal_spec, "--stride", "2", "--stride", "3"}, "--stride is given more than once"},
    {"UnknownFormat",
     {"render", minimal_spec, "--format", "gif"},
     "--format must be json, html, svg, png or pdf, got 'gif'"},
    {"TitleWithTraceOnly", {"render", minimal_spec, "--trace-only", "--title", "x"}, "--title"},
    {"VersionTakesNoArguments", {"--version", "extra"}, "unexpected argument 'extra'"},
    {"HeightMissingValue", {"render", minimal_spec, "--height"}, "--height needs a value"},
    {"TraceOnlyWithHtml", {"render", minimal_spec, "--format", "html", "--trace-only"}, "--trace-only"},
    {"PlotlyJsUnknownValue",
     {"render", minimal_spec, "--format", "html", "--plotlyjs", "bundle"},
     "--plotlyjs must be local, cdn, none, inline:FILE or src:URL, got 'bundle'"},
    {"PlotlyJsUnknownCase", {"render", minimal_spec, "--format", "html", "--plotlyjs", "CDN"}, "got 'CDN'"},
    {"PlotlyJsInlineWithoutFile",
     {"render", minimal_spec, "--format", "html", "--plotlyjs", "inline:"},
     "--plotlyjs inline: needs a location after the colon"},
    {"PlotlyJsSrcWithoutUrl",
     {"render", minimal_spec, "--format", "html", "--plotlyjs", "src:"},
     "--plotlyjs src: needs a location after the colon"},
    {"PlotlyJsMissingValue", {"render", minimal_spec, "--format", "html", "--plotlyjs"}, "--plotlyjs needs a value"},
    {"PlotlyJsGivenTwice",
     {"render", minimal_spec, "--format", "html", "--plotlyjs", "none", "--plotlyjs", "cdn"},
     "--plotlyjs is given more than once"},
    {"PlotlyJsWithoutHtml", {"render", minimal_spec, "--plotlyjs", "none"}, "--plotlyjs applies to --format html only"},
    {"DivIdWithoutHtml", {"render", minimal_spec, "--div-id", "fig"}, "--div-id applies to --format html only"},
    {"DivIdWithJson",
     {"render", minimal_spec, "--format", "json", "--div-id", "fig"},
     "--div-id applies to --format html only"},
    {"HtmlFragmentWithoutHtml",
     {"render", minimal_spec, "--html-fragment"},
     "--html-fragment applies to --format html only"},
    {"ResponsiveWithoutHtml", {"demo", "--responsive"}, "--responsive applies to --format html only"},
    {"ResponsiveGivenTwice",
     {"render", minimal_spec, "--format", "html", "--responsive", "--responsive"},
     "--responsive is given more than once"},
};

INSTANTIATE_TEST_SUITE_P(CommandLines, CliUsageTest, ::testing::ValuesIn(bad_command_lines),
                         [](const ::testing::TestParamInfo<BadOptions>& info) { return info.param.name; });

using CliFailureTest = CliTest;

TEST_F(CliFailureTest, MissingSpecFileIsNamed) {
    const CliResult result = run({"render", "no-such-spec.json", "--out", "figure.json"});
    expect_error(result, 1, "cannot open spec file 'no-such-spec.json'");
    EXPECT_EQ(work_entries(), std::set<std::string>{});
}

TEST_F(CliFailureTest, DirectoryAsSpecIsRefused) {
    const CliResult result = run({"render", ".", "--out", "figure.json"});
    expect_error(result, 1, "spec file '.'");
    EXPECT_EQ(work_entries(), std::set<std::string>{});
}

// Failures at each stage — reading the spec, checking an option, and
// inside the library while writing — must all leave the earlier file as
// it was and no temporary file beside it.
TEST_F(CliFailureTest, ExistingOutputSurvivesAFailingRunByteForByte) {
    const std::string earlier = "{\"an\": \"earlier figure\"}\n";
    struct FailingRun {
        std::vector<std::string> arguments;
        int exit_status;
        std::optional<std::string> stdin_text = std::nullopt;
    };
    const std::vector<FailingRun> failing_runs = {
        {{"render", spec_path("bad/stats_ragged.json"), "--out", "figure.json"}, 1},
        {{"render", minimal_spec, "--out", "figure.json", "--stride", "0"}, 2},
        {{"render", minimal_spec, "--out", "figure.json", "--colorscale", "nosuchscale"}, 2},
        {{"render", minimal_spec, "--out", "figure.json", "--trace-only", "--colorscale", "nosuchscale"}, 2},
        {{"render", minimal_spec, "--out", "figure.json", "--log-scale", "--clip", "-1", "1"}, 2},
        {{"demo", "--out", "figure.json", "--token-width", "18446744073709551615"}, 2},
        {{"render", minimal_spec, "--out", "figure.json", "--format", "html", "--div-id", "1bad"}, 2},
        // In the library, while writing: a width that overflows for the
        // demo's positions, a log scale of values that are not positive,
        // a plotly.js that cannot be read.
        {{"demo", "--out", "figure.json", "--token-width", "1000000000000000"}, 1},
        {{"render", "-", "--out", "figure.json", "--log-scale"}, 1, R"({"name": "x", "stats": [[0, 1]], "min": 0})"},
        {{"render", minimal_spec, "--out", "figure.json", "--format", "html", "--plotlyjs", "inline:/missing/file"}, 1},
    };
    for (const auto& [arguments, exit_status, stdin_text] : failing_runs) {
        write_file(work_dir() / "figure.json", earlier);
        const CliResult result = run(arguments, stdin_text);
        EXPECT_EQ(result.exit_status, exit_status) << arguments.back() << ": " << result.err;
        EXPECT_EQ(read_file(work_dir() / "figure.json"), earlier) << arguments.back();
        EXPECT_EQ(work_entries(), std::set<std::string>{"figure.json"}) << arguments.back();
    }
}

// Standard output that cannot be written: the export stops at the first
// failed write (a large output) or fails at the final flush (a small one),
// and either way the tool says so and exits 1.
TEST_F(CliFailureTest, StandardOutputThatCannotBeWrittenIsAnError) {
    const std::vector<std::vector<std::string>> runs = {
        {"render", minimal_spec},
        {"render", minimal_spec, "--trace-only"},
        {"render", minimal_spec, "--format", "html", "--plotlyjs", "cdn"},
        {"demo"},
        {"demo", "--format", "html"},
    };
    for (const StandardOutput output :
         {StandardOutput::full_device, StandardOutput::closed, StandardOutput::unread_pipe}) {
        for (const std::vector<std::string>& arguments : runs) {
            SCOPED_TRACE(arguments.front() + " " + arguments.back() + ", output " +
                         std::to_string(static_cast<int>(output)));
            expect_error(run_with_output(arguments, output), 1, "cannot write to standard output");
            EXPECT_EQ(work_entries(), std::set<std::string>{});
        }
    }
}

TEST_F(CliFailureTest, OutputIntoAMissingDirectoryCreatesNothing) {
    for (const char* format : {"json", "trace", "html"}) {
        std::vector<std::string> arguments{"render", minimal_spec, "--out", "missing/figure.json"};
        if (std::string(format) == "trace") {
            arguments.push_back("--trace-only");
        } else {
            arguments.insert(arguments.end(), {"--format", format});
        }
        const CliResult result = run(arguments);
        expect_error(result, 1, "missing/figure.json");
        EXPECT_EQ(work_entries(), std::set<std::string>{});
    }
}

}  // namespace
}  // namespace trajplot_cli_test
