#pragma once
#include <string>
#include <vector>

#include "apply/change_shape.hpp"
#include "apply/table_binding.hpp"

namespace pghandoff::apply {

/// The SQL text of a change's shape on a table, with $1.. numbered as change_shape says:
///   INSERT INTO t (a, b) [OVERRIDING SYSTEM VALUE] VALUES ($1, $2)
///   UPDATE t SET a = $1 WHERE k = $2
///   DELETE FROM t WHERE k = $1
///   WITH moved AS (DELETE FROM t WHERE k = $3 RETURNING *)
///     INSERT INTO t (k, a, b) OVERRIDING SYSTEM VALUE SELECT $1::int, $2::text, moved.b FROM moved
/// A row is found by `col = $n` where the type has a default equality, by
/// `col::text = ($n::type)::text` where it has none (json, point, xml...), and by `col IS NULL`
/// for a NULL value; one of several identical rows (REPLICA IDENTITY FULL) by
/// `ctid = (SELECT ctid FROM t WHERE ... LIMIT 1)`. Parameters are untyped text: the server
/// infers their types from the columns, except where a cast says it.
std::string statement_sql(const bound_table& table, const change_shape& shape);

/// TRUNCATE of several tables in one statement, as the source ran it: ONLY each ordinary
/// table (its inheritance children come in the list themselves when published), a
/// partitioned table with its partitions.
std::string truncate_sql(const std::vector<const bound_table*>& tables, bool restart_identity, bool cascade);

/// A short name for a shape's statement in messages, e.g. "UPDATE of public.items".
std::string statement_label(const bound_table& table, const change_shape& shape);

}  // namespace pghandoff::apply
