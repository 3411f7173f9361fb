#pragma once
/// The dashboard's page, script and style sheet, compiled into the binary from src/serve/assets/
/// (cmake/embed_assets.cmake): the page needs nothing outside the server, so it works offline
/// and through `ssh -L`.

#include <optional>
#include <string_view>

namespace asha {

struct Asset {
    std::string_view content_type;
    std::string_view body;
};

/// The asset served at `path` ("/", "/dashboard.js", ...), if there is one.
std::optional<Asset> find_asset(std::string_view path);

}  // namespace asha
