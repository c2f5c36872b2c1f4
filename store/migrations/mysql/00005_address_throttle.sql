-- +goose Up
-- Failed logins per source address, beside those per account: a client
-- trying many accounts (or keeping one locked) is slowed down too, and
-- every server on the database sees the same count.
CREATE TABLE login_address_attempts (
    address      VARCHAR(64) PRIMARY KEY,
    failures     INTEGER NOT NULL DEFAULT 0,
    last_failure DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=ascii;

-- +goose Down
DROP TABLE login_address_attempts;
