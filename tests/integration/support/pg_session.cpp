#include "support/pg_session.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pghandoff::integration {
namespace {

struct result_deleter {
    void operator()(PGresult* result) const noexcept { PQclear(result); }
};
using result_ptr = std::unique_ptr<PGresult, result_deleter>;

struct libpq_memory_deleter {
    void operator()(char* text) const noexcept { PQfreemem(text); }
};

void ignore_notice(void*, const char*) {}

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

/// The server's message with its SQLSTATE, for an error thrown to the test.
std::string error_text(const PGresult* result, PGconn* conn) {
    std::string message = trimmed(result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn));
    if (message.empty()) message = trimmed(PQerrorMessage(conn));
    if (result != nullptr) {
        if (const char* sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE)) {
            message += " (SQLSTATE " + std::string(sqlstate) + ")";
        }
    }
    return message;
}

query_result rows_of(const PGresult* result) {
    query_result out;
    for (int c = 0; c < PQnfields(result); ++c) out.columns.emplace_back(PQfname(result, c));
    std::vector<row>& rows = out.rows;
    const int row_count = PQntuples(result);
    const int column_count = PQnfields(result);
    rows.reserve(static_cast<std::size_t>(row_count));
    for (int r = 0; r < row_count; ++r) {
        row fields;
        fields.reserve(static_cast<std::size_t>(column_count));
        for (int c = 0; c < column_count; ++c) {
            if (PQgetisnull(result, r, c)) {
                fields.emplace_back(std::nullopt);
            } else {
                fields.emplace_back(std::string(PQgetvalue(result, r, c),
                                                static_cast<std::size_t>(PQgetlength(result, r, c))));
            }
        }
        rows.push_back(std::move(fields));
    }
    return out;
}

}  // namespace

pg_session::pg_session(const std::string& conninfo, const std::optional<std::string>& dbname) {
    // With expand_dbname, the first dbname is read as a whole conninfo and a later one overrides its
    // database.
    std::vector<const char*> keywords{"dbname", "application_name"};
    std::vector<const char*> values{conninfo.c_str(), "pghandoff_integration_tests"};
    if (dbname) {
        keywords.push_back("dbname");
        values.push_back(dbname->c_str());
    }
    keywords.push_back(nullptr);
    values.push_back(nullptr);
    conn_.reset(PQconnectdbParams(keywords.data(), values.data(), 1));
    if (!conn_) throw std::runtime_error("could not allocate a libpq connection");
    if (PQstatus(conn_.get()) != CONNECTION_OK) {
        throw std::runtime_error("could not connect: " + trimmed(PQerrorMessage(conn_.get())));
    }
    PQsetNoticeProcessor(conn_.get(), ignore_notice, nullptr);
}

std::vector<row> pg_session::exec(const std::string& sql, const std::vector<field>& params) {
    return query(sql, params).rows;
}

query_result pg_session::query(const std::string& sql, const std::vector<field>& params) {
    result_ptr result;
    if (params.empty()) {
        result.reset(PQexec(conn_.get(), sql.c_str()));
    } else {
        std::vector<const char*> values;
        values.reserve(params.size());
        for (const auto& param : params) values.push_back(param ? param->c_str() : nullptr);
        result.reset(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                                  values.data(), nullptr, nullptr, 0));
    }
    const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && status != PGRES_EMPTY_QUERY) {
        throw std::runtime_error(error_text(result.get(), conn_.get()));
    }
    return rows_of(result.get());
}

field pg_session::scalar(const std::string& sql, const std::vector<field>& params) {
    const auto rows = exec(sql, params);
    if (rows.empty() || rows.front().empty()) return std::nullopt;
    return rows.front().front();
}

void pg_session::exec_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + file.string());
    std::ostringstream text;
    text << in.rdbuf();
    try {
        exec(text.str());
    } catch (const std::runtime_error& error) {
        throw std::runtime_error(file.filename().string() + ": " + error.what());
    }
}

std::string pg_session::quote_identifier(std::string_view name) const {
    std::unique_ptr<char, libpq_memory_deleter> quoted{
        PQescapeIdentifier(conn_.get(), name.data(), name.size())};
    if (!quoted) throw std::runtime_error("cannot quote identifier: " + trimmed(PQerrorMessage(conn_.get())));
    return quoted.get();
}

std::string pg_session::quote_literal(std::string_view text) const {
    std::unique_ptr<char, libpq_memory_deleter> quoted{
        PQescapeLiteral(conn_.get(), text.data(), text.size())};
    if (!quoted) throw std::runtime_error("cannot quote literal: " + trimmed(PQerrorMessage(conn_.get())));
    return quoted.get();
}

int pg_session::server_version() const {
    return PQserverVersion(conn_.get());
}

std::string pg_session::database() const {
    return PQdb(conn_.get());
}

}  // namespace pghandoff::integration
