#include "migration/follow.hpp"

#include <set>

#include "cdc/publication.hpp"
#include "migration/progress_store.hpp"
#include "pg/quote.hpp"
#include "util/error.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace pghandoff::migration {

boost::asio::awaitable<void> create_publication_for(pg::connection& source, std::string publication,
                                                    std::vector<catalog::qualified_name> tables,
                                                    std::vector<catalog::qualified_name> identity_full) {
    for (const auto& t : identity_full) co_await source.exec("ALTER TABLE " + t.sql() + " REPLICA IDENTITY FULL");
    co_await cdc::create_publication(source, publication, tables);
}

boost::asio::awaitable<void> drop_capture_objects(pg::conninfo source, std::string slot, std::string publication) {
    auto admin = co_await pg::connection::connect(source.with("application_name", "pghandoff"), "source");
    co_await admin.exec("SET default_transaction_read_only = off");  // the source may be fenced
    boost::asio::steady_timer pause(co_await boost::asio::this_coro::executor);
    for (int attempt = 0;; ++attempt) {
        try {
            co_await cdc::drop_slot(admin, slot);
            break;
        } catch (const error& e) {
            if (attempt >= 50 || e.sqlstate() != "55006") throw;  // 55006: the slot is still active
        }
        pause.expires_after(std::chrono::milliseconds(100));
        co_await pause.async_wait(boost::asio::use_awaitable);
    }
    co_await cdc::drop_publication(admin, publication);
}

boost::asio::awaitable<std::size_t> suspend_replica_triggers(pg::connection& target,
                                                             std::vector<catalog::qualified_name> tables,
                                                             std::set<std::string>* recorded) {
    std::set<std::string> wanted;
    for (const auto& t : tables) wanted.insert(t.sql());
    auto res = co_await target.exec(
        "SELECT n.nspname, c.relname, t.tgname, t.tgenabled FROM pg_catalog.pg_trigger t "
        "JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE NOT t.tgisinternal AND t.tgenabled IN ('A', 'R') ORDER BY 1, 2, 3");
    std::string sql = "BEGIN;\n";
    std::size_t count = 0;
    std::vector<std::string> keys;
    for (int i = 0; i < res.rows(); ++i) {
        catalog::qualified_name table{res.text(i, 0), res.text(i, 1)};
        if (!wanted.count(table.sql())) continue;
        sql += "ALTER TABLE " + table.sql() + " DISABLE TRIGGER " + pg::quote_ident(res.get(i, 2)) + ";\n";
        const std::string key = std::string(trigger_step_prefix) + table.schema + '\x1f' + table.name + '\x1f' +
                                res.text(i, 2) + '\x1f' + res.text(i, 3);
        sql += step_done_sql(key) + ";\n";
        keys.push_back(key);
        ++count;
    }
    if (count == 0) co_return 0;
    co_await target.exec(sql + "COMMIT");
    if (recorded) recorded->insert(keys.begin(), keys.end());  // the cutover restores them
    co_return count;
}

std::string restore_triggers_sql(const std::set<std::string>& step_keys) {
    std::string sql;
    for (const auto& key : step_keys) {
        if (!key.starts_with(trigger_step_prefix)) continue;
        std::vector<std::string> parts;
        std::size_t from = 0;
        for (std::size_t at; (at = key.find('\x1f', from)) != std::string::npos; from = at + 1)
            parts.push_back(key.substr(from, at - from));
        parts.push_back(key.substr(from));
        if (parts.size() != 5) continue;  // "trigger", schema, table, name, A|R
        sql += "ALTER TABLE " + pg::qualified_name(parts[1], parts[2]) +
               (parts[4] == "R" ? " ENABLE REPLICA TRIGGER " : " ENABLE ALWAYS TRIGGER ") + pg::quote_ident(parts[3]) +
               ";\n";
    }
    return sql;
}

std::string suspend_again_sql(const std::set<std::string>& step_keys) {
    std::string sql = restore_triggers_sql(step_keys);
    for (const std::string mode : {" ENABLE REPLICA TRIGGER ", " ENABLE ALWAYS TRIGGER "})
        for (std::size_t at; (at = sql.find(mode)) != std::string::npos;) sql.replace(at, mode.size(), " DISABLE TRIGGER ");
    return sql;
}

}  // namespace pghandoff::migration
