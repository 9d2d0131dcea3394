#include "atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

#include "trajplot/error.hpp"

namespace trajplot {
namespace {

[[noreturn]] void fail_io(const std::string& what, const std::filesystem::path& path, int error) {
    fail(Errc::io, what + " " + path.string() + ": " + std::strerror(error));
}

std::filesystem::path temporary_sibling(const std::filesystem::path& target) {
    static std::atomic<unsigned long> counter{0};
    std::filesystem::path temporary = target;
    temporary += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    return temporary;
}

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path target) : target_(std::move(target)) {
    if (target_.empty()) fail(Errc::io, "cannot write to an empty path");
    std::error_code error;
    const std::filesystem::file_status status = std::filesystem::status(target_, error);
    if (!error && std::filesystem::is_directory(status)) fail_io("cannot write", target_, EISDIR);
    if (!error && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
        direct_ = true;
        stream_.open(target_, std::ios::binary | std::ios::out);
        if (!stream_) fail_io("cannot open", target_, errno);
        return;
    }
    if (std::filesystem::is_symlink(std::filesystem::symlink_status(target_, error)) && !error) {
        std::filesystem::path resolved = std::filesystem::canonical(target_, error);
        if (!error) target_ = std::move(resolved);
    }
    // O_EXCL: never write into a file someone else created under our name.
    // Mode 0666 leaves the permissions to the umask, as any new file.
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
        temporary_ = temporary_sibling(target_);
        fd = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST) fail_io("cannot create a file beside", target_, errno);
    }
    if (fd < 0) fail_io("cannot create a file beside", target_, EEXIST);
    ::close(fd);
    // From here on the temporary exists; a constructor that throws runs no
    // destructor, so remove it here.
    try {
        stream_.open(temporary_, std::ios::binary | std::ios::trunc);
        if (!stream_) fail_io("cannot open", temporary_, errno);
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove(temporary_, ignored);
        throw;
    }
}

AtomicFile::~AtomicFile() {
    if (committed_ || direct_) return;
    stream_.close();
    std::error_code ignored;
    std::filesystem::remove(temporary_, ignored);
}

void AtomicFile::fail_write() const { fail_io("cannot write", target_, errno != 0 ? errno : EIO); }

void AtomicFile::commit() {
    stream_.flush();
    const bool written = static_cast<bool>(stream_);
    const int write_error = errno;
    stream_.close();
    if (!written || stream_.fail()) fail_io("cannot write", target_, write_error ? write_error : EIO);
    if (direct_) {
        committed_ = true;
        return;
    }
    // Sync before the rename so that a crash cannot leave an empty file
    // under the target's name.
    const int fd = ::open(temporary_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        const int error = errno;
        if (fd >= 0) ::close(fd);
        fail_io("cannot write", target_, error);
    }
    ::close(fd);
    if (std::rename(temporary_.c_str(), target_.c_str()) != 0) fail_io("cannot replace", target_, errno);
    committed_ = true;
}

}  // namespace trajplot
