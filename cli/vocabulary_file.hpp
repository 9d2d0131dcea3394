// The --vocab file of `trajplot stats`: token strings by id, in one of the
// JSON forms tokenizers are shipped in, told apart by their content:
//   - an array of strings: token i has id i;
//   - an object of token -> id (GPT-2's vocab.json);
//   - a Hugging Face tokenizer.json: an object whose "model" is an object
//     with a "vocab" (token -> id, or for Unigram models an array of
//     [token, score] pairs, id = index), and "added_tokens" (objects with
//     "id" and "content"), which take their id over from the model's token
//     as Hugging Face's decoder does.
// Ids must be non-negative integers, and no two tokens may share one (but
// for an added token repeating the model's). An id without a token (the
// ids may have gaps) is shown as "<unk>", as the library shows ids past the
// end of a vocabulary. Ids at or past the lens's vocabulary size are never
// shown and are left out.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace trajplot_cli {

// The tokens of the vocabulary file at `path`, by id, for a lens whose
// vocabulary has `lens_vocab` entries. Throws CliError (bad input) naming
// the file and the token or id at fault.
std::vector<std::string> read_vocabulary(const std::string& path, std::size_t lens_vocab);

// What an id without a token is shown as.
inline constexpr const char* missing_token = "<unk>";

}  // namespace trajplot_cli
