#include "image_png.hpp"

#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "trajplot/error.hpp"

namespace trajplot::image {
namespace {

void append_u32(std::string& out, std::uint32_t value) {
    for (const int shift : {24, 16, 8, 0}) out += static_cast<char>((value >> shift) & 0xFF);
}

// A chunk: its length, type, data and the CRC of type and data.
void write_chunk(JsonWriter& out, const char (&type)[5], const unsigned char* data, std::size_t size) {
    std::string head;
    append_u32(head, static_cast<std::uint32_t>(size));
    head.append(type, 4);
    uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(type), 4);
    if (size > 0) crc = crc32(crc, data, static_cast<uInt>(size));
    out.raw(head);
    // IEND has no data, and its pointer is null, which memcpy may not get.
    if (size > 0) out.raw(std::string_view(reinterpret_cast<const char*>(data), size));
    std::string tail;
    append_u32(tail, static_cast<std::uint32_t>(crc));
    out.raw(tail);
}

// zlib's level 3: a few per cent larger than its default, several times
// faster on a figure's mostly repeated rows.
constexpr int compression_level = 3;

class Deflater {
public:
    Deflater() {
        // Allocated before zlib's state, which only the destructor frees.
        const int status = deflateInit(&stream_, compression_level);
        if (status == Z_MEM_ERROR) throw std::bad_alloc();
        if (status != Z_OK) fail(Errc::io, "cannot start compressing the PNG");
    }
    Deflater(const Deflater&) = delete;
    Deflater& operator=(const Deflater&) = delete;
    ~Deflater() { deflateEnd(&stream_); }

    // Compresses `size` bytes (finishing the stream when `last`), writing
    // what comes out as IDAT chunks.
    void add(JsonWriter& out, unsigned char* data, std::size_t size, bool last) {
        stream_.next_in = data;
        stream_.avail_in = static_cast<uInt>(size);
        const int flush = last ? Z_FINISH : Z_NO_FLUSH;
        int status = Z_OK;
        do {
            stream_.next_out = buffer_.data();
            stream_.avail_out = static_cast<uInt>(buffer_.size());
            status = deflate(&stream_, flush);
            if (status == Z_STREAM_ERROR) fail(Errc::io, "compressing the PNG failed");
            const std::size_t produced = buffer_.size() - stream_.avail_out;
            if (produced > 0) write_chunk(out, "IDAT", buffer_.data(), produced);
        } while (stream_.avail_out == 0 || (last && status != Z_STREAM_END));
    }

private:
    z_stream stream_{};
    std::vector<unsigned char> buffer_ = std::vector<unsigned char>(std::size_t{1} << 16);
};

}  // namespace

void write_png_pixels(JsonWriter& out, const unsigned char* pixels, int width, int height, int stride) {
    out.raw(std::string_view("\x89PNG\r\n\x1a\n", 8));
    std::string header;
    append_u32(header, static_cast<std::uint32_t>(width));
    append_u32(header, static_cast<std::uint32_t>(height));
    // 8 bits a channel, RGB, deflate, adaptive filtering, no interlace.
    header += std::string("\x08\x02\x00\x00\x00", 5);
    write_chunk(out, "IHDR", reinterpret_cast<const unsigned char*>(header.data()), header.size());

    const auto row_bytes = static_cast<std::size_t>(width) * 3;
    std::vector<unsigned char> previous(row_bytes, 0);
    std::vector<unsigned char> current(row_bytes);
    std::vector<unsigned char> filtered(row_bytes + 1);
    Deflater deflater;
    for (int y = 0; y < height; ++y) {
        const unsigned char* row = pixels + static_cast<std::size_t>(y) * static_cast<std::size_t>(stride);
        for (int x = 0; x < width; ++x) {
            std::uint32_t pixel;
            std::memcpy(&pixel, row + static_cast<std::size_t>(x) * 4, sizeof pixel);
            current[static_cast<std::size_t>(x) * 3] = static_cast<unsigned char>(pixel >> 16);
            current[static_cast<std::size_t>(x) * 3 + 1] = static_cast<unsigned char>(pixel >> 8);
            current[static_cast<std::size_t>(x) * 3 + 2] = static_cast<unsigned char>(pixel);
        }
        // "Up": each byte less the one above, zero where a row repeats.
        filtered[0] = 2;
        for (std::size_t i = 0; i < row_bytes; ++i) {
            filtered[i + 1] = static_cast<unsigned char>(current[i] - previous[i]);
        }
        deflater.add(out, filtered.data(), filtered.size(), y + 1 == height);
        previous.swap(current);
    }
    write_chunk(out, "IEND", nullptr, 0);
}

}  // namespace trajplot::image
