-- AlterTable
ALTER TABLE "sync_runs" ADD COLUMN     "notify" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "schedule_id" UUID,
ADD COLUMN     "scheduled_for" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "schedules" (
    "id" UUID NOT NULL,
    "name" TEXT,
    "source" TEXT NOT NULL,
    "job_name" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "every_ms" INTEGER,
    "cron" TEXT,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "notify" JSONB NOT NULL DEFAULT '[]',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "paused_reason" TEXT,
    "consecutive_failures" INTEGER NOT NULL DEFAULT 0,
    "last_tick_at" TIMESTAMPTZ(3),
    "last_tick_outcome" TEXT,
    "last_run_id" UUID,
    "skipped_ticks" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "schedules_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "sync_runs_schedule_id_scheduled_for_key" ON "sync_runs"("schedule_id", "scheduled_for");

-- AddForeignKey
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_schedule_id_fkey" FOREIGN KEY ("schedule_id") REFERENCES "schedules"("id") ON DELETE SET NULL ON UPDATE CASCADE;

