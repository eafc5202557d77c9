#pragma once
#include <set>
#include <string>
#include <vector>

#include "schema/ddl_script.hpp"

namespace pghandoff::schema {

/// A post-data entry built on one copied table as soon as that table's rows are in.
struct table_entry {
    ddl_entry entry;
    std::string table;   ///< quoted qualified name
    bool exclusive = false;  ///< ALTER TABLE takes an ACCESS EXCLUSIVE lock; CREATE INDEX shares
};

/// A foreign key: built last, never alongside another job touching either table.
struct foreign_key_entry {
    ddl_entry entry;
    std::string table;
    std::string referenced;
};

/// How the post-data section runs: per-table entries in parallel as tables finish, then the
/// rest in dump order (partitioned parents' indexes, index attachments, triggers, rules,
/// policies...), then the foreign keys in parallel.
struct post_data_plan {
    std::string preamble;
    std::vector<table_entry> per_table;
    std::vector<ddl_entry> tail;
    std::vector<foreign_key_entry> foreign_keys;
};

/// Splits a post-data script. `copied_tables` holds the quoted qualified names of the tables
/// whose rows pghandoff copies.
post_data_plan plan_post_data(const ddl_script& script, const std::set<std::string>& copied_tables);

}  // namespace pghandoff::schema
