-- Up Migration
-- GET /v1/accounts/{account_id} (issue 28): the gateway reads account balances. It reads postings too,
-- for the statements and the balances as of a moment that follow; it still writes nothing. A role that
-- does not exist is skipped, as in 1700000000005_runtime-role-grants.sql.
DO $$
DECLARE
  s text := current_schema();
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'ledgerline_gateway') THEN
    EXECUTE format('GRANT SELECT ON %1$I.account_balances, %1$I.postings TO ledgerline_gateway', s);
  END IF;
END $$;

-- Down Migration
DO $$
DECLARE
  s text := current_schema();
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'ledgerline_gateway') THEN
    EXECUTE format('REVOKE SELECT ON %1$I.account_balances, %1$I.postings FROM ledgerline_gateway', s);
  END IF;
END $$;
