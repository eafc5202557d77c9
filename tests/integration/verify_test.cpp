// pghandoff verify: equal databases verify equal; every kind of planted difference is found and
// named; migrate --verify records the result; errors exit 2.
#include <chrono>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/pghandoff_cli.hpp"
#include "support/server_test.hpp"
#include "support/temporary_directory.hpp"

namespace pghandoff::integration {
namespace {

namespace fs = std::filesystem;

/// Keyed tables big enough to be cut into ranges, a text key, a keyless table with duplicate
/// rows, types whose text differs by settings (float, timestamptz, interval, bytea), sequences,
/// a view, a function, a trigger and a large object.
void create_dataset(pg_session& src) {
    src.exec(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, balance numeric, ratio float8, at timestamptz, span interval, "
        "  blob bytea, tags text[]);"
        "INSERT INTO accounts SELECT g, g * 1.5, g / 7.0, '2024-01-01'::timestamptz + g * interval '1 minute', "
        "  g * interval '1 second', decode(md5(g::text), 'hex'), ARRAY['t' || g % 10] FROM generate_series(1, 300000) g;"
        "ANALYZE accounts;"
        "CREATE TABLE codes (code text PRIMARY KEY, label text);"
        "INSERT INTO codes SELECT 'c' || g, 'label ' || g FROM generate_series(1, 1000) g;"
        "CREATE TABLE log (who text, what text);"
        "INSERT INTO log SELECT 'u' || g % 5, 'w' || g % 3 FROM generate_series(1, 100) g;"
        "CREATE SEQUENCE tickets; SELECT setval('tickets', 42);"
        "CREATE VIEW rich AS SELECT id FROM accounts WHERE balance > 1000;"
        "CREATE FUNCTION double_it(int) RETURNS int LANGUAGE sql AS 'SELECT $1 * 2';"
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';"
        "CREATE TRIGGER codes_touch BEFORE UPDATE ON codes FOR EACH ROW EXECUTE FUNCTION touch();"
        "CREATE INDEX accounts_at ON accounts (at);"
        "SELECT lo_from_bytea(424242, 'large object content');");
}

nlohmann::json parse(const std::string& text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    return j.is_discarded() ? nlohmann::json::object() : j;
}

const nlohmann::json* table_in(const nlohmann::json& result, const std::string& name) {
    for (const auto& t : result["tables"])
        if (t.value("table", "") == name) return &t;
    return nullptr;
}

bool names_row(const nlohmann::json& table, const std::string& kind, const std::string& part) {
    for (const auto& r : table["rows"])
        if (r.value("kind", "") == kind && mentions(r.value("row", ""), part)) return true;
    return false;
}

class verify_test : public server_test {
protected:
    std::vector<std::string> verify_arguments(const test_databases& dbs, std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"verify", "--source", dbs.source_uri(), "--target", dbs.target_uri(), "--jobs", "2",
                                      "--chunk-size", "4MB"};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    }
};

TEST_F(verify_test, equal_databases_verify_equal_and_every_planted_difference_is_named) {
    test_databases dbs(servers_.source, servers_.target, "verify");
    auto src = dbs.connect_source();
    create_dataset(src);
    temporary_directory state;
    auto migrated = run_pghandoff(
        offline_migrate_arguments(dbs.source_uri(), dbs.target_uri(), state.path() / "state", {"--verify"}));
    ASSERT_EQ(migrated.exit_code, 0) << describe(migrated);
    std::ifstream in(state.path() / "state" / "report.json");
    std::stringstream report_text;
    report_text << in.rdbuf();
    auto report = parse(report_text.str());
    EXPECT_TRUE(report["verify"].value("equal", false)) << report.dump(2);

    auto equal = run_pghandoff(verify_arguments(dbs));
    ASSERT_EQ(equal.exit_code, 0) << describe(equal);
    EXPECT_TRUE(mentions(equal.stdout_text, "result: EQUAL")) << equal.stdout_text;
    auto equal_json = parse(run_pghandoff(verify_arguments(dbs, {"--json"})).stdout_text);
    EXPECT_TRUE(equal_json.value("equal", false));
    const auto* accounts = table_in(equal_json, "public.accounts");
    ASSERT_NE(accounts, nullptr);
    EXPECT_GT(accounts->value("chunks", 0), 1) << "a big table with statistics is compared by key ranges";
    EXPECT_EQ(accounts->value("source_rows", 0), 300000);

    // Plant one difference of each kind on the target.
    auto dst = dbs.connect_target();
    dst.exec("UPDATE accounts SET ratio = ratio + 1e-9 WHERE id = 123456;"   // a changed value, barely
             "DELETE FROM accounts WHERE id = 299999;"                         // a missing row
             "INSERT INTO accounts (id, balance) VALUES (900001, 1);"          // an extra row
             "UPDATE codes SET label = 'changed' WHERE code = 'c77';"          // changed, text key
             "INSERT INTO log VALUES ('u1', 'w1');"                            // a duplicate keyless row
             "SELECT setval('tickets', 43);"                                   // a changed sequence
             "DROP INDEX accounts_at;"                                         // a missing index
             "SELECT lo_put(424242, 0, 'LARGE');");                            // a differing large object
    auto different = run_pghandoff(verify_arguments(dbs, {"--json"}));
    ASSERT_EQ(different.exit_code, 1) << describe(different);
    auto result = parse(different.stdout_text);
    EXPECT_FALSE(result.value("equal", true));
    accounts = table_in(result, "public.accounts");
    ASSERT_NE(accounts, nullptr);
    EXPECT_EQ(accounts->value("changed", 0), 1);
    EXPECT_EQ(accounts->value("missing", 0), 1);
    EXPECT_EQ(accounts->value("extra", 0), 1);
    EXPECT_TRUE(names_row(*accounts, "changed", "123456")) << accounts->dump(2);
    EXPECT_TRUE(names_row(*accounts, "missing", "299999")) << accounts->dump(2);
    EXPECT_TRUE(names_row(*accounts, "extra", "900001")) << accounts->dump(2);
    const auto* codes = table_in(result, "public.codes");
    ASSERT_NE(codes, nullptr);
    EXPECT_TRUE(names_row(*codes, "changed", "c77")) << codes->dump(2);
    const auto* log = table_in(result, "public.log");
    ASSERT_NE(log, nullptr);
    EXPECT_EQ(log->value("extra", 0), 1);
    EXPECT_TRUE(names_row(*log, "extra", "u1")) << log->dump(2);
    EXPECT_TRUE(table_in(result, "public.log")->value("key", "x").empty());
    const std::string sequences = result["sequences"].dump();
    EXPECT_TRUE(mentions(sequences, "tickets")) << sequences;
    const std::string objects = result["objects"].dump();
    EXPECT_TRUE(mentions(objects, "index public.accounts_at")) << objects;
    const std::string large_objects = result["large_objects"].dump();
    EXPECT_TRUE(mentions(large_objects, "424242")) << large_objects;

    // The human form names them too.
    auto human = run_pghandoff(verify_arguments(dbs));
    EXPECT_EQ(human.exit_code, 1);
    EXPECT_TRUE(mentions(human.stdout_text, "(id)=(299999)")) << human.stdout_text;
    EXPECT_TRUE(mentions(human.stdout_text, "result: DIFFERENT")) << human.stdout_text;
    // Leaving out what differs makes the rest equal.
    auto scoped = run_pghandoff(verify_arguments(dbs, {"--exclude-table", "public.accounts", "--exclude-table", "public.codes",
                                                       "--exclude-table", "public.log"}));
    EXPECT_EQ(scoped.exit_code, 1) << "sequences, large objects and the index still differ";
}

TEST_F(verify_test, an_unreachable_target_exits_2_with_one_line) {
    test_databases dbs(servers_.source, servers_.target, "verify_err");
    auto result = run_pghandoff({"verify", "--source", dbs.source_uri(), "--target",
                                 "postgresql://postgres@127.0.0.1:1/nowhere?connect_timeout=2"});
    EXPECT_EQ(result.exit_code, 2) << describe(result);
    EXPECT_EQ(error_lines(result.stderr_text).size(), 1u) << result.stderr_text;
}

}  // namespace
}  // namespace pghandoff::integration
