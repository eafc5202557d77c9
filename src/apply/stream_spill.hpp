#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "cdc/messages.hpp"
#include "proto/spool.pb.h"
#include "spool/record_codec.hpp"

namespace pghandoff::apply {

/// The changes of streamed transactions (pgoutput streaming, protocol v2+) that the source sent
/// before their commit, held in one file per transaction until its Stream Commit replays them
/// or its Stream Abort drops them, so that a transaction of any size never has to fit in memory.
///
/// The files need not survive a crash: the spool gives an applier resuming after one every
/// block of the streamed transactions still open at its cut again. Opening a spill removes
/// what an earlier applier left in the directory.
class stream_spill {
public:
    /// Uses `dir` (created 0700 when missing, emptied of earlier spill files); an empty path
    /// makes a private temporary directory, removed when the spill goes away.
    explicit stream_spill(std::filesystem::path dir);
    ~stream_spill();
    stream_spill(const stream_spill&) = delete;
    stream_spill& operator=(const stream_spill&) = delete;

    /// Appends a change of the streamed transaction `xid`. `subxid` is the (sub)transaction the
    /// change itself belongs to: a later abort of that subtransaction drops it.
    void add(cdc::xid_t xid, cdc::xid_t subxid, const spool::entry& change);
    /// Stream Abort: the whole transaction when subxid == xid, else the subtransaction's
    /// changes and everything streamed after its first one.
    void abort(cdc::xid_t xid, cdc::xid_t subxid);
    /// Changes held for `xid` (0 when none).
    std::uint64_t changes(cdc::xid_t xid) const;
    /// Bytes held for `xid` on disk.
    std::uint64_t bytes(cdc::xid_t xid) const;
    /// Number of streamed transactions with a file.
    std::size_t open_transactions() const { return files_.size(); }

    /// Reads the changes of one streamed transaction back in order, one at a time.
    class replay {
    public:
        std::optional<spool::entry> next();
        ~replay();
        replay(replay&&) noexcept;
        replay& operator=(replay&&) = delete;
        replay(const replay&) = delete;

    private:
        friend class stream_spill;
        replay(std::filesystem::path path, std::FILE* file);
        std::filesystem::path path_;
        std::FILE* file_ = nullptr;
        std::string buffer_;
        spool::record scratch_;
    };
    /// Hands the transaction's changes over for replay; its file is removed when the replay
    /// goes away (after the Stream Commit). A transaction never streamed gives an empty replay.
    replay take(cdc::xid_t xid);

private:
    struct file {
        std::filesystem::path path;
        std::FILE* handle = nullptr;
        std::uint64_t size = 0;
        std::uint64_t changes = 0;
        /// Offset and change count at the first change of each subtransaction, in stream order.
        std::map<cdc::xid_t, std::pair<std::uint64_t, std::uint64_t>> subtransactions;
    };
    file& open_file(cdc::xid_t xid);
    void close_file(file& f, bool remove);

    std::filesystem::path dir_;
    bool owned_ = false;
    std::map<cdc::xid_t, file> files_;
    spool::record scratch_;
    std::string serialized_;
};

}  // namespace pghandoff::apply
