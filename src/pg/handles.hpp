#pragma once
#include <libpq-fe.h>

#include <memory>

namespace pghandoff::pg {

struct conn_deleter {
    void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
struct result_deleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
struct freemem_deleter {
    void operator()(void* p) const noexcept { PQfreemem(p); }
};
struct conninfo_deleter {
    void operator()(PQconninfoOption* o) const noexcept { PQconninfoFree(o); }
};

using conn_ptr = std::unique_ptr<PGconn, conn_deleter>;
using result_ptr = std::unique_ptr<PGresult, result_deleter>;
using buffer_ptr = std::unique_ptr<char, freemem_deleter>;
using conninfo_options_ptr = std::unique_ptr<PQconninfoOption, conninfo_deleter>;

}  // namespace pghandoff::pg
