-- +goose Up
-- Inboxes: one row per notification, written in the transaction of the
-- change that causes it.
CREATE TABLE notifications (
    id        BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id   BIGINT NOT NULL,
    at        DATETIME(6) NOT NULL,
    kind      VARCHAR(100) NOT NULL,
    entity    VARCHAR(40) NOT NULL,
    entity_id BIGINT NOT NULL,
    subject   VARCHAR(2000) NOT NULL DEFAULT '',
    starts_at DATETIME(6) NULL,
    by_id     BIGINT NULL,
    by_name   VARCHAR(200) NOT NULL DEFAULT '',
    detail    VARCHAR(2000) NOT NULL DEFAULT '',
    read_at   DATETIME(6) NULL,
    dedupe    VARCHAR(200) NULL,
    KEY notifications_user_idx (user_id, id),
    KEY notifications_record_idx (entity, entity_id),
    -- No partial index: unread ones are (user_id, read_at IS NULL).
    KEY notifications_unread_idx (user_id, read_at),
    -- NULLs are distinct: only keyed reminders are de-duplicated.
    UNIQUE KEY notifications_dedupe_idx (user_id, dedupe),
    CONSTRAINT notifications_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

-- The change feed of MySQL (no LISTEN): as on SQLite, triggers append to
-- change_log in the transaction of the change (a rollback leaves nothing);
-- one poller per process reads the new rows. Rows hold the record, its
-- version, the action and the actor: never field values. Old rows are
-- pruned by the pollers.
CREATE TABLE change_log (
    id        BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    entity    VARCHAR(40) NOT NULL,
    entity_id BIGINT NOT NULL,
    version   BIGINT NOT NULL DEFAULT 0,
    action    VARCHAR(100) NOT NULL,
    actor_id  BIGINT NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

-- +goose StatementBegin
CREATE TRIGGER audit_entries_feed AFTER INSERT ON audit_entries FOR EACH ROW
    INSERT INTO change_log (entity, entity_id, version, action, actor_id)
    VALUES (NEW.entity, NEW.entity_id, COALESCE(CASE NEW.entity
            WHEN 'client' THEN (SELECT version FROM clients WHERE id = NEW.entity_id)
            WHEN 'contract' THEN (SELECT version FROM contracts WHERE id = NEW.entity_id)
            WHEN 'event' THEN (SELECT version FROM events WHERE id = NEW.entity_id)
            WHEN 'user' THEN (SELECT version FROM users WHERE id = NEW.entity_id)
        END, 0), NEW.action, COALESCE(NEW.actor_id, 0));
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER notifications_feed_insert AFTER INSERT ON notifications FOR EACH ROW
    INSERT INTO change_log (entity, entity_id, action, actor_id)
    VALUES ('notification', NEW.user_id, 'notification.insert', COALESCE(NEW.by_id, 0));
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER notifications_feed_update AFTER UPDATE ON notifications FOR EACH ROW
    INSERT INTO change_log (entity, entity_id, action, actor_id)
    VALUES ('notification', NEW.user_id, 'notification.update', 0);
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER notifications_feed_update;
DROP TRIGGER notifications_feed_insert;
DROP TRIGGER audit_entries_feed;
DROP TABLE change_log;
DROP TABLE notifications;
