-- The registry keeps its schemas in its own database with its own role (as ops/stack/up.sh does natively).
CREATE ROLE ledgerline_registry LOGIN PASSWORD 'ledgerline_registry';
CREATE DATABASE ledgerline_registry OWNER ledgerline_registry;
CREATE DATABASE ledgerline_test OWNER ledgerline;
