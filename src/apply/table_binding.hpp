#pragma once
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "apply/target_table.hpp"
#include "cdc/messages.hpp"

namespace pghandoff::apply {

/// One column of a streamed relation, matched to the target's column of the same name.
struct bound_column {
    std::string sql_name;   ///< quoted identifier
    std::string type_name;  ///< the target's type, for casts
    bool key = false;       ///< part of the replica identity (every column under FULL)
    bool has_equality = true;
    bool identity_always = false;
    bool operator==(const bound_column&) const = default;
};

/// A Relation message checked against the target table of the same schema and name: the
/// columns in the stream's order, with what the statements need to know about each.
struct bound_table {
    std::uint32_t relid = 0;
    std::string display_name;  ///< schema.name, for messages
    std::string sql_name;      ///< "schema"."name"
    char replica_identity = 'd';
    bool partitioned = false;
    bool identity_always = false;  ///< some column is GENERATED ALWAYS AS IDENTITY
    std::vector<bound_column> columns;
    bool operator==(const bound_table&) const = default;
};

/// The schema of a Relation message ("" means pg_catalog).
std::string relation_schema(const cdc::relation_message& relation);
/// schema.name of a Relation message, for messages.
std::string relation_display_name(const cdc::relation_message& relation);

/// Matches the stream's description of a table to the target table. The result is a string
/// naming every difference when they do not match: a column missing on the target or
/// generated there, a target column the stream does not carry, or a built-in column type
/// that differs. A change is never applied to columns that do not match.
std::variant<bound_table, std::string> bind_relation(const cdc::relation_message& relation,
                                                     const target_table& target);

}  // namespace pghandoff::apply
