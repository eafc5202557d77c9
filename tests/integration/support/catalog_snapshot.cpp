#include "support/catalog_snapshot.hpp"

#include "support/catalog_queries.hpp"

#include <algorithm>
#include <vector>

namespace pghandoff::integration {
namespace {

/// Decides which objects of a snapshot the caller asked to compare.
class object_filter {
public:
    explicit object_filter(const compare_options& options) : options_(options) {}

    bool wanted(const std::optional<std::string>& schema, const std::optional<std::string>& relation) const {
        if (!schema) return options_.schemas.empty();
        if (!options_.schemas.empty() &&
            std::find(options_.schemas.begin(), options_.schemas.end(), *schema) == options_.schemas.end()) {
            return false;
        }
        if (!relation) return true;
        return std::none_of(options_.excluded_tables.begin(), options_.excluded_tables.end(),
                            [&](const table_name& t) { return t.schema == *schema && t.name == *relation; });
    }

    bool wanted_property(const std::string& property) const {
        if (!options_.owners && property == "owner") return false;
        if (!options_.privileges && property.find("privileges") != std::string::npos) return false;
        return true;
    }

private:
    const compare_options& options_;
};

void add_query_rows(catalog_snapshot& snapshot, const query_result& result, const object_filter& filter,
                    bool lists_relations) {
    for (const auto& fields : result.rows) {
        if (!filter.wanted(fields[0], fields[1])) continue;
        const std::string& object = fields[2].value();
        auto& properties = snapshot.objects[object];
        for (std::size_t column = 3; column < result.columns.size(); ++column) {
            if (filter.wanted_property(result.columns[column]))
                properties[result.columns[column]] = fields[column];
        }
        if (!fields[0] || !fields[1]) continue;
        snapshot.relation_of[object] = {*fields[0], *fields[1]};
        if (lists_relations) snapshot.relations[{*fields[0], *fields[1]}] = object;
    }
}

std::string qualified(pg_session& session, const std::string& schema, const std::string& name) {
    return session.quote_identifier(schema) + "." + session.quote_identifier(name);
}

/// Row count and an order-independent digest of the rows: the sum of a 64-bit hash of each
/// row's text. hashtextextended is the hash that hash partitioning stores rows by, so it is
/// the same on every major version; summing keeps duplicates and needs no sort.
void add_row_digests(catalog_snapshot& snapshot, pg_session& session, const object_filter& filter) {
    for (const auto& fields : session.exec(data_relations_query())) {
        if (!filter.wanted(fields[0], fields[1])) continue;
        const auto digest = session.exec(
            "SELECT count(*), coalesce(sum(hashtextextended(ROW(r.*)::text COLLATE \"C\", 0)), 0) FROM ONLY " +
            qualified(session, *fields[0], *fields[1]) + " AS r");
        auto& properties = snapshot.objects[fields[2].value()];
        properties["row count"] = digest[0][0];
        properties["row digest"] = digest[0][1];
    }
}

void add_sequence_values(catalog_snapshot& snapshot, pg_session& session, const object_filter& filter) {
    for (const auto& fields : session.exec(sequences_query())) {
        if (!filter.wanted(fields[0], fields[1])) continue;
        const auto values =
            session.exec("SELECT last_value, is_called FROM " + qualified(session, *fields[0], *fields[1]));
        auto& properties = snapshot.objects[fields[2].value()];
        properties["last value"] = values[0][0];
        properties["is called"] = values[0][1];
    }
}

}  // namespace

catalog_snapshot read_catalog_snapshot(pg_session& session, const compare_options& options,
                                       bool cross_version) {
    const object_filter filter{options};
    catalog_snapshot snapshot;
    session.exec(canonical_settings);
    session.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    for (const auto& query : catalog_queries(cross_version, options.trigger_firing)) {
        add_query_rows(snapshot, session.query(query.sql), filter, query.lists_relations);
    }
    if (options.large_objects)
        add_query_rows(snapshot, session.query(large_objects_query(cross_version)), filter, false);
    if (options.sequence_values) add_sequence_values(snapshot, session, filter);
    add_row_digests(snapshot, session, filter);
    session.exec("COMMIT");
    return snapshot;
}

}  // namespace pghandoff::integration
