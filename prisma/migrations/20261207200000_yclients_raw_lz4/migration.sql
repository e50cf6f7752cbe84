-- The raw payloads of the YClients tables are compressed with lz4 where the server has it (PostgreSQL
-- 14+ built --with-lz4, as Debian's and the official images are): pglz compression was the largest
-- single cost of a full sync's statements (bench/README.md, figure 1). Values stored before keep
-- their compression until rewritten; a server without lz4 keeps pglz.
DO $$
BEGIN
  ALTER TABLE "yclients_clients" ALTER COLUMN "raw" SET COMPRESSION lz4;
  ALTER TABLE "yclients_records" ALTER COLUMN "raw" SET COMPRESSION lz4;
  ALTER TABLE "yclients_transactions" ALTER COLUMN "raw" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
  RAISE NOTICE 'lz4 compression not available on this server: raw payloads stay pglz-compressed';
END
$$;
