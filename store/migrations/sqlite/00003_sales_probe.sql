-- +goose Up
-- Kept in step with the PostgreSQL migrations. On SQLite a client's id is
-- its rowid, so probing a client by id already reads its row directly and
-- the covering index PostgreSQL gets here would add nothing.
SELECT 1;

-- +goose Down
SELECT 1;
