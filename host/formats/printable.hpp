#pragma once
// Quoting untrusted text (tensor names, header fields, tokens) inside one-line error messages (internal to
// host/formats).
#include <cstddef>
#include <string>
#include <string_view>

namespace embgeo::formats::detail {

// `text` with control bytes shown as \xHH so the message stays one line, cut to `limit` bytes with "..." so
// a hostile file cannot make it huge. For display only: not reversible (see escape_token for that).
std::string printable(std::string_view text, std::size_t limit = 120);

}  // namespace embgeo::formats::detail
