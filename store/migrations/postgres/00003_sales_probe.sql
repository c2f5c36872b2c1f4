-- +goose Up
-- The sales "mine" lists of contracts and events walk their date index and
-- ask, for each row, whether its client belongs to the user: answer that
-- from the index alone instead of visiting the client's row (about twice
-- as fast on the 100 000-client data set).
CREATE INDEX clients_id_sales_cover_idx ON clients (id) INCLUDE (sales_contact_id);

-- +goose Down
DROP INDEX clients_id_sales_cover_idx;
