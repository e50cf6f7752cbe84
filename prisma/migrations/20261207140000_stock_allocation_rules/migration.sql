-- Stock allocation rules (README "Stock allocation rules"): per SKU × (marketplace, warehouse), with
-- '' in a scope column for "every". No rows: every warehouse is told the same available figure, as before.

-- CreateTable
CREATE TABLE "stock_allocation_rules" (
    "id" SERIAL NOT NULL,
    "sku" TEXT NOT NULL DEFAULT '',
    "marketplace" TEXT NOT NULL DEFAULT '',
    "warehouse_id" TEXT NOT NULL DEFAULT '',
    "buffer_units" INTEGER,
    "buffer_percent" INTEGER,
    "cap" INTEGER,
    "excluded" BOOLEAN,
    "weight" INTEGER,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stock_allocation_rules_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "stock_allocation_rules_sku_marketplace_warehouse_id_key" ON "stock_allocation_rules"("sku", "marketplace", "warehouse_id");
