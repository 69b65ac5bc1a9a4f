-- Every created notification writes an audit row and every send an attempt row; each foreign key
-- on them is a lookup and a row lock on the tenant, per row, which cost PostgreSQL a fifth of a
-- batch insert. An attempt's tenant is already that of its notification (whose own foreign key
-- stays), and tenants are never deleted by Chime, so neither key protects anything the code
-- does not already guarantee. The columns and their indexes stay.
ALTER TABLE delivery_attempts DROP CONSTRAINT delivery_attempts_tenant_id_fkey;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_tenant_id_fkey;
