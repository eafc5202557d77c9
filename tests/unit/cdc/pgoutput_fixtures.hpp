#pragma once
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "byte_builder.hpp"
#include "decoded.hpp"
#include "cdc/pgoutput_decoder.hpp"

// One hand-built payload per pgoutput message kind, shared by the per-kind tests and the
// truncation sweep. `xid` is set for the in-stream form of the kinds that carry one.
namespace pghandoff::test_support::pgoutput_fixtures {

inline constexpr std::uint32_t relid = 16384;
inline constexpr std::uint32_t stream_xid = 1205;
inline constexpr std::uint64_t commit_lsn = 0x1'0000'0A28;
inline constexpr std::uint64_t end_lsn = 0x1'0000'0A58;
inline constexpr std::int64_t commit_time = 817'000'000'123'456;  // 2025-11-21 00:26:40.123456 UTC

inline std::string begin() { return byte_builder().kind('B').u64(commit_lsn).i64(commit_time).u32(736).bytes(); }

inline std::string commit() {
    return byte_builder().kind('C').u8(0).u64(commit_lsn).u64(end_lsn).i64(commit_time).bytes();
}

inline std::string origin() { return byte_builder().kind('O').u64(0x2'0000'0100).str("node_a").bytes(); }

/// Relation "accounts" in namespace "" (pg_catalog): key column id, text name, numeric(10,2) balance.
inline std::string relation(std::optional<std::uint32_t> xid = {}) {
    return byte_builder()
        .kind('R').xid_if(xid).u32(relid).str("").str("accounts").kind('d').u16(3)
        .u8(1).str("id").u32(23).i32(-1)
        .u8(0).str("name").u32(25).i32(-1)
        .u8(0).str("balance").u32(1700).i32((10 << 16 | 2) + 4)
        .bytes();
}

inline std::string type(std::optional<std::uint32_t> xid = {}) {
    return byte_builder().kind('Y').xid_if(xid).u32(16390).str("public").str("mood").bytes();
}

/// One column of each kind: n, u, t "abc", b with bytes 00 01 02.
inline std::string insert(std::optional<std::uint32_t> xid = {}) {
    return byte_builder()
        .kind('I').xid_if(xid).u32(relid).kind('N').u16(4)
        .null_column().unchanged_toast_column().text_column("abc").binary_column(std::string("\0\1\2", 3))
        .bytes();
}

inline std::string update_without_old(std::optional<std::uint32_t> xid = {}) {
    return byte_builder().kind('U').xid_if(xid).u32(relid).kind('N').u16(2).text_column("1").text_column("new").bytes();
}

inline std::string update_with_key(std::optional<std::uint32_t> xid = {}) {
    return byte_builder()
        .kind('U').xid_if(xid).u32(relid)
        .kind('K').u16(2).text_column("1").null_column()
        .kind('N').u16(2).text_column("2").text_column("x")
        .bytes();
}

inline std::string update_with_old_row(std::optional<std::uint32_t> xid = {}) {
    return byte_builder()
        .kind('U').xid_if(xid).u32(relid)
        .kind('O').u16(2).text_column("1").text_column("old")
        .kind('N').u16(2).text_column("1").unchanged_toast_column()
        .bytes();
}

inline std::string delete_with_key(std::optional<std::uint32_t> xid = {}) {
    return byte_builder().kind('D').xid_if(xid).u32(relid).kind('K').u16(2).text_column("1").null_column().bytes();
}

inline std::string delete_with_old_row(std::optional<std::uint32_t> xid = {}) {
    return byte_builder().kind('D').xid_if(xid).u32(relid).kind('O').u16(2).text_column("1").text_column("old").bytes();
}

/// CASCADE and RESTART IDENTITY (options 3) on three tables.
inline std::string truncate(std::optional<std::uint32_t> xid = {}) {
    return byte_builder().kind('T').xid_if(xid).u32(3).u8(3).u32(relid).u32(16390).u32(16400).bytes();
}

inline std::string message(bool transactional, std::optional<std::uint32_t> xid = {}) {
    return byte_builder()
        .kind('M').xid_if(xid).u8(transactional ? 1 : 0).u64(commit_lsn).str("pghandoff").i32(5).raw("hello")
        .bytes();
}

inline std::string stream_start() { return byte_builder().kind('S').u32(stream_xid).u8(1).bytes(); }
inline std::string stream_stop() { return byte_builder().kind('E').bytes(); }

inline std::string stream_commit() {
    return byte_builder().kind('c').u32(stream_xid).u8(0).u64(commit_lsn).u64(end_lsn).i64(commit_time).bytes();
}

/// Without, then with, the abort LSN and time that streaming=parallel (v4) adds.
inline std::string stream_abort() { return byte_builder().kind('A').u32(stream_xid).u32(1207).bytes(); }
inline std::string stream_abort_parallel() {
    return byte_builder().kind('A').u32(stream_xid).u32(1207).u64(end_lsn).i64(commit_time).bytes();
}

struct fixture {
    std::string name;
    std::string bytes;
    bool in_stream = false;
};

/// Every fixture above, the in-stream forms included.
inline std::vector<fixture> all() {
    std::vector<fixture> out = {
        {"begin", begin()}, {"commit", commit()}, {"origin", origin()},
        {"message_not_transactional", message(false)},
        {"stream_start", stream_start()}, {"stream_stop", stream_stop()}, {"stream_commit", stream_commit()},
        {"stream_abort", stream_abort()}, {"stream_abort_parallel", stream_abort_parallel()},
    };
    for (std::optional<std::uint32_t> xid : {std::optional<std::uint32_t>{}, std::optional<std::uint32_t>{stream_xid}}) {
        auto suffix = std::string(xid ? "_in_stream" : "");
        auto add = [&](std::string name, std::string bytes) { out.push_back({name + suffix, std::move(bytes), xid.has_value()}); };
        add("relation", relation(xid));
        add("type", type(xid));
        add("insert", insert(xid));
        add("update_without_old", update_without_old(xid));
        add("update_with_key", update_with_key(xid));
        add("update_with_old_row", update_with_old_row(xid));
        add("delete_with_key", delete_with_key(xid));
        add("delete_with_old_row", delete_with_old_row(xid));
        add("truncate", truncate(xid));
        add("message_transactional", message(true, xid));
    }
    return out;
}

/// The decoded message of type T, or a test failure (with the decoder's error) and nullopt.
template <class T>
std::optional<T> decode_as(std::string_view payload, bool in_stream = false) {
    return decoded<T>(cdc::decode_pgoutput(payload, in_stream));
}

/// The decoder's error for `payload`, or a test failure and an empty error.
inline cdc::decode_error error_of(std::string_view payload, bool in_stream = false) {
    auto result = cdc::decode_pgoutput(payload, in_stream);
    if (auto* error = std::get_if<cdc::decode_error>(&result)) return *error;
    ADD_FAILURE() << "decoded without error";
    return {};
}

}  // namespace pghandoff::test_support::pgoutput_fixtures
