-- One table for where every incremental stream stands between runs, keyed by (source, stream, scope).
-- It replaces YClients' `sync_state` (ordinal and id of the last stored row per company and entity)
-- and the marketplaces' `marketplace_cursors` (the since-date of the last poll per marketplace and
-- kind). Their rows are moved, not dropped: a deployed system keeps polling and syncing incrementally.

-- CreateTable
CREATE TABLE "stream_state" (
    "source" TEXT NOT NULL,
    "stream" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "state" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stream_state_pkey" PRIMARY KEY ("source","stream","scope")
);

-- YClients: stream = entity, scope = company id; the id is text in JSON (a bigint).
INSERT INTO "stream_state" ("source", "stream", "scope", "state", "updated_at")
SELECT "source", "entity", "company_id"::text,
       jsonb_build_object('ordinal', "last_ordinal", 'lastId', "last_id"::text), "updated_at"
FROM "sync_state";

-- Marketplaces: stream = kind (orders, returns), scope = marketplace; the cursor as it was.
INSERT INTO "stream_state" ("source", "stream", "scope", "state", "updated_at")
SELECT 'marketplaces', "kind", "marketplace", "cursor", "updated_at"
FROM "marketplace_cursors";

-- DropTable
DROP TABLE "sync_state";

-- DropTable
DROP TABLE "marketplace_cursors";
