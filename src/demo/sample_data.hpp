#pragma once
#include <string>

namespace pghandoff::demo {

/// SQL creating a small shop: customers, products, orders, order lines (the largest table),
/// an event log with JSON documents, sequences, foreign keys, indexes and a materialized view.
std::string sample_data_sql(int rows);

}  // namespace pghandoff::demo
