/**
 * Row-level security as every tenant-owned table has it: the app role sees and writes only the
 * rows of the tenant its transaction set (`app.tenant_id`), and the schema owner sees all rows
 * (it finds work across tenants; FORCE would otherwise hide the rows from it too). Grants differ
 * per table, so each migration states its own.
 */

/** The tenant a transaction acts for, as `withTenant` sets it; no tenant matches no row. */
export const tenantCondition = `nullif(current_setting('app.tenant_id', true), '')::uuid`;

export function tenantRowSecurity(table: string): string {
  return `
ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ${table} TO platform_app
  USING (tenant_id = ${tenantCondition})
  WITH CHECK (tenant_id = ${tenantCondition});
DO $$
BEGIN
  EXECUTE format('CREATE POLICY schema_owner ON ${table} TO %I USING (true) WITH CHECK (true)', current_user);
END $$;`;
}
