// How `trajplot render` reads a SPEC beyond the shape checks of
// test_cli_errors.cpp: what Python's json.dump writes (NaN, Infinity and
// -Infinity are gaps in stats, and refused with the fix anywhere else),
// keys in any order and each given once, strings and numbers in every form
// JSON allows, and syntax errors reported with their line and column before
// any other problem.
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

class CliSpecTest : public CliTest {
protected:
    // Renders `spec` (the text of a spec file) to standard output.
    CliResult render_text(const std::string& spec) const {
        write_file(work_dir() / "spec.json", spec);
        return run({"render", "spec.json"});
    }
};

// tests/data/cli/python_non_finite.json and python_nulls.json were written
// by Python's json.dump from the same dict, with float("nan"),
// float("inf") and -float("inf") in the first and None in the second.
TEST_F(CliSpecTest, PythonsNonFiniteFloatsAreGapsLikeNull) {
    const std::string dumped = read_file(spec_path("python_non_finite.json"));
    ASSERT_NE(dumped.find("NaN"), std::string::npos);
    ASSERT_NE(dumped.find("-Infinity"), std::string::npos);

    const CliResult non_finite = run({"render", spec_path("python_non_finite.json")});
    const CliResult nulls = run({"render", spec_path("python_nulls.json")});
    const CliResult from_stdin = run({"render", "-"}, dumped);
    ASSERT_EQ(non_finite.exit_status, 0) << non_finite.err;
    ASSERT_EQ(nulls.exit_status, 0) << nulls.err;
    ASSERT_EQ(from_stdin.exit_status, 0) << from_stdin.err;
    EXPECT_EQ(non_finite.out, nulls.out);
    EXPECT_EQ(from_stdin.out, nulls.out);

    const json trace = parse_json(non_finite.out).at("data").at(0);
    expect_z(trace["z"], Grid{{3.25f, std::nullopt, 1.5f}, {std::nullopt, 0.75f, std::nullopt}});
    // The colour range is that of the finite values.
    EXPECT_EQ(trace["zmin"], 0.75);
    EXPECT_EQ(trace["zmax"], 3.25);
}

struct SpecText {
    const char* name;
    const char* text;     // the spec file
    const char* message;  // must appear in the error line
};

void PrintTo(const SpecText& spec, std::ostream* out) { *out << spec.name; }

class CliSpecErrorTest : public CliSpecTest, public ::testing::WithParamInterface<SpecText> {};

TEST_P(CliSpecErrorTest, FailsWithTheMessageAndWritesNothing) {
    write_file(work_dir() / "spec.json", GetParam().text);
    expect_error(run({"render", "spec.json", "--out", "figure.json"}), 1, GetParam().message);
    EXPECT_EQ(work_entries(), std::set<std::string>{"spec.json"});
}

constexpr const char* non_finite_note =
    "(NaN, Infinity and -Infinity are accepted only as values of spec.stats, where they are gaps)";

const SpecText non_finite_elsewhere[] = {
    {"MinNaN", R"({"name": "E", "stats": [[1, 2]], "min": NaN})",
     "spec.min is 'NaN', which only spec.stats accepts (as a gap); write a finite number, or null to leave it unset"},
    {"MaxInfinity", R"({"name": "E", "stats": [[1, 2]], "max": Infinity})",
     "spec.max is 'Infinity', which only spec.stats accepts (as a gap); write a finite number, or null to leave it "
     "unset"},
    {"MaxMinusInfinity", R"({"name": "E", "stats": [[1, 2]], "max": -Infinity})", "spec.max is '-Infinity'"},
    {"Name", R"({"name": -Infinity, "stats": [[1, 2]]})", "spec.name must be a string, got -Infinity"},
    {"Units", R"({"name": "E", "stats": [[1, 2]], "units": NaN})", "spec.units must be a string, got NaN"},
    {"SequenceLabel", R"({"name": "E", "stats": [[1, 2]], "sequence_labels": ["a", Infinity]})",
     "spec.sequence_labels[1] must be a string, got Infinity"},
    {"CellLabel", R"({"name": "E", "stats": [[1, 2]], "trajectory_labels": {"label_strings": [["a", NaN]]}})",
     "spec.trajectory_labels.label_strings[0][1] must be a string, got NaN"},
    {"HoverEntry",
     R"({"name": "E", "stats": [[1, 2]], "trajectory_labels": {"label_strings": [["a", "b"]],
         "hover_over_entries": [[[["a", "1%"]], [["b", NaN]]]]}})",
     "spec.trajectory_labels.hover_over_entries[0][1][0][1] must be a string, got NaN"},
    {"LayerLabel", R"({"name": "E", "stats": [[1, 2]], "layer_labels": [NaN]})",
     "spec.layer_labels[0] must be a string, got NaN"},
    {"IncludesOutput", R"({"name": "E", "stats": [[1, 2]], "includes_output": NaN})",
     "spec.includes_output must be true or false, got NaN"},
    {"StatsRow", R"({"name": "E", "stats": [[1, 2], NaN]})", "spec.stats[1] must be an array, got NaN"},
    {"WholeSpec", "NaN", "spec must be a JSON object, got NaN"},
};

INSTANTIATE_TEST_SUITE_P(NonFiniteOutsideStats, CliSpecErrorTest, ::testing::ValuesIn(non_finite_elsewhere),
                         [](const ::testing::TestParamInfo<SpecText>& info) { return info.param.name; });

TEST_F(CliSpecTest, NonFiniteOutsideStatsSaysWhereItIsAccepted) {
    const CliResult result = render_text(R"({"name": "E", "stats": [[1, 2]], "layer_labels": [Infinity]})");
    expect_error(result, 1, non_finite_note);
}

// Only Python's spellings: other forms are not JSON, and reported as such.
const SpecText other_non_finite_spellings[] = {
    {"LowerCaseNan", R"({"name": "E", "stats": [[1, nan]]})", "spec file 'spec.json' is not valid JSON"},
    {"MinusNaN", R"({"name": "E", "stats": [[1, -NaN]]})", "spec file 'spec.json' is not valid JSON"},
    {"PlusInfinity", R"({"name": "E", "stats": [[1, +Infinity]]})", "spec file 'spec.json' is not valid JSON"},
    {"Inf", R"({"name": "E", "stats": [[1, inf]]})", "spec file 'spec.json' is not valid JSON"},
    {"NaNGlued", R"({"name": "E", "stats": [[1, 1NaN]]})", "spec file 'spec.json' is not valid JSON"},
    {"NaNFollowed", R"({"name": "E", "stats": [[1, NaN1]]})",
     "spec file 'spec.json' is not valid JSON: parse error at line 1, column 29: syntax error while parsing value - "
     "invalid literal"},
};

INSTANTIATE_TEST_SUITE_P(OtherSpellings, CliSpecErrorTest, ::testing::ValuesIn(other_non_finite_spellings),
                         [](const ::testing::TestParamInfo<SpecText>& info) { return info.param.name; });

// JSON leaves repeated keys to the reader, and most keep the last silently.
const SpecText repeated_keys[] = {
    {"Stats", R"({"name": "E", "stats": [[1, 2]], "stats": [[3, 4]]})",
     "spec.stats is given more than once; give each key once"},
    {"NullCounts", R"({"name": "E", "units": null, "stats": [[1, 2]], "units": "nats"})",
     "spec.units is given more than once"},
    {"Escaped", R"({"name": "E", "n\u0061me": "F", "stats": [[1, 2]]})", "spec.name is given more than once"},
    {"InLabels",
     R"({"name": "E", "stats": [[1, 2]], "trajectory_labels": {"label_strings": [["a", "b"]],
         "label_strings": [["c", "d"]]}})",
     "spec.trajectory_labels.label_strings is given more than once"},
};

INSTANTIATE_TEST_SUITE_P(RepeatedKeys, CliSpecErrorTest, ::testing::ValuesIn(repeated_keys),
                         [](const ::testing::TestParamInfo<SpecText>& info) { return info.param.name; });

// A syntax error anywhere is the first problem reported, even after one
// that would be reported otherwise, with its line and column (NaN and
// Infinity before it do not shift them).
const SpecText syntax_errors[] = {
    {"TruncatedAfterAWrongType", "{\"name\": 42,\n \"stats\": [[1, 2]]\n",
     "spec file 'spec.json' is not valid JSON: parse error at line 3, column 1: syntax error while parsing object - "
     "unexpected end of input; expected '}'"},
    {"MissingCommaAfterNaN", R"({"name": "E", "stats": [[NaN, 1 2]]})",
     "is not valid JSON: parse error at line 1, column 33: syntax error while parsing array - unexpected number "
     "literal; expected ']'"},
    {"AfterARaggedRow", "{\"name\": \"E\", \"stats\": [[1, 2], [3]],\n \"units\": 'nats'}",
     "is not valid JSON: parse error at line 2, column 11"},
    {"AfterANumberBeyondADouble", "{\"name\": \"E\", \"stats\": [[1e400]],\n \"units\": 'x'}",
     "is not valid JSON: parse error at line 2, column 11"},
    {"TextAfterTheObject", R"({"name": "E", "stats": [[1, 2]]} {})", "expected end of input"},
    {"TrailingComma", R"({"name": "E", "stats": [[1, 2]],})", "expected string literal"},
    {"LeadingZero", R"({"name": "E", "stats": [[01]]})", "is not valid JSON: parse error at line 1, column 27"},
    {"BadEscape", R"({"name": "a\qb", "stats": [[1]]})", "forbidden character after backslash"},
    {"LoneSurrogate", R"({"name": "\ud83d", "stats": [[1]]})", "surrogate"},
    {"ControlCharacter", "{\"name\": \"a\tb\", \"stats\": [[1]]}", "control character"},
    {"InvalidUtf8", "{\"name\": \"a\xff\", \"stats\": [[1]]}", "ill-formed UTF-8"},
};

INSTANTIATE_TEST_SUITE_P(SyntaxErrors, CliSpecErrorTest, ::testing::ValuesIn(syntax_errors),
                         [](const ::testing::TestParamInfo<SpecText>& info) { return info.param.name; });

// The shape checks against stats hold wherever stats is in the file.
const SpecText shapes_before_stats[] = {
    {"SequenceLabels", R"({"sequence_labels": ["a", "b"], "name": "E", "stats": [[1, 2, 3]]})",
     "spec.sequence_labels has 2 strings, expected 3 (one per position of spec.stats)"},
    {"LayerLabels", R"({"layer_labels": ["a"], "name": "E", "stats": [[1], [2]]})",
     "spec.layer_labels has 1 string, expected 2 (one per layer of spec.stats)"},
    {"HoverTables",
     R"({"trajectory_labels": {"hover_over_entries": [[[["a"]]]], "label_strings": [["a", "b"]]},
         "name": "E", "stats": [[1, 2]]})",
     "spec.trajectory_labels.hover_over_entries[0] has 1 position, expected 2"},
};

INSTANTIATE_TEST_SUITE_P(ShapesBeforeStats, CliSpecErrorTest, ::testing::ValuesIn(shapes_before_stats),
                         [](const ::testing::TestParamInfo<SpecText>& info) { return info.param.name; });

TEST_F(CliSpecTest, KeysMayComeInAnyOrder) {
    const std::string stats_first = R"({"name": "E", "units": "nats", "stats": [[1, 2, 3], [4, 5, 6]],
        "sequence_labels": ["a", "b", "c"],
        "trajectory_labels": {"label_strings": [["l1", "l2", "l3"], ["l4", "l5", "l6"]],
            "hover_over_entries": [[[["a", "1"]], [["b", "2"]], [["c", "3"]]],
                                   [[["d", "4"]], [["e", "5"]], [["f", "6"]]]]},
        "min": 0, "max": 7, "includes_output": false, "layer_labels": ["x", "y"]})";
    const std::string stats_last = R"({"layer_labels": ["x", "y"], "includes_output": false, "max": 7,
        "trajectory_labels": {"hover_over_entries": [[[["a", "1"]], [["b", "2"]], [["c", "3"]]],
                                                     [[["d", "4"]], [["e", "5"]], [["f", "6"]]]],
            "label_strings": [["l1", "l2", "l3"], ["l4", "l5", "l6"]]},
        "sequence_labels": ["a", "b", "c"], "min": 0, "units": "nats", "stats": [[1, 2, 3], [4, 5, 6]],
        "name": "E"})";
    const CliResult first = render_text(stats_first);
    const CliResult last = render_text(stats_last);
    ASSERT_EQ(first.exit_status, 0) << first.err;
    ASSERT_EQ(last.exit_status, 0) << last.err;
    EXPECT_EQ(last.out, first.out);

    const json trace = parse_json(first.out).at("data").at(0);
    EXPECT_EQ(trace["y"], json::array({"x", "y"}));
    EXPECT_EQ(trace["text"], json::array({json::array({"l1", "l2", "l3"}), json::array({"l4", "l5", "l6"})}));
    EXPECT_EQ(trace["zmax"], 7);
    ASSERT_EQ(trace["customdata"].size(), 2u);
    EXPECT_EQ(trace["customdata"][1][2], json::array({" f", " 6"}));
}

TEST_F(CliSpecTest, EscapedStringsAreTheCharactersTheyName) {
    const CliResult plain = render_text(
        R"({"name": "Énergie", "stats": [[1, 2]], "sequence_labels": ["é", "😀"],
            "trajectory_labels": {"label_strings": [["a/b", "c"]]}})");
    const CliResult escaped = render_text(
        R"({"name": "\u00c9nergie", "stats": [[1, 2]], "sequence_labels": ["\u00e9", "\ud83d\ude00"],
            "trajectory_labels": {"label_strings": [["a\/b", "\u0063"]]}})");
    ASSERT_EQ(plain.exit_status, 0) << plain.err;
    ASSERT_EQ(escaped.exit_status, 0) << escaped.err;
    EXPECT_EQ(escaped.out, plain.out);

    const CliResult quoted = render_text(R"({"name": "E", "stats": [[1, 2]],
        "trajectory_labels": {"label_strings": [["say \"hi\"", "back\\slash\n"]]}})");
    ASSERT_EQ(quoted.exit_status, 0) << quoted.err;
    const json trace = parse_json(quoted.out).at("data").at(0);
    EXPECT_EQ(trace["text"], json::array({json::array({"say \"hi\"", "back\\slash\n"})}));
}

TEST_F(CliSpecTest, NumbersInEveryFormJsonAllows) {
    const CliResult result = render_text(
        R"({"name": "E", "stats": [[1e-400, 123456789012345678901234567890, 2.5E+3, -0.0, 1E2, 0.1, -7]]})");
    ASSERT_EQ(result.exit_status, 0) << result.err;
    expect_z(parse_json(result.out).at("data").at(0)["z"],
             Grid{{0.0f, 1.2345679e29f, 2500.0f, 0.0f, 100.0f, 0.1f, -7.0f}});
}

TEST_F(CliSpecTest, AByteOrderMarkIsSkipped) {
    const std::string spec = R"({"name": "E", "stats": [[1, 2]]})";
    const CliResult with_mark = render_text("\xEF\xBB\xBF" + spec);
    const CliResult without = render_text(spec);
    ASSERT_EQ(with_mark.exit_status, 0) << with_mark.err;
    EXPECT_EQ(with_mark.out, without.out);
}

}  // namespace
}  // namespace trajplot_cli_test
