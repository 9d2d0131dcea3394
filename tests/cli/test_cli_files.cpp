// The files `trajplot render` writes: through symbolic links, under names of
// the longest length a directory takes, and never into a directory given as
// --out.
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "cli_test_support.hpp"

namespace trajplot_cli_test {
namespace {

namespace fs = std::filesystem;

class CliOutputFileTest : public CliTest {
protected:
    // The figure of minimal.json, as written to standard output.
    std::string expected_figure() const {
        const CliResult result = run({"render", spec_path("minimal.json")});
        EXPECT_EQ(result.exit_status, 0) << result.err;
        return result.out;
    }
};

TEST_F(CliOutputFileTest, DanglingLinkCreatesTheFileItNames) {
    fs::create_symlink("missing.json", work_dir() / "link.json");
    const CliResult result = run({"render", spec_path("minimal.json"), "-o", "link.json"});
    ASSERT_EQ(result.exit_status, 0) << result.err;
    EXPECT_EQ(result.err, "");
    EXPECT_TRUE(fs::is_symlink(work_dir() / "link.json"));
    EXPECT_EQ(read_file(work_dir() / "missing.json"), expected_figure());
    EXPECT_EQ(work_entries(), (std::set<std::string>{"link.json", "missing.json"}));
}

TEST_F(CliOutputFileTest, LinkIntoAMissingDirectoryNamesTheFileAndTheLink) {
    fs::create_symlink("no/such/dir/figure.json", work_dir() / "link.json");
    const CliResult result = run({"render", spec_path("minimal.json"), "-o", "link.json"});
    expect_error(result, 1,
                 "cannot write 'no/such/dir/figure.json', where --out 'link.json' leads: No such file or directory");
    EXPECT_EQ(work_entries(), std::set<std::string>{"link.json"});
}

// A name of the longest length the directory takes works, and leaves no
// temporary file behind, whether new or replacing a file.
TEST_F(CliOutputFileTest, NameOfTheLongestLengthIsWritten) {
    const long longest = ::pathconf(work_dir().c_str(), _PC_NAME_MAX);
    ASSERT_GT(longest, 5);
    const std::string name = std::string(static_cast<std::size_t>(longest) - 5, 'n') + ".json";
    const std::string figure = expected_figure();
    for (const bool replacing : {false, true}) {
        SCOPED_TRACE(replacing ? "replacing a file" : "a new file");
        const CliResult result = run({"render", spec_path("minimal.json"), "-o", name});
        ASSERT_EQ(result.exit_status, 0) << result.err;
        EXPECT_EQ(read_file(work_dir() / name), figure);
        EXPECT_EQ(work_entries(), std::set<std::string>{name});
    }
}

TEST_F(CliOutputFileTest, DirectoryAsTheOutputNamesTheOptionAndThePath) {
    fs::create_directory(work_dir() / "figures");
    expect_error(run({"render", spec_path("minimal.json"), "-o", "figures"}), 1,
                 "--out 'figures' is a directory; give the path of the file to write");
    EXPECT_TRUE(fs::is_empty(work_dir() / "figures"));
    // A link to a directory is a directory too.
    fs::create_directory_symlink("figures", work_dir() / "link");
    expect_error(run({"render", spec_path("minimal.json"), "-o", "link"}), 1, "--out 'link' is a directory");
    EXPECT_EQ(work_entries(), (std::set<std::string>{"figures", "link"}));
}

TEST_F(CliOutputFileTest, MissingDirectoryNamesTheOptionAndThePath) {
    expect_error(run({"render", spec_path("minimal.json"), "-o", "missing/figure.json"}), 1,
                 "cannot write --out 'missing/figure.json': No such file or directory");
}

}  // namespace
}  // namespace trajplot_cli_test
