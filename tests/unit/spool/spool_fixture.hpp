#pragma once
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "spool/reader.hpp"
#include "spool/writer.hpp"

namespace pghandoff::spool::fixture {

/// A fresh directory under the test temporary directory, removed with everything in it.
class temp_dir {
public:
    temp_dir() {
        auto pattern = (std::filesystem::temp_directory_path() / "pghandoff-spool-XXXXXX").string();
        if (!mkdtemp(pattern.data())) std::abort();
        path_ = pattern;
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path spool() const { return path_ / "spool"; }

private:
    std::filesystem::path path_;
};

inline cdc::relation_message accounts_relation(std::uint32_t relid = 16384) {
    return {std::nullopt, relid, "public", "accounts", 'd',
            {{true, "id", 20, -1}, {false, "owner", 25, -1}, {false, "balance", 1700, -1}}};
}

/// The accounts relation as a spooled change arriving at `position`.
inline entry accounts_at(std::uint64_t position) { return {pg::lsn(position), accounts_relation()}; }

inline cdc::tuple_data account_row(std::uint64_t id) {
    return {{cdc::column_kind::text, std::to_string(id)},
            {cdc::column_kind::text, "owner-" + std::to_string(id % 1000)},
            {cdc::column_kind::text, std::to_string(id * 7 % 100000) + ".25"}};
}

/// Transaction `n` of a simple stream: it commits at end LSN 1000 * (n + 1).
inline std::vector<entry> transaction(std::uint32_t n, std::size_t rows, std::uint32_t relid = 16384) {
    pg::lsn end(1000 * (std::uint64_t{n} + 1));
    pg::lsn commit(end.value() - 8);
    std::vector<entry> out;
    out.push_back({pg::lsn(end.value() - 900), cdc::begin_message{commit, 700000000 + n, 500 + n}});
    for (std::size_t i = 0; i < rows; ++i)
        out.push_back({pg::lsn(end.value() - 800 + i), cdc::insert_message{std::nullopt, relid, account_row(n * 100 + i)}});
    out.push_back({commit, cdc::commit_message{0, commit, end, 700000000 + n}});
    return out;
}

inline pg::lsn end_of(std::uint32_t n) { return pg::lsn(1000 * (std::uint64_t{n} + 1)); }

inline void append_all(writer& spool, const std::vector<entry>& changes) {
    for (const auto& change : changes) spool.append(change);
}

inline std::vector<entry> read_all(reader& from) {
    std::vector<entry> out;
    while (auto change = from.next()) out.push_back(std::move(*change));
    return out;
}

inline std::vector<entry> read_all(const std::filesystem::path& dir, pg::lsn applied = {}) {
    reader from(dir, applied);
    return read_all(from);
}

/// Small frames and segments, so that a few transactions span several segments.
inline writer_options small_segments() { return {512, 2048}; }

}  // namespace pghandoff::spool::fixture
