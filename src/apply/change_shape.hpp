#pragma once
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "apply/table_binding.hpp"
#include "cdc/messages.hpp"

namespace pghandoff::apply {

enum class statement_verb : std::uint8_t {
    insert = 'I',
    update = 'U',
    remove = 'D',
    move = 'M',  ///< DELETE ... RETURNING, then INSERT OVERRIDING SYSTEM VALUE: an UPDATE of an identity ALWAYS column
};

/// How a statement writes one column.
enum class write_role : std::uint8_t {
    none,       ///< left out: an unchanged TOASTed value, or an identity ALWAYS value that did not change
    parameter,  ///< the change's value
    kept,       ///< move only: the deleted row's own value (an unchanged TOASTed value)
};

/// How a statement finds the row by one column.
enum class match_role : std::uint8_t { none, parameter, null };

/// The shape of the statement that applies a change: one prepared statement per table and shape.
/// Parameters come in column order, first the written ones, then the matched ones.
struct change_shape {
    statement_verb verb = statement_verb::insert;
    bool one_of_duplicates = false;   ///< REPLICA IDENTITY FULL: touch one row of several identical ones
    std::vector<write_role> writes;   ///< per column
    std::vector<match_role> matches;  ///< per column; empty for an insert

    /// An UPDATE that would set no column: there is nothing to apply.
    bool writes_nothing() const;
    /// A compact string that differs between shapes, for the statement cache.
    std::string key() const;
    bool operator==(const change_shape&) const = default;
};

/// A change as a statement shape and its text parameters (nullptr for NULL), which point into
/// the change message: it must outlive them.
struct planned_change {
    change_shape shape;
    std::vector<const char*> values;
};

/// The plan for each kind of change, or a message naming what makes it impossible to apply
/// (column count not that of the Relation, binary values, a key that cannot be found).
std::variant<planned_change, std::string> plan_insert(const bound_table& table, const cdc::insert_message& change);
std::variant<planned_change, std::string> plan_update(const bound_table& table, const cdc::update_message& change);
std::variant<planned_change, std::string> plan_delete(const bound_table& table, const cdc::delete_message& change);

}  // namespace pghandoff::apply
