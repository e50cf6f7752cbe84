-- YClients clients and records get soft deletes from complete passes (issue #21): a pass that reads
-- the entity from page 1 (a reset, a resync, a first pass) stamps every row it reads with its
-- generation and, once it completes, marks the company's rows it did not read with `deleted_at`.
-- A reset no longer empties the entity first. Additive only: existing rows have neither set.
ALTER TABLE "yclients_clients" ADD COLUMN "seen_generation" UUID, ADD COLUMN "deleted_at" TIMESTAMPTZ(3);
ALTER TABLE "yclients_records" ADD COLUMN "seen_generation" UUID, ADD COLUMN "deleted_at" TIMESTAMPTZ(3);
