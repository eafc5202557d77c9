#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/awaitable.hpp>

namespace pghandoff::apply {

class pipeline;

/// One column of a table on the target, as the applier needs it.
struct target_column {
    std::string name;
    std::uint32_t type_oid = 0;
    std::string type_name;          ///< format_type(atttypid, NULL) under search_path '': usable in a cast
    bool identity_always = false;   ///< GENERATED ALWAYS AS IDENTITY: INSERT needs OVERRIDING SYSTEM VALUE
    bool generated = false;         ///< GENERATED ... AS (expr): computed by the target, never written
    bool has_equality = true;       ///< `=` is a default btree/hash equality; else compare as text
    bool operator==(const target_column&) const = default;
};

/// An ordinary or partitioned table on the target, its columns in attnum order.
struct target_table {
    std::string schema;
    std::string name;
    bool partitioned = false;  ///< TRUNCATE ONLY is refused on a partitioned table
    std::vector<target_column> columns;
    bool operator==(const target_table&) const = default;
};

/// The pg_type facts that decide whether a type has a usable default equality.
struct type_facts {
    char kind = 'b';         ///< typtype: b base, c composite, d domain, e enum, p pseudo, r range, m multirange
    char category = 'U';     ///< typcategory ('A' = array)
    std::uint32_t base = 0;  ///< typbasetype (domains)
    std::uint32_t element = 0;
    bool default_equality = false;  ///< a default btree or hash operator class is declared for exactly this type
};

using type_map = std::unordered_map<std::uint32_t, type_facts>;

/// True when `a = b` on values of this type is a proper equality (domains and arrays follow
/// their base or element type; enums and ranges always have one). Composites and types without
/// a default btree/hash opclass (json, xml, point, box...) answer false: compare them as text.
bool has_equality(std::uint32_t type_oid, const type_map& types);

/// Reads the table `schema`.`name` from the target's catalog; nullopt when there is no such
/// ordinary or partitioned table. Runs inside the pipeline (and the open transaction, if any).
boost::asio::awaitable<std::optional<target_table>> load_target_table(pipeline& target, std::string schema,
                                                                      std::string name);

}  // namespace pghandoff::apply
