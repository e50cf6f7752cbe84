-- Connections (several accounts per source, credentials sealed with envelope encryption) and the
-- audit of their use. sync_runs gains the connection a run uses: nullable and without a foreign key,
-- so existing runs and deployments change nothing and a run outlives a deleted connection.

-- AlterTable
ALTER TABLE "sync_runs" ADD COLUMN     "connection_id" UUID;

-- CreateTable
CREATE TABLE "connections" (
    "id" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "key_id" TEXT NOT NULL,
    "wrapped_key" BYTEA NOT NULL,
    "wrapped_key_iv" BYTEA NOT NULL,
    "wrapped_key_tag" BYTEA NOT NULL,
    "credentials_iv" BYTEA NOT NULL,
    "credentials_tag" BYTEA NOT NULL,
    "credentials_ciphertext" BYTEA NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'ok',
    "last_error" TEXT,
    "last_error_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "connections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "connection_id" UUID,
    "action" TEXT NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "connections_key_id_idx" ON "connections"("key_id");

-- CreateIndex
CREATE UNIQUE INDEX "connections_source_name_key" ON "connections"("source", "name");

-- CreateIndex
CREATE INDEX "audit_events_connection_id_at_idx" ON "audit_events"("connection_id", "at");

-- CreateIndex
CREATE INDEX "audit_events_at_idx" ON "audit_events"("at");

-- CreateIndex
CREATE INDEX "sync_runs_connection_id_state_idx" ON "sync_runs"("connection_id", "state");
