-- Transactions reference their payment article and cash register (issue 14). Rows stored before
-- this migration may name ones no list held: create them from the transactions first.
INSERT INTO "yclients_expense_categories" ("company_id", "id", "title")
SELECT DISTINCT ON (t."company_id", t."expense_id") t."company_id", t."expense_id", coalesce(t."raw"->'expense'->>'title', '')
FROM "yclients_transactions" t WHERE t."expense_id" IS NOT NULL
ORDER BY t."company_id", t."expense_id", t."last_change_date" DESC NULLS LAST
ON CONFLICT DO NOTHING;

INSERT INTO "yclients_accounts" ("company_id", "id", "title")
SELECT DISTINCT ON (t."company_id", t."account_id") t."company_id", t."account_id", coalesce(t."raw"->'account'->>'title', '')
FROM "yclients_transactions" t WHERE t."account_id" IS NOT NULL
ORDER BY t."company_id", t."account_id", t."last_change_date" DESC NULLS LAST
ON CONFLICT DO NOTHING;

-- AddForeignKey
ALTER TABLE "yclients_transactions" ADD CONSTRAINT "yclients_transactions_company_id_expense_id_fkey" FOREIGN KEY ("company_id", "expense_id") REFERENCES "yclients_expense_categories"("company_id", "id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "yclients_transactions" ADD CONSTRAINT "yclients_transactions_company_id_account_id_fkey" FOREIGN KEY ("company_id", "account_id") REFERENCES "yclients_accounts"("company_id", "id") ON DELETE RESTRICT ON UPDATE CASCADE;
