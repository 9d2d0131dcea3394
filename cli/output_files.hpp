// Several output files written as one set (`trajplot stats --output-dir`):
// every file is written to a temporary file beside its target first, and
// only once all of them are written are they renamed into place, so that a
// run that fails on its third file leaves the first two as they were.
#pragma once

#include <string>
#include <vector>

namespace trajplot_cli {

class OutputFiles {
public:
    OutputFiles() = default;
    OutputFiles(const OutputFiles&) = delete;
    OutputFiles& operator=(const OutputFiles&) = delete;
    // Removes every temporary file not renamed into place.
    ~OutputFiles();

    // Creates an empty temporary file for `path` and returns its path, to
    // write the output to. The temporary lies beside the file `path` names
    // (through symbolic links, as the library writes a file, so that a link
    // keeps pointing at its file, and a link to a missing file creates it)
    // and its name is never longer than that file's where a longer one would
    // not fit the directory. A device or FIFO cannot be replaced and is
    // written directly: its path is returned as it is. `name` says which
    // file it is in messages ("--output-dir file 'figs/entropy.json'").
    // Throws CliError (bad input) when `path` is a directory or no file can
    // be created beside it.
    std::string reserve(const std::string& path, const std::string& name);

    // Renames every temporary file onto its target, in the order reserved.
    // Throws CliError (bad input) when one cannot be; the files renamed
    // before it stay in place.
    void commit();

private:
    struct Pending {
        std::string temporary;
        std::string target;
        std::string shown;  // the target in messages
    };
    std::vector<Pending> pending_;
};

}  // namespace trajplot_cli
