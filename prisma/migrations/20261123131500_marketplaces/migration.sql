-- CreateEnum
CREATE TYPE "stock_movement_kind" AS ENUM ('adjustment', 'reserve', 'release', 'consume', 'restock');

-- CreateTable
CREATE TABLE "marketplace_products" (
    "id" SERIAL NOT NULL,
    "sku" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "barcode" TEXT,
    "ozon_offer_id" TEXT,
    "ozon_product_id" BIGINT,
    "ozon_sku" BIGINT,
    "wb_nm_id" BIGINT,
    "wb_chrt_id" BIGINT,
    "wb_barcode" TEXT,
    "wb_vendor_code" TEXT,
    "ym_offer_id" TEXT,
    "ym_market_sku" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "marketplace_products_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stock_levels" (
    "product_id" INTEGER NOT NULL,
    "on_hand" INTEGER NOT NULL DEFAULT 0,
    "reserved" INTEGER NOT NULL DEFAULT 0,
    "counted_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stock_levels_pkey" PRIMARY KEY ("product_id")
);

-- CreateTable
CREATE TABLE "stock_movements" (
    "id" BIGSERIAL NOT NULL,
    "product_id" INTEGER NOT NULL,
    "kind" "stock_movement_kind" NOT NULL,
    "on_hand_delta" INTEGER NOT NULL DEFAULT 0,
    "reserved_delta" INTEGER NOT NULL DEFAULT 0,
    "event_key" TEXT NOT NULL,
    "marketplace" TEXT,
    "order_id" TEXT,
    "return_id" TEXT,
    "reason" TEXT,
    "run_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stock_movements_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "marketplace_warehouses" (
    "marketplace" TEXT NOT NULL,
    "warehouse_id" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "campaign_id" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "raw" JSONB NOT NULL DEFAULT '{}',
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "marketplace_warehouses_pkey" PRIMARY KEY ("marketplace","warehouse_id")
);

-- CreateTable
CREATE TABLE "marketplace_orders" (
    "marketplace" TEXT NOT NULL,
    "order_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "substatus" TEXT,
    "stage" TEXT NOT NULL,
    "warehouse_id" TEXT,
    "created_at" TIMESTAMPTZ(3),
    "changed_at" TIMESTAMPTZ(3),
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "raw" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "marketplace_orders_pkey" PRIMARY KEY ("marketplace","order_id")
);

-- CreateTable
CREATE TABLE "marketplace_order_items" (
    "marketplace" TEXT NOT NULL,
    "order_id" TEXT NOT NULL,
    "line_id" TEXT NOT NULL,
    "product_id" INTEGER,
    "marketplace_sku" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "ledger_state" TEXT NOT NULL DEFAULT 'none',

    CONSTRAINT "marketplace_order_items_pkey" PRIMARY KEY ("marketplace","order_id","line_id")
);

-- CreateTable
CREATE TABLE "marketplace_order_status_history" (
    "marketplace" TEXT NOT NULL,
    "order_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL,
    "seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "marketplace_order_status_history_pkey" PRIMARY KEY ("marketplace","order_id","status")
);

-- CreateTable
CREATE TABLE "marketplace_returns" (
    "marketplace" TEXT NOT NULL,
    "return_id" TEXT NOT NULL,
    "line_id" TEXT NOT NULL,
    "order_id" TEXT,
    "product_id" INTEGER,
    "marketplace_sku" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "restocked" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3),
    "changed_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "raw" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "marketplace_returns_pkey" PRIMARY KEY ("marketplace","return_id","line_id")
);

-- CreateTable
CREATE TABLE "marketplace_cursors" (
    "marketplace" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "cursor" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "marketplace_cursors_pkey" PRIMARY KEY ("marketplace","kind")
);

-- CreateTable
CREATE TABLE "stock_pushes" (
    "marketplace" TEXT NOT NULL,
    "warehouse_id" TEXT NOT NULL,
    "product_id" INTEGER NOT NULL,
    "pushed_value" INTEGER,
    "pushed_at" TIMESTAMPTZ(3),
    "error_code" TEXT,
    "error_message" TEXT,
    "error_value" INTEGER,
    "retryable" BOOLEAN NOT NULL DEFAULT false,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_retry_at" TIMESTAMPTZ(3),
    "errored_at" TIMESTAMPTZ(3),

    CONSTRAINT "stock_pushes_pkey" PRIMARY KEY ("marketplace","warehouse_id","product_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "marketplace_products_sku_key" ON "marketplace_products"("sku");

-- CreateIndex
CREATE UNIQUE INDEX "marketplace_products_ozon_offer_id_key" ON "marketplace_products"("ozon_offer_id");

-- CreateIndex
CREATE UNIQUE INDEX "marketplace_products_ozon_sku_key" ON "marketplace_products"("ozon_sku");

-- CreateIndex
CREATE UNIQUE INDEX "marketplace_products_wb_chrt_id_key" ON "marketplace_products"("wb_chrt_id");

-- CreateIndex
CREATE UNIQUE INDEX "marketplace_products_ym_offer_id_key" ON "marketplace_products"("ym_offer_id");

-- CreateIndex
CREATE UNIQUE INDEX "stock_movements_event_key_key" ON "stock_movements"("event_key");

-- CreateIndex
CREATE INDEX "stock_movements_product_id_created_at_idx" ON "stock_movements"("product_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "marketplace_orders_stage_changed_at_idx" ON "marketplace_orders"("stage", "changed_at" DESC);

-- CreateIndex
CREATE INDEX "marketplace_orders_changed_at_idx" ON "marketplace_orders"("changed_at" DESC);

-- CreateIndex
CREATE INDEX "marketplace_order_items_product_id_idx" ON "marketplace_order_items"("product_id");

-- CreateIndex
CREATE INDEX "marketplace_returns_changed_at_idx" ON "marketplace_returns"("changed_at" DESC);

-- CreateIndex
CREATE INDEX "stock_pushes_product_id_idx" ON "stock_pushes"("product_id");

-- AddForeignKey
ALTER TABLE "stock_levels" ADD CONSTRAINT "stock_levels_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "marketplace_products"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stock_movements" ADD CONSTRAINT "stock_movements_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "marketplace_products"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stock_pushes" ADD CONSTRAINT "stock_pushes_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "marketplace_products"("id") ON DELETE CASCADE ON UPDATE CASCADE;

