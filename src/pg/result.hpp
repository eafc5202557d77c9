#pragma once
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "pg/handles.hpp"

namespace pghandoff::pg {

/// A query result: owns the PGresult and gives typed access to its text-format cells.
class result {
public:
    result() = default;
    explicit result(result_ptr r) : res_(std::move(r)) {}

    int rows() const { return res_ ? PQntuples(res_.get()) : 0; }
    int columns() const { return res_ ? PQnfields(res_.get()) : 0; }
    bool is_null(int row, int col) const { return PQgetisnull(res_.get(), row, col) != 0; }
    std::string_view get(int row, int col) const {
        return {PQgetvalue(res_.get(), row, col),
                static_cast<std::size_t>(PQgetlength(res_.get(), row, col))};
    }
    std::string text(int row, int col) const { return std::string(get(row, col)); }
    std::optional<std::string> optional_text(int row, int col) const {
        if (is_null(row, col)) return std::nullopt;
        return text(row, col);
    }
    long long integer(int row, int col) const {
        return is_null(row, col) ? 0 : std::strtoll(PQgetvalue(res_.get(), row, col), nullptr, 10);
    }
    double number(int row, int col) const {
        return is_null(row, col) ? 0.0 : std::strtod(PQgetvalue(res_.get(), row, col), nullptr);
    }
    bool boolean(int row, int col) const { return !is_null(row, col) && get(row, col) == "t"; }
    /// Rows affected by the command (COPY, INSERT, UPDATE...).
    long long affected() const {
        const char* n = res_ ? PQcmdTuples(res_.get()) : "";
        return *n ? std::strtoll(n, nullptr, 10) : 0;
    }
    ExecStatusType status() const { return res_ ? PQresultStatus(res_.get()) : PGRES_EMPTY_QUERY; }
    PGresult* native() const { return res_.get(); }

private:
    result_ptr res_;
};

}  // namespace pghandoff::pg
