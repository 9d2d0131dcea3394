#include "output_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <system_error>
#include <utility>

#include "cli_error.hpp"

namespace trajplot_cli {
namespace {

// `name`, or for a file reached through a symbolic link, that file and
// `name` both.
std::string file_text(const std::string& target, const std::string& path, const std::string& name) {
    return target == path ? name : single_quoted(target) + ", where " + name + " leads";
}

// The file at the end of the symbolic links from `path`, existing or not;
// a relative link is read from its own directory, as the system reads it.
std::string final_target(const std::string& path, const std::string& name) {
    // Linux's own limit on the links one path may go through.
    constexpr int max_links = 40;
    std::filesystem::path current = path;
    for (int links = 0; links <= max_links; ++links) {
        std::error_code error;
        const std::filesystem::file_status status = std::filesystem::symlink_status(current, error);
        if (error || !std::filesystem::is_symlink(status)) return current.string();
        std::filesystem::path next = std::filesystem::read_symlink(current, error);
        if (error)
            fail_input("cannot read the symbolic link " + single_quoted(current.string()) + ": " + error.message());
        current = next.is_absolute() ? std::move(next) : current.parent_path() / next;
    }
    fail_input("cannot write " + name + ": " + std::strerror(ELOOP));
}

// The target's name with a unique suffix, cut short where the directory
// would not take the longer name (at a UTF-8 character's start).
std::string temporary_beside(const std::string& target) {
    static unsigned long counter = 0;
    const std::filesystem::path path(target);
    const std::string suffix = ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    const std::filesystem::path directory = path.parent_path();
    const long reported = ::pathconf(directory.empty() ? "." : directory.c_str(), _PC_NAME_MAX);
    const std::size_t longest = reported > 0 ? static_cast<std::size_t>(reported) : std::size_t{255};
    std::string name = path.filename().string();
    if (name.size() + suffix.size() > longest) {
        std::size_t kept = name.size() > suffix.size() ? name.size() - suffix.size() : 0;
        while (kept > 0 && (static_cast<unsigned char>(name[kept]) & 0xc0) == 0x80) --kept;
        name.resize(kept);
    }
    return (directory / (name + suffix)).string();
}

}  // namespace

OutputFiles::~OutputFiles() {
    for (const Pending& file : pending_) {
        if (!file.temporary.empty()) ::unlink(file.temporary.c_str());
    }
}

std::string OutputFiles::reserve(const std::string& path, const std::string& name) {
    const std::string target = final_target(path, name);
    struct stat status {};
    if (::stat(target.c_str(), &status) == 0) {
        if (S_ISDIR(status.st_mode)) {
            fail_input(file_text(target, path, name) + " is a directory; move it away, or write elsewhere");
        }
        if (!S_ISREG(status.st_mode)) return path;
    }
    // O_EXCL: never write into a file someone else created under the name.
    // Mode 0666 leaves the permissions to the umask, as for any new file.
    for (int attempt = 0; attempt < 100; ++attempt) {
        std::string temporary = temporary_beside(target);
        const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            ::close(fd);
            pending_.push_back({temporary, target, file_text(target, path, name)});
            return temporary;
        }
        if (errno != EEXIST) break;
    }
    fail_input("cannot write " + file_text(target, path, name) + ": " + std::strerror(errno));
}

void OutputFiles::commit() {
    for (Pending& file : pending_) {
        if (std::rename(file.temporary.c_str(), file.target.c_str()) != 0) {
            fail_input("cannot replace " + file.shown + ": " + std::strerror(errno));
        }
        file.temporary.clear();
    }
}

}  // namespace trajplot_cli
