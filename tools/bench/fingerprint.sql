-- What a finished migration must reproduce, one line per item, sorted:
--   rows|<table>|<count(*)>        every user table (exact count)
--   index|<index>|<definition>
--   constraint|<table>.<name>|<definition>
--   sequence|<sequence>|<last_value>
--   view|<view>|
-- tools/bench/offline runs it on the source once and on the target after each
-- tool, and diffs the two outputs.
WITH rels AS (
    SELECT c.oid, c.relname, c.relkind, n.nspname
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg\_%'
)
SELECT kind, name, coalesce(value, '')
  FROM (
    SELECT 'rows' AS kind, format('%I.%I', nspname, relname) AS name,
           (xpath('/row/c/text()',
                  query_to_xml(format('SELECT count(*) AS c FROM %I.%I', nspname, relname),
                               false, true, '')))[1]::text AS value
      FROM rels WHERE relkind IN ('r', 'p')
    UNION ALL
    SELECT 'index', format('%I.%I', nspname, relname), pg_get_indexdef(oid)
      FROM rels WHERE relkind IN ('i', 'I')
    UNION ALL
    SELECT 'constraint', format('%I.%I.%I', r.nspname, r.relname, con.conname),
           pg_get_constraintdef(con.oid)
      FROM pg_constraint con JOIN rels r ON r.oid = con.conrelid
    UNION ALL
    SELECT 'sequence', format('%I.%I', schemaname, sequencename), last_value::text
      FROM pg_sequences
     WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
    UNION ALL
    SELECT 'view', format('%I.%I', nspname, relname), NULL
      FROM rels WHERE relkind IN ('v', 'm')
  ) AS items
 ORDER BY 1, 2;
