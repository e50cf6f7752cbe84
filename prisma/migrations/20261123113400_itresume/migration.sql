-- CreateTable
CREATE TABLE "itresume_attempts" (
    "id" BIGSERIAL NOT NULL,
    "lti_user_id" TEXT NOT NULL,
    "course_key" TEXT,
    "lms_host" TEXT,
    "task_id" TEXT,
    "oauth_consumer_key" TEXT,
    "lis_result_sourcedid" TEXT NOT NULL,
    "lis_outcome_service_url" TEXT,
    "is_correct" BOOLEAN,
    "attempt_type" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL,
    "loaded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "run_id" UUID,

    CONSTRAINT "itresume_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "itresume_attempts_created_at_idx" ON "itresume_attempts"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "itresume_attempts_natural_key" ON "itresume_attempts"("lti_user_id", "created_at", "attempt_type", "lis_result_sourcedid");

