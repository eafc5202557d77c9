#pragma once
#include <optional>
#include <regex>
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

/// One part (a schema or a relation name) of a name pattern, read as pg_dump's -n/-t read theirs:
/// unquoted letters fold to lower case, * matches any text and ? one character, other regular
/// expression characters keep their meaning, and "quoted" text is taken literally, case included.
class name_pattern {
public:
    /// Reads one part of `text` from `pos` up to an unquoted '.' or the end.
    static name_pattern read(std::string_view text, std::size_t& pos);
    /// A pattern matching exactly `name`.
    static name_pattern exactly(std::string name);

    bool matches(std::string_view name) const;
    /// True when the pattern matches one name only (no wildcard or regular expression).
    bool is_exact() const { return exact_.has_value(); }
    /// The one name matched, when is_exact().
    const std::string& exact_name() const { return *exact_; }
    /// The pattern as written on the command line.
    const std::string& text() const { return text_; }
    /// The anchored regular expression it stands for; equal for patterns that match the same names.
    const std::string& regex_source() const { return regex_source_; }

private:
    std::string text_;
    std::string regex_source_;
    std::optional<std::string> exact_;
    std::regex regex_;
};

/// An --exclude-table pattern: [schema.]table, the schema being public when left out.
struct table_pattern {
    name_pattern schema;
    name_pattern name;
    bool matches(const qualified_name& table) const { return schema.matches(table.schema) && name.matches(table.name); }
    /// schema.table as the user wrote it (public. added when no schema was given).
    std::string text() const { return schema.text() + "." + name.text(); }
};

/// Which part of the source database a migration covers (--include-schema, --exclude-schema,
/// --exclude-table, --exclude-table-data).
class scope {
public:
    /// Reads [schema.]table as pg_dump reads -t (see name_pattern); a missing schema is public.
    static table_pattern parse_table_pattern(std::string_view text);
    /// Reads a schema pattern as pg_dump reads -n.
    static name_pattern parse_schema_pattern(std::string_view text);

    void include_schema(name_pattern schema) { schemas_.push_back(std::move(schema)); }
    void exclude_schema(name_pattern schema) { excluded_schemas_.push_back(std::move(schema)); }
    void exclude_table(table_pattern table) { excluded_.push_back(std::move(table)); }
    /// --exclude-table-data: the table is created (indexes, constraints, grants) but its rows are not copied.
    void exclude_table_data(table_pattern table) { excluded_data_.push_back(std::move(table)); }
    /// Convenience for exact names (tests, programmatic use).
    void include_schema_named(std::string schema) { include_schema(name_pattern::exactly(std::move(schema))); }
    void exclude_table_named(qualified_name table) {
        exclude_table({name_pattern::exactly(std::move(table.schema)), name_pattern::exactly(std::move(table.name))});
    }

    bool covers_schema(std::string_view schema) const;
    /// True when an --exclude-schema pattern matches `schema`.
    bool excludes_schema(std::string_view schema) const;
    bool covers_table(const qualified_name& table) const;
    /// True when the table is migrated with its rows: covered and not matched by --exclude-table-data.
    bool copies_rows(const qualified_name& table) const;
    /// The same selection as pg_dump arguments (--schema=..., --exclude-table=...).
    std::vector<std::string> pg_dump_arguments() const;
    /// A stable description stored with the migration's progress, to refuse a resume with other options.
    std::string fingerprint() const;

    const std::vector<name_pattern>& schemas() const { return schemas_; }
    const std::vector<name_pattern>& excluded_schemas() const { return excluded_schemas_; }
    const std::vector<table_pattern>& excluded() const { return excluded_; }
    const std::vector<table_pattern>& excluded_data() const { return excluded_data_; }

private:
    std::vector<name_pattern> schemas_;
    std::vector<name_pattern> excluded_schemas_;
    std::vector<table_pattern> excluded_;
    std::vector<table_pattern> excluded_data_;
};

/// A table name as --exclude-table reads it, ready to paste into a shell: double quotes where
/// the name needs them, single quotes around the whole when the shell would strip those.
std::string command_line_name(const qualified_name& name);
/// A schema name as --include-schema and --exclude-schema read it, ready to paste into a shell.
std::string command_line_schema(const std::string& schema);

/// Schemas that belong to PostgreSQL or to pghandoff's own bookkeeping, never migrated.
bool is_system_schema(std::string_view schema);

}  // namespace pghandoff::catalog
