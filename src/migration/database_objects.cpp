#include "migration/database_objects.hpp"

#include "catalog/sequence_catalog.hpp"
#include "migration/progress_store.hpp"
#include "pg/quote.hpp"
#include "util/error.hpp"

namespace pghandoff::migration {

boost::asio::awaitable<void> copy_large_object(pg::connection& source, pg::connection& target,
                                               const catalog::large_object& object, const large_object_options& options) {
    constexpr long long piece = 1 << 20;
    const std::string loid = std::to_string(object.loid);
    std::string sql = "BEGIN; SELECT pg_catalog.lo_create(" + loid + ");";
    if (options.owner && !options.missing_roles.count(object.owner))
        sql += " ALTER LARGE OBJECT " + loid + " OWNER TO " + pg::quote_ident(object.owner) + ";";
    if (options.privileges)
        for (const auto& grant : object.grants)
            if (!options.missing_roles.count(grant.grantee)) sql += " " + grant.sql + ";";
    if (object.comment) sql += " COMMENT ON LARGE OBJECT " + loid + " IS " + pg::quote_literal(*object.comment) + ";";
    co_await target.exec(sql);
    // pg_largeobject itself is for superusers only: read pieces until a short one.
    for (long long offset = 0;; offset += piece) {
        std::vector<std::optional<std::string>> read_params{loid, std::to_string(offset), std::to_string(piece)};
        auto data = co_await source.exec_params(
            "SELECT piece, pg_catalog.length(piece) FROM pg_catalog.lo_get($1::oid, $2::bigint, $3::int) AS piece",
            read_params);
        const long long length = data.integer(0, 1);
        if (length == 0) break;
        std::vector<std::optional<std::string>> write_params{loid, std::to_string(offset), data.text(0, 0)};
        co_await target.exec_params("SELECT pg_catalog.lo_put($1::oid, $2::bigint, $3::bytea)", write_params);
        if (length < piece) break;
    }
    co_await target.exec(step_done_sql("lo|" + loid) + "; COMMIT");
}

boost::asio::awaitable<void> refresh_materialized_views(pg::connection& target,
                                                        std::vector<catalog::qualified_name> views) {
    while (!views.empty()) {
        std::vector<catalog::qualified_name> failed;
        std::string last_error;
        for (const auto& view : views) {
            try {
                co_await target.exec("REFRESH MATERIALIZED VIEW " + view.sql());
            } catch (const error& e) {
                failed.push_back(view);
                last_error = e.what();
            }
        }
        if (failed.size() == views.size())
            throw error("refreshing materialized view " + failed.front().display() + " failed: " + last_error);
        views = std::move(failed);
    }
    co_await target.exec(step_done_sql("matviews"));
}

boost::asio::awaitable<std::size_t> copy_sequences(pg::conninfo source, pg::connection& target, catalog::scope selection) {
    auto conn = co_await pg::connection::connect(source.with("application_name", "pghandoff"), "source");
    auto sequences = co_await catalog::load_sequences(conn, selection);
    co_await target.exec("BEGIN; " + catalog::setval_sql(sequences) + step_done_sql("sequences") + "; COMMIT");
    co_return sequences.size();
}

}  // namespace pghandoff::migration
