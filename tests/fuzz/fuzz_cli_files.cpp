// Fuzzes the readers of the files `trajplot stats` takes: .npy files
// (cli/npy_file.hpp: NpyFile, FloatSlabReader, read_integers) and --vocab
// files (cli/vocabulary_file.hpp: read_vocabulary).
//
// Input: one byte choosing the reader, then the file's contents.
// - An even first byte: a .npy file. Bits 1-2 choose the slab the floats
//   are read in: 0 the last two axes (seq_len x vocab, as `trajplot stats`
//   reads a lens's outputs), 1 the last axis, 2 the whole array, 3 one
//   element.
// - An odd first byte: a vocabulary file; bits 1-3 choose the size of the
//   lens's vocabulary (lens_vocabularies below).
//
// Checked:
// - every failure is a CliError with a message (valid UTF-8, without
//   control characters: it goes to a terminal) and exit status 1;
// - a .npy file that opens starts with the magic and a supported version,
//   its element count is the product of its shape, its dtype is the
//   descr's, and elements(first, count) are exactly the file's bytes at
//   the data offset the header gives (read byte by byte, so that a span
//   past the mapping is read too);
// - FloatSlabReader accepts exactly '<f2', '<f4' and '<f8' (native order),
//   and every slab holds the values decoded here independently (float16
//   by its definition, float64 narrowed, refused only when finite and out
//   of float32's range), the same again after its pages are released;
// - read_integers accepts exactly the little-endian integer dtypes of 1,
//   2, 4 and 8 bytes and returns each element's value, refusing only a
//   uint64 beyond int64;
// - read_vocabulary returns what the formats its header documents give,
//   worked out here independently, and fails exactly when they say so.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_error.hpp"
#include "fuzz_support.hpp"
#include "npy_file.hpp"
#include "vocabulary_file.hpp"

namespace trajplot_fuzz {
namespace {

using trajplot_cli::CliError;

void trace(const std::string& step, const std::string& outcome) {
    static const bool tracing = std::getenv("TRAJPLOT_FUZZ_TRACE") != nullptr;
    if (tracing) std::fprintf(stderr, "%s: %s\n", step.c_str(), outcome.c_str());
}

void check_cli_error(const CliError& error, const std::string& where) {
    const std::string message = error.what();
    trace(where, "exit " + std::to_string(error.exit_status()) + ": " + printable(message));
    check(!message.empty(), where + " failed without a message");
    check(error.exit_status() == trajplot_cli::exit_bad_input && !error.show_usage(),
          where + " failed with exit status " + std::to_string(error.exit_status()) + " or the usage line",
          [&] { return printable(message); });
    check(is_valid_utf8(message), where + "'s message is not valid UTF-8", [&] { return printable(message); });
    const bool has_control = std::any_of(message.begin(), message.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte < 0x20 || byte == 0x7f;
    });
    check(!has_control, where + "'s message holds a control character", [&] { return printable(message); });
}

// The one file every input is written to: reading a path is what the
// readers do.
const std::filesystem::path& input_path() {
    static const std::filesystem::path path = scratch_directory() / "input";
    return path;
}

void write_input(std::string_view contents) {
    std::ofstream file(input_path(), std::ios::binary | std::ios::trunc);
    file.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    file.close();
    check(!file.fail(), "cannot write the input file");
}

// Runs `read`, which must either succeed or throw CliError; returns whether
// it succeeded.
template <typename Read>
bool attempt(const std::string& where, Read&& read) {
    try {
        read();
        trace(where, "ok");
        return true;
    } catch (const CliError& error) {
        check_cli_error(error, where);
    } catch (const std::exception& error) {
        fail_check(where + " threw something other than CliError", error.what());
    }
    return false;
}

// ---------------------------------------------------------------------------
// .npy

constexpr std::string_view npy_magic = "\x93NUMPY";

template <typename T>
T load(const std::byte* bytes) {
    T value;
    std::memcpy(&value, bytes, sizeof value);
    return value;
}

// IEEE 754 binary16 by its definition, apart from the library's bit moves.
float half_value(std::uint16_t bits) {
    const int sign = (bits & 0x8000u) ? -1 : 1;
    const int exponent = (bits >> 10) & 0x1f;
    const int mantissa = bits & 0x3ff;
    if (exponent == 0) return static_cast<float>(sign * std::ldexp(static_cast<double>(mantissa), -24));
    if (exponent == 0x1f) {
        if (mantissa == 0) return sign * std::numeric_limits<float>::infinity();
        return std::numeric_limits<float>::quiet_NaN();
    }
    return static_cast<float>(sign * std::ldexp(1024.0 + mantissa, exponent - 25));
}

bool same_float(float got, float expected) {
    if (std::isnan(expected)) return std::isnan(got);
    return std::bit_cast<std::uint32_t>(got) == std::bit_cast<std::uint32_t>(expected);
}

// Where the data starts by the format's definition, for a file open()
// accepted (so the prefix is whole).
std::size_t data_offset(std::string_view file) {
    const bool version1 = static_cast<unsigned char>(file[npy_magic.size()]) == 1;
    const std::size_t length_bytes = version1 ? 2 : 4;
    std::size_t header_length = 0;
    for (std::size_t i = 0; i < length_bytes; ++i) {
        header_length |= static_cast<std::size_t>(static_cast<unsigned char>(file[npy_magic.size() + 2 + i]))
                         << (8 * i);
    }
    return npy_magic.size() + 2 + length_bytes + header_length;
}

// The descr '<f4' as (byte order, kind, size), or nothing: a structured
// dtype, or one numpy would not write in this form.
std::optional<trajplot_cli::NpyDtype> simple_dtype(const std::string& descr) {
    if (descr.size() < 3 || std::string_view("<>|=").find(descr[0]) == std::string_view::npos) return std::nullopt;
    std::size_t size = 0;
    for (std::size_t i = 2; i < descr.size(); ++i) {
        if (descr[i] < '0' || descr[i] > '9') return std::nullopt;
        if (size > (std::numeric_limits<std::size_t>::max() - 9) / 10) return std::nullopt;
        size = size * 10 + static_cast<std::size_t>(descr[i] - '0');
    }
    if (size == 0) return std::nullopt;
    return trajplot_cli::NpyDtype{descr[0], descr[1], size};
}

bool little_endian_order(char byte_order) { return byte_order == '<' || byte_order == '|' || byte_order == '='; }

void check_open_file(const trajplot_cli::NpyFile& file, std::string_view contents) {
    check(contents.substr(0, npy_magic.size()) == npy_magic, "a file without the .npy magic opened");
    const auto major = static_cast<unsigned char>(contents[npy_magic.size()]);
    const auto minor = static_cast<unsigned char>(contents[npy_magic.size() + 1]);
    check(major >= 1 && major <= 3 && minor == 0, "a file of an unsupported version opened");

    std::size_t product = 1;
    for (const std::size_t extent : file.shape()) product *= extent;
    check(file.element_count() == product, "element_count is not the product of the shape",
          [&] { return file.shape_text() + " vs " + std::to_string(file.element_count()); });

    const std::optional<trajplot_cli::NpyDtype> dtype = simple_dtype(file.descr());
    const trajplot_cli::NpyDtype& got = file.dtype();
    if (dtype) {
        check(got.byte_order == dtype->byte_order && got.kind == dtype->kind && got.size == dtype->size,
              "the dtype is not the descr's", [&] { return printable(file.descr()); });
    } else {
        check(got.kind == 0 && got.size == 0, "a descr not of the simple form has a dtype",
              [&] { return printable(file.descr()); });
        return;
    }

    // A file that opens holds all of its elements: every byte of the
    // spans must be the file's, at the header's data offset.
    const std::size_t offset = data_offset(contents);
    const std::size_t bytes = file.element_count() * got.size;
    check(offset <= contents.size() && bytes <= contents.size() - offset, "a file shorter than its shape needs opened",
          [&] { return file.shape_text() + " " + file.descr(); });
    const std::span<const std::byte> all = file.elements(0, file.element_count());
    check(all.size() == bytes, "elements(0, count) has the wrong size");
    for (std::size_t i = 0; i < all.size(); ++i) {
        check(static_cast<char>(all[i]) == contents[offset + i], "elements() differ from the file's data",
              [&] { return "at byte " + std::to_string(i); });
    }
    if (file.element_count() > 0) {
        const std::size_t last = file.element_count() - 1;
        const std::span<const std::byte> tail = file.elements(last, 1);
        check(tail.size() == got.size &&
                  std::memcmp(tail.data(), contents.data() + offset + last * got.size, got.size) == 0,
              "elements(last, 1) is not the last element");
        // The index of the last element is the shape less one on every axis.
        std::string expected = "[";
        for (std::size_t axis = 0; axis < file.shape().size(); ++axis) {
            if (axis > 0) expected += ", ";
            expected += std::to_string(file.shape()[axis] - 1);
        }
        check(file.index_text(last) == expected + "]", "index_text of the last element is wrong",
              [&] { return file.index_text(last) + " vs " + expected + "]"; });
    }
}

// The floats of a slab, decoded here from the file's bytes; nothing when
// a float64 value is finite and beyond float32.
std::optional<std::vector<float>> expected_slab(std::span<const std::byte> bytes, std::size_t size) {
    std::vector<float> values;
    for (std::size_t at = 0; at < bytes.size(); at += size) {
        if (size == 2) {
            values.push_back(half_value(load<std::uint16_t>(bytes.data() + at)));
        } else if (size == 4) {
            values.push_back(load<float>(bytes.data() + at));
        } else {
            const double value = load<double>(bytes.data() + at);
            // Rounding to nearest keeps a value finite up to the largest
            // float plus half an ulp; that tie goes to the even neighbour,
            // infinity.
            constexpr double overflows_from = 0x1.ffffffp127;
            if (std::isfinite(value) && std::fabs(value) >= overflows_from) return std::nullopt;
            values.push_back(static_cast<float>(value));
        }
    }
    return values;
}

// The slab `trajplot stats` would read (seq_len x vocab), or another
// division of the array chosen by the input.
std::size_t slab_elements(const trajplot_cli::NpyFile& file, unsigned choice) {
    const std::vector<std::size_t>& shape = file.shape();
    switch (choice) {
        case 0:
            if (shape.size() >= 2) return shape[shape.size() - 2] * shape[shape.size() - 1];
            return file.element_count();
        case 1: return shape.empty() ? 1 : shape.back();
        case 2: return file.element_count();
        default: return 1;
    }
}

void read_floats(const trajplot_cli::NpyFile& file, unsigned slab_choice) {
    const trajplot_cli::NpyDtype& dtype = file.dtype();
    const bool readable = dtype.kind == 'f' && (dtype.size == 2 || dtype.size == 4 || dtype.size == 8) &&
                          little_endian_order(dtype.byte_order);
    // Zero-sized axes make a slab of nothing; `trajplot stats` refuses
    // them before reading, and so does this.
    std::size_t slab = slab_elements(file, slab_choice);
    if (file.element_count() == 0) slab = 0;
    std::optional<trajplot_cli::FloatSlabReader> reader;
    const bool made = attempt("FloatSlabReader", [&] { reader.emplace(file, slab); });
    check(made == readable,
          made ? "FloatSlabReader accepted a dtype other than float16/32/64 in native order"
               : "FloatSlabReader refused a float16/32/64 file",
          [&] { return printable(file.descr()); });
    if (!made || slab == 0) return;

    const std::size_t slabs = file.element_count() / slab;
    check(slabs * slab == file.element_count(), "the slab does not divide the array");
    for (std::size_t index = 0; index < slabs; ++index) {
        const std::optional<std::vector<float>> expected = expected_slab(file.elements(index * slab, slab), dtype.size);
        for (int pass = 0; pass < 2; ++pass) {
            const float* values = nullptr;
            const bool read = attempt("slab " + std::to_string(index), [&] { values = reader->slab(index); });
            check(read == expected.has_value(),
                  read ? "a float64 beyond float32's range was narrowed" : "a slab of usable values was refused",
                  [&] { return "slab " + std::to_string(index) + " of " + file.shape_text(); });
            if (!read) return;
            for (std::size_t i = 0; i < slab; ++i) {
                check(same_float(values[i], (*expected)[i]), "a slab value is not the file's", [&] {
                    return "slab " + std::to_string(index) + " element " + std::to_string(i) + ": " +
                           std::to_string(values[i]) + " vs " + std::to_string((*expected)[i]);
                });
            }
            // The values read the same after their pages are given back.
            if (pass == 0) reader->release(index);
        }
    }
    reader->release_range(0, slabs);
}

void read_ids(const trajplot_cli::NpyFile& file) {
    const trajplot_cli::NpyDtype& dtype = file.dtype();
    const bool readable = (dtype.kind == 'i' || dtype.kind == 'u') &&
                          (dtype.size == 1 || dtype.size == 2 || dtype.size == 4 || dtype.size == 8) &&
                          little_endian_order(dtype.byte_order);
    // What read_integers must return, or nothing when a uint64 is beyond
    // int64.
    std::optional<std::vector<std::int64_t>> expected;
    if (readable) {
        expected.emplace();
        const std::span<const std::byte> bytes = file.elements(0, file.element_count());
        for (std::size_t at = 0; at < bytes.size() && expected; at += dtype.size) {
            std::uint64_t raw = 0;
            for (std::size_t k = 0; k < dtype.size; ++k) {
                raw |= static_cast<std::uint64_t>(std::to_integer<unsigned>(bytes[at + k])) << (8 * k);
            }
            const unsigned bits = static_cast<unsigned>(8 * dtype.size);
            if (dtype.kind == 'i') {
                const bool negative = (raw >> (bits - 1)) & 1;
                if (negative && bits < 64) raw |= ~std::uint64_t{0} << bits;
                expected->push_back(std::bit_cast<std::int64_t>(raw));
            } else if (raw > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
                expected.reset();
            } else {
                expected->push_back(static_cast<std::int64_t>(raw));
            }
        }
    }
    std::vector<std::int64_t> values;
    const bool read = attempt("read_integers", [&] { values = trajplot_cli::read_integers(file); });
    check(read == expected.has_value(),
          read ? "read_integers accepted a dtype or value it documents refusing" : "read_integers refused usable ids",
          [&] { return printable(file.descr()); });
    if (read) check(values == *expected, "read_integers returned other values than the file's");
}

void run_npy(std::string_view contents, unsigned slab_choice) {
    write_input(contents);
    std::optional<trajplot_cli::NpyFile> file;
    if (!attempt("NpyFile::open",
                 [&] { file.emplace(trajplot_cli::NpyFile::open(input_path().string(), "--logits 'x.npy'")); })) {
        return;
    }
    trace("npy", printable(file->descr()) + " " + file->shape_text());
    check_open_file(*file, contents);
    read_floats(*file, slab_choice);
    read_ids(*file);
}

// ---------------------------------------------------------------------------
// Vocabulary files

// Sizes of the lens's vocabulary: small ones, so that ids past it are
// common, and a large one (a model's) that every small id fits.
constexpr std::size_t lens_vocabularies[] = {1, 2, 3, 4, 6, 10, 1000, std::size_t{1} << 18};

using nlohmann::json;

// What read_vocabulary must return for `text`, from the formats its header
// documents; nothing when it must fail.
std::optional<std::vector<std::string>> expected_vocabulary(std::string_view text, std::size_t lens_vocab) {
    const json document = json::parse(text, nullptr, false);
    if (document.is_discarded()) return std::nullopt;
    struct Entry {
        std::string token;
        bool added;
    };
    std::map<std::uint64_t, Entry> by_id;
    bool usable = true;
    const auto assign = [&](const json& id, const json& token, bool added) {
        if (!id.is_number_unsigned() || !token.is_string()) {
            usable = false;
            return;
        }
        const auto value = id.get<std::uint64_t>();
        if (value >= lens_vocab) return;
        const auto found = by_id.find(value);
        if (found != by_id.end()) {
            // An added token takes over the model's id; added tokens may
            // repeat one only with the same token.
            const bool takes_over = added && (!found->second.added || found->second.token == token.get<std::string>());
            if (!takes_over) usable = false;
        }
        by_id[value] = {token.get<std::string>(), added};
    };
    const auto token_to_id = [&](const json& object) {
        for (const auto& item : object.items()) assign(item.value(), json(item.key()), false);
    };

    if (document.is_array()) {
        for (std::size_t id = 0; id < document.size(); ++id) assign(json(id), document[id], false);
    } else if (document.is_object() && document.contains("model") && document["model"].is_object()) {
        const json& model = document["model"];
        if (!model.contains("vocab")) return std::nullopt;
        const json& vocab = model["vocab"];
        if (vocab.is_object()) {
            token_to_id(vocab);
        } else if (vocab.is_array()) {
            for (std::size_t id = 0; id < vocab.size(); ++id) {
                if (!vocab[id].is_array() || vocab[id].empty()) return std::nullopt;
                assign(json(id), vocab[id][0], false);
            }
        } else {
            return std::nullopt;
        }
        if (document.contains("added_tokens") && !document["added_tokens"].is_null()) {
            const json& added = document["added_tokens"];
            if (!added.is_array()) return std::nullopt;
            for (const json& token : added) {
                if (!token.is_object() || !token.contains("id") || !token.contains("content")) return std::nullopt;
                assign(token["id"], token["content"], true);
            }
        }
    } else if (document.is_object()) {
        token_to_id(document);
    } else {
        return std::nullopt;
    }
    if (!usable) return std::nullopt;

    std::vector<std::string> tokens;
    if (!by_id.empty()) tokens.resize(by_id.rbegin()->first + 1, trajplot_cli::missing_token);
    for (const auto& [id, entry] : by_id) tokens[id] = entry.token;
    return tokens;
}

void run_vocabulary(std::string_view contents, std::size_t lens_vocab) {
    write_input(contents);
    const std::optional<std::vector<std::string>> expected = expected_vocabulary(contents, lens_vocab);
    std::vector<std::string> tokens;
    const bool read =
        attempt("read_vocabulary", [&] { tokens = trajplot_cli::read_vocabulary(input_path().string(), lens_vocab); });
    check(read == expected.has_value(),
          read ? "read_vocabulary accepted a file its formats refuse" : "read_vocabulary refused a usable file");
    if (!read) return;
    check(tokens.size() <= lens_vocab, "the vocabulary has tokens past the lens's vocabulary");
    check(tokens == *expected, "read_vocabulary returned other tokens than the file's", [&] {
        return json(tokens).dump(-1, ' ', false, json::error_handler_t::replace) + "\nvs\n" +
               json(*expected).dump(-1, ' ', false, json::error_handler_t::replace);
    });
}

void run(std::string_view input) {
    if (input.empty()) return;
    const auto choice = static_cast<unsigned char>(input[0]);
    const std::string_view contents = input.substr(1);
    if ((choice & 1) == 0) {
        run_npy(contents, (choice >> 1) & 3);
    } else {
        run_vocabulary(contents, lens_vocabularies[(choice >> 1) & 7]);
    }
}

}  // namespace
}  // namespace trajplot_fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    trajplot_fuzz::run(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
