-- Runs once on an empty data directory. The services' databases and roles are created by
-- the migrate-* jobs (edureg-migrate); here only Keycloak's own database.
CREATE ROLE keycloak LOGIN PASSWORD 'keycloak';
CREATE DATABASE keycloak OWNER keycloak;
