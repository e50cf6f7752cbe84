-- One listing row per (product, marketplace) instead of a column per marketplace id on
-- marketplace_products. Every wide value moves into a listing row (its `ids`, as the products API
-- shows them); listing_id, push_key and match_keys are what each connector's ListingSpec derives
-- from those ids (apps/worker-marketplaces/src/connectors/{ozon,wb,ym}.ts).

-- CreateTable
CREATE TABLE "marketplace_listings" (
    "product_id" INTEGER NOT NULL,
    "marketplace" TEXT NOT NULL,
    "listing_id" TEXT,
    "push_key" TEXT,
    "match_keys" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "ids" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "marketplace_listings_pkey" PRIMARY KEY ("product_id","marketplace")
);

-- CreateIndex
CREATE UNIQUE INDEX "marketplace_listings_marketplace_listing_id_key" ON "marketplace_listings"("marketplace", "listing_id");

-- AddForeignKey
ALTER TABLE "marketplace_listings" ADD CONSTRAINT "marketplace_listings_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "marketplace_products"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Move the data. Ozon: listed by offer_id, pushed by product_id (only with the offer, as before),
-- orders and returns name the offer, else the sku.
INSERT INTO "marketplace_listings" ("product_id", "marketplace", "listing_id", "push_key", "match_keys", "ids", "created_at", "updated_at")
SELECT "id", 'ozon', "ozon_offer_id",
       CASE WHEN "ozon_offer_id" IS NOT NULL THEN "ozon_product_id"::text END,
       array_remove(ARRAY["ozon_offer_id", "ozon_sku"::text], NULL),
       jsonb_build_object('offerId', "ozon_offer_id", 'productId', "ozon_product_id"::text, 'sku', "ozon_sku"::text),
       "created_at", "updated_at"
FROM "marketplace_products"
WHERE "ozon_offer_id" IS NOT NULL OR "ozon_product_id" IS NOT NULL OR "ozon_sku" IS NOT NULL;

-- WB: one size, listed and pushed by chrtId; tasks name the chrtId, goods returns the barcode.
INSERT INTO "marketplace_listings" ("product_id", "marketplace", "listing_id", "push_key", "match_keys", "ids", "created_at", "updated_at")
SELECT "id", 'wb', "wb_chrt_id"::text, "wb_chrt_id"::text,
       array_remove(ARRAY["wb_chrt_id"::text, "wb_barcode"], NULL),
       jsonb_build_object('nmId', "wb_nm_id"::text, 'chrtId', "wb_chrt_id"::text, 'barcode', "wb_barcode", 'vendorCode', "wb_vendor_code"),
       "created_at", "updated_at"
FROM "marketplace_products"
WHERE "wb_nm_id" IS NOT NULL OR "wb_chrt_id" IS NOT NULL OR "wb_barcode" IS NOT NULL OR "wb_vendor_code" IS NOT NULL;

-- YM: listed, pushed and ordered by offerId.
INSERT INTO "marketplace_listings" ("product_id", "marketplace", "listing_id", "push_key", "match_keys", "ids", "created_at", "updated_at")
SELECT "id", 'ym', "ym_offer_id", "ym_offer_id",
       array_remove(ARRAY["ym_offer_id"], NULL),
       jsonb_build_object('offerId', "ym_offer_id", 'marketSku', "ym_market_sku"::text),
       "created_at", "updated_at"
FROM "marketplace_products"
WHERE "ym_offer_id" IS NOT NULL OR "ym_market_sku" IS NOT NULL;

-- DropIndex
DROP INDEX "marketplace_products_ozon_offer_id_key";

-- DropIndex
DROP INDEX "marketplace_products_ozon_sku_key";

-- DropIndex
DROP INDEX "marketplace_products_wb_chrt_id_key";

-- DropIndex
DROP INDEX "marketplace_products_ym_offer_id_key";

-- AlterTable
ALTER TABLE "marketplace_products" DROP COLUMN "ozon_offer_id",
DROP COLUMN "ozon_product_id",
DROP COLUMN "ozon_sku",
DROP COLUMN "wb_barcode",
DROP COLUMN "wb_chrt_id",
DROP COLUMN "wb_nm_id",
DROP COLUMN "wb_vendor_code",
DROP COLUMN "ym_market_sku",
DROP COLUMN "ym_offer_id";
