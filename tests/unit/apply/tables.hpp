#pragma once
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "apply/table_binding.hpp"

namespace pghandoff::fixtures {

constexpr std::uint32_t int4_oid = 23;
constexpr std::uint32_t int8_oid = 20;
constexpr std::uint32_t text_oid = 25;
constexpr std::uint32_t json_oid = 114;
constexpr std::uint32_t point_oid = 600;

/// A column as both the Relation message and the target describe it.
struct column_spec {
    std::string name;
    std::uint32_t type_oid = text_oid;
    std::string type_name = "text";
    bool key = false;
    bool has_equality = true;
    bool identity_always = false;
};

inline cdc::relation_message relation_of(const std::string& schema, const std::string& name,
                                         const std::vector<column_spec>& columns, char identity = 'd') {
    cdc::relation_message relation;
    relation.relid = 16500;
    relation.schema = schema;
    relation.name = name;
    relation.replica_identity = identity;
    for (const auto& c : columns) relation.columns.push_back({c.key || identity == 'f', c.name, c.type_oid, -1});
    return relation;
}

inline apply::target_table target_of(const std::string& schema, const std::string& name,
                                     const std::vector<column_spec>& columns) {
    apply::target_table table{schema, name, false, {}};
    for (const auto& c : columns)
        table.columns.push_back({c.name, c.type_oid, c.type_name, c.identity_always, false, c.has_equality});
    return table;
}

/// The table bound as the applier binds it: same columns on both sides.
inline apply::bound_table bound(const std::vector<column_spec>& columns, char identity = 'd',
                                const std::string& schema = "public", const std::string& name = "items") {
    auto result = apply::bind_relation(relation_of(schema, name, columns, identity), target_of(schema, name, columns));
    if (auto* problem = std::get_if<std::string>(&result)) {
        ADD_FAILURE() << *problem;
        return {};
    }
    return std::get<apply::bound_table>(result);
}

inline cdc::column_value text_value(std::string text) { return {cdc::column_kind::text, std::move(text)}; }
inline cdc::column_value null_value() { return {cdc::column_kind::null, {}}; }
inline cdc::column_value unchanged() { return {cdc::column_kind::unchanged_toast, {}}; }

}  // namespace pghandoff::fixtures
