// The progress line of `trajplot stats`: drawn on standard error when that
// is a terminal (a pseudo-terminal here) and the work lasts longer than the
// delay, redrawn in place and cleared at the end; never written anywhere
// else. The tests set TRAJPLOT_TEST_PROGRESS_DELAY_MS to 0, the variable
// that exists for them, so that a small input shows the line.
#include <fcntl.h>
#include <poll.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "cli_test_support.hpp"

namespace trajplot_cli_test {
namespace {

// A .npy file: its header for `descr` and `shape`, then `data`.
std::string npy_file(const std::string& descr, const std::string& shape, const std::string& data) {
    std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::string bytes = "\x93NUMPY\x01";
    bytes += '\0';
    bytes += static_cast<char>(header.size() & 0xff);
    bytes += static_cast<char>(header.size() >> 8);
    return bytes + header + data;
}

template <typename T>
std::string raw_bytes(const std::vector<double>& values) {
    std::string bytes;
    for (const double value : values) {
        const auto converted = static_cast<T>(value);
        bytes.append(reinterpret_cast<const char*>(&converted), sizeof converted);
    }
    return bytes;
}

struct TerminalRun {
    int exit_status = -1;
    std::string out;       // standard output, a file
    std::string terminal;  // what reached the terminal on standard error
};

class CliProgressTest : public CliTest {
protected:
    void SetUp() override {
        CliTest::SetUp();
        // 2 batch items x 3 layers: 6 slabs of 4 positions x 5 tokens.
        std::vector<double> values(2 * 3 * 4 * 5);
        for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(i % 7) / 4.0;
        write_file(work_dir() / "lens.npy", npy_file("<f4", "(2, 3, 4, 5)", raw_bytes<float>(values)));
        // The same in float64, but for a value float32 cannot hold in the
        // last slab: the run fails once the line is drawn.
        values.back() = 1e300;
        write_file(work_dir() / "overflowing.npy", npy_file("<f8", "(2, 3, 4, 5)", raw_bytes<double>(values)));
        write_file(work_dir() / "ids.npy", npy_file("<i8", "(2, 4)", raw_bytes<std::int64_t>(std::vector<double>(8))));
    }

    // Runs the tool with a pseudo-terminal as standard error and
    // `environment` added to this process's.
    TerminalRun run_on_terminal(const std::vector<std::string>& arguments,
                                const std::vector<std::pair<std::string, std::string>>& environment) const;
};

TerminalRun CliProgressTest::run_on_terminal(
    const std::vector<std::string>& arguments,
    const std::vector<std::pair<std::string, std::string>>& environment) const {
    const int controller = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (controller < 0 || ::grantpt(controller) != 0 || ::unlockpt(controller) != 0) {
        throw std::system_error(errno, std::generic_category(), "posix_openpt");
    }
    const std::string terminal_name = ::ptsname(controller);
    const std::string out_path = (work_dir().parent_path() / "progress-stdout").string();

    // Prepared before fork(): the child may only make async-signal-safe calls.
    std::vector<std::string> argument_storage{TRAJPLOT_CLI_PATH};
    argument_storage.insert(argument_storage.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv;
    for (std::string& argument : argument_storage) argv.push_back(argument.data());
    argv.push_back(nullptr);
    std::vector<std::string> variables;
    for (char** variable = environ; *variable != nullptr; ++variable) variables.emplace_back(*variable);
    for (const auto& [name, value] : environment) variables.push_back(name + "=" + value);
    std::vector<char*> envp;
    for (std::string& variable : variables) envp.push_back(variable.data());
    envp.push_back(nullptr);
    const std::string cwd = work_dir().string();

    const pid_t pid = ::fork();
    if (pid == 0) {
        const int terminal = ::open(terminal_name.c_str(), O_RDWR | O_NOCTTY);
        const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int in = ::open("/dev/null", O_RDONLY);
        if (terminal < 0 || out < 0 || in < 0 || ::chdir(cwd.c_str()) != 0 || ::dup2(in, STDIN_FILENO) < 0 ||
            ::dup2(out, STDOUT_FILENO) < 0 || ::dup2(terminal, STDERR_FILENO) < 0) {
            ::_exit(126);
        }
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    if (pid < 0) {
        ::close(controller);
        throw std::system_error(errno, std::generic_category(), "fork");
    }

    // Read while the child runs, so that it never waits on a full terminal.
    TerminalRun run;
    int status = 0;
    bool exited = false;
    char buffer[4096];
    for (;;) {
        pollfd ready{controller, POLLIN, 0};
        const int polled = ::poll(&ready, 1, exited ? 0 : 50);
        if (polled > 0 && (ready.revents & POLLIN) != 0) {
            const ssize_t got = ::read(controller, buffer, sizeof buffer);
            if (got > 0) {
                run.terminal.append(buffer, static_cast<std::size_t>(got));
                continue;
            }
        }
        if (exited) break;
        const pid_t waited = ::waitpid(pid, &status, WNOHANG);
        if (waited == pid) exited = true;
    }
    ::close(controller);
    run.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
    run.out = read_file(out_path);
    return run;
}

const std::vector<std::string> entropy_run = {"stats", "--logits", "lens.npy", "--input-ids", "ids.npy"};
const std::pair<std::string, std::string> no_delay{"TRAJPLOT_TEST_PROGRESS_DELAY_MS", "0"};

// Everything after the last carriage return: what the terminal's line shows
// once the output is done, for a line that ends cleared.
std::string last_segment(const std::string& text) { return text.substr(text.rfind('\r') + 1); }

TEST_F(CliProgressTest, LineCountsTheSlabsAndIsClearedAtTheEnd) {
    const TerminalRun run = run_on_terminal(entropy_run, {no_delay});
    ASSERT_EQ(run.exit_status, 0) << run.terminal;
    EXPECT_NO_THROW(parse_json(run.out));
    const std::string& shown = run.terminal;
    // The first slab draws the line; the last redraws it however soon.
    EXPECT_NE(shown.find("\rtrajplot: 1/6 slabs, "), std::string::npos) << shown;
    EXPECT_NE(shown.find(" left"), std::string::npos) << shown;
    EXPECT_NE(shown.find("\rtrajplot: 6/6 slabs, "), std::string::npos) << shown;
    EXPECT_NE(shown.find("/s, done"), std::string::npos) << shown;
    // Redrawn in place, never a new line, and blank at the end.
    EXPECT_EQ(shown.find('\n'), std::string::npos) << shown;
    ASSERT_TRUE(shown.ends_with("\r")) << shown;
    const std::string cleared = shown.substr(0, shown.size() - 1);
    EXPECT_EQ(last_segment(cleared).find_first_not_of(' '), std::string::npos) << shown;
    EXPECT_GE(last_segment(cleared).size(), std::string("trajplot: 6/6 slabs, ").size()) << shown;
}

TEST_F(CliProgressTest, WorkShorterThanASecondShowsNothing) {
    const TerminalRun run = run_on_terminal(entropy_run, {});
    ASSERT_EQ(run.exit_status, 0) << run.terminal;
    EXPECT_EQ(run.terminal, "");
}

TEST_F(CliProgressTest, NothingIsWrittenWhenStandardErrorIsNotATerminal) {
    const CliResult result = run(entropy_run, std::nullopt, {no_delay});
    EXPECT_EQ(result.exit_status, 0) << result.err;
    EXPECT_EQ(result.err, "");
}

TEST_F(CliProgressTest, QuietSilencesTheLine) {
    std::vector<std::string> arguments = entropy_run;
    arguments.push_back("--quiet");
    const TerminalRun run = run_on_terminal(arguments, {no_delay});
    EXPECT_EQ(run.exit_status, 0) << run.terminal;
    EXPECT_EQ(run.terminal, "");
}

// A message after the line starts on a line of its own: the line is cleared
// first, whether the failure comes while slabs are read or after.
TEST_F(CliProgressTest, AFailureIsReportedOnAClearedLine) {
    const std::vector<std::pair<std::vector<std::string>, std::string>> failures = {
        {{"stats", "--logits", "overflowing.npy", "--input-ids", "ids.npy"}, "trajplot: --logits 'overflowing.npy'"},
        {{"stats", "--logits", "lens.npy", "--input-ids", "ids.npy", "-o", "missing/figure.json"},
         "trajplot: cannot write --out 'missing/figure.json'"},
    };
    for (const auto& [arguments, message] : failures) {
        SCOPED_TRACE(message);
        const TerminalRun run = run_on_terminal(arguments, {no_delay});
        EXPECT_EQ(run.exit_status, 1);
        const std::size_t error = run.terminal.find(message);
        ASSERT_NE(error, std::string::npos) << run.terminal;
        ASSERT_GT(error, 0u) << "no progress line was drawn: " << run.terminal;
        EXPECT_EQ(run.terminal[error - 1], '\r') << run.terminal;
        const std::string before = run.terminal.substr(0, error - 1);
        EXPECT_NE(before.find("slabs"), std::string::npos) << run.terminal;
        EXPECT_EQ(last_segment(before).find_first_not_of(' '), std::string::npos) << run.terminal;
    }
}

}  // namespace
}  // namespace trajplot_cli_test
