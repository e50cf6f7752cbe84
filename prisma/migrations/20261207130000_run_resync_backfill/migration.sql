-- Targeted resync (the streams a run reads again from the start, and those it already reset) and
-- chunked backfills (a parent run over the whole window, its children one chunk each, in order).
-- AlterTable
ALTER TABLE "sync_runs" ADD COLUMN     "children_total" INTEGER,
ADD COLUMN     "parent_run_id" UUID,
ADD COLUMN     "resync" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "resync_done" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateIndex
CREATE INDEX "sync_runs_parent_run_id_idx" ON "sync_runs"("parent_run_id");

-- AddForeignKey
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_parent_run_id_fkey" FOREIGN KEY ("parent_run_id") REFERENCES "sync_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

