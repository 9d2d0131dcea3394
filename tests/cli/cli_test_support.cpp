#include "cli_test_support.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace trajplot_cli_test {
namespace fs = std::filesystem;

namespace {

int open_or_throw(const fs::path& path, int flags) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw std::system_error(errno, std::generic_category(), "open " + path.string());
    }
    return fd;
}

// The command that runs the tool: its path, after the words of
// TRAJPLOT_CLI_WRAPPER when that is set (split at whitespace, no quoting;
// the first word a path, as execv wants). The valgrind tests set it to
// valgrind and its options, so that every run of the tool is checked.
std::vector<std::string> cli_command() {
    std::vector<std::string> words;
    if (const char* wrapper = std::getenv("TRAJPLOT_CLI_WRAPPER")) {
        std::istringstream stream(wrapper);
        for (std::string word; stream >> word;) {
            words.push_back(word);
        }
    }
    words.emplace_back(TRAJPLOT_CLI_PATH);
    return words;
}

}  // namespace

void CliTest::SetUp() {
    std::string pattern = (fs::temp_directory_path() / "trajplot-cli-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::system_error(errno, std::generic_category(), "mkdtemp");
    }
    root_ = pattern;
    work_dir_ = root_ / "work";
    fs::create_directory(work_dir_);
}

void CliTest::TearDown() {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
}

CliResult CliTest::run(const std::vector<std::string>& arguments, const std::optional<std::string>& stdin_text,
                       const std::vector<std::pair<std::string, std::string>>& environment) const {
    return run_child(arguments, stdin_text, environment, StandardOutput::captured);
}

CliResult CliTest::run_with_output(const std::vector<std::string>& arguments, StandardOutput output) const {
    return run_child(arguments, std::nullopt, {}, output);
}

CliResult CliTest::run_child(const std::vector<std::string>& arguments, const std::optional<std::string>& stdin_text,
                             const std::vector<std::pair<std::string, std::string>>& environment,
                             StandardOutput output) const {
    const fs::path stdin_path = root_ / "stdin";
    const fs::path stdout_path = root_ / "stdout";
    const fs::path stderr_path = root_ / "stderr";
    write_file(stdin_path, stdin_text.value_or(""));

    // Everything the child needs is prepared before fork(): after it, only
    // async-signal-safe calls are allowed.
    std::vector<std::string> argument_storage = cli_command();
    argument_storage.insert(argument_storage.end(), arguments.begin(), arguments.end());
    const std::string program = argument_storage.front();
    std::vector<char*> argv;
    for (std::string& argument : argument_storage) {
        argv.push_back(argument.data());
    }
    argv.push_back(nullptr);
    std::vector<std::string> variables;
    for (char** variable = environ; *variable != nullptr; ++variable) {
        const std::string_view entry(*variable);
        const bool overridden = std::any_of(environment.begin(), environment.end(), [&](const auto& setting) {
            return entry.substr(0, setting.first.size() + 1) == setting.first + "=";
        });
        if (!overridden) variables.emplace_back(entry);
    }
    for (const auto& [name, value] : environment) variables.push_back(name + "=" + value);
    std::vector<char*> envp;
    for (std::string& variable : variables) envp.push_back(variable.data());
    envp.push_back(nullptr);
    const std::string cwd = work_dir_.string();

    const int in_fd = open_or_throw(stdin_path, O_RDONLY);
    int out_fd = -1;
    int terminal_fd = -1;  // the pseudo-terminal's controlling side
    switch (output) {
        case StandardOutput::terminal: {
            terminal_fd = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
            const char* name = terminal_fd >= 0 && ::grantpt(terminal_fd) == 0 && ::unlockpt(terminal_fd) == 0
                                   ? ::ptsname(terminal_fd)
                                   : nullptr;
            if (name == nullptr) throw std::system_error(errno, std::generic_category(), "posix_openpt");
            out_fd = open_or_throw(name, O_WRONLY | O_NOCTTY);
            break;
        }
        case StandardOutput::captured: out_fd = open_or_throw(stdout_path, O_WRONLY | O_CREAT | O_TRUNC); break;
        case StandardOutput::full_device: out_fd = open_or_throw("/dev/full", O_WRONLY); break;
        case StandardOutput::closed: break;
        case StandardOutput::unread_pipe: {
            int ends[2];
            if (::pipe2(ends, O_CLOEXEC) != 0) {
                throw std::system_error(errno, std::generic_category(), "pipe2");
            }
            ::close(ends[0]);
            out_fd = ends[1];
            break;
        }
    }
    const int err_fd = open_or_throw(stderr_path, O_WRONLY | O_CREAT | O_TRUNC);
    // An ignored signal stays ignored across execve.
    struct sigaction ignore_sigpipe {};
    ignore_sigpipe.sa_handler = SIG_IGN;
    ::sigemptyset(&ignore_sigpipe.sa_mask);

    const pid_t pid = ::fork();
    if (pid == 0) {
        if (::chdir(cwd.c_str()) != 0 || ::dup2(in_fd, STDIN_FILENO) < 0 || ::dup2(err_fd, STDERR_FILENO) < 0) {
            ::_exit(126);
        }
        if (out_fd < 0) {
            ::close(STDOUT_FILENO);
        } else if (::dup2(out_fd, STDOUT_FILENO) < 0) {
            ::_exit(126);
        }
        if (output == StandardOutput::unread_pipe && ::sigaction(SIGPIPE, &ignore_sigpipe, nullptr) != 0) {
            ::_exit(126);
        }
        ::execve(program.c_str(), argv.data(), envp.data());
        ::_exit(127);
    }
    const int fork_errno = errno;
    ::close(in_fd);
    if (out_fd >= 0) ::close(out_fd);
    ::close(err_fd);
    if (pid < 0) {
        throw std::system_error(fork_errno, std::generic_category(), "fork");
    }
    // A terminal is read, as a person's would be, so that a large output
    // does not block the tool; reading ends when the tool's side closes.
    std::thread terminal_reader;
    if (terminal_fd >= 0) {
        terminal_reader = std::thread([terminal_fd] {
            char buffer[1 << 14];
            while (::read(terminal_fd, buffer, sizeof buffer) > 0 || errno == EINTR) {}
        });
    }

    int status = 0;
    struct rusage usage {};
    while (::wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR) {
            throw std::system_error(errno, std::generic_category(), "wait4");
        }
    }
    if (terminal_reader.joinable()) terminal_reader.join();
    if (terminal_fd >= 0) ::close(terminal_fd);
    CliResult result;
    result.peak_rss_kib = usage.ru_maxrss;
    // A crash must fail the test, never pass for an expected exit status.
    result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
    if (output == StandardOutput::captured) result.out = read_file(stdout_path);
    result.err = read_file(stderr_path);
    return result;
}

std::set<std::string> CliTest::work_entries() const {
    std::set<std::string> names;
    for (const fs::directory_entry& entry : fs::directory_iterator(work_dir_)) {
        names.insert(entry.path().filename().string());
    }
    return names;
}

std::string spec_path(std::string_view name) {
    return std::string(TRAJPLOT_CLI_TEST_DATA_DIR) + "/" + std::string(name);
}

std::string read_file(const fs::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        throw std::runtime_error("cannot read " + path.string());
    }
    return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

void write_file(const fs::path& path, std::string_view content) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!file) {
        throw std::runtime_error("cannot write " + path.string());
    }
}

nlohmann::json parse_json(const std::string& text) { return nlohmann::json::parse(text); }

nlohmann::json read_json(const fs::path& path) { return parse_json(read_file(path)); }

Grid spec_stats(const nlohmann::json& spec) {
    Grid grid;
    for (const nlohmann::json& row : spec.at("stats")) {
        std::vector<std::optional<float>>& values = grid.emplace_back();
        for (const nlohmann::json& value : row) {
            values.push_back(value.is_null() ? std::nullopt
                                             : std::optional<float>(static_cast<float>(value.get<double>())));
        }
    }
    return grid;
}

void expect_z(const nlohmann::json& z, const Grid& expected) {
    ASSERT_TRUE(z.is_array());
    ASSERT_EQ(z.size(), expected.size());
    for (std::size_t layer = 0; layer < expected.size(); ++layer) {
        ASSERT_EQ(z[layer].size(), expected[layer].size()) << "layer " << layer;
        for (std::size_t position = 0; position < expected[layer].size(); ++position) {
            const nlohmann::json& cell = z[layer][position];
            const std::optional<float>& want = expected[layer][position];
            if (!want) {
                EXPECT_TRUE(cell.is_null()) << "z[" << layer << "][" << position << "] = " << cell;
            } else {
                ASSERT_TRUE(cell.is_number()) << "z[" << layer << "][" << position << "] = " << cell;
                // Floats are written in their shortest round-trip form, so
                // they read back as exactly the same float32.
                EXPECT_EQ(static_cast<float>(cell.get<double>()), *want) << "z[" << layer << "][" << position << "]";
            }
        }
    }
}

std::string escape_markup(std::string_view text) {
    std::string escaped;
    for (const char c : text) {
        switch (c) {
            case '&': escaped += "&amp;"; break;
            case '<': escaped += "&lt;"; break;
            case '>': escaped += "&gt;"; break;
            default: escaped += c;
        }
    }
    return escaped;
}

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream stream(text);
    for (std::string line; std::getline(stream, line);) {
        lines.push_back(line);
    }
    return lines;
}

}  // namespace

void expect_error(const CliResult& result, int exit_status, std::string_view needle) {
    EXPECT_EQ(result.exit_status, exit_status) << "stderr: " << result.err;
    EXPECT_EQ(result.out, "");
    ASSERT_FALSE(result.err.empty());
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << "not one line: " << result.err;
    EXPECT_EQ(result.err.back(), '\n');
    EXPECT_TRUE(result.err.starts_with("trajplot: ")) << result.err;
    EXPECT_NE(result.err.find(needle), std::string::npos) << "'" << needle << "' not in: " << result.err;
}

void expect_usage_error(const CliResult& result, std::string_view needle) {
    EXPECT_EQ(result.exit_status, 2) << "stderr: " << result.err;
    EXPECT_EQ(result.out, "");
    const std::vector<std::string> lines = lines_of(result.err);
    ASSERT_EQ(lines.size(), 2u) << result.err;
    EXPECT_TRUE(lines[0].starts_with("trajplot: ")) << lines[0];
    EXPECT_NE(lines[0].find(needle), std::string::npos) << "'" << needle << "' not in: " << lines[0];
    EXPECT_TRUE(lines[1].starts_with("usage: trajplot ")) << lines[1];
}

}  // namespace trajplot_cli_test
