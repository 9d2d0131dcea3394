// NumPy .npy files, memory-mapped rather than read: a lens's outputs for a
// long input can be larger than the machine's memory, and only the slab
// being reduced needs to be resident.
//
// The format (numpy.lib.format): the magic "\x93NUMPY", a version byte pair
// (1.0, 2.0 or 3.0), the header's length (2 bytes little-endian in 1.0, 4
// in 2.0 and 3.0), and the header: a Python dict literal with exactly the
// keys 'descr' (the dtype, e.g. '<f4'), 'fortran_order' and 'shape' (a
// tuple). The elements follow, in C order unless fortran_order is True.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace trajplot_cli {

// A dtype of the simple form numpy writes for numbers: byte order ('<'
// little-endian, '>' big-endian, '|' not applicable, '=' native), kind
// ('f' float, 'i' signed, 'u' unsigned, 'b' bool, ...) and size in bytes.
struct NpyDtype {
    char byte_order = 0;
    char kind = 0;
    std::size_t size = 0;

    // Whether the bytes of one element are in the order this machine reads.
    bool is_native_order() const;
};

class NpyFile {
public:
    // Opens and maps the .npy file at `path`. `name` says which file it is
    // in every message, e.g. "--logits 'lens.npy'". Throws CliError (bad
    // input) naming the file and the problem: a directory, FIFO or device
    // (refused before anything waits on it), not a .npy file, a truncated
    // or malformed header, Fortran order, a dtype and shape whose bytes
    // overflow the address space (naming both), a file shorter than its
    // shape needs.
    static NpyFile open(const std::string& path, std::string name);

    NpyFile(NpyFile&& other) noexcept;
    NpyFile& operator=(NpyFile&& other) noexcept;
    NpyFile(const NpyFile&) = delete;
    NpyFile& operator=(const NpyFile&) = delete;
    ~NpyFile();

    const std::string& name() const noexcept { return name_; }
    // The dtype as the header wrote it, e.g. "<f4".
    const std::string& descr() const noexcept { return descr_; }
    // Kind and size; kind 0 for a descr that is not of the simple form.
    const NpyDtype& dtype() const noexcept { return dtype_; }
    const std::vector<std::size_t>& shape() const noexcept { return shape_; }
    std::size_t element_count() const noexcept { return element_count_; }

    // The bytes of `count` elements from element `first` (row-major), read
    // from the mapping: the pages come in as they are touched.
    std::span<const std::byte> elements(std::size_t first, std::size_t count) const;

    // Gives back to the system the pages wholly inside elements
    // [first, first + count), so that what has been reduced does not stay
    // resident. The elements read the same afterwards (they come back from
    // the file).
    void release(std::size_t first, std::size_t count) const noexcept;

    // "(2, 3, 4, 5)", as numpy prints a shape.
    std::string shape_text() const;
    // "[1, 0, 2]": the multi-index of element `index`, for messages.
    std::string index_text(std::size_t index) const;

private:
    NpyFile() = default;

    std::string name_;
    std::string descr_;
    NpyDtype dtype_;
    std::vector<std::size_t> shape_;
    std::size_t element_count_ = 0;
    std::byte* mapping_ = nullptr;
    std::size_t mapping_size_ = 0;
    std::size_t data_offset_ = 0;
};

// "(2, 3)".
std::string shape_text(std::span<const std::size_t> shape);

// The value of an IEEE 754 half-precision float (numpy's float16), exactly.
float float_from_half(std::uint16_t bits) noexcept;

// Reads the floats of a values file ('<f4', '<f2' or '<f8') a slab at a
// time. float32 data is handed out in place, pointing into the mapping;
// float16 and float64 are converted into one buffer that every slab reuses.
class FloatSlabReader {
public:
    // Throws CliError (bad input) naming the file and its dtype when it is
    // not one of the three, and naming the size when the buffer of one
    // converted slab would exceed the library's memory limit.
    FloatSlabReader(const NpyFile& file, std::size_t slab_elements);

    // The `index`-th slab of slab_elements floats, valid until the next call.
    // Throws CliError (bad input) for a float64 value that is finite but out
    // of float32's range, naming its index.
    const float* slab(std::size_t index);

    // Releases the pages of the `index`-th slab (NpyFile::release).
    void release(std::size_t index) const noexcept;
    // Releases the pages of slabs [first, first + count) together, which
    // includes the pages that straddle two of them.
    void release_range(std::size_t first, std::size_t count) const noexcept;

private:
    const NpyFile& file_;
    std::size_t slab_elements_;
    bool in_place_;
    std::vector<float> buffer_;
};

// The elements of an integer file ('<i8', '<i4', '<i2', '|i1', '<u8', ...)
// as int64, row-major. Throws CliError (bad input) naming the file and its
// dtype for any other dtype, and naming the index of a uint64 value beyond
// int64's range.
std::vector<std::int64_t> read_integers(const NpyFile& file);

}  // namespace trajplot_cli
