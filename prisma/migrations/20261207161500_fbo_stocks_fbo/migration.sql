-- FBO stock (issue #22): what a marketplace holds in its own warehouses (Ozon FBO, Wildberries' own
-- warehouses, Yandex Market FBY), read per seller cabinet and shown, never pushed and never part of
-- the ledger's available stock. Replaced per (connection, marketplace) on each complete read.

-- CreateTable
CREATE TABLE "marketplace_fbo_stocks" (
    "connection_id" UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000'::uuid,
    "marketplace" TEXT NOT NULL,
    "warehouse_id" TEXT NOT NULL,
    "product_id" INTEGER NOT NULL,
    "warehouse_name" TEXT NOT NULL DEFAULT '',
    "listing_key" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "read_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "marketplace_fbo_stocks_pkey" PRIMARY KEY ("connection_id","marketplace","warehouse_id","product_id")
);

-- CreateIndex
CREATE INDEX "marketplace_fbo_stocks_product_id_idx" ON "marketplace_fbo_stocks"("product_id");

-- AddForeignKey
ALTER TABLE "marketplace_fbo_stocks" ADD CONSTRAINT "marketplace_fbo_stocks_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "marketplace_products"("id") ON DELETE CASCADE ON UPDATE CASCADE;
