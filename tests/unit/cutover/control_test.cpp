// The control socket: a request reaches the handler and its reply lines come back in order;
// with no migrate listening the client says so.
#include "cutover/control.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "util/error.hpp"

namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;

fs::path private_directory(const std::string& name) {
    std::string pattern = (fs::temp_directory_path() / (name + "-XXXXXX")).string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp");
    return pattern;
}

TEST(control_socket, answers_a_request_line_by_line) {
    const fs::path dir = private_directory("pghandoff-control");
    asio::io_context io;
    std::string seen;
    pghandoff::cutover::control_server server(
        io.get_executor(), dir,
        [&](nlohmann::json request, std::shared_ptr<pghandoff::cutover::control_session> session) -> asio::awaitable<void> {
            seen = request["command"].get<std::string>();
            for (int i = 1; i <= 3; ++i) {
                nlohmann::json line{{"event", "step"}, {"n", i}};
                co_await session->send(line);
            }
            nlohmann::json done{{"event", "done"}};
            co_await session->send(done);
        });
    EXPECT_TRUE(fs::exists(pghandoff::cutover::control_socket_path(dir)));
    asio::co_spawn(io, server.serve(), asio::detached);
    std::thread loop([&] { io.run(); });

    std::vector<nlohmann::json> lines;
    pghandoff::cutover::control_request(dir, {{"command", "cutover"}}, [&](const nlohmann::json& line) { lines.push_back(line); });
    EXPECT_EQ(seen, "cutover");
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0]["n"], 1);
    EXPECT_EQ(lines[2]["n"], 3);
    EXPECT_EQ(lines[3]["event"], "done");
    EXPECT_TRUE(pghandoff::cutover::control_listening(dir));

    io.stop();
    loop.join();
    server.close();
    EXPECT_FALSE(fs::exists(pghandoff::cutover::control_socket_path(dir)));
    fs::remove_all(dir);
}

TEST(control_socket, says_when_no_migrate_runs) {
    const fs::path dir = private_directory("pghandoff-control");
    EXPECT_FALSE(pghandoff::cutover::control_listening(dir));
    try {
        pghandoff::cutover::control_request(dir, {{"command", "cutover"}}, [](const nlohmann::json&) {});
        FAIL() << "no error";
    } catch (const pghandoff::error& e) {
        EXPECT_NE(std::string(e.what()).find("no pghandoff migrate is running"), std::string::npos) << e.what();
    }
    fs::remove_all(dir);
}

TEST(control_socket, works_under_a_path_too_long_for_a_socket_address) {
    fs::path dir = private_directory("pghandoff-control");
    const fs::path root = dir;
    while (dir.native().size() < 150) dir /= "a-rather-long-directory-name";
    fs::create_directories(dir);
    asio::io_context io;
    pghandoff::cutover::control_server server(
        io.get_executor(), dir,
        [&](nlohmann::json, std::shared_ptr<pghandoff::cutover::control_session> session) -> asio::awaitable<void> {
            nlohmann::json done{{"event", "done"}};
            co_await session->send(done);
        });
    asio::co_spawn(io, server.serve(), asio::detached);
    std::thread loop([&] { io.run(); });
    int lines = 0;
    pghandoff::cutover::control_request(dir, {{"command", "status"}}, [&](const nlohmann::json&) { ++lines; });
    EXPECT_EQ(lines, 1);
    io.stop();
    loop.join();
    server.close();
    fs::remove_all(root);
}

}  // namespace
