#include "apply/change_shape.hpp"

#include <algorithm>

namespace pghandoff::apply {

namespace {

using cdc::column_kind;

/// The tuple has one value per column of the Relation and no binary values.
std::string tuple_problem(const bound_table& table, const cdc::tuple_data& tuple, const char* what) {
    if (tuple.size() != table.columns.size())
        return std::string(what) + " of " + table.display_name + " carries " + std::to_string(tuple.size()) +
               " columns but its Relation message " + std::to_string(table.columns.size());
    for (const auto& value : tuple)
        if (value.kind == column_kind::binary)
            return std::string(what) + " of " + table.display_name +
                   " carries binary values: capture the changes without the binary option";
    return {};
}

const char* parameter(const cdc::column_value& value) {
    return value.kind == column_kind::null ? nullptr : value.data.c_str();
}

/// Fills the matches (and their parameters) that find the row: every column of a whole old
/// row under REPLICA IDENTITY FULL, else the key columns of `tuple`.
std::string plan_match(const bound_table& table, const cdc::tuple_data& tuple, bool whole_row,
                       planned_change& plan) {
    auto& shape = plan.shape;
    shape.one_of_duplicates = whole_row;
    shape.matches.assign(table.columns.size(), match_role::none);
    bool any = false;
    for (std::size_t i = 0; i < tuple.size(); ++i) {
        if (!whole_row && !table.columns[i].key) continue;
        const auto& value = tuple[i];
        if (value.kind == column_kind::unchanged_toast) {
            if (whole_row) continue;
            return "cannot find the row of " + table.display_name + ": its key column " + table.columns[i].sql_name +
                   " was sent as an unchanged TOASTed value";
        }
        shape.matches[i] = value.kind == column_kind::null ? match_role::null : match_role::parameter;
        if (value.kind != column_kind::null) plan.values.push_back(value.data.c_str());
        any = true;
    }
    if (!any)
        return "cannot find the row of " + table.display_name +
               ": the change carries no replica identity (give the table a primary key or REPLICA IDENTITY FULL)";
    return {};
}

/// An identity ALWAYS column can only be set by a move; it need not be when its value stays.
bool identity_value_kept(const bound_table& table, const cdc::update_message& change, std::size_t i) {
    const auto& now = change.new_tuple[i];
    if (change.old_kind == 0) return table.columns[i].key && now.kind != column_kind::unchanged_toast;
    const auto& before = change.old_tuple[i];
    return before.kind == column_kind::text && before == now;
}

std::variant<planned_change, std::string> result_of(planned_change plan, const std::string& problem) {
    if (!problem.empty()) return problem;
    return plan;
}

}  // namespace

bool change_shape::writes_nothing() const {
    return std::none_of(writes.begin(), writes.end(), [](write_role w) { return w != write_role::none; });
}

std::string change_shape::key() const {
    std::string out;
    out.reserve(2 + writes.size());
    out += static_cast<char>(verb);
    out += one_of_duplicates ? '1' : '0';
    // One character per column: the write role in the low bits, the match role above them.
    for (std::size_t i = 0; i < writes.size(); ++i) {
        const int match = i < matches.size() ? static_cast<int>(matches[i]) : 0;
        out += static_cast<char>('a' + static_cast<int>(writes[i]) + 4 * match);
    }
    return out;
}

std::variant<planned_change, std::string> plan_insert(const bound_table& table, const cdc::insert_message& change) {
    if (auto problem = tuple_problem(table, change.new_tuple, "an INSERT"); !problem.empty()) return problem;
    planned_change plan;
    plan.shape.verb = statement_verb::insert;
    for (const auto& value : change.new_tuple) {
        if (value.kind == column_kind::unchanged_toast)
            return "an INSERT into " + table.display_name + " carries an unchanged TOASTed value";
        plan.shape.writes.push_back(write_role::parameter);
        plan.values.push_back(parameter(value));
    }
    return plan;
}

std::variant<planned_change, std::string> plan_update(const bound_table& table, const cdc::update_message& change) {
    if (auto problem = tuple_problem(table, change.new_tuple, "an UPDATE"); !problem.empty()) return problem;
    if (change.old_kind != 0)
        if (auto problem = tuple_problem(table, change.old_tuple, "an UPDATE"); !problem.empty()) return problem;
    const bool whole_row = change.old_kind == 'O' || table.replica_identity == 'f';
    if (whole_row && change.old_kind != 'O')
        return "an UPDATE of " + table.display_name + " under REPLICA IDENTITY FULL came without the old row";

    bool move = false;
    for (std::size_t i = 0; i < table.columns.size(); ++i)
        move = move || (table.columns[i].identity_always && !identity_value_kept(table, change, i));
    planned_change plan;
    plan.shape.verb = move ? statement_verb::move : statement_verb::update;
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
        const auto& value = change.new_tuple[i];
        auto role = write_role::parameter;
        if (value.kind == column_kind::unchanged_toast)
            role = move ? write_role::kept : write_role::none;
        else if (!move && table.columns[i].identity_always)
            role = write_role::none;
        plan.shape.writes.push_back(role);
        if (role == write_role::parameter) plan.values.push_back(parameter(value));
    }
    const auto& located_by = change.old_kind != 0 ? change.old_tuple : change.new_tuple;
    auto problem = plan_match(table, located_by, whole_row, plan);
    return result_of(std::move(plan), problem);
}

std::variant<planned_change, std::string> plan_delete(const bound_table& table, const cdc::delete_message& change) {
    if (auto problem = tuple_problem(table, change.old_tuple, "a DELETE"); !problem.empty()) return problem;
    planned_change plan;
    plan.shape.verb = statement_verb::remove;
    plan.shape.writes.assign(table.columns.size(), write_role::none);
    const bool whole_row = change.old_kind == 'O' || table.replica_identity == 'f';
    auto problem = plan_match(table, change.old_tuple, whole_row, plan);
    return result_of(std::move(plan), problem);
}

}  // namespace pghandoff::apply
