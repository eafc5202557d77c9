#include "util/time_text.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

#include "util/error.hpp"

namespace pghandoff {

std::chrono::milliseconds parse_duration(std::string_view text) {
    const std::string s(text);
    char* end = nullptr;
    const double value = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || !std::isfinite(value) || value < 0)
        throw error("invalid duration '" + s + "'", "write it like 250ms, 2s, 5m or 1h");
    const std::string unit(end);
    double millis = 0;
    if (unit.empty() || unit == "s") millis = value * 1000;
    else if (unit == "ms") millis = value;
    else if (unit == "m" || unit == "min") millis = value * 60'000;
    else if (unit == "h") millis = value * 3'600'000;
    else throw error("invalid duration '" + s + "'", "write it like 250ms, 2s, 5m or 1h");
    return std::chrono::milliseconds(static_cast<long long>(std::llround(millis)));
}

namespace {

int digits(const std::string& s, std::size_t& at, std::size_t n) {
    if (at + n > s.size()) throw std::invalid_argument("short");
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const char c = s[at + i];
        if (!std::isdigit(static_cast<unsigned char>(c))) throw std::invalid_argument("digit");
        v = v * 10 + (c - '0');
    }
    at += n;
    return v;
}

void expect(const std::string& s, std::size_t& at, std::string_view one_of) {
    if (at >= s.size() || one_of.find(s[at]) == std::string_view::npos) throw std::invalid_argument("separator");
    ++at;
}

}  // namespace

std::chrono::system_clock::time_point parse_rfc3339(std::string_view text) {
    const std::string s(text);
    try {
        std::size_t at = 0;
        const int year = digits(s, at, 4);
        expect(s, at, "-");
        const int month = digits(s, at, 2);
        expect(s, at, "-");
        const int day = digits(s, at, 2);
        expect(s, at, "Tt ");
        const int hour = digits(s, at, 2);
        expect(s, at, ":");
        const int minute = digits(s, at, 2);
        expect(s, at, ":");
        const int second = digits(s, at, 2);
        long long micros = 0;
        if (at < s.size() && s[at] == '.') {
            ++at;
            long long scale = 100000;
            bool any = false;
            while (at < s.size() && std::isdigit(static_cast<unsigned char>(s[at]))) {
                micros += (s[at] - '0') * scale;
                scale /= 10;
                ++at;
                any = true;
            }
            if (!any) throw std::invalid_argument("fraction");
        }
        int offset_minutes = 0;
        if (at < s.size() && (s[at] == 'Z' || s[at] == 'z')) {
            ++at;
        } else {
            if (at >= s.size() || (s[at] != '+' && s[at] != '-')) throw std::invalid_argument("zone");
            const int sign = s[at] == '-' ? -1 : 1;
            ++at;
            const int oh = digits(s, at, 2);
            expect(s, at, ":");
            const int om = digits(s, at, 2);
            offset_minutes = sign * (oh * 60 + om);
        }
        if (at != s.size() || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
            throw std::invalid_argument("range");
        const auto date = std::chrono::year_month_day{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                                      std::chrono::day{static_cast<unsigned>(day)}};
        if (!date.ok()) throw std::invalid_argument("date");
        const auto time = std::chrono::sys_days{date} + std::chrono::hours{hour} + std::chrono::minutes{minute} +
                          std::chrono::seconds{second} + std::chrono::microseconds{micros} -
                          std::chrono::minutes{offset_minutes};
        return std::chrono::time_point_cast<std::chrono::system_clock::duration>(time);
    } catch (const std::invalid_argument&) {
        throw error("invalid time '" + s + "'", "write it in RFC 3339 form, like 2026-11-21T18:00:00Z or 2026-11-21T19:00:00+01:00");
    }
}

}  // namespace pghandoff
