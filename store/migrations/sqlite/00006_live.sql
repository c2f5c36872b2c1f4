-- +goose Up
-- Inboxes: one row per notification, written in the transaction of the
-- change that causes it.
CREATE TABLE notifications (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at        DATETIME NOT NULL,
    kind      TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    subject   TEXT NOT NULL DEFAULT '',
    starts_at DATETIME,
    by_id     INTEGER,
    by_name   TEXT NOT NULL DEFAULT '',
    detail    TEXT NOT NULL DEFAULT '',
    read_at   DATETIME,
    dedupe    TEXT
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id);
CREATE INDEX notifications_record_idx ON notifications (entity, entity_id);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
-- NULLs are distinct: only keyed reminders are de-duplicated.
CREATE UNIQUE INDEX notifications_dedupe_idx ON notifications (user_id, dedupe);

-- The change feed of SQLite: triggers append to change_log in the
-- transaction of the change (a rollback leaves nothing); one poller per
-- process notices a commit by PRAGMA data_version and reads the new rows.
-- Rows hold the record, its version, the action and the actor: never field
-- values. Old rows are pruned by the pollers.
CREATE TABLE change_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    entity    TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    version   INTEGER NOT NULL DEFAULT 0,
    action    TEXT NOT NULL,
    actor_id  INTEGER NOT NULL DEFAULT 0
);

-- +goose StatementBegin
CREATE TRIGGER audit_entries_feed AFTER INSERT ON audit_entries
BEGIN
    INSERT INTO change_log (entity, entity_id, version, action, actor_id)
    VALUES (NEW.entity, NEW.entity_id, COALESCE(CASE NEW.entity
            WHEN 'client' THEN (SELECT version FROM clients WHERE id = NEW.entity_id)
            WHEN 'contract' THEN (SELECT version FROM contracts WHERE id = NEW.entity_id)
            WHEN 'event' THEN (SELECT version FROM events WHERE id = NEW.entity_id)
            WHEN 'user' THEN (SELECT version FROM users WHERE id = NEW.entity_id)
        END, 0), NEW.action, COALESCE(NEW.actor_id, 0));
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER notifications_feed_insert AFTER INSERT ON notifications
BEGIN
    INSERT INTO change_log (entity, entity_id, action, actor_id)
    VALUES ('notification', NEW.user_id, 'notification.insert', COALESCE(NEW.by_id, 0));
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER notifications_feed_update AFTER UPDATE ON notifications
BEGIN
    INSERT INTO change_log (entity, entity_id, action, actor_id)
    VALUES ('notification', NEW.user_id, 'notification.update', 0);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER notifications_feed_update;
DROP TRIGGER notifications_feed_insert;
DROP TRIGGER audit_entries_feed;
DROP TABLE change_log;
DROP TABLE notifications;
