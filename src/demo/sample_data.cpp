#include "demo/sample_data.hpp"

#include <fmt/format.h>

namespace pghandoff::demo {

std::string sample_data_sql(int rows) {
    const int customers = std::max(100, rows / 20);
    const int orders = std::max(100, rows / 4);
    return fmt::format(R"SQL(
CREATE SCHEMA shop;
CREATE TYPE shop.order_status AS ENUM ('new', 'paid', 'shipped', 'cancelled');
CREATE TABLE shop.customers (
    id bigserial PRIMARY KEY,
    email text NOT NULL UNIQUE,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE shop.products (
    id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    price numeric(10, 2) NOT NULL CHECK (price >= 0),
    tags text[] NOT NULL DEFAULT '{{}}'
);
CREATE TABLE shop.orders (
    id bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES shop.customers,
    status shop.order_status NOT NULL DEFAULT 'new',
    placed_at timestamptz NOT NULL
);
CREATE TABLE shop.order_lines (
    order_id bigint NOT NULL REFERENCES shop.orders,
    line_no int NOT NULL,
    product_id int NOT NULL REFERENCES shop.products,
    quantity int NOT NULL,
    amount numeric(12, 2) GENERATED ALWAYS AS (quantity * 9.99) STORED,
    PRIMARY KEY (order_id, line_no)
);
CREATE TABLE shop.events (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL,
    payload jsonb NOT NULL
);
INSERT INTO shop.customers (email, name, created_at)
SELECT 'customer' || g || '@example.com', 'Customer ' || g, now() - g * interval '1 minute'
FROM generate_series(1, {0}) g;
INSERT INTO shop.products (name, price, tags)
SELECT 'Product ' || g, (g % 500) + 0.99, ARRAY['tag' || (g % 7), 'tag' || (g % 11)]
FROM generate_series(1, 500) g;
INSERT INTO shop.orders (customer_id, status, placed_at)
SELECT 1 + (g % {0}), (ARRAY['new', 'paid', 'shipped', 'cancelled'])[1 + g % 4]::shop.order_status,
       now() - g * interval '10 seconds'
FROM generate_series(1, {1}) g;
INSERT INTO shop.order_lines (order_id, line_no, product_id, quantity)
SELECT 1 + (g / 4) % {1}, g % 4 + 1 + 4 * (g / (4 * {1})), 1 + g % 500, 1 + g % 9
FROM generate_series(0, {2} - 1) g;
INSERT INTO shop.events (at, payload)
SELECT now() - g * interval '1 second', jsonb_build_object('kind', 'view', 'customer', g % {0}, 'page', '/p/' || g % 500)
FROM generate_series(1, {1}) g;
CREATE INDEX ON shop.orders (customer_id);
CREATE INDEX ON shop.order_lines (product_id);
CREATE INDEX ON shop.events USING gin (payload);
CREATE MATERIALIZED VIEW shop.revenue_by_product AS
SELECT product_id, sum(amount) AS revenue FROM shop.order_lines GROUP BY product_id;
ANALYZE;
)SQL",
                       customers, orders, rows);
}

}  // namespace pghandoff::demo
