-- CreateTable
CREATE TABLE "yclients_positions" (
    "company_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "title" TEXT NOT NULL,

    CONSTRAINT "yclients_positions_pkey" PRIMARY KEY ("company_id","id")
);

-- CreateTable
CREATE TABLE "yclients_staff" (
    "company_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "name" TEXT NOT NULL,
    "specialization" TEXT,
    "position_id" BIGINT,
    "fired" BOOLEAN NOT NULL DEFAULT false,
    "hidden" BOOLEAN NOT NULL DEFAULT false,
    "is_deleted" BOOLEAN NOT NULL DEFAULT false,
    "user_id" BIGINT,
    "raw" JSONB NOT NULL,

    CONSTRAINT "yclients_staff_pkey" PRIMARY KEY ("company_id","id")
);

-- CreateTable
CREATE TABLE "yclients_services" (
    "company_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "category_id" BIGINT,
    "title" TEXT NOT NULL,
    "price_min" DECIMAL(14,2),
    "price_max" DECIMAL(14,2),
    "duration" INTEGER,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "raw" JSONB NOT NULL,

    CONSTRAINT "yclients_services_pkey" PRIMARY KEY ("company_id","id")
);

-- CreateTable
CREATE TABLE "yclients_service_staff" (
    "company_id" BIGINT NOT NULL,
    "service_id" BIGINT NOT NULL,
    "staff_id" BIGINT NOT NULL,
    "seance_length" INTEGER,
    "price" DECIMAL(14,2),

    CONSTRAINT "yclients_service_staff_pkey" PRIMARY KEY ("company_id","service_id","staff_id")
);

-- CreateTable
CREATE TABLE "yclients_client_categories" (
    "company_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "title" TEXT NOT NULL,
    "color" TEXT,

    CONSTRAINT "yclients_client_categories_pkey" PRIMARY KEY ("company_id","id")
);

-- CreateTable
CREATE TABLE "yclients_clients" (
    "company_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "name" TEXT,
    "surname" TEXT,
    "patronymic" TEXT,
    "phone" TEXT,
    "email" TEXT,
    "card" TEXT,
    "birth_date" TEXT,
    "sex_id" INTEGER,
    "discount" DECIMAL(14,2),
    "importance_id" INTEGER,
    "balance" DECIMAL(14,2),
    "spent" DECIMAL(14,2),
    "paid" DECIMAL(14,2),
    "visits" INTEGER,
    "sms_check" BOOLEAN,
    "sms_not" BOOLEAN,
    "last_change_date" TIMESTAMPTZ(3),
    "custom_fields" JSONB,
    "raw" JSONB NOT NULL,

    CONSTRAINT "yclients_clients_pkey" PRIMARY KEY ("company_id","id")
);

-- CreateTable
CREATE TABLE "yclients_client_category_links" (
    "company_id" BIGINT NOT NULL,
    "client_id" BIGINT NOT NULL,
    "category_id" BIGINT NOT NULL,

    CONSTRAINT "yclients_client_category_links_pkey" PRIMARY KEY ("company_id","client_id","category_id")
);

-- CreateTable
CREATE TABLE "yclients_records" (
    "company_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "staff_id" BIGINT,
    "client_id" BIGINT,
    "datetime" TIMESTAMPTZ(3),
    "create_date" TIMESTAMPTZ(3),
    "last_change_date" TIMESTAMPTZ(3),
    "length" INTEGER,
    "attendance" INTEGER,
    "confirmed" INTEGER,
    "online" BOOLEAN,
    "deleted" BOOLEAN NOT NULL DEFAULT false,
    "visit_id" BIGINT,
    "activity_id" BIGINT,
    "comment" TEXT,
    "raw" JSONB NOT NULL,

    CONSTRAINT "yclients_records_pkey" PRIMARY KEY ("company_id","id")
);

-- CreateTable
CREATE TABLE "yclients_record_services" (
    "company_id" BIGINT NOT NULL,
    "record_id" BIGINT NOT NULL,
    "service_id" BIGINT NOT NULL,
    "first_cost" DECIMAL(14,2),
    "discount" DECIMAL(14,2),
    "cost" DECIMAL(14,2),
    "amount" DECIMAL(14,3),

    CONSTRAINT "yclients_record_services_pkey" PRIMARY KEY ("company_id","record_id","service_id")
);

-- CreateTable
CREATE TABLE "yclients_record_staff" (
    "company_id" BIGINT NOT NULL,
    "record_id" BIGINT NOT NULL,
    "staff_id" BIGINT NOT NULL,
    "client_id" BIGINT,

    CONSTRAINT "yclients_record_staff_pkey" PRIMARY KEY ("company_id","record_id","staff_id")
);

-- CreateTable
CREATE TABLE "yclients_expense_categories" (
    "company_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "title" TEXT NOT NULL,

    CONSTRAINT "yclients_expense_categories_pkey" PRIMARY KEY ("company_id","id")
);

-- CreateTable
CREATE TABLE "yclients_accounts" (
    "company_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "title" TEXT NOT NULL,
    "type" INTEGER,
    "comment" TEXT,

    CONSTRAINT "yclients_accounts_pkey" PRIMARY KEY ("company_id","id")
);

-- CreateTable
CREATE TABLE "yclients_transactions" (
    "company_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "document_id" BIGINT,
    "date" TIMESTAMP(0),
    "amount" DECIMAL(14,2),
    "comment" TEXT,
    "expense_id" BIGINT,
    "account_id" BIGINT,
    "client_id" BIGINT,
    "master_id" BIGINT,
    "supplier_id" BIGINT,
    "record_id" BIGINT,
    "visit_id" BIGINT,
    "sold_item_id" BIGINT,
    "sold_item_type" TEXT,
    "last_change_date" TIMESTAMPTZ(3),
    "raw" JSONB NOT NULL,

    CONSTRAINT "yclients_transactions_pkey" PRIMARY KEY ("company_id","id")
);

-- CreateTable
CREATE TABLE "sync_state" (
    "source" TEXT NOT NULL,
    "company_id" BIGINT NOT NULL,
    "entity" TEXT NOT NULL,
    "last_ordinal" INTEGER NOT NULL,
    "last_id" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sync_state_pkey" PRIMARY KEY ("source","company_id","entity")
);

-- CreateIndex
CREATE INDEX "yclients_service_staff_company_id_staff_id_idx" ON "yclients_service_staff"("company_id", "staff_id");

-- CreateIndex
CREATE INDEX "yclients_client_category_links_company_id_category_id_clien_idx" ON "yclients_client_category_links"("company_id", "category_id", "client_id");

-- CreateIndex
CREATE INDEX "yclients_records_company_id_client_id_idx" ON "yclients_records"("company_id", "client_id");

-- CreateIndex
CREATE INDEX "yclients_records_company_id_staff_id_client_id_idx" ON "yclients_records"("company_id", "staff_id", "client_id");

-- CreateIndex
CREATE INDEX "yclients_record_services_company_id_service_id_idx" ON "yclients_record_services"("company_id", "service_id");

-- CreateIndex
CREATE INDEX "yclients_record_staff_company_id_staff_id_client_id_idx" ON "yclients_record_staff"("company_id", "staff_id", "client_id");

-- CreateIndex
CREATE INDEX "yclients_transactions_company_id_date_idx" ON "yclients_transactions"("company_id", "date");

-- AddForeignKey
ALTER TABLE "yclients_service_staff" ADD CONSTRAINT "yclients_service_staff_company_id_service_id_fkey" FOREIGN KEY ("company_id", "service_id") REFERENCES "yclients_services"("company_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "yclients_service_staff" ADD CONSTRAINT "yclients_service_staff_company_id_staff_id_fkey" FOREIGN KEY ("company_id", "staff_id") REFERENCES "yclients_staff"("company_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "yclients_client_category_links" ADD CONSTRAINT "yclients_client_category_links_company_id_client_id_fkey" FOREIGN KEY ("company_id", "client_id") REFERENCES "yclients_clients"("company_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "yclients_client_category_links" ADD CONSTRAINT "yclients_client_category_links_company_id_category_id_fkey" FOREIGN KEY ("company_id", "category_id") REFERENCES "yclients_client_categories"("company_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "yclients_record_services" ADD CONSTRAINT "yclients_record_services_company_id_record_id_fkey" FOREIGN KEY ("company_id", "record_id") REFERENCES "yclients_records"("company_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "yclients_record_staff" ADD CONSTRAINT "yclients_record_staff_company_id_record_id_fkey" FOREIGN KEY ("company_id", "record_id") REFERENCES "yclients_records"("company_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

