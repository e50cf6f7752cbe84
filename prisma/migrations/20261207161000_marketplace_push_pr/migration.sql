-- Events pushed by Ozon and Yandex Market (issue #22): the per-connection push secret (sealed like
-- the credentials), every accepted push stored raw under a dedup key, and the order->stock-push
-- propagation waiting to be measured.

-- The secret a marketplace presents (in the receiver URL) to push to a connection. Sealed with the
-- envelope of packages/connections under its own data key and additional data (never in clear);
-- `keys rotate` re-wraps its data key like the credentials'.
CREATE TABLE "connection_push_secrets" (
    "connection_id" UUID NOT NULL,
    "key_id" TEXT NOT NULL,
    "wrapped_key" BYTEA NOT NULL,
    "wrapped_key_iv" BYTEA NOT NULL,
    "wrapped_key_tag" BYTEA NOT NULL,
    "secret_iv" BYTEA NOT NULL,
    "secret_tag" BYTEA NOT NULL,
    "secret_ciphertext" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "connection_push_secrets_pkey" PRIMARY KEY ("connection_id"),
    CONSTRAINT "connection_push_secrets_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connections"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "connection_push_secrets_key_id_idx" ON "connection_push_secrets"("key_id");

-- One row per accepted push (a duplicate is the same dedup key: stored once). `polled_at` is set
-- once the targeted poll of its order wrote the ledger.
CREATE TABLE "marketplace_push_events" (
    "id" BIGSERIAL NOT NULL,
    "marketplace" TEXT NOT NULL,
    "connection_id" UUID NOT NULL,
    "message_type" TEXT NOT NULL,
    "order_id" TEXT NOT NULL,
    "state" TEXT,
    "event_at" TEXT,
    "dedup_key" TEXT NOT NULL,
    "body" JSONB NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "polled_at" TIMESTAMPTZ(3),
    "poll_run_id" UUID,

    CONSTRAINT "marketplace_push_events_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "marketplace_push_events_dedup_key_key" ON "marketplace_push_events"("dedup_key");
CREATE INDEX "marketplace_push_events_pending_idx" ON "marketplace_push_events"("connection_id", "marketplace") WHERE "polled_at" IS NULL;

-- An order seen (by a push or a poll) whose stock change is on its way to the other marketplaces:
-- measured (datasync_stock_propagation_seconds) when the last push run it waits for has ended.
CREATE TABLE "marketplace_stock_propagation" (
    "id" BIGSERIAL NOT NULL,
    "seen_by" TEXT NOT NULL,
    "seen_at" TIMESTAMPTZ(3) NOT NULL,
    "run_ids" UUID[] NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "marketplace_stock_propagation_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "marketplace_stock_propagation_run_ids_idx" ON "marketplace_stock_propagation" USING GIN ("run_ids");
