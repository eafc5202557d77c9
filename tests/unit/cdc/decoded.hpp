#pragma once
#include <optional>
#include <variant>

#include <gtest/gtest.h>

#include "cdc/wire_reader.hpp"

namespace pghandoff::test_support {

/// The alternative T of a decoder's result (a message variant or a decode_error), or a test
/// failure that shows the decoder's error, and nullopt.
template <class T, class Message>
std::optional<T> decoded(const std::variant<Message, cdc::decode_error>& result) {
    if (auto* error = std::get_if<cdc::decode_error>(&result)) {
        ADD_FAILURE() << "decode_error at offset " << error->offset << ": " << error->what;
        return std::nullopt;
    }
    auto* message = std::get_if<T>(&std::get<Message>(result));
    if (!message) ADD_FAILURE() << "decoded another kind (alternative " << std::get<Message>(result).index() << ")";
    return message ? std::optional<T>(*message) : std::nullopt;
}

}  // namespace pghandoff::test_support
