// Running the trajplot binary from tests: a fixture that gives every test a
// fresh working directory, and helpers to read what the tool wrote.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace trajplot_cli_test {

struct CliResult {
    int exit_status = -1;
    std::string out;  // everything written to standard output
    std::string err;  // everything written to standard error
    // The child's peak resident set in KiB (getrusage's ru_maxrss), which
    // includes what it shared with this process between fork and exec.
    long peak_rss_kib = 0;
};

// What the tool's standard output is connected to.
enum class StandardOutput {
    captured,     // a file, returned as CliResult::out
    full_device,  // /dev/full: every write fails with ENOSPC
    closed,       // no descriptor 1 at all: writes fail with EBADF
    // A pipe whose reading end is closed, SIGPIPE ignored (as a caller
    // that ignores it passes it on): writes fail with EPIPE.
    unread_pipe,
    // A pseudo-terminal, as when a person runs the tool; what it receives
    // is not kept.
    terminal,
};

class CliTest : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override;

    // Runs `trajplot arguments...` with the work directory as its current
    // directory and `stdin_text` (or nothing) on standard input.
    // `environment` sets (or with an empty value, empties) variables of the
    // tool's environment, which is otherwise this process's.
    CliResult run(const std::vector<std::string>& arguments,
                  const std::optional<std::string>& stdin_text = std::nullopt,
                  const std::vector<std::pair<std::string, std::string>>& environment = {}) const;

    // Runs `trajplot arguments...` as run() does, with standard output
    // connected to `output` (CliResult::out is empty unless it is captured).
    CliResult run_with_output(const std::vector<std::string>& arguments, StandardOutput output) const;

    // The directory the tool runs in and writes its outputs to; it starts
    // empty, and the captured streams are kept outside it.
    const std::filesystem::path& work_dir() const { return work_dir_; }

    // The names in the work directory, to prove a run created nothing.
    std::set<std::string> work_entries() const;

private:
    CliResult run_child(const std::vector<std::string>& arguments, const std::optional<std::string>& stdin_text,
                        const std::vector<std::pair<std::string, std::string>>& environment,
                        StandardOutput output) const;

    std::filesystem::path root_;
    std::filesystem::path work_dir_;
};

// tests/data/cli/<name>
std::string spec_path(std::string_view name);

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, std::string_view content);

nlohmann::json parse_json(const std::string& text);
nlohmann::json read_json(const std::filesystem::path& path);

// The values of a spec's "stats" as float32, nullopt for null: what the z of
// the trace must hold.
using Grid = std::vector<std::vector<std::optional<float>>>;
Grid spec_stats(const nlohmann::json& spec);

// Checks that `z` holds exactly `expected` (JSON null for nullopt).
void expect_z(const nlohmann::json& z, const Grid& expected);

// Text as Plotly must receive it to display it literally: "<", ">" and "&"
// as entities.
std::string escape_markup(std::string_view text);

// Checks a failed run: `exit_status`, nothing on standard output, and on
// standard error one line "trajplot: ..." holding `needle`.
void expect_error(const CliResult& result, int exit_status, std::string_view needle);

// Checks a usage error: exit status 2, a "trajplot: ..." line holding
// `needle`, then the usage line.
void expect_usage_error(const CliResult& result, std::string_view needle);

}  // namespace trajplot_cli_test
