// Replaces a file atomically: the content goes to a temporary file in the
// same directory, renamed over the target only once completely written.
// Until then the target is untouched; on failure the temporary is removed.
// A symbolic link is followed: the file it names is replaced (or, when it is
// missing, created), the link kept. The temporary's name is never longer
// than the target's where that would not fit the directory, so a name of
// the longest length works.
// A target that is not a regular file or a directory (a device such as
// /dev/stdout or /dev/full, a FIFO) cannot be replaced and is written
// directly.
#pragma once

#include <filesystem>
#include <fstream>

namespace trajplot {

class AtomicFile {
public:
    // Creates the temporary file; throws Error(Errc::io) naming the path and
    // the system's reason when it cannot.
    explicit AtomicFile(std::filesystem::path target);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    std::ostream& stream() { return stream_; }

    // Flushes, syncs and renames the temporary over the target; throws
    // Error(Errc::io) (and removes the temporary) on any failure.
    void commit();

    // Throws Error(Errc::io) naming the target and the system's reason for
    // the stream's failed write (errno as the write left it).
    [[noreturn]] void fail_write() const;

private:
    std::filesystem::path target_;
    std::filesystem::path temporary_;
    std::ofstream stream_;
    bool direct_ = false;  // writing into the target itself
    bool committed_ = false;
};

}  // namespace trajplot
