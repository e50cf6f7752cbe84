-- Data scoped by connection (issue #18): wherever two accounts of one source can hand out the same
-- ids, the connection that read a row is part of its natural key, and every stream's state is kept
-- per connection. Existing rows (and every deployment without stored connections) belong to the
-- implicit environment connection, the all-zero uuid, so nothing changes for them.
-- The connection is the LAST column of each key: queries that filter on the leading columns
-- (marketplace, order id …) keep using the same index.

-- (sync_runs.connection_id, the connection a run used, is added by the connections migration.)

-- Stream state: per connection.
ALTER TABLE "stream_state" ADD COLUMN "connection_id" UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE "stream_state" DROP CONSTRAINT "stream_state_pkey";
ALTER TABLE "stream_state" ADD CONSTRAINT "stream_state_pkey" PRIMARY KEY ("source", "stream", "scope", "connection_id");

-- Datawiz: two accounts number their shops, products and promotions independently.
ALTER TABLE "datawiz_sale_shops" DROP CONSTRAINT "datawiz_sale_shops_sale_id_fkey";
ALTER TABLE "datawiz_sale_products" DROP CONSTRAINT "datawiz_sale_products_sale_id_fkey";
ALTER TABLE "datawiz_shops" ADD COLUMN "connection_id" UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE "datawiz_shops" DROP CONSTRAINT "datawiz_shops_pkey";
ALTER TABLE "datawiz_shops" ADD CONSTRAINT "datawiz_shops_pkey" PRIMARY KEY ("shop_id", "connection_id");
ALTER TABLE "datawiz_products" ADD COLUMN "connection_id" UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE "datawiz_products" DROP CONSTRAINT "datawiz_products_pkey";
ALTER TABLE "datawiz_products" ADD CONSTRAINT "datawiz_products_pkey" PRIMARY KEY ("product_id", "connection_id");
ALTER TABLE "datawiz_sales" ADD COLUMN "connection_id" UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE "datawiz_sales" DROP CONSTRAINT "datawiz_sales_pkey";
ALTER TABLE "datawiz_sales" ADD CONSTRAINT "datawiz_sales_pkey" PRIMARY KEY ("sale_id", "connection_id");
ALTER TABLE "datawiz_sale_shops" ADD COLUMN "connection_id" UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE "datawiz_sale_shops" DROP CONSTRAINT "datawiz_sale_shops_pkey";
ALTER TABLE "datawiz_sale_shops" ADD CONSTRAINT "datawiz_sale_shops_pkey" PRIMARY KEY ("sale_id", "shop_id", "connection_id");
ALTER TABLE "datawiz_sale_shops" ADD CONSTRAINT "datawiz_sale_shops_sale_id_connection_id_fkey" FOREIGN KEY ("sale_id", "connection_id") REFERENCES "datawiz_sales"("sale_id", "connection_id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "datawiz_sale_products" ADD COLUMN "connection_id" UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE "datawiz_sale_products" DROP CONSTRAINT "datawiz_sale_products_pkey";
ALTER TABLE "datawiz_sale_products" ADD CONSTRAINT "datawiz_sale_products_pkey" PRIMARY KEY ("sale_id", "product_id", "connection_id");
ALTER TABLE "datawiz_sale_products" ADD CONSTRAINT "datawiz_sale_products_sale_id_connection_id_fkey" FOREIGN KEY ("sale_id", "connection_id") REFERENCES "datawiz_sales"("sale_id", "connection_id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "datawiz_sale_submissions" ADD COLUMN "connection_id" UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';

-- IT Resume: attempts have no id; two clients' attempts can coincide on the natural key.
ALTER TABLE "itresume_attempts" ADD COLUMN "connection_id" UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
DROP INDEX "itresume_attempts_natural_key";
CREATE UNIQUE INDEX "itresume_attempts_natural_key" ON "itresume_attempts"("lti_user_id", "created_at", "attempt_type", "lis_result_sourcedid", "connection_id");

-- Marketplaces: one connection is one seller cabinet; order, return, warehouse and listing ids are
-- the cabinet's. The stock ledger (products, levels) stays one per internal SKU.
ALTER TABLE "marketplace_listings" ADD COLUMN "connection_id" UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE "marketplace_listings" DROP CONSTRAINT "marketplace_listings_pkey";
ALTER TABLE "marketplace_listings" ADD CONSTRAINT "marketplace_listings_pkey" PRIMARY KEY ("product_id", "marketplace", "connection_id");
DROP INDEX "marketplace_listings_marketplace_listing_id_key";
CREATE UNIQUE INDEX "marketplace_listings_marketplace_listing_id_connection_id_key" ON "marketplace_listings"("marketplace", "listing_id", "connection_id");

ALTER TABLE "marketplace_warehouses" ADD COLUMN "connection_id" UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE "marketplace_warehouses" DROP CONSTRAINT "marketplace_warehouses_pkey";
ALTER TABLE "marketplace_warehouses" ADD CONSTRAINT "marketplace_warehouses_pkey" PRIMARY KEY ("marketplace", "warehouse_id", "connection_id");

ALTER TABLE "marketplace_orders" ADD COLUMN "connection_id" UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE "marketplace_orders" DROP CONSTRAINT "marketplace_orders_pkey";
ALTER TABLE "marketplace_orders" ADD CONSTRAINT "marketplace_orders_pkey" PRIMARY KEY ("marketplace", "order_id", "connection_id");
ALTER TABLE "marketplace_order_items" ADD COLUMN "connection_id" UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE "marketplace_order_items" DROP CONSTRAINT "marketplace_order_items_pkey";
ALTER TABLE "marketplace_order_items" ADD CONSTRAINT "marketplace_order_items_pkey" PRIMARY KEY ("marketplace", "order_id", "line_id", "connection_id");
ALTER TABLE "marketplace_order_status_history" ADD COLUMN "connection_id" UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE "marketplace_order_status_history" DROP CONSTRAINT "marketplace_order_status_history_pkey";
ALTER TABLE "marketplace_order_status_history" ADD CONSTRAINT "marketplace_order_status_history_pkey" PRIMARY KEY ("marketplace", "order_id", "status", "connection_id");
ALTER TABLE "marketplace_returns" ADD COLUMN "connection_id" UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE "marketplace_returns" DROP CONSTRAINT "marketplace_returns_pkey";
ALTER TABLE "marketplace_returns" ADD CONSTRAINT "marketplace_returns_pkey" PRIMARY KEY ("marketplace", "return_id", "line_id", "connection_id");

ALTER TABLE "stock_pushes" ADD COLUMN "connection_id" UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE "stock_pushes" DROP CONSTRAINT "stock_pushes_pkey";
ALTER TABLE "stock_pushes" ADD CONSTRAINT "stock_pushes_pkey" PRIMARY KEY ("marketplace", "warehouse_id", "product_id", "connection_id");

-- The ledger: which cabinet's event moved stock (event keys of a stored connection carry its id).
ALTER TABLE "stock_movements" ADD COLUMN "connection_id" UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
