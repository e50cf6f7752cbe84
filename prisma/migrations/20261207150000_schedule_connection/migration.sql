-- A schedule may name the connection (account) its runs use (issue #18); NULL is the environment
-- connection, as before. No foreign key: deleting a connection a schedule names is refused by the
-- API with a message naming the schedule (the connection's row lock orders it against a new schedule).
ALTER TABLE "schedules" ADD COLUMN "connection_id" UUID;
CREATE INDEX "schedules_connection_id_idx" ON "schedules"("connection_id");
