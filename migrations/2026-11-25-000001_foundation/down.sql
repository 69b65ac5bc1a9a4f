DROP TABLE audit_log;
DROP TABLE delivery_attempts;
DROP TABLE notifications;
DROP TABLE users;
DROP TABLE api_keys;
DROP TABLE tenants;
