#include "apply/statements.hpp"

#include <algorithm>

namespace pghandoff::apply {

namespace {

std::string placeholder(int& next) {
    std::string out = "$";
    out += std::to_string(next++);
    return out;
}

int written_parameters(const change_shape& shape) {
    return static_cast<int>(std::count(shape.writes.begin(), shape.writes.end(), write_role::parameter));
}

/// The conditions that find the row, parameters numbered from `next`.
std::string row_condition(const bound_table& table, const change_shape& shape, int next) {
    std::string out;
    for (std::size_t i = 0; i < shape.matches.size(); ++i) {
        if (shape.matches[i] == match_role::none) continue;
        if (!out.empty()) out += " AND ";
        const auto& column = table.columns[i];
        if (shape.matches[i] == match_role::null)
            out += column.sql_name + " IS NULL";
        else if (column.has_equality)
            out += column.sql_name + " = " + placeholder(next);
        else  // compared in the target's own text form: both sides go through its output function
            out += column.sql_name + "::text = (" + placeholder(next) + "::" + column.type_name + ")::text";
    }
    return out;
}

std::string where_clause(const bound_table& table, const change_shape& shape) {
    const auto condition = row_condition(table, shape, written_parameters(shape) + 1);
    if (!shape.one_of_duplicates) return " WHERE " + condition;
    return " WHERE ctid = (SELECT ctid FROM " + table.sql_name + " WHERE " + condition + " LIMIT 1)";
}

std::string column_list(const bound_table& table, const change_shape& shape) {
    std::string out;
    for (std::size_t i = 0; i < shape.writes.size(); ++i) {
        if (shape.writes[i] == write_role::none && shape.verb != statement_verb::move) continue;
        if (!out.empty()) out += ", ";
        out += table.columns[i].sql_name;
    }
    return out;
}

std::string insert_sql(const bound_table& table, const change_shape& shape) {
    const auto columns = column_list(table, shape);
    const std::string overriding = table.identity_always ? " OVERRIDING SYSTEM VALUE" : "";
    if (columns.empty()) return "INSERT INTO " + table.sql_name + overriding + " DEFAULT VALUES";
    std::string values;
    int next = 1;
    for (std::size_t i = 0; i < shape.writes.size(); ++i) values += (i ? ", " : "") + placeholder(next);
    return "INSERT INTO " + table.sql_name + " (" + columns + ")" + overriding + " VALUES (" + values + ")";
}

std::string update_sql(const bound_table& table, const change_shape& shape) {
    std::string sets;
    int next = 1;
    for (std::size_t i = 0; i < shape.writes.size(); ++i) {
        if (shape.writes[i] != write_role::parameter) continue;
        if (!sets.empty()) sets += ", ";
        sets += table.columns[i].sql_name + " = " + placeholder(next);
    }
    return "UPDATE " + table.sql_name + " SET " + sets + where_clause(table, shape);
}

/// An UPDATE cannot give an identity ALWAYS column a value: delete the row and insert it again
/// with the new values, taking the unchanged TOASTed ones from the deleted row.
std::string move_sql(const bound_table& table, const change_shape& shape) {
    std::string values;
    int next = 1;
    for (std::size_t i = 0; i < shape.writes.size(); ++i) {
        if (i) values += ", ";
        const auto& column = table.columns[i];
        if (shape.writes[i] == write_role::parameter)
            values += placeholder(next) + "::" + column.type_name;
        else
            values += "moved." + column.sql_name;
    }
    return "WITH moved AS (DELETE FROM " + table.sql_name + where_clause(table, shape) + " RETURNING *) INSERT INTO " +
           table.sql_name + " (" + column_list(table, shape) + ") OVERRIDING SYSTEM VALUE SELECT " + values +
           " FROM moved";
}

}  // namespace

std::string statement_sql(const bound_table& table, const change_shape& shape) {
    switch (shape.verb) {
    case statement_verb::insert: return insert_sql(table, shape);
    case statement_verb::update: return update_sql(table, shape);
    case statement_verb::remove: return "DELETE FROM " + table.sql_name + where_clause(table, shape);
    case statement_verb::move: return move_sql(table, shape);
    }
    return {};
}

std::string truncate_sql(const std::vector<const bound_table*>& tables, bool restart_identity, bool cascade) {
    std::string sql = "TRUNCATE ";
    for (std::size_t i = 0; i < tables.size(); ++i) {
        if (i) sql += ", ";
        if (!tables[i]->partitioned) sql += "ONLY ";
        sql += tables[i]->sql_name;
    }
    if (restart_identity) sql += " RESTART IDENTITY";
    if (cascade) sql += " CASCADE";
    return sql;
}

std::string statement_label(const bound_table& table, const change_shape& shape) {
    switch (shape.verb) {
    case statement_verb::insert: return "INSERT into " + table.display_name;
    case statement_verb::update: return "UPDATE of " + table.display_name;
    case statement_verb::remove: return "DELETE from " + table.display_name;
    case statement_verb::move: return "UPDATE (as DELETE and INSERT) of " + table.display_name;
    }
    return {};
}

}  // namespace pghandoff::apply
