#include "support/row_samples.hpp"

#include <map>
#include <utility>
#include <vector>

namespace pghandoff::integration {
namespace {

constexpr std::size_t samples_per_side = 3;

/// A row's text (cut short) and how often it occurs.
struct row_occurrences {
    std::string text;
    long long count = 0;
};

/// The table's distinct rows by md5 of their text; long rows are hashed, never sent whole.
std::map<std::string, row_occurrences> rows_by_hash(pg_session& session, const std::string& schema,
                                                    const std::string& table) {
    std::map<std::string, row_occurrences> rows;
    const auto result = session.exec(
        "SELECT md5(ROW(r.*)::text), min(left(ROW(r.*)::text, 160)), count(*) FROM ONLY " +
        session.quote_identifier(schema) + "." + session.quote_identifier(table) + " AS r GROUP BY 1");
    for (const auto& fields : result)
        rows[fields[0].value()] = {fields[1].value(), std::stoll(fields[2].value())};
    return rows;
}

/// "; only on <side>: (a); (b)" for rows that side holds more often than the other.
std::string surplus(const std::map<std::string, row_occurrences>& side,
                    const std::map<std::string, row_occurrences>& other, const std::string& label) {
    std::string out;
    std::size_t shown = 0;
    for (const auto& [hash, row] : side) {
        const auto found = other.find(hash);
        if (found != other.end() && found->second.count >= row.count) continue;
        if (shown++ == samples_per_side) {
            out += " ...";
            break;
        }
        out += (out.empty() ? "; only on " + label + ": " : ", ") + row.text;
    }
    return out;
}

}  // namespace

std::string row_samples(pg_session& source, pg_session& target, const std::string& schema,
                        const std::string& table) {
    const auto source_rows = rows_by_hash(source, schema, table);
    const auto target_rows = rows_by_hash(target, schema, table);
    return surplus(source_rows, target_rows, "source") + surplus(target_rows, source_rows, "target");
}

}  // namespace pghandoff::integration
