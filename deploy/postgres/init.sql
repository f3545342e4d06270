-- Runs once, on an empty data directory. The services' databases and roles are created
-- by the migrate-* jobs (edureg-migrate); here only Keycloak's own database, its password
-- from the container's environment (KEYCLOAK_DB_PASSWORD, required by docker-compose.yml).
\getenv keycloak_password KEYCLOAK_DB_PASSWORD
CREATE ROLE keycloak LOGIN PASSWORD :'keycloak_password';
CREATE DATABASE keycloak OWNER keycloak;
