-- CreateEnum
CREATE TYPE "run_state" AS ENUM ('queued', 'running', 'done', 'failed');

-- CreateTable
CREATE TABLE "avito_items" (
    "id" UUID NOT NULL,
    "avito_id" BIGINT NOT NULL,
    "title" TEXT NOT NULL,
    "price" DECIMAL(14,2),
    "price_text" TEXT,
    "url" TEXT,
    "category_id" INTEGER,
    "category_name" TEXT,
    "location_id" INTEGER,
    "location_name" TEXT,
    "address" TEXT,
    "seller_hash" CHAR(32),
    "published_at" TIMESTAMPTZ(3),
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "raw" JSONB NOT NULL,

    CONSTRAINT "avito_items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "avito_run_items" (
    "run_id" UUID NOT NULL,
    "item_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,

    CONSTRAINT "avito_run_items_pkey" PRIMARY KEY ("run_id","item_id")
);

-- CreateTable
CREATE TABLE "sync_runs" (
    "id" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "job_name" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "state" "run_state" NOT NULL DEFAULT 'queued',
    "progress" JSONB NOT NULL DEFAULT '{}',
    "counts" JSONB NOT NULL DEFAULT '{}',
    "checkpoint" JSONB,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "worker" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sync_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "run_locks" (
    "dedup_key" TEXT NOT NULL,
    "run_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "run_locks_pkey" PRIMARY KEY ("dedup_key")
);

-- CreateIndex
CREATE UNIQUE INDEX "avito_items_avito_id_key" ON "avito_items"("avito_id");

-- CreateIndex
CREATE INDEX "avito_items_seller_hash_idx" ON "avito_items"("seller_hash");

-- CreateIndex
CREATE INDEX "avito_run_items_item_id_idx" ON "avito_run_items"("item_id");

-- CreateIndex
CREATE INDEX "sync_runs_source_state_created_at_idx" ON "sync_runs"("source", "state", "created_at" DESC);

-- CreateIndex
CREATE INDEX "sync_runs_created_at_idx" ON "sync_runs"("created_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "run_locks_run_id_key" ON "run_locks"("run_id");

-- AddForeignKey
ALTER TABLE "avito_run_items" ADD CONSTRAINT "avito_run_items_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "sync_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "avito_run_items" ADD CONSTRAINT "avito_run_items_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "avito_items"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_locks" ADD CONSTRAINT "run_locks_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "sync_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
