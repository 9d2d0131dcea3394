// Opening the files `trajplot stats` reads, so that a path naming anything
// but a file on disk is refused with the option's name before anything
// waits on it: opening a FIFO for reading blocks until a writer comes.
#pragma once

#include <sys/stat.h>

#include <string>
#include <string_view>

namespace trajplot_cli {

// An open file descriptor, closed with its owner.
class FileDescriptor {
public:
    explicit FileDescriptor(int fd) noexcept : fd_(fd) {}
    FileDescriptor(FileDescriptor&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    FileDescriptor& operator=(FileDescriptor&&) = delete;
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor();

    int get() const noexcept { return fd_; }

private:
    int fd_;
};

// "a directory", "a FIFO (named pipe)", ...: what a file that is not a
// regular file is, for messages; "a regular file" for one that is.
std::string_view file_kind(mode_t mode);

// Opens the regular file at `path` for reading, without blocking whatever it
// is. `name` says which file it is in messages ("--vocab 'v.json'"),
// `expected` what it should be ("a .npy file"). Throws CliError (bad input)
// when the file cannot be opened, or is a directory, a FIFO, a device or a
// socket. `status` receives the open file's status.
FileDescriptor open_regular_file(const std::string& path, const std::string& name, std::string_view expected,
                                 struct stat& status);

}  // namespace trajplot_cli
