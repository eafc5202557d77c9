#include "migration/chunk_copy.hpp"

#include <chrono>

#include "migration/progress_store.hpp"
#include "util/error.hpp"

namespace pghandoff::migration {

boost::asio::awaitable<pg::copy_totals> copy_chunk_exactly_once(pg::connection& source, pg::connection& target,
                                                                const catalog::table_info& table,
                                                                const copy::copy_chunk& chunk,
                                                                pg::copy_counters& counters,
                                                                std::string before_commit) {
    const auto start = std::chrono::steady_clock::now();
    const bool whole = chunk.whole_table();
    std::string begin = "BEGIN";
    if (whole) begin += "; TRUNCATE ONLY " + table.name.sql();
    co_await target.exec(begin);
    // The target enters COPY IN first: if it refuses, the source is not left in COPY OUT.
    co_await target.exec(copy::copy_in_sql(table, chunk, whole));
    co_await source.exec(copy::copy_out_sql(table, chunk));
    auto totals = co_await pg::relay_copy(source, target, counters);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!before_commit.empty()) co_await target.exec(before_commit);
    auto marked = co_await target.exec(chunk_done_sql(chunk, totals.rows, totals.bytes, seconds));
    if (marked.rows() != 1) {
        // Two processes migrate into this target: committing would duplicate the chunk's rows.
        co_await target.exec("ROLLBACK");
        throw error("chunk " + std::to_string(chunk.chunk_no + 1) + " of " + table.name.display() +
                        " was copied by another pghandoff process meanwhile: its copy here was rolled back",
                    "run one migrate at a time into a target database");
    }
    co_await target.exec("COMMIT");
    co_return totals;
}

}  // namespace pghandoff::migration
