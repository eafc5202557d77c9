#include "migration/apply_assignment.hpp"

#include <algorithm>
#include <numeric>

#include "pg/connection.hpp"

namespace pghandoff::migration {

namespace {

constexpr const char* connections_key = "apply connections\x1f";
constexpr const char* table_key = "apply table\x1f";

using name_key = std::pair<std::string, std::string>;

name_key key_of(const catalog::qualified_name& name) { return {name.schema, name.name}; }

}  // namespace

std::size_t apply_assignment::of(const std::string& schema, const std::string& name) const {
    auto found = tables.find({schema, name});
    return found == tables.end() ? 0 : found->second;
}

apply_assignment assign_tables(const std::vector<assignable_table>& tables, std::size_t connections) {
    apply_assignment out;
    out.connections = std::max<std::size_t>(connections, 1);
    std::map<name_key, std::size_t> index;
    for (std::size_t i = 0; i < tables.size(); ++i) index.emplace(key_of(tables[i].name), i);
    // Union-find over the links between the tables.
    std::vector<std::size_t> parent(tables.size());
    std::iota(parent.begin(), parent.end(), 0);
    auto root = [&](std::size_t i) {
        while (parent[i] != i) i = parent[i] = parent[parent[i]];
        return i;
    };
    for (std::size_t i = 0; i < tables.size(); ++i)
        for (const auto& other : tables[i].linked)
            if (auto found = index.find(key_of(other)); found != index.end()) parent[root(i)] = root(found->second);
    struct linked_set {
        std::uint64_t bytes = 0;
        name_key first;  ///< the smallest name: a stable tie-break
        std::vector<std::size_t> members;
    };
    std::map<std::size_t, linked_set> sets;
    for (std::size_t i = 0; i < tables.size(); ++i) {
        auto& set = sets[root(i)];
        set.bytes += tables[i].bytes;
        if (set.members.empty() || key_of(tables[i].name) < set.first) set.first = key_of(tables[i].name);
        set.members.push_back(i);
    }
    std::vector<const linked_set*> ordered;
    for (const auto& [r, set] : sets) ordered.push_back(&set);
    std::sort(ordered.begin(), ordered.end(), [](const linked_set* a, const linked_set* b) {
        return a->bytes != b->bytes ? a->bytes > b->bytes : a->first < b->first;
    });
    for (std::size_t k = 0; k < ordered.size(); ++k)
        for (const auto i : ordered[k]->members) out.tables[key_of(tables[i].name)] = k % out.connections;
    return out;
}

boost::asio::awaitable<std::vector<assignable_table>> load_assignable_tables(pg::connection& target,
                                                                             catalog::scope selection) {
    auto rows = co_await target.exec(
        "SELECT c.oid::text, n.nspname, c.relname, pg_catalog.pg_total_relation_size(c.oid)::text, "
        "  (SELECT string_agg(other::text, ',') FROM ("
        "     SELECT confrelid AS other FROM pg_catalog.pg_constraint WHERE contype = 'f' AND conrelid = c.oid "
        "     UNION SELECT conrelid FROM pg_catalog.pg_constraint WHERE contype = 'f' AND confrelid = c.oid "
        "     UNION SELECT inhparent FROM pg_catalog.pg_inherits WHERE inhrelid = c.oid "
        "     UNION SELECT inhrelid FROM pg_catalog.pg_inherits WHERE inhparent = c.oid) o) "
        "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pghandoff') "
        "AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 2, 3");
    std::map<std::string, catalog::qualified_name> by_oid;
    for (int i = 0; i < rows.rows(); ++i) by_oid[rows.text(i, 0)] = {rows.text(i, 1), rows.text(i, 2)};
    std::vector<assignable_table> out;
    for (int i = 0; i < rows.rows(); ++i) {
        catalog::qualified_name name{rows.text(i, 1), rows.text(i, 2)};
        if (!selection.copies_rows(name)) continue;
        assignable_table table{name, std::stoull(rows.text(i, 3)), {}};
        if (!rows.is_null(i, 4)) {
            const std::string others = rows.text(i, 4);
            std::size_t from = 0;
            for (;;) {
                const auto comma = others.find(',', from);
                auto found = by_oid.find(others.substr(from, comma - from));
                if (found != by_oid.end()) table.linked.push_back(found->second);
                if (comma == std::string::npos) break;
                from = comma + 1;
            }
        }
        out.push_back(std::move(table));
    }
    co_return out;
}

std::vector<std::string> assignment_step_keys(const apply_assignment& assignment) {
    std::vector<std::string> keys{connections_key + std::to_string(assignment.connections)};
    for (const auto& [name, k] : assignment.tables)
        keys.push_back(table_key + name.first + '\x1f' + name.second + '\x1f' + std::to_string(k));
    return keys;
}

std::optional<apply_assignment> assignment_from_steps(const std::set<std::string>& steps) {
    std::optional<apply_assignment> out;
    for (const auto& key : steps) {
        if (key.starts_with(connections_key)) {
            if (!out) out.emplace();
            out->connections = std::stoul(key.substr(std::string(connections_key).size()));
        }
    }
    if (!out) return out;
    for (const auto& key : steps) {
        if (!key.starts_with(table_key)) continue;
        const auto rest = key.substr(std::string(table_key).size());
        const auto a = rest.find('\x1f'), b = rest.rfind('\x1f');
        if (a == std::string::npos || b == a) continue;
        out->tables[{rest.substr(0, a), rest.substr(a + 1, b - a - 1)}] = std::stoul(rest.substr(b + 1));
    }
    return out;
}

}  // namespace pghandoff::migration
