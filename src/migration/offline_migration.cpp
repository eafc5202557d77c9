#include "migration/offline_migration.hpp"

#include "migration/migration_run.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <spdlog/spdlog.h>

#include "util/json_file.hpp"

namespace pghandoff::migration {

awaitable<void> migration_run::run() {
    asio::co_spawn(io_, status_loop(), asio::detached);
    if (options_.follow) start_control();
    board_.phase_started("preflight");
    auto report = co_await run_preflight(options_);
    board_.phase_finished("preflight");
    for (const auto& w : report.warnings) spdlog::warn("{}", w);
    if (!report.problems.empty()) throw preflight_failed(report.problems);
    encoding_ = report.source_encoding;
    progress_ = report.progress;
    if (progress_) done_steps_ = progress_->steps;
    if (!options_.copy_roles)
        for (const auto& r : report.missing_roles) missing_roles_.insert(r.name);

    if (options_.follow && progress_) {
        slot_name_ = progress_->identity.slot_name;
        publication_name_ = progress_->identity.publication_name;
        if (copy_complete()) {
            co_await follow_changes();
            co_return;
        }
        // The copy stopped midway. The slot kept every change since its consistent point and
        // streaming resumes from the spool; the tables not finished are copied again, whole,
        // from a new snapshot, and the changes they already hold are skipped for them.
        auto replication = co_await pg::connection::connect(streaming_conninfo(options_.source), "source (replication)");
        asio::co_spawn(co_await asio::this_coro::executor, start_capture(std::move(replication), pg::lsn{}),
                       [this](std::exception_ptr e) {
                           if (!e) return;
                           capture_failure_ = e;
                           runner_.fail(e);
                       });
        phase_ = "schema";
        board_.phase_started("snapshot");
        snapshot_ = co_await take_slot_snapshot(options_.source, slot_name_ + "_resume", true);
        board_.phase_finished("snapshot");
        spdlog::info("resuming the copy from a new snapshot at {}", snapshot_.consistent_point->to_string());
        co_await load_catalog();
        co_await prepare_schema(report);
        co_await restart_unfinished_tables();
        build_jobs();
        phase_ = "copy";
        start_apply_during_copy();
        co_await run_jobs();
        auto target = co_await pg::connection::connect(options_.target, "target");
        co_await target.exec(step_done_sql("copy complete"));
        done_steps_.insert("copy complete");
        snapshot_.holder.reset();
        board_.phase_started("streaming");
        phase_ = "catchup";
        co_await wait_for_apply();
        co_return;
    }

    phase_ = "schema";
    board_.phase_started("snapshot");
    if (options_.follow) {
        co_await create_capture_objects(report);
    } else if (report.slot_snapshot) {
        snapshot_ = co_await take_slot_snapshot(options_.source, "pghandoff_" + random_suffix(), true);
        spdlog::info("snapshot {} exported by temporary slot {} at {}", snapshot_.name, snapshot_.slot_name,
                     snapshot_.consistent_point->to_string());
    } else {
        snapshot_ = co_await take_exported_snapshot(options_.source);
        spdlog::info("snapshot {} exported by pg_export_snapshot()", snapshot_.name);
    }
    board_.phase_finished("snapshot");

    co_await load_catalog();
    co_await prepare_schema(report);
    build_jobs();
    phase_ = "copy";
    if (options_.follow) start_apply_during_copy();
    co_await run_jobs();

    auto target = co_await pg::connection::connect(options_.target, "target");
    if (options_.follow) {
        co_await target.exec(step_done_sql("copy complete"));
        done_steps_.insert("copy complete");
        board_.phase_started("streaming");
        phase_ = "catchup";
        co_await wait_for_apply();
        co_return;
    }
    co_await target.exec(drop_progress_sql());
    snapshot_.holder.reset();  // ends the snapshot; a temporary slot goes with its connection
    const double run_seconds = std::chrono::duration<double>(clock::now() - run_started_).count();
    nlohmann::json run_report{{"result", "done"},
                              {"mode", "offline"},
                              {"source", options_.source.display()},
                              {"target", options_.target.display()},
                              {"summary", {{"tables", tables_.size()}, {"run_seconds", run_seconds}}}};
    bool different = false;
    if (options_.verify) {
        run_report["verify"] = co_await verify_now(std::nullopt);
        different = !run_report["verify"].value("equal", false);
    }
    write_json_file(options_.state_dir / "report.json", run_report);
    if (different)
        throw error("verify found differences between the source and the target",
                    "see " + (options_.state_dir / "report.json").string());
    phase_ = "done";
    write_json_file(options_.state_dir / "status.json", status_json());
}

awaitable<void> migration_run::restart_unfinished_tables() {
    std::set<std::string> unfinished;
    for (std::size_t i = 0; i < chunks_.size(); ++i)
        if (!chunk_done_[i]) unfinished.insert(chunks_[i].table.sql());
    if (unfinished.empty()) co_return;
    std::string sql = "BEGIN;\n";
    for (const auto& key : unfinished) {
        const auto& t = tables_.at(key);
        sql += "TRUNCATE ONLY " + key + ";\n";
        sql += "UPDATE pghandoff.chunk SET done_at = NULL, rows = NULL, bytes = NULL WHERE table_schema = " +
               pg::quote_literal(t.name.schema) + " AND table_name = " + pg::quote_literal(t.name.name) + ";\n";
        const std::string step = copied_at_key(t.name, *snapshot_.consistent_point);
        sql += step_done_sql(step) + " ON CONFLICT DO NOTHING;\n";
        done_steps_.insert(step);
    }
    auto target = co_await pg::connection::connect(options_.target.with("application_name", "pghandoff"), "target");
    co_await target.exec(sql + "COMMIT");
    for (std::size_t i = 0; i < chunks_.size(); ++i)
        if (unfinished.count(chunks_[i].table.sql()) && chunk_done_[i]) {
            chunk_done_[i] = false;
            auto& tp = board_.table(chunks_[i].table.display());
            --tp.chunks_done;
        }
    spdlog::info("{} unfinished table(s) copied again from the new snapshot", unfinished.size());
}

awaitable<void> migration_run::load_catalog() {
    board_.phase_started("catalog");
    auto source = co_await open_snapshot_session(options_.source, snapshot_.name, encoding_, "source");
    auto types = co_await catalog::type_catalog::load(source);
    auto tables = co_await catalog::load_tables(source, options_.selection);
    for (auto& t : tables) tables_.emplace(t.name.sql(), std::move(t));
    // Large objects belong to the database, not to a schema: --include-schema leaves them out.
    if (options_.selection.schemas().empty()) large_objects_ = co_await catalog::load_large_objects(source);
    auto mv = co_await source.exec(
        "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'm' AND c.relispopulated ORDER BY c.oid");
    for (int i = 0; i < mv.rows(); ++i) {
        catalog::qualified_name name{mv.text(i, 0), mv.text(i, 1)};
        if (options_.selection.covers_table(name)) matviews_.push_back(name);
    }
    if (progress_) {
        for (const auto& rc : progress_->chunks) {
            if (!tables_.count(rc.chunk.table.sql()))
                throw error("table " + rc.chunk.table.display() + " of the interrupted migration is gone from the source",
                            "start over with --drop-if-exists");
            chunks_.push_back(rc.chunk);
            chunk_done_.push_back(rc.done);
        }
    } else {
        std::vector<catalog::table_info> list;
        for (const auto& [k, t] : tables_) {
            if (options_.selection.copies_rows(t.name))
                list.push_back(t);
            else
                spdlog::info("{} is created without its rows (--exclude-table-data)", t.name.display());
        }
        // Before PostgreSQL 14 a ctid range is a full scan per chunk: copy tables whole there.
        std::uint64_t chunk_bytes = options_.chunk_bytes ? options_.chunk_bytes
                                                         : copy::automatic_chunk_bytes(list, options_.jobs);
        if (source.server_version() < 140000) chunk_bytes = 0;
        chunks_ = copy::plan_chunks(list, types, chunk_bytes);
        chunk_done_.assign(chunks_.size(), false);
        auto incompressible = co_await catalog::find_incompressible_columns(source, list);
        for (auto& c : incompressible) {
            spdlog::info("{}.{} holds incompressible values: loaded without compression attempts", c.table.display(), c.column);
            loaded_external_[c.table.sql()].push_back(std::move(c));
        }
    }
    for (const auto& key : done_steps_)
        if (auto c = catalog::parse_storage_step_key(key)) loaded_external_[c->table.sql()].push_back(*c);
    for (std::size_t i = 0; i < chunks_.size(); ++i) {
        const auto& c = chunks_[i];
        auto& tp = board_.table(c.table.display());
        const auto& t = tables_.at(c.table.sql());
        tp.name = c.table.display();
        tp.format = copy::to_string(c.format);
        tp.estimated_bytes = t.total_bytes();
        tp.estimated_rows = t.estimated_rows;
        ++tp.chunks_total;
        if (chunk_done_[i]) ++tp.chunks_done;
    }
    if (progress_)
        for (const auto& rc : progress_->chunks)
            if (rc.done) board_.table(rc.chunk.table.display()).rows_done += rc.rows;
    board_.phase_finished("catalog");
}

awaitable<void> migration_run::prepare_schema(preflight_report& report) {
    board_.phase_started("schema pre-data");
    const fs::path archive = options_.state_dir / "schema.dump";
    schema::dump_schema(*report.dump, options_.source, snapshot_.name, options_.selection, archive);
    schema::dump_options dump_opts{options_.no_owner, options_.no_acl, options_.no_tablespaces};
    auto filter = [&](const std::string& sql) {
        std::size_t removed = 0;
        auto out = schema::drop_lines_naming_roles(sql, missing_roles_, &removed);
        if (removed) spdlog::info("left out {} ownership/privilege statements naming missing roles", removed);
        return out;
    };
    auto post = schema::parse_ddl_script(filter(schema::restore_section(*report.dump, archive, "post-data", dump_opts)));
    // pghandoff's own publication is the source's business only.
    if (!publication_name_.empty())
        std::erase_if(post.entries, [&](const schema::ddl_entry& e) {
            return e.type.starts_with("PUBLICATION") &&
                   (e.tag == publication_name_ || e.tag.starts_with(publication_name_ + " "));
        });
    std::set<std::string> copied;
    for (const auto& [k, t] : tables_) copied.insert(k);
    post_data_ = schema::plan_post_data(post, copied);

    if (!progress_) {
        std::string sql = "BEGIN;\n";
        if (options_.drop_if_exists) {
            sql += drop_progress_sql() + ";\n";
            sql += schema::parse_ddl_script(schema::restore_section(*report.dump, archive, "", dump_opts, true)).preamble;
        }
        if (options_.copy_roles)
            for (const auto& r : report.missing_roles) {
                sql += catalog::create_role_sql(r) + ";\n";
                spdlog::warn("created role {} on the target without a password: set one with ALTER ROLE if it logs in", r.name);
            }
        auto pre = schema::parse_ddl_script(filter(schema::restore_section(*report.dump, archive, "pre-data", dump_opts)));
        schema::reuse_existing_schemas(pre);
        sql += pre.full_sql();
        migration_identity id{report.source_system_id, report.source_database, options_.selection.fingerprint(),
                              slot_name_, publication_name_};
        sql += create_progress_sql(id, chunks_);
        for (const auto& [table, columns] : loaded_external_) {
            std::vector<std::string> names;
            for (const auto& c : columns) {
                names.push_back(c.column);
                sql += step_done_sql(catalog::storage_step_key(c)) + ";\n";
            }
            sql += catalog::set_storage_sql(columns.front().table, names, "EXTERNAL") + ";\n";
        }
        sql += "COMMIT;\n";
        auto target = co_await pg::connection::connect(options_.target.with("application_name", "pghandoff"), "target");
        try {
            co_await target.exec(sql);
        } catch (const error& e) {
            throw error(std::string("applying the schema (pre-data) on the target failed: ") + e.what(), e.hint(),
                        e.sqlstate());
        }
        progress_recorded_ = true;
        spdlog::info("schema pre-data applied ({} tables, {} chunks planned)", tables_.size(), chunks_.size());
    } else {
        spdlog::info("resuming: {} of {} chunks and {} steps already done", std::count(chunk_done_.begin(), chunk_done_.end(), true),
                     chunks_.size(), done_steps_.size());
    }
    board_.phase_finished("schema pre-data");
}

awaitable<void> migration_run::copy_chunk(worker& w, copy::copy_chunk chunk) {
    const auto& table = tables_.at(chunk.table.sql());
    auto& tp = board_.table(chunk.table.display());
    if (!tp.started) tp.started = clock::now();
    board_.phase_started("copy");
    pg::copy_counters counters;
    tp.live.push_back(&counters);
    struct unregister {
        table_progress& tp;
        pg::copy_counters* c;
        ~unregister() { std::erase(tp.live, c); }
    } guard{tp, &counters};

    const auto start = clock::now();
    // A table copied whole is analyzed in its copy's transaction, while its pages are fresh
    // in memory, unless its statistics need the post-data (see analyze_with_copy).
    const bool analyze = analyze_with_copy(table, chunk);
    std::string before_commit;
    if (analyze) before_commit = "ANALYZE " + chunk.table.sql() + ";\n" + step_done_sql(analyze_step_key(chunk.table.sql()));
    auto totals = co_await copy_chunk_exactly_once(*w.source, *w.target, table, chunk, counters, before_commit);
    const double seconds = std::chrono::duration<double>(clock::now() - start).count();
    tp.rows_done += totals.rows;
    tp.bytes_done += totals.bytes;
    tp.copy_seconds += seconds;
    if (++tp.chunks_done == tp.chunks_total) tp.finished = clock::now();
    if (--chunks_left_ == 0) board_.phase_finished("copy");
    spdlog::info("copied {} chunk {}/{}: {} rows, {} in {:.2f}s ({}{})", chunk.table.display(), chunk.chunk_no + 1,
                 chunk.chunk_count, totals.rows, human_bytes(static_cast<double>(totals.bytes)), seconds,
                 copy::to_string(chunk.format), analyze ? ", analyzed" : "");
}

awaitable<void> migration_run::run_step(worker& w, std::string key, std::string sql, std::string what) {
    const bool is_fk = what.starts_with("FOREIGN KEY");
    const bool is_index = what.starts_with("INDEX") || what.starts_with("CONSTRAINT");
    const std::string phase = is_fk ? "foreign keys" : is_index ? "indexes and constraints"
                              : what.starts_with("ANALYZE") ? "analyze" : "other post-data";
    board_.phase_started(phase);
    auto start = clock::now();
    try {
        // An index build takes parallel workers (the server's max_parallel_maintenance_workers)
        // only once the other workers are about to run out of work: before that the cores are
        // busy with them, and the extra processes would cost CPU time they need. A big key
        // built last, at the end of the critical path, gets them.
        const bool serial = is_index && !graph_.others_run_out_first(w.job, std::max(1, options_.jobs) - 1);
        if (is_index)
            spdlog::debug("{}: {}", what, serial ? "no parallel workers, other jobs keep the cores busy" : "parallel workers allowed");
        const std::string settings = serial ? "SET LOCAL max_parallel_maintenance_workers = 0;\n" : "";
        co_await w.target->exec(post_data_.preamble + "BEGIN;\n" + settings + sql + ";\n" + step_done_sql(key) + ";\nCOMMIT;");
    } catch (const error& e) {
        throw error("building " + what + " on the target failed: " + e.what(), e.hint(), e.sqlstate());
    }
    board_.phase_finished(phase);
    spdlog::info("{} done in {:.2f}s", what, std::chrono::duration<double>(clock::now() - start).count());
}

awaitable<void> migration_run::copy_large_objects(worker& w, std::vector<catalog::large_object> objects) {
    board_.phase_started("large objects");
    const large_object_options lo_options{!options_.no_owner, !options_.no_acl, missing_roles_};
    for (const auto& lo : objects) co_await copy_large_object(*w.source, *w.target, lo, lo_options);
    board_.phase_finished("large objects");
}

awaitable<void> migration_run::refresh_matviews(worker& w) {
    board_.phase_started("materialized views");
    co_await refresh_materialized_views(*w.target, matviews_);
    board_.phase_finished("materialized views");
}

awaitable<void> migration_run::set_sequences(worker& w) {
    board_.phase_started("sequences");
    // Read at the end: values at or past every row copied from the snapshot.
    auto count = co_await copy_sequences(options_.source, *w.target, options_.selection);
    spdlog::info("{} sequences set", count);
    board_.phase_finished("sequences");
}

awaitable<void> migration_run::show_progress() {
    const bool tty = options_.progress == progress_mode::terminal ||
                     (options_.progress == progress_mode::automatic && isatty(STDERR_FILENO));
    if (options_.progress == progress_mode::none) co_return;
    auto& timer = progress_timer_;
    std::size_t drawn = 0;
    auto last_log = clock::now();
    while (copying_) {
        timer.expires_after(std::chrono::milliseconds(tty ? 500 : 1000));
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (tty) {
            std::string out;
            if (drawn) out += fmt::format("\x1b[{}A", drawn);
            out += "\x1b[J";
            auto lines = board_.terminal_lines(12);
            for (const auto& l : lines) out += l + "\n";
            drawn = lines.size();
            std::fputs(out.c_str(), stderr);
        } else if (clock::now() - last_log >= std::chrono::seconds(10)) {
            last_log = clock::now();
            spdlog::info("{}", board_.log_line());
        }
    }
    if (tty && drawn) std::fputs(fmt::format("\x1b[{}A\x1b[J", drawn).c_str(), stderr);
}

awaitable<void> migration_run::run_jobs() {
    const int workers = std::max(1, options_.jobs);
    spdlog::info("running {} jobs on {} workers", graph_.size(), workers);
    chunks_left_ = static_cast<std::size_t>(std::count(chunk_done_.begin(), chunk_done_.end(), false));
    asio::co_spawn(co_await asio::this_coro::executor, show_progress(), asio::detached);
    struct stop_progress {
        migration_run& run;
        ~stop_progress() {
            run.copying_ = false;
            run.progress_timer_.cancel();
        }
    } stop{*this};
    co_await runner_.run(workers, [this, workers](worker& w) -> awaitable<void> {
        w.source.emplace(co_await open_snapshot_session(options_.source, snapshot_.name, encoding_,
                                                        fmt::format("source (worker {})", w.id)));
        // Once every session imported the snapshot, its exporting connection may stream.
        if (options_.follow && !progress_ && ++sessions_opened_ == workers && snapshot_.holder) {
            pg::connection replication = std::move(*snapshot_.holder);
            snapshot_.holder.reset();
            asio::co_spawn(co_await asio::this_coro::executor, start_capture(std::move(replication), *snapshot_.consistent_point),
                           [this](std::exception_ptr e) {
                               if (!e) return;
                               capture_failure_ = e;
                               runner_.fail(e);
                           });
        }
        w.target.emplace(co_await open_target_session(options_.target, encoding_, options_.maintenance_work_mem,
                                                      fmt::format("target (worker {})", w.id)));
    });
    std::fputs(board_.summary().c_str(), stdout);
    std::fflush(stdout);
}


namespace {

/// The status file once the process ends: not running, and "failed" with the reason after an error.
void final_status(const fs::path& state_dir, const std::exception_ptr& failure) {
    auto status = read_json_file(state_dir / "status.json").value_or(nlohmann::json::object());
    status["running"] = false;
    if (failure) {
        std::string why = "unknown error";
        try {
            std::rethrow_exception(failure);
        } catch (const preflight_failed& e) {
            why.clear();
            for (const auto& p : e.problems()) why += (why.empty() ? "" : "; ") + p;
        } catch (const error& e) {
            why = e.one_line();
        } catch (const std::exception& e) {
            why = e.what();
        }
        status["phase"] = "failed";
        status["last_error"] = pg::mask_passwords(why);
    }
    try {
        write_json_file(state_dir / "status.json", status);
    } catch (const std::exception&) {
    }
}

}  // namespace

void run_offline_migration(const migrate_options& options) {
    ensure_state_dir(options.state_dir);
    std::exception_ptr failure;
    std::optional<std::pair<std::string, std::string>> leftovers;
    {
        asio::io_context io;
        auto run = std::make_unique<migration_run>(options, io);
        asio::co_spawn(io, run->run(), [&](std::exception_ptr e) {
            failure = e;
            io.stop();
        });
        io.run();
        if (failure) leftovers = run->capture_objects_to_drop();
        run.reset();  // closes every connection, the replication one included
    }
    if (leftovers) {
        asio::io_context io;
        asio::co_spawn(io, drop_capture_objects(options.source, leftovers->first, leftovers->second),
                       [](std::exception_ptr e) {
                           if (!e) return;
                           try {
                               std::rethrow_exception(e);
                           } catch (const std::exception& ex) {
                               spdlog::error("could not drop the slot and publication pghandoff created: {}", ex.what());
                           }
                       });
        io.run();
    }
    final_status(options.state_dir, failure);
    if (failure) std::rethrow_exception(failure);
}

}  // namespace pghandoff::migration

