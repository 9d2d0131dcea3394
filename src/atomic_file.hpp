// Replaces a file atomically: the content goes to a temporary file in the
// same directory, renamed over the target only once completely written.
// Until then the target is untouched; on failure the temporary is removed.
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

private:
    std::filesystem::path target_;
    std::filesystem::path temporary_;
    std::ofstream stream_;
    bool committed_ = false;
};

}  // namespace trajplot
