-- Runs once, as the image's superuser (postgres), which nothing else uses. As ops/stack/up.sh does
-- natively: the owner of the ledger's tables runs the migrations; the apps log in as runtime roles
-- that own nothing and cannot create databases (grants: migration 1700000000005); the registry keeps
-- its schemas in its own database with its own role.
CREATE ROLE ledgerline LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD 'ledgerline';
CREATE ROLE ledgerline_gateway LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD 'ledgerline';
CREATE ROLE ledgerline_sink LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD 'ledgerline';
CREATE ROLE ledgerline_ops LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD 'ledgerline';
CREATE DATABASE ledgerline OWNER ledgerline;
CREATE DATABASE ledgerline_test OWNER ledgerline;
-- The ledger of compose.yaml's "cluster" profile (its own pipeline, its own positions).
CREATE DATABASE ledgerline_cluster OWNER ledgerline;
REVOKE ALL ON DATABASE ledgerline, ledgerline_test, ledgerline_cluster FROM PUBLIC;
GRANT CONNECT ON DATABASE ledgerline, ledgerline_test, ledgerline_cluster TO ledgerline_gateway, ledgerline_sink, ledgerline_ops;
CREATE ROLE ledgerline_registry LOGIN PASSWORD 'ledgerline_registry';
CREATE DATABASE ledgerline_registry OWNER ledgerline_registry;
REVOKE ALL ON DATABASE ledgerline_registry FROM PUBLIC;
