-- One row per (run, notification target) with its delivery state, instead of a JSON list on the run.

-- CreateTable
CREATE TABLE "run_notify_targets" (
    "id" BIGSERIAL NOT NULL,
    "run_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "run_notify_targets_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "run_notify_targets_run_id_kind_address_key" ON "run_notify_targets"("run_id", "kind", "address");

-- AddForeignKey
ALTER TABLE "run_notify_targets" ADD CONSTRAINT "run_notify_targets_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "sync_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The targets of runs still queued or running move over (finished runs' targets were delivered already).
INSERT INTO "run_notify_targets" ("run_id", "kind", "address")
SELECT r.id, t.kind, t.address
FROM "sync_runs" r
CROSS JOIN LATERAL jsonb_array_elements(r.notify) e
CROSS JOIN LATERAL (VALUES ('webhook', e->>'webhookUrl'), ('email', e->>'email')) AS t(kind, address)
WHERE r.state IN ('queued', 'running') AND t.address IS NOT NULL
ON CONFLICT DO NOTHING;

-- AlterTable
ALTER TABLE "sync_runs" DROP COLUMN "notify";
