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

// The longest file name the directory takes (NAME_MAX, 255 on Linux's file
// systems).
std::size_t longest_name(const std::filesystem::path& directory) {
    const long reported = ::pathconf(directory.empty() ? "." : directory.c_str(), _PC_NAME_MAX);
    return reported > 0 ? static_cast<std::size_t>(reported) : std::size_t{255};
}

// The temporary's name is the target's with a unique suffix, but where that
// would be too long for the directory, the target's name is cut short by the
// suffix's length (at a character boundary), so that any name that fits has
// a temporary that fits: it is never longer than the name it replaces.
std::filesystem::path temporary_sibling(const std::filesystem::path& target) {
    static std::atomic<unsigned long> counter{0};
    const std::string suffix = ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    std::string name = target.filename().string();
    if (name.size() + suffix.size() > longest_name(target.parent_path())) {
        std::size_t kept = name.size() > suffix.size() ? name.size() - suffix.size() : 0;
        while (kept > 0 && (static_cast<unsigned char>(name[kept]) & 0xc0) == 0x80) --kept;
        name.resize(kept);
    }
    return target.parent_path() / (name + suffix);
}

// The file a chain of symbolic links ends at, whether it exists or not: a
// link to a missing file is written through, creating the file it names. A
// relative link is read from the link's own directory, as the system reads
// it.
std::filesystem::path final_target(const std::filesystem::path& given) {
    // Linux's own limit on the links one path may go through.
    constexpr int max_links = 40;
    std::filesystem::path path = given;
    for (int links = 0; links <= max_links; ++links) {
        std::error_code error;
        const std::filesystem::file_status status = std::filesystem::symlink_status(path, error);
        if (error || !std::filesystem::is_symlink(status)) return path;
        std::filesystem::path next = std::filesystem::read_symlink(path, error);
        if (error) fail_io("cannot read the symbolic link", path, error.value());
        path = next.is_absolute() ? std::move(next) : path.parent_path() / next;
    }
    fail_io("cannot write", given, ELOOP);
}

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path target) : target_(std::move(target)) {
    if (target_.empty()) fail(Errc::io, "cannot write to an empty path");
    target_ = final_target(target_);
    std::error_code error;
    const std::filesystem::file_status status = std::filesystem::status(target_, error);
    if (!error && std::filesystem::is_directory(status)) fail_io("cannot write", target_, EISDIR);
    if (!error && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
        direct_ = true;
        stream_.open(target_, std::ios::binary | std::ios::out);
        if (!stream_) fail_io("cannot open", target_, errno);
        return;
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
    // Not synced: a save does not wait for the disk, as plotly.py's and
    // most writers do not (an fsync was a third of a large render's time,
    // and more on slow or network disks). The rename keeps the replace
    // atomic for a failed or interrupted run and for readers; ext4, by
    // default, writes a file replaced by a rename before the rename.
    if (std::rename(temporary_.c_str(), target_.c_str()) != 0) fail_io("cannot replace", target_, errno);
    committed_ = true;
}

}  // namespace trajplot
