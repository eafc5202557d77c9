#pragma once
#include <boost/asio/awaitable.hpp>

#include "catalog/table_catalog.hpp"
#include "copy/plan.hpp"
#include "pg/copy_relay.hpp"

namespace pghandoff::migration {

/// Copies one chunk in one target transaction that also marks it done in the progress store:
/// a chunk is either entirely on the target with its mark, or not at all. A whole table is
/// truncated in that transaction first, so COPY can FREEZE its rows and a rerun never
/// duplicates them. `before_commit` (SQL, may be empty) runs in that transaction after the
/// rows are in: the table's ANALYZE and its mark. `source` must be inside the migration's snapshot.
boost::asio::awaitable<pg::copy_totals> copy_chunk_exactly_once(pg::connection& source, pg::connection& target,
                                                                const catalog::table_info& table,
                                                                const copy::copy_chunk& chunk,
                                                                pg::copy_counters& counters,
                                                                std::string before_commit = {});

}  // namespace pghandoff::migration
