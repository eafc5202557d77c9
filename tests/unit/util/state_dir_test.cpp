#include "util/state_dir.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "util/error.hpp"

namespace fs = std::filesystem;

namespace {

class state_dir_test : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("pghandoff-state-dir-test-" + std::to_string(getpid()));
        fs::remove_all(dir_);
        pghandoff::ensure_state_dir(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    /// Runs `body` in a child process and returns its exit code.
    template <typename F>
    static int in_child(F body) {
        const pid_t pid = fork();
        if (pid == 0) _exit(body());
        int status = 0;
        waitpid(pid, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

    fs::path dir_;
};

TEST_F(state_dir_test, is_created_private_to_its_owner) {
    struct stat st {};
    ASSERT_EQ(stat(dir_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(state_dir_test, a_second_process_cannot_lock_it_and_is_told_who_holds_it) {
    const pghandoff::state_dir_lock held(dir_, "this migrate");
    std::string message;
    const int code = in_child([&] {
        try {
            pghandoff::state_dir_lock second(dir_, "this migrate");
            return 0;
        } catch (const pghandoff::error& e) {
            const std::string text = e.what();
            const bool names_holder = text.find("(pid " + std::to_string(getppid()) + ")") != std::string::npos &&
                                      text.find(dir_.string()) != std::string::npos && !e.hint().empty();
            return names_holder ? 3 : 4;
        }
    });
    EXPECT_EQ(code, 3) << "0: the second lock was granted; 4: the message lacks the pid, the directory or a hint";
}

TEST_F(state_dir_test, is_free_again_when_the_holder_ends_even_by_kill_9) {
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    const pid_t holder = fork();
    if (holder == 0) {
        pghandoff::state_dir_lock held(dir_, "this migrate");
        const char c = 'x';
        if (write(ready[1], &c, 1) != 1) _exit(1);
        pause();
        _exit(0);
    }
    char c = 0;
    ASSERT_EQ(read(ready[0], &c, 1), 1);
    EXPECT_THROW(pghandoff::state_dir_lock(dir_, "this migrate"), pghandoff::error);
    kill(holder, SIGKILL);
    waitpid(holder, nullptr, 0);
    close(ready[0]);
    close(ready[1]);
    EXPECT_NO_THROW(pghandoff::state_dir_lock(dir_, "this migrate"));
}

TEST_F(state_dir_test, is_free_again_when_the_lock_object_goes) {
    { const pghandoff::state_dir_lock held(dir_, "this migrate"); }
    EXPECT_EQ(in_child([&] {
                  try {
                      pghandoff::state_dir_lock again(dir_, "this migrate");
                      return 0;
                  } catch (const pghandoff::error&) {
                      return 1;
                  }
              }),
              0);
}

}  // namespace
