#pragma once

namespace pghandoff::fixtures {

/// The post-data section of a schema archive as `pg_restore --section=post-data --file=-` of
/// PostgreSQL 15.14 prints it: a partitioned table with one leaf, a table with a commented
/// index, a trigger and a foreign key.
inline constexpr const char* post_data_script = R"(--
-- PostgreSQL database dump
--

\restrict 4kTn0h2qX9vYbWcQeRz7uLpJ1sGdAfM3oE5iN8yHtKx

-- Dumped from database version 15.14 (Debian 15.14-1.pgdg120+1)
-- Dumped by pg_dump version 15.14 (Debian 15.14-1.pgdg120+1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

--
-- Name: measurements measurements_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.measurements
    ADD CONSTRAINT measurements_pkey PRIMARY KEY (id, taken_at);


--
-- Name: measurements_2024 measurements_2024_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.measurements_2024
    ADD CONSTRAINT measurements_2024_pkey PRIMARY KEY (id, taken_at);


--
-- Name: Order Items order_items_pkey; Type: CONSTRAINT; Schema: Sales; Owner: postgres
--

ALTER TABLE ONLY "Sales"."Order Items"
    ADD CONSTRAINT order_items_pkey PRIMARY KEY (id);


--
-- Name: orders orders_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (id);


--
-- Name: measurements_taken_at_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX measurements_taken_at_idx ON ONLY public.measurements USING btree (taken_at);


--
-- Name: measurements_2024_taken_at_idx; Type: INDEX; Schema: public; Owner: postgres
--

CREATE INDEX measurements_2024_taken_at_idx ON public.measurements_2024 USING btree (taken_at);


--
-- Name: order_items_sku_key; Type: INDEX; Schema: Sales; Owner: postgres
--

CREATE UNIQUE INDEX order_items_sku_key ON "Sales"."Order Items" USING btree (sku);


--
-- Name: INDEX order_items_sku_key; Type: COMMENT; Schema: Sales; Owner: postgres
--

COMMENT ON INDEX "Sales".order_items_sku_key IS 'one row per stock keeping unit';


--
-- Name: measurements_2024_pkey; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.measurements_pkey ATTACH PARTITION public.measurements_2024_pkey;


--
-- Name: measurements_2024_taken_at_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.measurements_taken_at_idx ATTACH PARTITION public.measurements_2024_taken_at_idx;


--
-- Name: orders orders_audit; Type: TRIGGER; Schema: public; Owner: postgres
--

CREATE TRIGGER orders_audit AFTER INSERT OR UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.audit();


--
-- Name: Order Items order_items_order_id_fkey; Type: FK CONSTRAINT; Schema: Sales; Owner: postgres
--

ALTER TABLE ONLY "Sales"."Order Items"
    ADD CONSTRAINT order_items_order_id_fkey FOREIGN KEY (order_id) REFERENCES public.orders(id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--

\unrestrict 4kTn0h2qX9vYbWcQeRz7uLpJ1sGdAfM3oE5iN8yHtKx

)";

}  // namespace pghandoff::fixtures
