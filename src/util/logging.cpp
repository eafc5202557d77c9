#include "util/logging.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace pghandoff {

void setup_logging(spdlog::level::level_enum console_level, const std::optional<std::filesystem::path>& file) {
    std::vector<spdlog::sink_ptr> sinks;
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    console->set_level(console_level);
    console->set_pattern("%H:%M:%S %^%l%$ %v");
    sinks.push_back(console);
    if (file) {
        auto f = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file->string());
        f->set_level(spdlog::level::info);
        f->set_pattern("%Y-%m-%d %H:%M:%S.%e %l %v");
        sinks.push_back(f);
    }
    auto logger = std::make_shared<spdlog::logger>("pghandoff", sinks.begin(), sinks.end());
    logger->set_level(std::min(console_level, spdlog::level::info));
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
}

}  // namespace pghandoff
