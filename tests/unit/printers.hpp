#pragma once
#include <ostream>

#include "catalog/scope.hpp"

namespace pghandoff::catalog {

/// Lets GoogleTest show a table name as schema.name in failure messages.
inline void PrintTo(const qualified_name& name, std::ostream* out) { *out << name.display(); }

}  // namespace pghandoff::catalog
