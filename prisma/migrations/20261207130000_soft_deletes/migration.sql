-- Soft deletes from complete passes (issue #21): every row a full pass reads is stamped with the
-- pass's generation; once a pass of a scope completes, the scope's rows it did not see get
-- `deleted_at`, and rows it saw again lose it. Additive only: existing rows have neither set.

ALTER TABLE "avito_items" ADD COLUMN "seen_generation" UUID, ADD COLUMN "deleted_at" TIMESTAMPTZ(3);

-- YClients' lists are read whole in one request and saved in one transaction: the keys are the
-- pass, so no generation is stamped (an unchanged list leaves its rows unwritten).
ALTER TABLE "yclients_staff" ADD COLUMN "deleted_at" TIMESTAMPTZ(3);
ALTER TABLE "yclients_services" ADD COLUMN "deleted_at" TIMESTAMPTZ(3);
ALTER TABLE "yclients_client_categories" ADD COLUMN "deleted_at" TIMESTAMPTZ(3);

ALTER TABLE "datawiz_shops" ADD COLUMN "seen_generation" UUID, ADD COLUMN "deleted_at" TIMESTAMPTZ(3);
ALTER TABLE "datawiz_products" ADD COLUMN "seen_generation" UUID, ADD COLUMN "deleted_at" TIMESTAMPTZ(3);
ALTER TABLE "datawiz_sales" ADD COLUMN "seen_generation" UUID, ADD COLUMN "deleted_at" TIMESTAMPTZ(3);

-- Marketplaces: a listing is deleted when a complete catalogue read of its marketplace no longer
-- lists it; a product when none of its listings is live.
ALTER TABLE "marketplace_listings" ADD COLUMN "seen_generation" UUID, ADD COLUMN "deleted_at" TIMESTAMPTZ(3);
ALTER TABLE "marketplace_products" ADD COLUMN "deleted_at" TIMESTAMPTZ(3);
