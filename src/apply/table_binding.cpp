#include "apply/table_binding.hpp"

#include <algorithm>

#include "catalog/type_catalog.hpp"
#include "pg/quote.hpp"

namespace pghandoff::apply {

namespace {

const target_column* find_column(const target_table& target, const std::string& name) {
    auto found = std::find_if(target.columns.begin(), target.columns.end(),
                              [&](const target_column& c) { return c.name == name; });
    return found == target.columns.end() ? nullptr : &*found;
}

bool streamed(const cdc::relation_message& relation, const std::string& name) {
    return std::any_of(relation.columns.begin(), relation.columns.end(),
                       [&](const cdc::relation_column& c) { return c.name == name; });
}

bool built_in(std::uint32_t type_oid) { return type_oid != 0 && type_oid < catalog::first_normal_object_id; }

/// What is wrong with one streamed column on the target; empty when nothing.
std::string column_difference(const cdc::relation_column& column, const target_column* target) {
    const std::string name = pg::quote_ident(column.name);
    if (!target) return "column " + name + " is missing on the target";
    if (target->generated) return "column " + name + " is generated on the target but sent by the source";
    if (built_in(column.type_oid) && built_in(target->type_oid) && column.type_oid != target->type_oid)
        return "column " + name + " has type OID " + std::to_string(column.type_oid) + " on the source but " +
               target->type_name + " on the target";
    return {};
}

void add(std::string& differences, const std::string& difference) {
    if (difference.empty()) return;
    if (!differences.empty()) differences += "; ";
    differences += difference;
}

}  // namespace

std::string relation_schema(const cdc::relation_message& relation) {
    return relation.schema.empty() ? std::string("pg_catalog") : relation.schema;
}

std::string relation_display_name(const cdc::relation_message& relation) {
    return relation_schema(relation) + "." + relation.name;
}

std::variant<bound_table, std::string> bind_relation(const cdc::relation_message& relation,
                                                     const target_table& target) {
    bound_table bound{relation.relid, relation_display_name(relation), pg::qualified_name(target.schema, target.name),
                      relation.replica_identity, target.partitioned, false, {}};
    std::string differences;
    for (const auto& column : relation.columns) {
        const auto* on_target = find_column(target, column.name);
        const auto difference = column_difference(column, on_target);
        add(differences, difference);
        if (!difference.empty()) continue;
        bound.columns.push_back({pg::quote_ident(column.name), on_target->type_name,
                                 column.key || relation.replica_identity == 'f', on_target->has_equality,
                                 on_target->identity_always});
        bound.identity_always = bound.identity_always || on_target->identity_always;
    }
    for (const auto& column : target.columns)
        if (!column.generated && !streamed(relation, column.name))
            add(differences, "column " + pg::quote_ident(column.name) + " of the target is not in the source's stream");
    if (!differences.empty()) return differences;
    return bound;
}

}  // namespace pghandoff::apply
