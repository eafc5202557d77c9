#pragma once

#include <libpq-fe.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pghandoff::integration {

/// One field of a result row; std::nullopt is SQL NULL.
using field = std::optional<std::string>;
/// One result row, fields in select-list order.
using row = std::vector<field>;

/// The rows of a result with the names of its columns.
struct query_result {
    std::vector<std::string> columns;
    std::vector<row> rows;
};

/// A blocking libpq connection for tests; every failure throws std::runtime_error
/// carrying the server's message and SQLSTATE.
class pg_session {
public:
    /// Connects to conninfo (key=value or URI), to dbname instead of its database if given.
    explicit pg_session(const std::string& conninfo, const std::optional<std::string>& dbname = std::nullopt);

    /// Runs sql (several statements allowed when params is empty) and returns the last result's rows.
    std::vector<row> exec(const std::string& sql, const std::vector<field>& params = {});
    /// Like exec, with the column names of the result.
    query_result query(const std::string& sql, const std::vector<field>& params = {});
    /// The first field of the first row, std::nullopt if there is no row or the field is NULL.
    field scalar(const std::string& sql, const std::vector<field>& params = {});
    /// Runs a whole SQL file as one simple query (so as one transaction).
    void exec_file(const std::filesystem::path& file);

    /// The identifier quoted for SQL text, as PQescapeIdentifier does it.
    std::string quote_identifier(std::string_view name) const;
    /// The string quoted as an SQL literal, as PQescapeLiteral does it.
    std::string quote_literal(std::string_view text) const;

    /// server_version_num, e.g. 150004.
    int server_version() const;
    /// The database this session is connected to.
    std::string database() const;
    /// The underlying connection, still owned by this session.
    PGconn* native() const { return conn_.get(); }

private:
    struct conn_deleter {
        void operator()(PGconn* conn) const noexcept { PQfinish(conn); }
    };
    std::unique_ptr<PGconn, conn_deleter> conn_;
};

}  // namespace pghandoff::integration
