// A streaming JSON writer. Figures hold millions of cells; building them as
// a JSON DOM would cost a node per cell, so the large arrays are written
// straight to the output. Everything goes through one fixed chunk with a
// cursor, handed to the target when full: the per-string cost is a few
// instructions, and a stream never holds more than a chunk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace trajplot {

class JsonWriter {
public:
    // Appends everything to `target`; call finish() at the end.
    explicit JsonWriter(std::string& target);
    // Writes to `out` chunk by chunk; call finish() at the end.
    explicit JsonWriter(std::ostream& out);
    // Hands each full chunk to `sink`, which outlives the writer; call
    // finish() at the end. What the sink throws propagates.
    explicit JsonWriter(const std::function<void(std::string_view)>& sink);

    JsonWriter(const JsonWriter&) = delete;
    JsonWriter& operator=(const JsonWriter&) = delete;

    // Escape <, >, & and U+2028/U+2029 inside strings too, so that the JSON
    // can sit inside an HTML <script> element.
    void set_html_safe(bool html_safe) { html_safe_ = html_safe; }
    bool html_safe() const { return html_safe_; }

    void raw(char c) {
        reserve(1);
        *cursor_++ = c;
    }
    void raw(std::string_view text);
    void raw(const char* text) { raw(std::string_view(text)); }
    // A JSON string; invalid UTF-8 is replaced by U+FFFD.
    void string(std::string_view text);
    // A JSON string of text known to be valid UTF-8 (text the model stored).
    void valid_string(std::string_view valid_utf8);
    // A JSON string of `pad` spaces and then `valid_utf8` with Plotly's
    // markup characters written as entities (&lt; &gt; &amp;), so that
    // Plotly displays it exactly as given.
    void plotly_string(std::string_view valid_utf8, std::size_t pad = 0);
    // plotly_string of text that needs no escaping at all and may be read up
    // to `read_slack` bytes past its end (TextArrayInternals::is_plain).
    void plain_plotly_string(std::string_view plain_utf8, std::size_t pad);
    static constexpr std::size_t read_slack = 16;
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

    // Hands what is buffered to the target; throws Error(Errc::io) if a
    // stream failed.
    void finish();

private:
    static constexpr std::size_t chunk_size = std::size_t{1} << 16;

    // Room for `bytes` (at most chunk_size) at the cursor.
    void reserve(std::size_t bytes) {
        if (static_cast<std::size_t>(end_ - cursor_) < bytes) flush();
    }
    void flush();
    void emit(const char* data, std::size_t size);
    void spaces(std::size_t count);
    void quoted(std::string_view valid_utf8, std::size_t pad, bool plotly_markup);

    std::string* string_target_ = nullptr;
    std::ostream* stream_target_ = nullptr;
    const std::function<void(std::string_view)>* sink_target_ = nullptr;
    std::unique_ptr<char[]> chunk_;
    char* cursor_ = nullptr;
    char* end_ = nullptr;
    bool html_safe_ = false;
};

// The double whose shortest decimal form is the float's shortest decimal
// form, so that a float stored in a JSON DOM is written as short as it is.
double float_as_json_double(float value);

}  // namespace trajplot
