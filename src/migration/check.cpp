#include "migration/check.hpp"

#include <fmt/format.h>

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "catalog/large_objects.hpp"
#include "catalog/sequence_catalog.hpp"
#include "catalog/type_catalog.hpp"
#include "migration/progress_board.hpp"

namespace pghandoff::migration {

namespace asio = boost::asio;

namespace {

asio::awaitable<void> plan(const migrate_options& options, migration_check& out) {
    out.preflight = co_await run_preflight(options);
    if (!out.preflight.problems.empty()) co_return;
    // Read at one snapshot of the source, as a run would (without a slot: nothing is created).
    auto source = co_await pg::connection::connect(options.source.with("application_name", "pghandoff"), "source");
    co_await source.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    auto types = co_await catalog::type_catalog::load(source);
    out.tables = co_await catalog::load_tables(source, options.selection);
    out.sequences = (co_await catalog::load_sequences(source, options.selection)).size();
    if (options.selection.schemas().empty()) out.large_objects = (co_await catalog::load_large_objects(source)).size();
    if (out.preflight.progress) {
        for (const auto& c : out.preflight.progress->chunks) {
            out.chunks.push_back(c.chunk);
            if (c.done) ++out.chunks_done;
        }
    } else {
        std::vector<catalog::table_info> with_rows;
        for (const auto& t : out.tables)
            if (options.selection.copies_rows(t.name)) with_rows.push_back(t);
        std::uint64_t chunk_bytes = options.chunk_bytes ? options.chunk_bytes : copy::automatic_chunk_bytes(with_rows, options.jobs);
        if (source.server_version() < 140000) chunk_bytes = 0;
        out.chunks = copy::plan_chunks(with_rows, types, chunk_bytes);
    }
    co_await source.exec("COMMIT");
}

std::string major(int version_num) { return std::to_string(version_num / 10000); }

}  // namespace

migration_check check_migration(const migrate_options& options) {
    migration_check out;
    std::exception_ptr failure;
    asio::io_context io;
    asio::co_spawn(io, plan(options, out), [&](std::exception_ptr e) { failure = e; });
    io.run();
    if (failure) std::rethrow_exception(failure);
    return out;
}

std::vector<std::string> describe_check(const migration_check& check, const migrate_options& options) {
    std::vector<std::string> lines;
    const auto& p = check.preflight;
    lines.push_back(fmt::format("source: PostgreSQL {}, database {}; target: PostgreSQL {}", major(p.source_version),
                                p.source_database, major(p.target_version)));
    if (p.dump) lines.push_back(fmt::format("schema: {} (version {})", p.dump->pg_dump.string(), p.dump->major_version));
    std::string mode = options.follow ? "online (changes streamed until the cutover)" : "offline (--no-follow)";
    if (!options.follow && !p.slot_snapshot) mode += ", snapshot exported without a slot (no wal_level=logical)";
    lines.push_back("mode: " + mode);
    if (p.progress)
        lines.push_back(fmt::format("resume: {} of {} chunks are in the target already; a run copies the rest",
                                    check.chunks_done, check.chunks.size()));
    std::uint64_t data = 0, indexes = 0;
    for (const auto& t : check.tables) {
        data += t.total_bytes();
        indexes += t.index_bytes;
    }
    std::size_t binary = 0;
    for (const auto& c : check.chunks) binary += c.format == copy::copy_format::binary;
    lines.push_back(fmt::format("tables: {} ({} of rows and TOAST, {} of indexes to build) in {} chunks with --jobs {}: "
                                "{} binary, {} text",
                                check.tables.size(), human_bytes(static_cast<double>(data)),
                                human_bytes(static_cast<double>(indexes)), check.chunks.size(), options.jobs, binary,
                                check.chunks.size() - binary));
    auto largest = check.tables;
    std::sort(largest.begin(), largest.end(),
              [](const auto& a, const auto& b) { return a.total_bytes() + a.index_bytes > b.total_bytes() + b.index_bytes; });
    for (std::size_t i = 0; i < largest.size() && i < 5; ++i) {
        const auto& t = largest[i];
        const auto chunks = std::count_if(check.chunks.begin(), check.chunks.end(),
                                          [&](const copy::copy_chunk& c) { return c.table == t.name; });
        const auto format = std::find_if(check.chunks.begin(), check.chunks.end(),
                                         [&](const copy::copy_chunk& c) { return c.table == t.name; });
        lines.push_back(fmt::format("  {}: {} rows and TOAST, {} indexes, {} chunk(s), {}", t.name.display(),
                                    human_bytes(static_cast<double>(t.total_bytes())),
                                    human_bytes(static_cast<double>(t.index_bytes)), chunks,
                                    format == check.chunks.end() ? "-" : copy::to_string(format->format)));
    }
    std::string rowless;
    for (const auto& t : check.tables)
        if (!options.selection.copies_rows(t.name)) rowless += (rowless.empty() ? "" : ", ") + t.name.display();
    if (!rowless.empty()) lines.push_back("created without their rows (--exclude-table-data): " + rowless);
    lines.push_back(fmt::format("sequences: {}; large objects: {}", check.sequences, check.large_objects));
    if (!p.missing_roles.empty() && !options.copy_roles) {
        std::string names;
        for (const auto& r : p.missing_roles) names += (names.empty() ? "" : ", ") + r.name;
        lines.push_back("roles missing on the target (their owners and grants are left out; --copy-roles creates them): " +
                        names);
    }
    return lines;
}

}  // namespace pghandoff::migration
