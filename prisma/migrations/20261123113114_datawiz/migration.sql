-- CreateTable
CREATE TABLE "datawiz_shops" (
    "shop_id" TEXT NOT NULL,
    "format_id" TEXT,
    "group_id" TEXT,
    "name" TEXT NOT NULL,
    "address" TEXT,
    "open_date" DATE,
    "latitude" DECIMAL(11,8),
    "longitude" DECIMAL(11,8),
    "raw" JSONB NOT NULL,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "datawiz_shops_pkey" PRIMARY KEY ("shop_id")
);

-- CreateTable
CREATE TABLE "datawiz_products" (
    "product_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "article" TEXT,
    "barcode" TEXT,
    "category_id" TEXT,
    "brand_id" TEXT,
    "producer_id" TEXT,
    "unit_id" TEXT,
    "active" BOOLEAN,
    "width" DECIMAL(12,4),
    "height" DECIMAL(12,4),
    "depth" DECIMAL(12,4),
    "raw" JSONB NOT NULL,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "datawiz_products_pkey" PRIMARY KEY ("product_id")
);

-- CreateTable
CREATE TABLE "datawiz_sales" (
    "sale_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "date_from" DATE,
    "date_to" DATE,
    "raw" JSONB NOT NULL,
    "last_seen_run" UUID,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "datawiz_sales_pkey" PRIMARY KEY ("sale_id")
);

-- CreateTable
CREATE TABLE "datawiz_sale_shops" (
    "sale_id" TEXT NOT NULL,
    "shop_id" TEXT NOT NULL,
    "last_seen_run" UUID NOT NULL,

    CONSTRAINT "datawiz_sale_shops_pkey" PRIMARY KEY ("sale_id","shop_id")
);

-- CreateTable
CREATE TABLE "datawiz_sale_products" (
    "sale_id" TEXT NOT NULL,
    "product_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "last_seen_run" UUID NOT NULL,

    CONSTRAINT "datawiz_sale_products_pkey" PRIMARY KEY ("sale_id","product_id")
);

-- CreateTable
CREATE TABLE "datawiz_sale_submissions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "outcome" TEXT NOT NULL,
    "http_status" INTEGER,
    "sale_ids" TEXT[],
    "request" JSONB NOT NULL,
    "response" JSONB,
    "inserted" INTEGER,
    "updated" INTEGER,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "datawiz_sale_submissions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "datawiz_sale_shops_shop_id_idx" ON "datawiz_sale_shops"("shop_id");

-- CreateIndex
CREATE INDEX "datawiz_sale_products_product_id_idx" ON "datawiz_sale_products"("product_id");

-- CreateIndex
CREATE INDEX "datawiz_sale_submissions_created_at_idx" ON "datawiz_sale_submissions"("created_at");

-- AddForeignKey
ALTER TABLE "datawiz_sale_shops" ADD CONSTRAINT "datawiz_sale_shops_sale_id_fkey" FOREIGN KEY ("sale_id") REFERENCES "datawiz_sales"("sale_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "datawiz_sale_products" ADD CONSTRAINT "datawiz_sale_products_sale_id_fkey" FOREIGN KEY ("sale_id") REFERENCES "datawiz_sales"("sale_id") ON DELETE CASCADE ON UPDATE CASCADE;
