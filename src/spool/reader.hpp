#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "proto/spool.pb.h"
#include "spool/record_codec.hpp"
#include "spool/record_cursor.hpp"
#include "spool/stream_position.hpp"

namespace pghandoff::spool {

/// The applying side of the spool: reads it in order from the first transaction that commits
/// after a given LSN, one frame in memory at a time, and follows the writer as it appends.
///
/// Besides every record after the cut (the last commit at or below that LSN) it delivers, from
/// before the cut, the Relation and Type messages (an applier must know every table it meets)
/// and the Stream Start..Stop blocks and subtransaction aborts of streamed transactions still
/// open at the cut. Relation and Type copies the writer put at a segment's start are delivered
/// only when they differ from what was delivered last for that table or type.
class reader {
public:
    /// Reads `dir` for an applier that has applied every transaction that committed at or below
    /// `applied` (its replication origin's progress). Open it after the writer, which repairs
    /// what a crash left behind. Throws pghandoff::error for a damaged segment.
    reader(std::filesystem::path dir, pg::lsn applied);

    /// The next change; nullopt when everything durable so far has been read: call again after
    /// the writer's next flush. Throws pghandoff::error for a damaged segment.
    std::optional<entry> next();

private:
    void find_cut(pg::lsn applied);
    bool wanted_before_cut(const cdc::message& message, const stream_step& step) const;
    bool already_known(const cdc::message& message);

    std::filesystem::path dir_;
    record_cursor cursor_;
    stream_position position_;
    std::optional<record_place> cut_;           ///< the last commit at or below `applied`
    std::set<cdc::xid_t> streams_ended_;        ///< streamed transactions ended before the cut
    std::map<std::uint32_t, cdc::relation_message> relations_;  ///< last delivered, by relid
    std::map<std::uint32_t, cdc::type_message> types_;          ///< last delivered, by type OID
    record scratch_;
};

}  // namespace pghandoff::spool
