#include "npy_file.hpp"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>

#include "cli_error.hpp"
#include "input_file.hpp"
#include "trajplot.h"

namespace trajplot_cli {
namespace {

constexpr std::string_view magic = "\x93NUMPY";
// numpy refuses headers beyond 10 000 bytes unless told otherwise; a
// megabyte allows any shape while still refusing a length that is noise.
constexpr std::size_t max_header_bytes = std::size_t{1} << 20;

// The header without the spaces and newline numpy pads it with.
std::string_view trimmed(std::string_view header) {
    const std::size_t end = header.find_last_not_of(" \t\r\n");
    return end == std::string_view::npos ? std::string_view{} : header.substr(0, end + 1);
}

// Header text for a message (see printable_bytes), without its padding,
// cut short so that a huge header does not flood the terminal.
std::string header_excerpt(std::string_view header) {
    constexpr std::size_t shown = 160;
    const std::string_view text = trimmed(header);
    std::string excerpt = printable_bytes(text.substr(0, shown));
    if (text.size() > shown) excerpt += "...";
    return excerpt;
}

// A key or dtype from the header, quoted for a message.
std::string quoted_excerpt(std::string_view text) { return single_quoted(header_excerpt(text)); }

// Reads exactly `size` bytes at `offset`; fewer only at the end of the file.
std::string read_at(int fd, std::size_t offset, std::size_t size, const std::string& name) {
    std::string bytes(size, '\0');
    std::size_t done = 0;
    while (done < size) {
        const ssize_t got = ::pread(fd, bytes.data() + done, size - done, static_cast<off_t>(offset + done));
        if (got < 0) {
            if (errno == EINTR) continue;
            fail_input("cannot read " + name + ": " + std::strerror(errno));
        }
        if (got == 0) break;
        done += static_cast<std::size_t>(got);
    }
    bytes.resize(done);
    return bytes;
}

// ---------------------------------------------------------------------------
// The header: a Python literal, as numpy writes it with repr().

struct PyValue {
    enum class Type { string, boolean, none, integer, tuple, list, dict };
    Type type = Type::none;
    std::string text;   // string
    bool flag = false;  // boolean
    std::uint64_t integer = 0;
    std::vector<PyValue> items;  // tuple, list; dict: key, value, key, value...
};

const char* type_name(PyValue::Type type) {
    switch (type) {
        case PyValue::Type::string: return "a string";
        case PyValue::Type::boolean: return "a boolean";
        case PyValue::Type::none: return "None";
        case PyValue::Type::integer: return "an integer";
        case PyValue::Type::tuple: return "a tuple";
        case PyValue::Type::list: return "a list";
        case PyValue::Type::dict: return "a dict";
    }
    return "a value";
}

// The subset of Python literals numpy headers use, nested without limit
// but for a depth that keeps the recursion shallow.
class LiteralParser {
public:
    LiteralParser(std::string_view text, const std::string& name) : text_(text), name_(name) {}

    PyValue parse_document() {
        PyValue value = parse_value(0);
        skip_space();
        if (position_ != text_.size()) fail("unexpected text after the dict");
        return value;
    }

private:
    static constexpr int max_depth = 32;

    [[noreturn]] void fail(const std::string& problem) const {
        const std::string where =
            position_ >= trimmed(text_).size() ? "at its end" : "at character " + std::to_string(position_ + 1);
        fail_input(name_ + " has a malformed header (" + problem + " " + where + "): " + header_excerpt(text_));
    }

    void skip_space() {
        while (position_ < text_.size() && (text_[position_] == ' ' || text_[position_] == '\t' ||
                                            text_[position_] == '\n' || text_[position_] == '\r')) {
            ++position_;
        }
    }

    bool at(char c) {
        skip_space();
        return position_ < text_.size() && text_[position_] == c;
    }

    void expect(char c) {
        if (!at(c)) fail(std::string("expected '") + c + "'");
        ++position_;
    }

    bool consume_word(std::string_view word) {
        if (text_.substr(position_, word.size()) != word) return false;
        const std::size_t end = position_ + word.size();
        if (end < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '_')) {
            return false;
        }
        position_ = end;
        return true;
    }

    PyValue parse_value(int depth) {
        if (depth > max_depth) fail("values nested too deeply");
        skip_space();
        if (position_ == text_.size()) fail("the header ends where a value should be");
        const char c = text_[position_];
        PyValue value;
        if (c == '\'' || c == '"') {
            value.type = PyValue::Type::string;
            value.text = parse_string();
        } else if (c >= '0' && c <= '9') {
            value.type = PyValue::Type::integer;
            value.integer = parse_integer();
        } else if (c == '(' || c == '[') {
            value.type = c == '(' ? PyValue::Type::tuple : PyValue::Type::list;
            value.items = parse_sequence(c == '(' ? ')' : ']', depth);
        } else if (c == '{') {
            value.type = PyValue::Type::dict;
            value.items = parse_dict(depth);
        } else if (consume_word("True")) {
            value.type = PyValue::Type::boolean;
            value.flag = true;
        } else if (consume_word("False")) {
            value.type = PyValue::Type::boolean;
        } else if (consume_word("None")) {
            value.type = PyValue::Type::none;
        } else {
            fail(std::string("unexpected '") + header_excerpt(std::string_view(&text_[position_], 1)) + "'");
        }
        return value;
    }

    std::string parse_string() {
        const char quote = text_[position_++];
        std::string text;
        while (position_ < text_.size() && text_[position_] != quote) {
            if (text_[position_] == '\\') {
                // Escapes only matter for telling a quote from the end; the
                // strings read here (dtype descriptions, keys) never hold one.
                ++position_;
                if (position_ == text_.size()) break;
            }
            text += text_[position_++];
        }
        if (position_ == text_.size()) fail("a string is not closed");
        ++position_;
        return text;
    }

    std::uint64_t parse_integer() {
        std::uint64_t value = 0;
        const char* begin = text_.data() + position_;
        const char* end = text_.data() + text_.size();
        const auto [stop, error] = std::from_chars(begin, end, value);
        if (error == std::errc::result_out_of_range) fail("an integer too large for 64 bits");
        position_ += static_cast<std::size_t>(stop - begin);
        // Python 2's numpy wrote long integers with an L suffix.
        if (position_ < text_.size() && text_[position_] == 'L') ++position_;
        return value;
    }

    std::vector<PyValue> parse_sequence(char close, int depth) {
        ++position_;
        std::vector<PyValue> items;
        while (!at(close)) {
            items.push_back(parse_value(depth + 1));
            if (at(',')) {
                ++position_;
            } else if (!at(close)) {
                fail(std::string("expected ',' or '") + close + "'");
            }
        }
        ++position_;
        return items;
    }

    std::vector<PyValue> parse_dict(int depth) {
        ++position_;
        std::vector<PyValue> items;
        while (!at('}')) {
            PyValue key = parse_value(depth + 1);
            if (key.type != PyValue::Type::string) fail("a dict key that is not a string");
            items.push_back(std::move(key));
            expect(':');
            items.push_back(parse_value(depth + 1));
            if (at(',')) {
                ++position_;
            } else if (!at('}')) {
                fail("expected ',' or '}'");
            }
        }
        ++position_;
        return items;
    }

    std::string_view text_;
    const std::string& name_;
    std::size_t position_ = 0;
};

std::optional<NpyDtype> parse_dtype(std::string_view descr) {
    if (descr.size() < 3) return std::nullopt;
    NpyDtype dtype;
    dtype.byte_order = descr[0];
    dtype.kind = descr[1];
    if (std::string_view("<>|=").find(dtype.byte_order) == std::string_view::npos) return std::nullopt;
    const char* begin = descr.data() + 2;
    const char* end = descr.data() + descr.size();
    const auto [stop, error] = std::from_chars(begin, end, dtype.size);
    if (error != std::errc{} || stop != end || dtype.size == 0) return std::nullopt;
    return dtype;
}

// Whether `descr` is of the simple form but for a size too large for
// size_t, such as '<U99999999999999999999'.
bool size_overflows(std::string_view descr) {
    if (descr.size() < 3 || std::string_view("<>|=").find(descr[0]) == std::string_view::npos) return false;
    std::size_t size = 0;
    const auto [stop, error] = std::from_chars(descr.data() + 2, descr.data() + descr.size(), size);
    return error == std::errc::result_out_of_range && stop == descr.data() + descr.size();
}

std::size_t page_size() {
    static const std::size_t size = [] {
        const long reported = ::sysconf(_SC_PAGESIZE);
        return reported > 0 ? static_cast<std::size_t>(reported) : std::size_t{4096};
    }();
    return size;
}

template <typename T>
T load(const std::byte* bytes) noexcept {
    T value;
    std::memcpy(&value, bytes, sizeof value);
    return value;
}

}  // namespace

bool NpyDtype::is_native_order() const {
    if (byte_order == '|' || byte_order == '=') return true;
    return byte_order == (std::endian::native == std::endian::little ? '<' : '>');
}

std::string shape_text(std::span<const std::size_t> shape) {
    std::string text = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i > 0) text += ", ";
        text += std::to_string(shape[i]);
    }
    // Python's one-element tuple.
    if (shape.size() == 1) text += ",";
    return text + ")";
}

NpyFile NpyFile::open(const std::string& path, std::string name) {
    struct stat status {};
    const FileDescriptor fd = open_regular_file(path, name, "a .npy file", status);
    const auto file_size = static_cast<std::uint64_t>(status.st_size);

    const std::string prefix = read_at(fd.get(), 0, magic.size() + 2 + 4, name);
    if (prefix.size() < magic.size() || std::string_view(prefix).substr(0, magic.size()) != magic) {
        // np.savez's archives are the likeliest mistake.
        if (std::string_view(prefix).starts_with("PK\x03\x04")) {
            fail_input(name +
                       " is a zip archive, such as np.savez writes, not a .npy file; save the array with np.save");
        }
        fail_input(name + " is not a .npy file: it does not start with the .npy magic (the byte 0x93, then NUMPY)");
    }
    if (prefix.size() < magic.size() + 2) {
        fail_input(name + " is truncated: it ends inside its version");
    }
    const auto major = static_cast<unsigned char>(prefix[magic.size()]);
    const auto minor = static_cast<unsigned char>(prefix[magic.size() + 1]);
    if (major < 1 || major > 3 || minor != 0) {
        fail_input(name + " has .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                   "; versions 1.0, 2.0 and 3.0 are supported");
    }
    const std::size_t length_bytes = major == 1 ? 2 : 4;
    const std::size_t header_start = magic.size() + 2 + length_bytes;
    if (prefix.size() < header_start) {
        fail_input(name + " is truncated: it ends inside its header length");
    }
    std::size_t header_length = 0;
    for (std::size_t i = 0; i < length_bytes; ++i) {
        header_length |= static_cast<std::size_t>(static_cast<unsigned char>(prefix[magic.size() + 2 + i])) << (8 * i);
    }
    if (header_length > max_header_bytes) {
        fail_input(name + " has a header of " + std::to_string(header_length) + " bytes; at most " +
                   std::to_string(max_header_bytes) + " are accepted");
    }
    if (header_start + header_length > file_size) {
        fail_input(name + " is truncated: its header needs " + std::to_string(header_length) + " bytes after byte " +
                   std::to_string(header_start) + ", the file has " + std::to_string(file_size) + " bytes");
    }
    const std::string header = read_at(fd.get(), header_start, header_length, name);
    if (header.size() != header_length) {
        fail_input(name + " is truncated: it ends inside its header");
    }
    // Versions 1.0 and 2.0 are latin-1 and 3.0 UTF-8; every key and value
    // numpy writes is ASCII, so both read alike here.
    const PyValue dict = LiteralParser(header, name).parse_document();
    if (dict.type != PyValue::Type::dict) {
        fail_input(name + " has a malformed header (" + type_name(dict.type) +
                   ", not a dict): " + header_excerpt(header));
    }

    NpyFile file;
    file.name_ = std::move(name);
    const PyValue* descr = nullptr;
    const PyValue* fortran_order = nullptr;
    const PyValue* shape = nullptr;
    for (std::size_t i = 0; i + 1 < dict.items.size(); i += 2) {
        const std::string& key = dict.items[i].text;
        const PyValue* value = &dict.items[i + 1];
        const PyValue** slot = key == "descr"           ? &descr
                               : key == "fortran_order" ? &fortran_order
                               : key == "shape"         ? &shape
                                                        : nullptr;
        if (slot == nullptr) {
            fail_input(file.name_ + " has the header key " + quoted_excerpt(key) +
                       "; a .npy header has exactly 'descr', 'fortran_order' and 'shape'");
        }
        if (*slot != nullptr) fail_input(file.name_ + " has the header key " + quoted_excerpt(key) + " twice");
        *slot = value;
    }
    for (const auto& [slot, key] :
         {std::pair{descr, "descr"}, std::pair{fortran_order, "fortran_order"}, std::pair{shape, "shape"}}) {
        if (slot == nullptr) fail_input(file.name_ + "'s header has no '" + key + "': " + header_excerpt(header));
    }
    if (descr->type != PyValue::Type::string) {
        fail_input(file.name_ + " has a 'descr' that is " + type_name(descr->type) +
                   ", a structured dtype; a plain number dtype such as '<f4' is needed");
    }
    if (fortran_order->type != PyValue::Type::boolean) {
        fail_input(file.name_ + " has a 'fortran_order' that is " + type_name(fortran_order->type) +
                   ", not True or False");
    }
    if (fortran_order->flag) {
        fail_input(file.name_ +
                   " is in Fortran (column-major) order; save it in C order, e.g. "
                   "np.save(path, np.ascontiguousarray(array))");
    }
    if (shape->type != PyValue::Type::tuple) {
        fail_input(file.name_ + " has a 'shape' that is " + type_name(shape->type) + ", not a tuple");
    }
    file.descr_ = descr->text;
    const std::optional<NpyDtype> dtype = parse_dtype(file.descr_);
    if (dtype) file.dtype_ = *dtype;
    if (size_overflows(file.descr_)) {
        fail_input(file.name_ + " has dtype " + quoted_excerpt(file.descr_) +
                   ", whose item size overflows the address space");
    }

    std::size_t count = 1;
    bool overflow = false;
    for (const PyValue& extent : shape->items) {
        if (extent.type != PyValue::Type::integer) {
            fail_input(file.name_ + " has a 'shape' holding " + type_name(extent.type) + ", not only integers");
        }
        if (extent.integer > std::numeric_limits<std::size_t>::max()) {
            overflow = true;
            file.shape_.push_back(std::numeric_limits<std::size_t>::max());
            continue;
        }
        file.shape_.push_back(static_cast<std::size_t>(extent.integer));
        if (extent.integer != 0 && count > std::numeric_limits<std::size_t>::max() / extent.integer) overflow = true;
        count *= static_cast<std::size_t>(extent.integer);
    }
    if (!overflow && file.dtype_.size != 0 && count > std::numeric_limits<std::size_t>::max() / file.dtype_.size) {
        overflow = true;
    }
    if (overflow) {
        fail_input(file.name_ + " has shape " + file.shape_text() + " and dtype " + quoted_excerpt(file.descr_) +
                   ", whose size in bytes overflows the address space");
    }
    file.element_count_ = count;

    file.data_offset_ = header_start + header_length;
    if (dtype) {
        const std::uint64_t data_bytes = static_cast<std::uint64_t>(count) * dtype->size;
        const std::uint64_t available = file_size - file.data_offset_;
        if (data_bytes > available) {
            fail_input(file.name_ + " is truncated: shape " + file.shape_text() + " of " + quoted_excerpt(file.descr_) +
                       " needs " + std::to_string(data_bytes) + " bytes of data, the file has " +
                       std::to_string(available));
        }
    }
    if (file_size > std::numeric_limits<std::size_t>::max()) {
        fail_input(file.name_ + " is larger than the address space");
    }
    file.mapping_size_ = static_cast<std::size_t>(file_size);
    if (file.mapping_size_ > 0) {
        void* mapped = ::mmap(nullptr, file.mapping_size_, PROT_READ, MAP_PRIVATE, fd.get(), 0);
        if (mapped == MAP_FAILED) {
            fail_input("cannot map " + file.name_ + " into memory: " + std::strerror(errno));
        }
        file.mapping_ = static_cast<std::byte*>(mapped);
        // The slabs are read front to back, each once.
        ::madvise(mapped, file.mapping_size_, MADV_SEQUENTIAL);
    }
    return file;
}

NpyFile::NpyFile(NpyFile&& other) noexcept { *this = std::move(other); }

NpyFile& NpyFile::operator=(NpyFile&& other) noexcept {
    if (this != &other) {
        if (mapping_ != nullptr) ::munmap(mapping_, mapping_size_);
        name_ = std::move(other.name_);
        descr_ = std::move(other.descr_);
        dtype_ = other.dtype_;
        shape_ = std::move(other.shape_);
        element_count_ = other.element_count_;
        mapping_ = std::exchange(other.mapping_, nullptr);
        mapping_size_ = std::exchange(other.mapping_size_, 0);
        data_offset_ = other.data_offset_;
    }
    return *this;
}

NpyFile::~NpyFile() {
    if (mapping_ != nullptr) ::munmap(mapping_, mapping_size_);
}

std::span<const std::byte> NpyFile::elements(std::size_t first, std::size_t count) const {
    // open() checked that every element of the shape lies in the file.
    return {mapping_ + data_offset_ + first * dtype_.size, count * dtype_.size};
}

void NpyFile::release(std::size_t first, std::size_t count) const noexcept {
    if (mapping_ == nullptr || count == 0) return;
    const std::size_t page = page_size();
    const std::size_t begin = data_offset_ + first * dtype_.size;
    const std::size_t end = begin + count * dtype_.size;
    const std::size_t aligned_begin = (begin + page - 1) / page * page;
    const std::size_t aligned_end = end / page * page;
    if (aligned_begin >= aligned_end) return;
    // A private read-only mapping has no dirty pages: dropping them loses
    // nothing, and a later read fetches them from the file again.
    ::madvise(mapping_ + aligned_begin, aligned_end - aligned_begin, MADV_DONTNEED);
}

std::string NpyFile::shape_text() const { return trajplot_cli::shape_text(shape_); }

std::string NpyFile::index_text(std::size_t index) const {
    std::vector<std::size_t> indices(shape_.size());
    for (std::size_t axis = shape_.size(); axis-- > 0;) {
        indices[axis] = index % shape_[axis];
        index /= shape_[axis];
    }
    std::string text = "[";
    for (std::size_t axis = 0; axis < indices.size(); ++axis) {
        if (axis > 0) text += ", ";
        text += std::to_string(indices[axis]);
    }
    return text + "]";
}

float float_from_half(std::uint16_t bits) noexcept {
    const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000u) << 16;
    const std::uint32_t exponent = (bits >> 10) & 0x1fu;
    const std::uint32_t mantissa = bits & 0x3ffu;
    if (exponent == 0) {
        // Zero and the subnormals: mantissa x 2^-24, exact in float32.
        const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
        return std::bit_cast<float>(std::bit_cast<std::uint32_t>(magnitude) | sign);
    }
    if (exponent == 0x1f) {
        // Infinities, and NaNs with their payload.
        return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
    }
    // Rebias the exponent from 15 to 127.
    return std::bit_cast<float>(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

FloatSlabReader::FloatSlabReader(const NpyFile& file, std::size_t slab_elements)
    : file_(file), slab_elements_(slab_elements), in_place_(false) {
    const NpyDtype& dtype = file.dtype();
    const bool is_float = dtype.kind == 'f' && (dtype.size == 2 || dtype.size == 4 || dtype.size == 8);
    if (!is_float || !dtype.is_native_order()) {
        const bool big_endian = is_float && dtype.byte_order == '>';
        fail_input(file.name() + " has dtype " + quoted_excerpt(file.descr()) + (big_endian ? " (big-endian)" : "") +
                   "; expected little-endian float32 '<f4', float16 '<f2' or float64 '<f8'");
    }
    // float32 is read in place when the data is aligned for it, which it
    // is in every file numpy writes (the header pads the data to 64 bytes).
    const std::span<const std::byte> first = file.elements(0, 0);
    in_place_ = dtype.size == sizeof(float) && reinterpret_cast<std::uintptr_t>(first.data()) % alignof(float) == 0;
    if (in_place_) return;
    // The one buffer that grows with the input is held to the library's
    // memory limit, as everything the library allocates is, rather than met
    // by the out-of-memory killer. The slab's bytes cannot overflow: the
    // file holding them at 2 bytes a value is mapped.
    const std::size_t limit = trajplot_memory_limit();
    if (slab_elements > limit / sizeof(float)) {
        fail_input(file.name() + " has dtype " + quoted_excerpt(file.descr()) +
                   ", read through a float32 copy of one slab at a time, and a slab of " +
                   std::to_string(slab_elements) + " values (seq_len x vocab) needs " +
                   std::to_string(slab_elements * sizeof(float)) + " bytes, more than the memory limit of " +
                   std::to_string(limit) + " bytes; save it as float32 ('<f4'), which is read in place");
    }
    buffer_.resize(slab_elements);
}

const float* FloatSlabReader::slab(std::size_t index) {
    const std::size_t first = index * slab_elements_;
    const std::span<const std::byte> bytes = file_.elements(first, slab_elements_);
    if (in_place_) return reinterpret_cast<const float*>(bytes.data());
    const std::byte* source = bytes.data();
    switch (file_.dtype().size) {
        case 2:
            for (std::size_t i = 0; i < slab_elements_; ++i) {
                buffer_[i] = float_from_half(load<std::uint16_t>(source + 2 * i));
            }
            break;
        case 4: std::memcpy(buffer_.data(), source, slab_elements_ * sizeof(float)); break;
        default:
            for (std::size_t i = 0; i < slab_elements_; ++i) {
                const double value = load<double>(source + 8 * i);
                const auto narrowed = static_cast<float>(value);
                // Infinities and NaNs carry over; a finite value that becomes
                // infinite would change every statistic of its row.
                if (std::isinf(narrowed) && std::isfinite(value)) {
                    char text[32];
                    const auto result = std::to_chars(text, text + sizeof text, value);
                    fail_input(file_.name() + " holds " + std::string(text, result.ptr) + " at " +
                               file_.index_text(first + i) + ", which does not fit a 32-bit float");
                }
                buffer_[i] = narrowed;
            }
            break;
    }
    return buffer_.data();
}

void FloatSlabReader::release(std::size_t index) const noexcept {
    file_.release(index * slab_elements_, slab_elements_);
}

void FloatSlabReader::release_range(std::size_t first, std::size_t count) const noexcept {
    file_.release(first * slab_elements_, count * slab_elements_);
}

std::vector<std::int64_t> read_integers(const NpyFile& file) {
    const NpyDtype& dtype = file.dtype();
    const bool is_integer = (dtype.kind == 'i' || dtype.kind == 'u') &&
                            (dtype.size == 1 || dtype.size == 2 || dtype.size == 4 || dtype.size == 8);
    if (!is_integer || !dtype.is_native_order()) {
        const bool big_endian = is_integer && dtype.byte_order == '>';
        fail_input(file.name() + " has dtype " + quoted_excerpt(file.descr()) + (big_endian ? " (big-endian)" : "") +
                   "; expected a little-endian integer dtype ('<i8', '<i4', '<i2', '|i1', '<u8', '<u4', '<u2' "
                   "or '|u1')");
    }
    const std::size_t count = file.element_count();
    const std::byte* bytes = file.elements(0, count).data();
    std::vector<std::int64_t> values(count);
    const bool is_signed = dtype.kind == 'i';
    for (std::size_t i = 0; i < count; ++i) {
        const std::byte* element = bytes + i * dtype.size;
        // Each branch widens on its own: a conditional of int32 and uint32
        // would make a negative id unsigned first.
        switch (dtype.size) {
            case 1:
                values[i] =
                    is_signed ? std::int64_t{load<std::int8_t>(element)} : std::int64_t{load<std::uint8_t>(element)};
                break;
            case 2:
                values[i] =
                    is_signed ? std::int64_t{load<std::int16_t>(element)} : std::int64_t{load<std::uint16_t>(element)};
                break;
            case 4:
                values[i] =
                    is_signed ? std::int64_t{load<std::int32_t>(element)} : std::int64_t{load<std::uint32_t>(element)};
                break;
            default:
                if (is_signed) {
                    values[i] = load<std::int64_t>(element);
                } else {
                    const auto value = load<std::uint64_t>(element);
                    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
                        fail_input(file.name() + " holds " + std::to_string(value) + " at " + file.index_text(i) +
                                   ", which is not a token id");
                    }
                    values[i] = static_cast<std::int64_t>(value);
                }
                break;
        }
    }
    file.release(0, count);
    return values;
}

}  // namespace trajplot_cli
