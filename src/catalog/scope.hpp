#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace pghandoff::catalog {

/// A schema-qualified object name, unquoted.
struct qualified_name {
    std::string schema;
    std::string name;
    bool operator==(const qualified_name&) const = default;
    /// "schema"."name", quoted for SQL.
    std::string sql() const;
    /// schema.name, for messages.
    std::string display() const { return schema + "." + name; }
};

/// Which part of the source database a migration covers (--include-schema, --exclude-table).
class scope {
public:
    /// Parses S.T as psql does: unquoted parts fold to lower case, "Quoted" parts keep theirs.
    static qualified_name parse_table_name(std::string_view text);

    void include_schema(std::string schema) { schemas_.push_back(std::move(schema)); }
    void exclude_table(qualified_name table) { excluded_.push_back(std::move(table)); }

    bool covers_schema(std::string_view schema) const;
    bool covers_table(const qualified_name& table) const;
    /// The same selection as pg_dump arguments (--schema=..., --exclude-table=...).
    std::vector<std::string> pg_dump_arguments() const;
    /// A stable description stored with the migration's progress, to refuse a resume with other options.
    std::string fingerprint() const;

    const std::vector<std::string>& schemas() const { return schemas_; }
    const std::vector<qualified_name>& excluded() const { return excluded_; }

private:
    std::vector<std::string> schemas_;
    std::vector<qualified_name> excluded_;
};

/// Schemas that belong to PostgreSQL or to pghandoff's own bookkeeping, never migrated.
bool is_system_schema(std::string_view schema);

}  // namespace pghandoff::catalog
