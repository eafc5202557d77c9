#include "schema/post_data_plan.hpp"

namespace pghandoff::schema {

post_data_plan plan_post_data(const ddl_script& script, const std::set<std::string>& copied_tables) {
    post_data_plan plan;
    plan.preamble = script.preamble;
    for (const auto& e : script.entries) {
        if (e.type == "FK CONSTRAINT") {
            auto table = entry_table(e);
            auto referenced = referenced_table(e);
            if (table && referenced) {
                plan.foreign_keys.push_back({e, table->sql(), referenced->sql()});
                continue;
            }
        } else if (e.type == "INDEX" || e.type == "CONSTRAINT" || e.type == "TRIGGER" || e.type == "STATISTICS") {
            // A table's triggers come with its indexes, once its rows are in: an online
            // migration applies its changes from then on, with those triggers suspended. Its
            // extended statistics too, so that its ANALYZE, which waits for them, fills them.
            auto table = entry_table(e);
            if (table && copied_tables.count(table->sql())) {
                plan.per_table.push_back({e, table->sql(), e.type != "INDEX"});
                continue;
            }
        }
        plan.tail.push_back(e);
    }
    return plan;
}

}  // namespace pghandoff::schema
