#include "input_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "cli_error.hpp"

namespace trajplot_cli {
namespace {

[[noreturn]] void fail_not_regular(const std::string& name, std::string_view expected, mode_t mode) {
    std::string message = name;
    message.append(" is ").append(file_kind(mode)).append(", not ").append(expected);
    if (!S_ISDIR(mode)) message.append("; save the data to a file and give its path");
    fail_input(message);
}

}  // namespace

FileDescriptor::~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
}

std::string_view file_kind(mode_t mode) {
    if (S_ISREG(mode)) return "a regular file";
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO (a pipe)";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "a special file";
}

FileDescriptor open_regular_file(const std::string& path, const std::string& name, std::string_view expected,
                                 struct stat& status) {
    // The kind is known before the file is opened: opening a socket fails
    // with a reason that would not say what the path is.
    if (::stat(path.c_str(), &status) != 0) {
        fail_input("cannot open " + name + ": " + std::strerror(errno));
    }
    if (!S_ISREG(status.st_mode)) fail_not_regular(name, expected, status.st_mode);
    // O_NONBLOCK: should the path have become a FIFO since, opening it does
    // not wait for a writer; reading a regular file ignores the flag.
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (fd.get() < 0) {
        fail_input("cannot open " + name + ": " + std::strerror(errno));
    }
    if (::fstat(fd.get(), &status) != 0) {
        fail_input("cannot read " + name + ": " + std::strerror(errno));
    }
    if (!S_ISREG(status.st_mode)) fail_not_regular(name, expected, status.st_mode);
    return fd;
}

}  // namespace trajplot_cli
