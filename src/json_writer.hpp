// A streaming JSON writer. Figures hold millions of cells; building them as
// a JSON DOM would cost a node per cell, so the large arrays are written
// straight to the output and only the small parts go through nlohmann_json.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace trajplot {

class JsonWriter {
public:
    // Appends everything to `target`.
    explicit JsonWriter(std::string& target) : buffer_(target) {}
    // Buffers and writes to `out` in large chunks; call finish() at the end.
    explicit JsonWriter(std::ostream& out) : buffer_(own_buffer_), out_(&out) {}

    JsonWriter(const JsonWriter&) = delete;
    JsonWriter& operator=(const JsonWriter&) = delete;

    // Escape <, >, & and U+2028/U+2029 inside strings too, so that the JSON
    // can sit inside an HTML <script> element.
    void set_html_safe(bool html_safe) { html_safe_ = html_safe; }

    void raw(std::string_view text) {
        buffer_.append(text);
        maybe_flush();
    }
    void raw(char c) { buffer_.push_back(c); }
    void raw(const char* text) { raw(std::string_view(text)); }
    // A JSON string; invalid UTF-8 is replaced by U+FFFD.
    void string(std::string_view text);
    // A JSON string of text known to be valid UTF-8 (text the model stored).
    void valid_string(std::string_view valid_utf8);
    // A JSON string of `pad` spaces and then `valid_utf8` with Plotly's
    // markup characters written as entities (&lt; &gt; &amp;), so that
    // Plotly displays it exactly as given.
    void plotly_string(std::string_view valid_utf8, std::size_t pad = 0);
    // A JSON number in shortest round-trip form; non-finite values are null.
    void number(float value);
    void number(double value);
    void number(std::uint64_t value);
    void null() { raw("null"); }

    // A JSON array of `count` elements, each written by write_element(i).
    template <class WriteElement>
    void array(std::size_t count, WriteElement&& write_element) {
        raw('[');
        for (std::size_t i = 0; i < count; ++i) {
            if (i) raw(',');
            write_element(i);
        }
        raw(']');
    }

    // Writes what is buffered to the stream and throws Error(Errc::io) if the
    // stream failed.
    void finish();

private:
    void maybe_flush() {
        if (out_ && buffer_.size() >= flush_threshold) flush();
    }
    void flush();
    void escaped(std::string_view valid_utf8, bool plotly_markup);

    static constexpr std::size_t flush_threshold = std::size_t{1} << 16;
    std::string own_buffer_;
    std::string& buffer_;
    std::ostream* out_ = nullptr;
    bool html_safe_ = false;
};

// The double whose shortest decimal form is the float's shortest decimal
// form, so that a float stored in a JSON DOM is written as short as it is.
double float_as_json_double(float value);

}  // namespace trajplot
