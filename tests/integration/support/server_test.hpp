#pragma once

#include "support/test_databases.hpp"

#include <gtest/gtest.h>

namespace pghandoff::integration {

/// Base of the integration tests: skips them when tools/test has not exported the servers.
class server_test : public ::testing::Test {
protected:
    void SetUp() override {
        auto servers = test_servers_from_environment();
        if (!servers)
            GTEST_SKIP() << "PGHANDOFF_TEST_SOURCE and PGHANDOFF_TEST_TARGET are not set; run tools/test";
        servers_ = std::move(*servers);
    }

    test_servers servers_;
};

}  // namespace pghandoff::integration
