// The job graph of a migration run: which copy, post-data, ANALYZE and other jobs run, in
// which order and on which tables.
#include "migration/migration_run.hpp"

namespace pghandoff::migration {

void migration_run::build_jobs() {
    // Priorities: post-data of finished tables first (they unblock the rest), then their
    // ANALYZE, then copies largest first, then the tail, foreign keys, sequences and
    // materialized views, large objects whenever a worker is free. Offline, where only the
    // end matters, the longest chain of estimated work goes first and priorities break ties
    // (job_graph::rank_by_critical_path); online, the priorities rule, so that tables join
    // the apply as early as they can.
    std::map<std::string, std::vector<job_graph::job_id>> copies_of, entries_of;
    std::vector<job_graph::job_id> all_copies, all_table_entries;
    for (std::size_t i = 0; i < chunks_.size(); ++i) {
        if (chunk_done_[i]) continue;
        const auto chunk = chunks_[i];
        auto id = add_job("copy " + chunk.table.display(), 100, {{chunk.table.sql(), false}},
                          [this, chunk](worker& w) { return copy_chunk(w, chunk); });
        copy_chunk_index_[id] = i;
        graph_.set_cost(id, copy::copy_cost(tables_.at(chunk.table.sql()), chunk));
        copies_of[chunk.table.sql()].push_back(id);
        all_copies.push_back(id);
    }
    auto builds_index = [](const std::string& type) { return type == "INDEX" || type == "CONSTRAINT"; };
    std::map<std::string, std::size_t> index_builds_of;
    for (const auto& te : post_data_.per_table)
        if (builds_index(te.entry.type)) ++index_builds_of[te.table];
    for (const auto& te : post_data_.per_table) {
        if (done_steps_.count(te.entry.key)) continue;
        const auto entry = te.entry;
        std::string what = te.entry.type + " " + te.entry.tag;
        std::string sql = entry.settings + entry.sql;
        if (options_.maintenance_work_mem == "auto" && (entry.type == "INDEX" || entry.type == "CONSTRAINT")) {
            const auto kb = copy::index_build_memory_kb(tables_.at(te.table).index_bytes);
            sql = "SET LOCAL maintenance_work_mem = '" + std::to_string(kb) + "kB';\n" + sql;
        }
        auto id = add_job(what, 200, {{te.table, te.exclusive}},
                          [this, key = entry.key, sql, what](worker& w) { return run_step(w, key, sql, what); });
        if (builds_index(entry.type))
            graph_.set_cost(id, copy::index_build_cost(tables_.at(te.table), index_builds_of[te.table]));
        for (auto c : copies_of[te.table]) graph_.depend(id, c);
        board_.table(tables_.at(te.table).name.display()).post_data_total++;
        entries_of[te.table].push_back(id);
        all_table_entries.push_back(id);
    }
    for (const auto& [table, columns] : loaded_external_) {
        std::vector<std::string> names;
        std::string forget = "DELETE FROM pghandoff.step WHERE key IN (";
        for (std::size_t i = 0; i < columns.size(); ++i) {
            names.push_back(columns[i].column);
            forget += (i ? ", " : "") + pg::quote_literal(catalog::storage_step_key(columns[i]));
        }
        const std::string sql = catalog::set_storage_sql(columns.front().table, names, "EXTENDED") + ";\n" + forget + ")";
        const std::string what = "SET STORAGE EXTENDED " + columns.front().table.display();
        const std::string key = std::string("storage-restored\x1f") + table;
        auto id = add_job(what, 200, {{table, true}}, [this, sql, what, key](worker& w) { return run_step(w, key, sql, what); });
        for (auto c : copies_of[table]) graph_.depend(id, c);
        entries_of[table].push_back(id);
        all_table_entries.push_back(id);
    }
    std::optional<job_graph::job_id> previous;
    auto after_data = [&](job_graph::job_id id) {
        for (auto c : all_copies) graph_.depend(id, c);
        for (auto e : all_table_entries) graph_.depend(id, e);
    };
    for (const auto& e : post_data_.tail) {
        if (done_steps_.count(e.key)) continue;
        const auto entry = e;
        std::string what = e.type + " " + e.tag;
        auto id = add_job(what, 50, {}, [this, entry, what](worker& w) { return run_step(w, entry.key, entry.settings + entry.sql, what); });
        after_data(id);
        if (previous) graph_.depend(id, *previous);
        previous = id;
    }
    std::vector<job_graph::job_id> fks;
    for (const auto& fk : post_data_.foreign_keys) {
        if (done_steps_.count(fk.entry.key)) continue;
        const auto entry = fk.entry;
        std::string what = "FOREIGN KEY " + fk.entry.tag;
        auto id = add_job(what, 150, {{fk.table, true}, {fk.referenced, true}},
                          [this, entry, what](worker& w) { return run_step(w, entry.key, entry.settings + entry.sql, what); });
        // Between two copied tables, a foreign key needs only their rows and indexes (the
        // referenced key among them): it is validated while other tables still copy.
        if (tables_.count(fk.table)) graph_.set_cost(id, copy::foreign_key_cost(tables_.at(fk.table)));
        if (tables_.count(fk.table) && tables_.count(fk.referenced)) {
            for (const auto& t : {fk.table, fk.referenced}) {
                for (auto c : copies_of[t]) graph_.depend(id, c);
                for (auto e : entries_of[t]) graph_.depend(id, e);
            }
        } else {
            after_data(id);
            if (previous) graph_.depend(id, *previous);
        }
        fks.push_back(id);
    }
    auto after_everything = [&](job_graph::job_id id) {
        after_data(id);
        if (previous) graph_.depend(id, *previous);
        for (auto f : fks) graph_.depend(id, f);
    };
    if (!large_objects_.empty()) {
        std::vector<catalog::large_object> pending;
        for (const auto& lo : large_objects_)
            if (!done_steps_.count("lo|" + std::to_string(lo.loid))) pending.push_back(lo);
        for (std::size_t i = 0; i < pending.size(); i += 100) {
            std::vector<catalog::large_object> batch(pending.begin() + static_cast<long>(i),
                                                     pending.begin() + static_cast<long>(std::min(pending.size(), i + 100)));
            add_job("large objects", 10, {}, [this, batch](worker& w) { return copy_large_objects(w, batch); });
        }
    }
    if (!matviews_.empty() && !done_steps_.count("matviews")) {
        auto id = add_job("refresh materialized views", 20, {}, [this](worker& w) { return refresh_matviews(w); });
        after_everything(id);
    }
    if (!done_steps_.count("sequences")) {
        auto id = add_job("sequences", 30, {}, [this](worker& w) { return set_sequences(w); });
        after_everything(id);
    }
    // ANALYZE: with the copy of a table copied whole (copy_chunk), else as soon as the table's
    // rows and post-data are in, alone on its table.
    for (const auto& [key, t] : tables_) {
        if (done_steps_.count(analyze_step_key(key))) continue;
        const auto& copies = copies_of[key];
        if (copies.size() == 1) {
            const auto& chunk = chunks_[copy_chunk_index_.at(copies.front())];
            if (analyze_with_copy(t, chunk)) continue;
        }
        const std::string table_key = key;
        auto id = add_job("ANALYZE " + t.name.display(), 150, {{key, true}}, [this, table_key](worker& w) {
            return run_step(w, analyze_step_key(table_key), "ANALYZE " + table_key, "ANALYZE " + table_key);
        });
        graph_.set_cost(id, static_cast<double>(t.heap_bytes) / 16);
        for (auto c : copies_of[key]) graph_.depend(id, c);
        for (auto e : entries_of[key]) graph_.depend(id, e);
    }
    // Online: the apply takes a table on once its rows and its own post-data (indexes, keys,
    // triggers; foreign keys aside) are in, while other tables still copy.
    if (options_.follow) {
        for (const auto& [key, t] : tables_) {
            if (copies_of[key].empty() && entries_of[key].empty()) {
                ready_queue_.push_back(key);
                continue;
            }
            const std::string table_key = key;
            auto id = add_job("apply " + t.name.display(), 250, {},
                              [this, table_key](worker& w) { return mark_ready(w, table_key); });
            for (auto c : copies_of[key]) graph_.depend(id, c);
            for (auto e : entries_of[key]) graph_.depend(id, e);
        }
    } else {
        graph_.rank_by_critical_path();
    }
}

bool migration_run::analyze_with_copy(const catalog::table_info& table, const copy::copy_chunk& chunk) const {
    return chunk.whole_table() && !table.statistics_after_post_data;
}

std::string migration_run::analyze_step_key(const std::string& table_key) { return "analyze|" + table_key; }

awaitable<void> migration_run::mark_ready(worker&, std::string table_key) {
    ready_queue_.push_back(std::move(table_key));
    co_return;
}

}  // namespace pghandoff::migration
