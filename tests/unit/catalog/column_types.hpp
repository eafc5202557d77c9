#pragma once
#include "catalog/type_catalog.hpp"

namespace pghandoff::fixtures {

constexpr catalog::oid int4_type = 23;
constexpr catalog::oid text_type = 25;
/// A base type made by CREATE EXTENSION: its OID differs between servers.
constexpr catalog::oid extension_type = 16600;

/// int4 and text as every server has them, and one extension base type, all with binary I/O.
inline catalog::type_catalog built_ins_and_one_extension_type() {
    catalog::type_catalog types;
    types.add({.type_oid = int4_type, .kind = 'b', .category = 'N', .has_binary_io = true});
    types.add({.type_oid = text_type, .kind = 'b', .category = 'S', .has_binary_io = true});
    types.add({.type_oid = extension_type, .kind = 'b', .category = 'U', .has_binary_io = true});
    return types;
}

}  // namespace pghandoff::fixtures
