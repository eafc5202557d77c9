#include "cdc/publication.hpp"

#include "pg/quote.hpp"

namespace pghandoff::cdc {

boost::asio::awaitable<void> create_publication(pg::connection& source, std::string name,
                                                std::vector<catalog::qualified_name> tables) {
    std::string sql = "CREATE PUBLICATION " + pg::quote_ident(name);
    for (std::size_t i = 0; i < tables.size(); ++i) sql += (i == 0 ? " FOR TABLE " : ", ") + tables[i].sql();
    co_await source.exec(sql);
}

boost::asio::awaitable<void> drop_publication(pg::connection& source, std::string name) {
    co_await source.exec("DROP PUBLICATION IF EXISTS " + pg::quote_ident(name));
}

boost::asio::awaitable<void> drop_slot(pg::connection& source, std::string name) {
    std::vector<std::optional<std::string>> params{name};
    co_await source.exec_params(
        "SELECT pg_catalog.pg_drop_replication_slot(slot_name) FROM pg_catalog.pg_replication_slots "
        "WHERE slot_name = $1",
        params);
}

}  // namespace pghandoff::cdc
