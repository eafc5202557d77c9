#include "support/db_compare.hpp"

#include "support/catalog_snapshot.hpp"
#include "support/pg_session.hpp"
#include "support/row_samples.hpp"

#include <future>
#include <optional>

namespace pghandoff::integration {
namespace {

constexpr std::size_t longest_value_shown = 240;

/// A value on one line: NULL spelled out, whitespace runs collapsed, long text cut.
std::string shown(const std::optional<std::string>& value) {
    if (!value) return "NULL";
    std::string out;
    bool in_space = false;
    for (const char c : *value) {
        const bool space = c == ' ' || c == '\n' || c == '\r' || c == '\t';
        if (space && in_space) continue;
        out += space ? ' ' : c;
        in_space = space;
    }
    if (out.size() > longest_value_shown) out = out.substr(0, longest_value_shown) + "...";
    return out;
}

/// True when the object belongs to a relation the other side lacks, which is reported once.
bool relation_missing(const catalog_snapshot& side, const catalog_snapshot& other,
                      const std::string& object) {
    const auto found = side.relation_of.find(object);
    if (found == side.relation_of.end()) return false;
    const auto relation = side.relations.find(found->second);
    return relation != side.relations.end() && relation->second != object &&
           other.relations.count(found->second) == 0;
}

std::optional<std::string> value_in(const object_properties& properties, const std::string& name) {
    const auto found = properties.find(name);
    return found == properties.end() ? std::optional<std::string>{"(absent)"} : found->second;
}

bool is_row_property(const std::string& property) {
    return property == "row count" || property == "row digest";
}

/// Every property but the rows that differs, one line each.
void compare_properties(const std::string& object, const object_properties& source,
                        const object_properties& target, std::vector<std::string>& differences) {
    object_properties all = source;
    all.insert(target.begin(), target.end());
    for (const auto& [property, unused] : all) {
        const auto source_value = value_in(source, property);
        const auto target_value = value_in(target, property);
        if (source_value == target_value || is_row_property(property)) continue;
        differences.push_back(object + ": " + property + " " + shown(source_value) + " vs " +
                              shown(target_value));
    }
}

/// How the rows differ, if they do: the counts, else the content.
std::optional<std::string> rows_difference(const object_properties& source, const object_properties& target) {
    const auto source_count = value_in(source, "row count");
    const auto target_count = value_in(target, "row count");
    if (source_count != target_count)
        return "row count " + shown(source_count) + " vs " + shown(target_count);
    if (value_in(source, "row digest") != value_in(target, "row digest")) {
        return "rows differ (same row count " + shown(source_count) + ")";
    }
    return std::nullopt;
}

/// True if both sides have a row count small enough to show sample rows.
bool small_enough_to_sample(const object_properties& source, const object_properties& target) {
    for (const auto* properties : {&source, &target}) {
        const auto count = value_in(*properties, "row count");
        if (!count || count->empty() || count->find_first_not_of("0123456789") != std::string::npos ||
            std::stoll(*count) > most_rows_sampled) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::vector<std::string> compare_databases(const std::string& source_conninfo,
                                           const std::string& target_conninfo,
                                           const compare_options& options) {
    pg_session source_session{source_conninfo};
    pg_session target_session{target_conninfo};
    const bool cross_version =
        source_session.server_version() / 10000 != target_session.server_version() / 10000;
    // Both sides are read at once: hashing every row is what takes the time.
    auto source_reading = std::async(
        std::launch::async, [&] { return read_catalog_snapshot(source_session, options, cross_version); });
    const catalog_snapshot target = read_catalog_snapshot(target_session, options, cross_version);
    const catalog_snapshot source = source_reading.get();

    std::vector<std::string> differences;
    for (const auto& [object, properties] : source.objects) {
        const auto other = target.objects.find(object);
        if (other != target.objects.end()) {
            compare_properties(object, properties, other->second, differences);
            if (const auto rows = rows_difference(properties, other->second)) {
                const auto& [schema, table] = source.relation_of.at(object);
                const bool sample = small_enough_to_sample(properties, other->second);
                differences.push_back(
                    object + ": " + *rows +
                    (sample ? row_samples(source_session, target_session, schema, table) : ""));
            }
        } else if (!relation_missing(source, target, object)) {
            differences.push_back(object + ": missing on target");
        }
    }
    for (const auto& [object, properties] : target.objects) {
        if (source.objects.count(object) == 0 && !relation_missing(target, source, object)) {
            differences.push_back(object + ": on target but not on source");
        }
    }
    return differences;
}

std::string describe_differences(const std::vector<std::string>& differences) {
    if (differences.empty()) return "no differences";
    std::string out = std::to_string(differences.size()) + " difference(s):";
    for (const auto& line : differences) out += "\n  " + line;
    return out;
}

}  // namespace pghandoff::integration
