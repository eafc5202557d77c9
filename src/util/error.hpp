#pragma once
#include <stdexcept>
#include <string>

namespace pghandoff {

/// The one exception family of setup and CLI code: a message, an optional SQLSTATE and a hint
/// that tells the user what to do. The top level prints it as one line and exits non-zero.
class error : public std::runtime_error {
public:
    explicit error(std::string message, std::string hint = {}, std::string sqlstate = {})
        : std::runtime_error(std::move(message)), hint_(std::move(hint)), sqlstate_(std::move(sqlstate)) {}

    const std::string& hint() const noexcept { return hint_; }
    const std::string& sqlstate() const noexcept { return sqlstate_; }

    /// "message: hint" (or just the message), as printed to the user.
    std::string one_line() const {
        return hint_.empty() ? std::string(what()) : std::string(what()) + ": " + hint_;
    }

private:
    std::string hint_;
    std::string sqlstate_;
};

}  // namespace pghandoff
