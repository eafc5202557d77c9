#pragma once

#include "support/pg_session.hpp"

#include <string>

namespace pghandoff::integration {

/// Tables with at most this many rows get sample rows in their difference message.
constexpr long long most_rows_sampled = 50000;

/// A few rows the table holds more often on one side than on the other, as
/// "; only on source: (...); only on target: (...)" (row texts cut short), or "" if none.
/// Both sessions must use canonical_settings so row texts print alike.
std::string row_samples(pg_session& source, pg_session& target, const std::string& schema,
                        const std::string& table);

}  // namespace pghandoff::integration
