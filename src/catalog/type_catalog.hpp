#pragma once
#include <cstdint>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>

namespace pghandoff::pg {
class connection;
}

namespace pghandoff::catalog {

using oid = std::uint32_t;

/// Objects with OIDs below this are built into every PostgreSQL server and keep their OIDs.
constexpr oid first_normal_object_id = 16384;

/// The parts of pg_type that decide whether a type's binary COPY form can cross servers.
struct type_row {
    oid type_oid = 0;
    char kind = 'b';        ///< typtype: b base, c composite, d domain, e enum, p pseudo, r range, m multirange
    char category = 'U';    ///< typcategory ('A' = array)
    oid element = 0;        ///< typelem
    oid base = 0;           ///< typbasetype (domains)
    oid range_subtype = 0;  ///< for ranges and multiranges: the range's subtype
    bool has_binary_io = false;
};

/// The source's types, to choose between binary and text COPY per table.
class type_catalog {
public:
    void add(const type_row& row) { types_[row.type_oid] = row; }

    /// True when values of this type travel in binary COPY form without carrying OIDs that
    /// may differ on the target, and the type has binary I/O. Arrays of non-built-in element
    /// types and composites carry OIDs; extension base types are not trusted in binary.
    bool binary_safe(oid type) const;

    static boost::asio::awaitable<type_catalog> load(pg::connection& source);

private:
    bool binary_safe(oid type, int depth) const;
    std::unordered_map<oid, type_row> types_;
};

}  // namespace pghandoff::catalog
