-- Up Migration
-- Least privilege at run time. The role that runs these migrations owns every table; the apps connect
-- as runtime roles that hold only what they use. None owns a table, so none can DROP, ALTER or
-- TRUNCATE one, and none can create databases. The roles are made by the stack (ops/stack/up.sh) or
-- by whoever runs the database; a role that does not exist is skipped, so a bare Postgres migrates too.
--   ledgerline_gateway  GET /v1/transactions, /reports, /console: reads transactions
--   ledgerline_sink     the ledger sink and its outbox relay: writes the ledger, its positions and the
--                       outbox (deletes only published outbox rows past retention)
--   ledgerline_ops      the ledgerline CLI: seeding, DLQ replay audit, sink position decisions, parked
--                       outbox retries; reads everything, deletes nothing
DO $$
DECLARE
  s text := current_schema();
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'ledgerline_gateway') THEN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO ledgerline_gateway', s);
    EXECUTE format('GRANT SELECT ON %I.transactions TO ledgerline_gateway', s);
  END IF;
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'ledgerline_sink') THEN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO ledgerline_sink', s);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %1$I.transactions, %1$I.postings, %1$I.account_balances, '
      '%1$I.outbox, %1$I.payload_conflicts, %1$I.consumer_offsets, %1$I.sink_position_decisions, '
      '%1$I.sink_assignments TO ledgerline_sink', s);
    EXECUTE format('GRANT DELETE ON %I.outbox TO ledgerline_sink', s);
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO ledgerline_sink', s);
  END IF;
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'ledgerline_ops') THEN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO ledgerline_ops', s);
    EXECUTE format('GRANT SELECT ON %1$I.transactions, %1$I.postings, %1$I.account_balances, %1$I.outbox, '
      '%1$I.payload_conflicts, %1$I.consumer_offsets, %1$I.sink_position_decisions, %1$I.sink_assignments, '
      '%1$I.dlq_replays TO ledgerline_ops', s);
    EXECUTE format('GRANT INSERT, UPDATE ON %1$I.transactions, %1$I.postings, %1$I.account_balances, '
      '%1$I.outbox, %1$I.consumer_offsets, %1$I.sink_position_decisions, %1$I.dlq_replays TO ledgerline_ops', s);
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO ledgerline_ops', s);
  END IF;
END $$;

-- Down Migration
DO $$
DECLARE
  s text := current_schema();
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['ledgerline_gateway', 'ledgerline_sink', 'ledgerline_ops'] LOOP
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I', s, r);
      EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM %I', s, r);
      EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM %I', s, r);
    END IF;
  END LOOP;
END $$;
